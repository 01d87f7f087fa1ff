"""The case API over HTTP: the whole flow, access control, audit, conflicts, problem details."""

from __future__ import annotations

import json
import logging

import yaml
from imr.examples import EXAMPLE_SERVICE

EXAMPLES = EXAMPLE_SERVICE
CASE = yaml.safe_load((EXAMPLES / "case.yaml").read_text())


def _json_case(**changes) -> dict:
    """The example case file as a JSON request body (dates as ISO strings)."""
    return json.loads(json.dumps({**CASE, **changes}, default=str))


def _problem(response, status: int, detail_part: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and detail_part in body["detail"], body
    return body


def _reviewed(site) -> int:
    """Import the example case and take it to an open draft by Dr. Haddad; its id."""
    created = site["ian"].post("/api/cases", json=_json_case())
    assert created.status_code == 201, created.text
    case_id = created.json()["id"]
    assert created.headers["location"] == f"/api/cases/{case_id}"
    assert site["ian"].post(f"/api/cases/{case_id}/eligibility").json()["eligible"] is True
    assert (
        site["ian"].post(f"/api/cases/{case_id}/records-complete", json={"on": "2026-11-27"}).json()["state"]
        == "records_complete"
    )
    assigned = site["ian"].post(f"/api/cases/{case_id}/assignment").json()
    assert assigned["chosen"]["name"] == "Dr. Omar Haddad"
    assert "Fresno Spine and Pain Medical Group" in assigned["excluded"][0]["reasons"][0]
    draft = site["haddad"].post(f"/api/cases/{case_id}/review")
    assert draft.status_code == 200 and draft.json()["status"] == "draft"
    return case_id


def test_the_flow_from_import_to_publication(site, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    case_id = _reviewed(site)
    haddad = site["haddad"]
    current = haddad.get(f"/api/cases/{case_id}/determination").json()
    determination = current["determination"]
    for issue in determination["issues"]:
        issue["outcome"], issue["rationale"] = "Upheld", issue.get("rationale") or "Not supported by the MTUS."
    saved = haddad.put(
        f"/api/cases/{case_id}/determination", json={"determination": determination, "version": current["case_version"]}
    )
    assert saved.status_code == 200, saved.text
    signed = haddad.post(f"/api/cases/{case_id}/determination/sign", json={"version": saved.json()["case_version"]}).json()
    assert signed["status"] == "signed" and len(signed["content_hash"]) == 64
    assert site["ian"].post(f"/api/cases/{case_id}/issue").json()["letter_issued"] is True
    pdf = site["ian"].get(f"/api/cases/{case_id}/letter.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    published = site["ian"].post(f"/api/cases/{case_id}/publish")
    assert published.status_code == 200, published.text
    text = site["ian"].get(f"/api/cases/{case_id}/published").text
    assert "CM26-0000001" in text and "Upheld" in text
    for identifier in ("Garcia", "Okafor", "Valley Packing", "GSC-2023-558812", "555-0142"):
        assert identifier not in text
    assert site["ian"].get(f"/api/cases/{case_id}").json()["state"] == "published"
    # case data never reaches the application log, even at DEBUG
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for identifier in ("Garcia", "Okafor", "alprazolam", "Alprazolam"):
        assert identifier not in logged


def test_a_reviewer_sees_only_assigned_cases(site) -> None:
    case_id = _reviewed(site)
    other = site["ian"].post("/api/cases", json=_json_case(case_number="CM26-0000002")).json()["id"]
    assert [c["id"] for c in site["haddad"].get("/api/cases").json()] == [case_id]
    assert site["park"].get("/api/cases").json() == []
    for path in (
        f"/api/cases/{case_id}",
        f"/api/cases/{other}",
        f"/api/cases/{case_id}/determination",
        "/api/cases/CM26-0000001/letter.pdf",
    ):
        _problem(site["park"].get(path), 404, "no case")
    _problem(site["haddad"].get(f"/api/cases/{other}"), 404, f"no case {other}")
    _problem(site["haddad"].get("/api/cases/424242"), 404, "no case 424242")


def test_roles_and_sign_in(site) -> None:
    _problem(site["anonymous"].get("/api/cases"), 401, "not signed in")
    _problem(site["anonymous"].get("/api/cases", headers={"Authorization": "Bearer forged"}), 401, "invalid token")
    _problem(
        site["anonymous"].post("/api/token", data={"username": "ada", "password": "wrong password!"}),
        401,
        "wrong user name or password",
    )
    _problem(
        site["anonymous"].post("/api/token", data={"username": "nobody", "password": "wrong password!"}),
        401,
        "wrong user name or password",
    )
    _problem(site["haddad"].post("/api/cases", json=_json_case()), 403, "may not cases write")
    _problem(site["aud"].post("/api/reviewers", json={"name": "x", "specialties": ["y"]}), 403, "may not reviewers write")
    _problem(site["ian"].post("/api/cases/1/review"), 403, "may not determinations write")
    _problem(site["ian"].get("/api/audit"), 403, "may not audit read")
    assert site["haddad"].get("/api/users/me").json() == {
        "username": "haddad",
        "role": "reviewer",
        "reviewer_id": site.reviewer_ids["Dr. Omar Haddad"],
    }
    made = site["ada"].post("/api/users", json={"username": "newbie", "password": "another long password", "role": "intake"})
    assert made.status_code == 201
    _problem(
        site["ada"].post("/api/users", json={"username": "newbie", "password": "another long password", "role": "intake"}),
        422,
        "already exists",
    )
    _problem(site["ada"].post("/api/users", json={"username": "x", "password": "short", "role": "intake"}), 422, "too short")


def test_every_case_read_and_write_is_in_the_audit_log(site) -> None:
    case_id = _reviewed(site)
    site["haddad"].get(f"/api/cases/{case_id}")
    site["park"].get(f"/api/cases/{case_id}")
    entries = site["aud"].get("/api/audit", params={"case_id": case_id}).json()
    trail = [(e["username"], e["action"], e["outcome"]) for e in reversed(entries)]
    assert trail[:5] == [
        ("ian", "case.import", "ok"),
        ("ian", "case.eligibility", "ok"),
        ("ian", "case.read", "ok"),
        ("ian", "case.records_complete", "ok"),
        ("ian", "case.assign", "ok"),
    ]
    assert ("haddad", "determination.draft", "ok") in trail
    assert trail[-2:] == [("haddad", "case.read", "ok"), ("park", "case.read", "denied")]
    assert all(set(e) == {"id", "at", "username", "action", "case_id", "outcome"} for e in entries)


def test_a_stale_sign_is_a_conflict_and_nothing_is_lost(site) -> None:
    case_id = _reviewed(site)
    haddad = site["haddad"]
    current = haddad.get(f"/api/cases/{case_id}/determination").json()
    stale = current["case_version"]
    determination = current["determination"]
    for issue in determination["issues"]:
        issue["outcome"], issue["rationale"] = "Overturned", "Meets the MTUS criteria."
    assert (
        haddad.put(f"/api/cases/{case_id}/determination", json={"determination": determination, "version": stale}).status_code
        == 200
    )
    body = _problem(
        haddad.post(f"/api/cases/{case_id}/determination/sign", json={"version": stale}), 409, f"changed since version {stale}"
    )
    assert body["type"] == "urn:imr:problem:edit-conflict"
    kept = haddad.get(f"/api/cases/{case_id}/determination").json()
    assert kept["status"] == "draft" and kept["determination"]["issues"][0]["outcome"] == "Overturned"


def test_bad_input_is_a_problem_naming_the_field(site) -> None:
    _problem(site["ian"].post("/api/cases", json={"received": "2017-01-10", "requests": []}), 422, "requests")
    _problem(
        site["ian"].post("/api/cases", json=_json_case(parties=[{"role": "butler", "name": "X"}])),
        422,
        "unknown party role 'butler'",
    )
    _problem(site["ian"].post("/api/cases", json=_json_case(received=None)), 422, "received")
    _problem(site["ian"].get("/api/cases", params={"state": "lost"}), 422, "unknown state 'lost'")
    case_id = site["ian"].post("/api/cases", json=_json_case()).json()["id"]
    _problem(site["ian"].post(f"/api/cases/{case_id}/assignment"), 409, "cannot assign while received")


def test_documents_upload_once_and_download(site, dwc_letters) -> None:
    first = site["ian"].post("/api/cases", json=_json_case()).json()["id"]
    pdf = dwc_letters[1].read_bytes()
    up = site["ian"].post(
        f"/api/cases/{first}/documents",
        files={"file": ("ur.pdf", pdf, "application/pdf")},
        data={"kind": "UR decision", "date": "2016-12-28"},
    )
    assert up.status_code == 201, up.text
    filed = up.json()
    assert filed["media_type"] == "application/pdf" and filed["page_count"] >= 1 and filed["date"] == "2016-12-28"
    back = site["ian"].get(f"/api/cases/{first}/documents/{filed['sha256']}")
    assert back.content == pdf
    _problem(
        site["ian"].post(
            f"/api/cases/{first}/documents", files={"file": ("x.bin", b"\x00\xff\xfe\x81", "application/octet-stream")}
        ),
        422,
        "neither a PDF nor UTF-8",
    )


def test_openapi_lists_every_resource(site) -> None:
    paths = site["anonymous"].get("/openapi.json").json()["paths"]
    for path in (
        "/api/token",
        "/api/cases",
        "/api/cases/{ref}/determination/sign",
        "/api/reviewers",
        "/api/users",
        "/api/audit",
        "/api/cases/due",
    ):
        assert path in paths


def test_a_token_stops_working_when_the_password_changes_and_renewal_slides(site) -> None:
    from imr.cases.models import User
    from imr.web.auth import hash_password

    authenticator = site.app.state.authenticator
    token = site["haddad"].headers["Authorization"].split()[1]
    renewed = authenticator.renew(token)
    assert authenticator.actor_for_token(renewed).username == "haddad"
    with site.app.state.database.transaction() as session:
        user = session.query(User).filter_by(username="haddad").one()
        user.password_hash = hash_password("a brand new password")
    authenticator._known.clear()  # what the few-second user cache would do by itself
    _problem(site["haddad"].get("/api/cases"), 401, "credentials changed")
