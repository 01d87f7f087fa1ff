"""The workbench pages through the app (real database, real engine, real renderer): the issue's flow,
escaping of case text, CSRF, session expiry, and what each role may open."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from itsdangerous.timed import TimestampSigner

from imr.web.app import create_app
from imr.examples import EXAMPLE_SERVICE

EXAMPLES = EXAMPLE_SERVICE
PASSWORD = "a long enough password"  # conftest's password for every seeded user


@dataclass
class Site:
    app: Any


@pytest.fixture
def site(site: Any) -> Iterator[Site]:  # noqa: F811 - conftest's API-only site, with the pages added
    """The whole app (API and workbench) on conftest's fresh database, its reviewers and users."""
    app = create_app(site.app.state.settings)
    try:
        yield Site(app)
    finally:
        app.state.database.dispose()


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def signed_in(site: Site, username: str) -> TestClient:
    client = TestClient(site.app, follow_redirects=False)
    form = client.get("/login")
    assert form.status_code == 200, form.text
    token = CSRF.search(form.text).group(1)
    answer = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token, "next": "/queue"})
    assert answer.status_code == 303, answer.text
    return client


def csrf(client: TestClient, path: str = "/queue") -> str:
    return CSRF.search(client.get(path).text).group(1)


def post(client: TestClient, path: str, data: dict | None = None, files: dict | None = None, token_from: str | None = None):
    token = csrf(client, token_from or "/queue")
    return client.post(path, data={**(data or {}), "csrf_token": token}, files=files)


def import_example(intake: TestClient, case: dict | None = None) -> int:
    """Import the example case.yaml (or a changed copy) with its record file; the new case's id."""
    text = yaml.safe_dump(case, sort_keys=False) if case else (EXAMPLES / "case.yaml").read_text()
    record = EXAMPLES / "records" / "progress-note-2026-10-19.txt"
    answer = post(
        intake,
        "/cases/new",
        files={
            "case_file": ("case.yaml", text.encode(), "application/x-yaml"),
            "documents": (record.name, record.read_bytes(), "text/plain"),
        },
    )
    assert answer.status_code == 303, answer.text
    return int(re.search(r"/cases/(\d+)", answer.headers["location"]).group(1))


def ready_for_review(intake: TestClient, case_id: int) -> None:
    for path, data in (
        (f"/cases/{case_id}/eligibility", {}),
        (f"/cases/{case_id}/records-complete", {"on": "2026-11-27"}),
        (f"/cases/{case_id}/assign", {}),
    ):
        answer = post(intake, path, data)
        assert answer.status_code == 303, answer.text


def open_review(site: Site, case_id: int) -> tuple[TestClient, str]:
    """Dr. Haddad (assigned) opens the review; his client and the case page with the engine's draft."""
    reviewer = signed_in(site, "haddad")
    assert post(reviewer, f"/cases/{case_id}/review", token_from=f"/cases/{case_id}").status_code == 303
    return reviewer, reviewer.get(f"/cases/{case_id}").text


def sign(reviewer: TestClient, case_id: int, page: str) -> None:
    version = re.search(r'action="/cases/\d+/sign".*?name="version" value="(\d+)"', page, re.S).group(1)
    answer = post(reviewer, f"/cases/{case_id}/sign", {"version": version, "attest": "yes"}, token_from=f"/cases/{case_id}")
    assert answer.status_code == 303, answer.text


def test_the_issue_flow_through_the_pages(site: Site) -> None:
    intake = signed_in(site, "ian")
    case_id = import_example(intake)
    page = intake.get(f"/cases/{case_id}").text
    assert "CM26-0000001" in page and "progress-note-2026-10-19.txt" in page
    ready_for_review(intake, case_id)
    page = intake.get(f"/cases/{case_id}").text
    # Dr. Park works for the requesting practice: excluded; the least-loaded qualified reviewer is Dr. Haddad.
    assert "Reviewer: <b>Dr. Omar Haddad</b>" in page

    reviewer, page = open_review(site, case_id)
    assert "CM26-0000001" in reviewer.get("/queue").text
    record = yaml.safe_load((EXAMPLES / "case.yaml").read_text())["records"][0]["text"]
    marks = re.findall(r'<mark id="ev-0-(\d+)-(\d+)"[^>]*>([^<]*)</mark>', page)
    assert marks, "the engine's evidence is marked in the record"
    for start, end, shown in marks:
        assert record[int(start) : int(end)] == shown  # marks sit exactly on the engine's offsets
    assert "alprazolam 0.5 mg" in [m[2] for m in marks]
    assert 'href="#ev-0-' in page and "Contradicted" in page  # checklist lines link to their evidence
    # Every link of the checklist has its target on the page: the marked span, the guideline's paraphrase.
    targets = re.findall(r'href="#((?:ev|i\d+-rule|i\d+-cite)-[^"]+)"', page)
    assert any("-rule-" in t for t in targets)
    assert all(f'id="{t}"' in page for t in targets)

    form = {"version": re.search(r'name="version" value="(\d+)"', page).group(1), "then": "save"}
    for n in (1, 2):
        form[f"outcome_{n}"] = "Upheld"
        form[f"citations_{n}"] = "MTUS Chronic Pain Medical Treatment Guidelines; Benzodiazepines; 24"
        form[f"rationale_{n}"] = f"Item {n}: long-term benzodiazepine use is not supported; reviewed by hand."
    answer = post(reviewer, f"/cases/{case_id}/draft", form, token_from=f"/cases/{case_id}")
    assert answer.status_code == 303, answer.text
    page = reviewer.get(f"/cases/{case_id}").text
    assert "Changed from the engine's draft: rationale, citations" in page
    assert "The request for Alprazolam 0.5mg #60 is not medically necessary" in page  # the engine's own rationale, for comparison
    letter = reviewer.get(f"/cases/{case_id}/letter.html")
    assert "reviewed by hand" in letter.text and "default-src 'none'" in letter.headers["content-security-policy"]

    sign(reviewer, case_id, page)
    pdf = reviewer.get(f"/cases/{case_id}/letter.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf.headers["content-type"] == "application/pdf"

    other = signed_in(site, "park")
    assert other.get(f"/cases/{case_id}").status_code == 404
    assert other.get(f"/cases/{case_id}/letter.pdf").status_code == 404
    assert "CM26-0000001" not in other.get("/queue").text

    # Intake issues the letter and publishes the redacted copy; the download is then the issued PDF.
    assert post(intake, f"/cases/{case_id}/issue", token_from=f"/cases/{case_id}").status_code == 303
    assert "letter issued" in intake.get(f"/cases/{case_id}").text
    assert intake.get(f"/cases/{case_id}/letter.pdf").content.startswith(b"%PDF")
    assert post(intake, f"/cases/{case_id}/publish", token_from=f"/cases/{case_id}").status_code == 303
    assert "Redacted determination published" in intake.get(f"/cases/{case_id}").text


def test_signing_needs_the_attestation(site: Site) -> None:
    intake = signed_in(site, "ian")
    case_id = import_example(intake)
    ready_for_review(intake, case_id)
    reviewer, _ = open_review(site, case_id)
    answer = post(reviewer, f"/cases/{case_id}/sign", {}, token_from=f"/cases/{case_id}")
    assert answer.status_code == 422 and "confirm" in answer.text
    assert "In review" in reviewer.get(f"/cases/{case_id}").text


def test_case_text_is_escaped_everywhere(site: Site) -> None:
    case = yaml.safe_load((EXAMPLES / "case.yaml").read_text())
    case["case_number"] = "CM17-0000666"
    case["records"][0]["text"] = "<script>alert('x')</script> She takes alprazolam 0.5 mg for anxiety. <b>bold</b>"
    case["requests"][0]["text"] = "Alprazolam 0.5mg #60 <img src=x onerror=alert(1)>"
    case["parties"][0]["name"] = "Maria <i>Garcia</i>"
    intake = signed_in(site, "ian")
    case_id = import_example(intake, case)
    ready_for_review(intake, case_id)
    reviewer, _ = open_review(site, case_id)
    for client, path in (
        (intake, f"/cases/{case_id}"),
        (reviewer, f"/cases/{case_id}"),
        (intake, "/queue"),
        (reviewer, "/queue"),
    ):
        page = client.get(path).text
        assert "<script>alert" not in page and "<img src=x" not in page and "<b>bold" not in page and "<i>Garcia" not in page
    page = reviewer.get(f"/cases/{case_id}").text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert re.search(r"<mark [^>]*>alprazolam 0\.5 mg</mark>", page)  # marks still land on the escaped text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<img src=x" not in reviewer.get(f"/cases/{case_id}/letter.html").text


def test_forms_without_the_session_token_are_refused(site: Site) -> None:
    intake = signed_in(site, "ian")
    case_id = import_example(intake)
    assert intake.post(f"/cases/{case_id}/eligibility", data={}).status_code == 403
    assert intake.post(f"/cases/{case_id}/eligibility", data={"csrf_token": "forged"}).status_code == 403
    # A token from another user's session does not work in this one.
    stranger = csrf(signed_in(site, "ada"))
    assert intake.post(f"/cases/{case_id}/eligibility", data={"csrf_token": stranger}).status_code == 403
    assert "Application received" in intake.get(f"/cases/{case_id}").text  # nothing happened
    assert post(intake, f"/cases/{case_id}/eligibility").status_code == 303


def test_sessions_expire_when_idle(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    intake = signed_in(site, "ian")
    answer = intake.get("/queue")
    assert answer.status_code == 200 and "imr_session=" in answer.headers.get("set-cookie", "")  # idle timer restarts
    minutes = site.app.state.settings.session_minutes
    later = int(time.time()) + minutes * 60 + 5
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    answer = intake.get("/queue")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login?reason=expired")
    assert "session expired" in intake.get(answer.headers["location"]).text.lower()
    partial = intake.get("/queue?q=1", headers={"HX-Request": "true"})
    assert partial.headers["HX-Redirect"].startswith("/login?reason=expired") and "CM17" not in partial.text


def test_an_active_session_outlives_the_idle_limit(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    intake = signed_in(site, "ian")
    idle = site.app.state.settings.session_minutes * 60
    now = int(time.time())
    for step in (1, 2, 3):  # three visits, each 80% of the idle limit after the one before
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self, at=now + int(step * 0.8 * idle): at)
        assert intake.get("/queue").status_code == 200
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: now + int(3 * 0.8 * idle) + idle + 5)
    assert intake.get("/queue").status_code == 303


def test_signing_out_ends_the_session(site: Site) -> None:
    intake = signed_in(site, "ian")
    assert post(intake, "/logout").status_code == 303
    assert intake.get("/queue").status_code == 303


def test_wrong_password_is_refused(site: Site) -> None:
    client = TestClient(site.app, follow_redirects=False)
    token = CSRF.search(client.get("/login").text).group(1)
    answer = client.post("/login", data={"username": "ian", "password": "not the password", "csrf_token": token})
    assert answer.status_code == 401 and "wrong user name or password" in answer.text
    assert client.get("/queue").status_code == 303


def test_pages_by_role(site: Site) -> None:
    intake = signed_in(site, "ian")
    import_example(intake)
    reviewer = signed_in(site, "park")
    assert reviewer.get("/audit").status_code == 403
    assert reviewer.get("/cases/new").status_code == 403
    auditor = signed_in(site, "aud")
    assert auditor.get("/audit").status_code == 200
    assert auditor.get("/reviewers").status_code == 200
    assert 'action="/cases/' not in auditor.get("/cases/1").text  # read-only: no forms on the case
    admin = signed_in(site, "ada")
    page = admin.get("/reviewers").text
    assert "Fresno Spine and Pain Medical Group" in page and 'action="/users"' in page


def test_refused_reads_show_in_the_audit_trail(site: Site) -> None:
    intake = signed_in(site, "ian")
    case_id = import_example(intake)
    assert signed_in(site, "park").get(f"/cases/{case_id}").status_code == 404
    page = signed_in(site, "aud").get(f"/audit?case_id={case_id}").text
    assert re.search(r"<td>park</td><td class=\"mono small\">case.read</td>.*?denied", page, re.S)


def test_queue_filters_and_deadlines(site: Site) -> None:
    intake = signed_in(site, "ian")
    first = import_example(intake)
    case = yaml.safe_load((EXAMPLES / "case.yaml").read_text())
    case.update(case_number="CM26-0000002", expedited=True, claim_number="OTHER-1")
    import_example(intake, case)
    post(intake, f"/cases/{first}/eligibility")
    page = intake.get("/queue?priority=expedited").text
    assert "CM26-0000002" in page and "CM26-0000001" not in page
    page = intake.get("/queue?state=eligible").text
    assert "CM26-0000001" in page and "CM26-0000002" not in page
    # The expedited copy was due 3 days after its receipt in November 2026: overdue, shown in red.
    assert 'class="row-overdue"' in intake.get("/queue").text
    partial = intake.get("/queue?q=0000002", headers={"HX-Request": "true"}).text
    assert "<html" not in partial and "CM26-0000002" in partial


def test_dashboard_charts_count_signed_decisions(site: Site) -> None:
    intake = signed_in(site, "ian")
    case_id = import_example(intake)
    ready_for_review(intake, case_id)
    reviewer, page = open_review(site, case_id)
    sign(reviewer, case_id, page)
    page = intake.get("/dashboard").text
    assert page.count("<svg") >= 4
    assert re.search(r"<title>benzodiazepine: 1 upheld</title>", page)
    assert re.search(r"<title>Upheld: 2 upheld</title>", page)


def test_similar_published_decisions_come_from_the_corpus(site: Site) -> None:
    from imr.corpus.ingest import ingest

    letters = sorted((Path(__file__).parents[1] / "fixtures" / "letters" / "dwc").glob("*.pdf"))[:12]
    intake = signed_in(site, "ian")
    case_id = import_example(intake)
    ready_for_review(intake, case_id)
    reviewer, page = open_review(site, case_id)
    assert "No published decisions to compare" in reviewer.get(f"/cases/{case_id}/items/2/precedents").text
    report = ingest(letters, url=site.app.state.settings.resolved_database_url, workers=1)
    assert report.stored == len(letters)
    found = reviewer.get(f"/cases/{case_id}/items/2/precedents").text
    assert re.search(r'<td class="mono">CM\d\d-\d+</td>', found) and "outcome-" in found
    assert signed_in(site, "park").get(f"/cases/{case_id}/items/2/precedents").status_code == 404
