"""The engine's draft is made after the answer (issue 15, item 13): opening the review answers at once
with a pending draft, the case page says "Draft pending" until the engine is done, and nothing can be
edited or signed before then."""

from __future__ import annotations

from fastapi.testclient import TestClient

from imr.cases import Actor, service
from imr.cases.testing import add_example_reviewers  # noqa: F401 - the registry conftest seeded
from tests.web.conftest import PASSWORD
from tests.web.test_pages import Site, import_example, post, ready_for_review, signed_in, site  # noqa: F401 - site is a fixture


def _haddad(site: Site) -> Actor:  # noqa: F811
    from sqlalchemy import select

    from imr.cases.models import Reviewer

    with site.app.state.database.reading() as session:
        reviewer_id = session.scalar(select(Reviewer.id).where(Reviewer.name == "Dr. Omar Haddad"))
    return Actor(username="haddad", role="reviewer", reviewer_id=reviewer_id)


def test_the_api_answers_before_the_engine_drafts(site: Site) -> None:  # noqa: F811
    intake = signed_in(site, "ian")
    case_id = import_example(intake)
    ready_for_review(intake, case_id)
    api = TestClient(site.app)
    token = api.post("/api/token", data={"username": "haddad", "password": PASSWORD}).json()["access_token"]
    api.headers["Authorization"] = f"Bearer {token}"
    answer = api.post(f"/api/cases/{case_id}/review")
    # the answer was made before the engine ran (the test client waits for the work done after it)
    assert answer.status_code == 200 and answer.json()["status"] == "draft" and answer.json()["source"] == "pending"
    latest = api.get(f"/api/cases/{case_id}/determination").json()
    assert latest["source"] == "engine" and latest["determination"]["issues"][0]["outcome"] in ("Upheld", "Overturned")


def test_the_case_page_shows_a_pending_draft_until_the_engine_is_done(site: Site) -> None:  # noqa: F811
    intake = signed_in(site, "ian")
    case_id = import_example(intake)
    ready_for_review(intake, case_id)
    database, haddad = site.app.state.database, _haddad(site)

    version, pending = service.request_review(database, haddad, case_id)
    assert pending and version.source == service.PENDING
    reviewer = signed_in(site, "haddad")
    page = reviewer.get(f"/cases/{case_id}").text
    assert "Draft pending" in page and 'http-equiv="refresh"' in page
    assert f'action="/cases/{case_id}/sign"' not in page and f'action="/cases/{case_id}/draft"' not in page
    refused = post(reviewer, f"/cases/{case_id}/sign", {"attest": "yes"}, token_from=f"/cases/{case_id}")
    assert refused.status_code == 409 and "still being prepared" in refused.text
    assert service.request_review(database, haddad, case_id)[1] is True  # asked again while pending: run again

    service.finish_pending_draft(database, haddad, case_id)
    page = reviewer.get(f"/cases/{case_id}").text
    assert "Draft pending" not in page and f'action="/cases/{case_id}/draft"' in page
    service.finish_pending_draft(database, haddad, case_id)  # a second run finds nothing pending: no change
    with database.transaction() as session:
        versions = [(v.number, v.status, v.source) for v in service.load_case(session, haddad, case_id).determinations]
    assert versions == [(1, "draft", "engine")]
