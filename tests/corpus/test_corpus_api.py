"""The corpus API router, mounted on a bare FastAPI app the way the web app mounts it."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from imr.corpus.ingest import ingest
from imr.settings import get_settings
from imr.web.api.corpus import router

from .conftest import known_corpus, write_letters


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    write_letters(tmp_path / "letters", known_corpus())
    ingest([tmp_path / "letters"], url=url, workers=1)
    monkeypatch.setenv("IMR_DATABASE_URL", url)
    get_settings.cache_clear()
    app = FastAPI()
    app.include_router(router, prefix="/api")
    yield TestClient(app)
    get_settings.cache_clear()


def test_search_endpoint(client: TestClient) -> None:
    answer = client.get("/api/corpus/search", params={"q": "alprazolam", "outcome": "Overturned"})
    assert answer.status_code == 200
    assert [hit["case_number"] for hit in answer.json()] == ["CM17-0000004"]
    bad = client.get("/api/corpus/search", params={"q": "pain", "outcome": "perhaps"})
    assert bad.status_code == 400 and "Upheld or Overturned" in bad.json()["detail"]


def test_stats_endpoint(client: TestClient) -> None:
    data = client.get("/api/corpus/stats", params=[("by", "drug_class"), ("by", "year")]).json()
    assert data["decisions"]["decisions"] == 7
    assert {row["value"]: row["decisions"] for row in data["breakdowns"]["year"]["rows"]} == {"2015": 2, "2016": 4, "2017": 1}
    assert set(data["breakdowns"]) == {"drug_class", "year"}


def test_precedents_endpoint(client: TestClient) -> None:
    item = {"text": "Ativan 1mg", "kind": "drug", "generic": "lorazepam", "drug_class": "benzodiazepine"}
    answer = client.post(
        "/api/corpus/precedents",
        json={"item": item, "summary": "panic disorder, SSRI started", "recommendation": "Upheld", "limit": 3},
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["precedents"][0]["case_number"] == "CM17-0000004"
    assert body["comparison"].startswith("2 of 3 similar published decisions were upheld")
    assert client.post("/api/corpus/precedents", json={}).status_code == 400


def test_mounted_in_the_web_app_on_its_database(tmp_path: Path) -> None:
    from imr.settings import Settings
    from imr.web.app import create_app

    url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    write_letters(tmp_path / "letters", known_corpus())
    ingest([tmp_path / "letters"], url=url, workers=1)
    app = create_app(Settings(database_url=url, data_dir=tmp_path), pages=False)
    with TestClient(app) as client:
        answer = client.get("/api/corpus/stats", params={"by": "kind"})
    assert answer.status_code == 200
    assert answer.json()["letters"] == 4
