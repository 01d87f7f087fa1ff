"""Hostile requests: YAML bombs through the workbench, oversized bodies (declared or streamed), and the
headers that keep case data out of caches."""

from __future__ import annotations

import json
import time

import pytest
import yaml

from imr.examples import EXAMPLE_SERVICE
from imr.web.app import create_app
from imr.web.guards import MAX_BODY_BYTES, MAX_UPLOAD_BYTES
from tests.test_input_files import BILLION_LAUGHS
from tests.web.test_pages import post, signed_in

CASE = yaml.safe_load((EXAMPLE_SERVICE / "case.yaml").read_text())


@pytest.fixture
def whole_site(site):
    """The API and the workbench pages over conftest's database and users."""
    app = create_app(site.app.state.settings)
    try:
        yield type("Site", (), {"app": app})()
    finally:
        app.state.database.dispose()


def test_a_billion_laughs_upload_is_refused_at_once(whole_site) -> None:
    intake = signed_in(whole_site, "ian")
    started = time.perf_counter()
    answer = post(
        intake,
        "/cases/new",
        files={"case_file": ("case.yaml", BILLION_LAUGHS.encode(), "application/x-yaml")},
        token_from="/cases/new",
    )
    assert time.perf_counter() - started < 10
    assert answer.status_code == 422 and "YAML anchors and aliases" in answer.text
    assert intake.get("/healthz").status_code == 200


def test_a_reviewer_entry_with_aliases_is_refused(whole_site) -> None:
    admin = signed_in(whole_site, "ada")
    answer = post(admin, "/reviewers", {"entry": BILLION_LAUGHS}, token_from="/reviewers")
    assert answer.status_code == 422 and "YAML anchors and aliases" in answer.text


def test_a_declared_oversized_json_body_is_refused_before_it_is_read(site) -> None:
    body = json.dumps({**json.loads(json.dumps(CASE, default=str)), "padding": "x" * MAX_BODY_BYTES})
    answer = site["ian"].post("/api/cases", content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 413 and answer.json()["detail"] == "request body larger than 10 MB"


def test_a_streamed_oversized_body_is_cut_off(site) -> None:
    chunk = b"x" * (1024 * 1024)

    def stream():  # no Content-Length: chunked transfer
        yield b'{"padding": "'
        for _ in range(MAX_BODY_BYTES // len(chunk) + 2):
            yield chunk
        yield b'"}'

    answer = site["ian"].post("/api/cases", content=stream(), headers={"content-type": "application/json"})
    assert answer.status_code == 413, answer.text


def test_an_oversized_upload_is_refused(site) -> None:
    created = site["ian"].post("/api/cases", json=json.loads(json.dumps(CASE, default=str)))
    case_id = created.json()["id"]
    answer = site["ian"].post(
        f"/api/cases/{case_id}/documents",
        files={"file": ("big.txt", b"x" * 1024, "text/plain")},
        headers={"content-length": str(MAX_UPLOAD_BYTES + 1)},
    )
    assert answer.status_code == 413


def test_case_data_is_never_cached_nor_sniffed(site, whole_site) -> None:
    created = site["ian"].post("/api/cases", json=json.loads(json.dumps(CASE, default=str)))
    for answer in (
        created,
        site["ian"].get(f"/api/cases/{created.json()['id']}"),
        site["anonymous"].get("/api/cases"),
        site["ian"].get("/api/cases/nowhere"),
    ):
        assert answer.headers["cache-control"] == "no-store", answer.url
        assert answer.headers["x-content-type-options"] == "nosniff"
    intake = signed_in(whole_site, "ian")
    assert intake.get("/queue").headers["cache-control"] == "no-store"
    assert intake.get("/static/workbench.css").headers["cache-control"] == "public, max-age=86400"
