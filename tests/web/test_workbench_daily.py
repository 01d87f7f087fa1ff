"""The daily jobs in the workbench without YAML or a terminal (issue 15, item 14): opening a case from a
form, editing the case summary, account and reviewer admin, searching cases, the published copy, audit
filters and the local API docs; each with who may and who may not."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.web.test_pages import (  # noqa: F401 - `site` is the fixture these tests run on
    EXAMPLES,
    PASSWORD,
    Site,
    csrf,
    import_example,
    open_review,
    post,
    ready_for_review,
    sign,
    signed_in,
    site,
)

FIXTURES = Path(__file__).parents[1] / "fixtures"


def a_pdf() -> Path:
    return sorted((FIXTURES / "letters" / "dwc").glob("*.pdf"))[0]


def open_form(**changes: str) -> dict[str, str]:
    """The open-a-case form as intake fills it in for the example case."""
    form = {
        "case_number": "CM26-0001234",
        "received": "2026-11-02",
        "priority": "standard",
        "claim_number": "GSC-2024-100200",
        "ur_decision_date": "2026-10-20",
        "ur_organization": "Coastal Utilization Review LLC",
        "injury_date": "2024-05-02",
        "worker_age": "47",
        "worker_sex": "male",
        "items": "Alprazolam 0.5mg #60\nPhysical therapy 2 times a week for 6 weeks, lumbar spine\n",
        "party_role_0": "injured_worker",
        "party_name_0": "Jorge Ramirez",
        "party_role_1": "employer",
        "party_name_1": "Valley Packing Co.",
        "party_role_2": "claims_administrator",
        "party_name_2": "Golden State Claims Services",
        "party_role_3": "ur_organization",
        "party_name_3": "",
        "party_role_4": "requesting_provider",
        "party_name_4": "Dr. Samuel Okafor",
        "party_org_4": "Fresno Spine and Pain Medical Group",
        "party_role_5": "attorney",
        "party_name_5": "",
        "doc_kind_0": "UR decision",
        "doc_date_0": "2026-10-20",
    }
    form.update(changes)
    return form


def submit(client: TestClient, form: dict[str, str], files: dict | None = None):  # type: ignore[no-untyped-def]
    return client.post("/cases/open", data={**form, "csrf_token": csrf(client, "/cases/new")}, files=files)


def field_error(page: str, field: str) -> str:
    """The message shown next to a field ('' when the field has none)."""
    found = re.search(rf'<span class="field-error" id="err-{field}">([^<]*)</span>', page)
    return html.unescape(found.group(1)) if found else ""


# ---------------------------------------------------------------- opening a case from the form


def test_intake_opens_a_case_from_the_form_with_its_pdf(site: Site) -> None:
    intake = signed_in(site, "ian")
    blank = intake.get("/cases/new").text
    assert 'action="/cases/open"' in blank and "field-error" not in blank
    assert re.search(r'<textarea name="items"[^>]*>\s*</textarea>', blank)  # empty, not a dict method's name
    pdf = a_pdf()
    answer = submit(intake, open_form(), files={"doc_file_0": (pdf.name, pdf.read_bytes(), "application/pdf")})
    assert answer.status_code == 303, answer.text
    case_id = int(re.search(r"/cases/(\d+)\?done=opened", answer.headers["location"]).group(1))
    page = intake.get(f"/cases/{case_id}?done=opened").text
    assert "Case opened" in page and "CM26-0001234" in page and "GSC-2024-100200" in page
    assert "Jorge Ramirez" in page and "Fresno Spine and Pain Medical Group" in page
    assert "Alprazolam 0.5mg #60" in page and "Physical therapy 2 times a week" in page
    assert pdf.name in page and "UR decision" in page
    # Filed exactly as `imr cases import` files it: deadlines from the date received, the PDF paged.
    with site.app.state.database.reading() as db:
        from imr.cases.models import Case

        stored = db.get(Case, case_id)
        assert stored.received.isoformat() == "2026-11-02" and stored.expedited is False
        assert stored.claim_number == "GSC-2024-100200" and stored.ur_decision_date.isoformat() == "2026-10-20"
        assert [d.blob.media_type for d in stored.documents] == ["application/pdf"] and stored.documents[0].blob.page_count >= 1
        assert stored.case_file["worker"] == {"age": 47, "sex": "male"}
    # The screening sees the practice typed beside the provider: Dr. Park, who works there, is excluded.
    post(intake, f"/cases/{case_id}/eligibility")
    post(intake, f"/cases/{case_id}/records-complete", {"on": "2026-11-03"})
    screening = intake.get(f"/cases/{case_id}").text
    assert re.search(r"Dr\. Helen Park.*?Fresno Spine and Pain Medical Group", screening, re.S)


def test_an_expedited_case_from_the_form_runs_on_the_short_clock(site: Site) -> None:
    intake = signed_in(site, "ian")
    answer = submit(intake, open_form(priority="expedited", case_number=""))
    assert answer.status_code == 303, answer.text
    page = intake.get(answer.headers["location"]).text
    assert "Expedited" in page and re.search(r"<h1 class=\"mono\">IMR-26-[0-9A-F]{10}</h1>", page)


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"received": ""}, "received", "is required"),
        ({"received": "2026-02-30"}, "received", "is not a date"),
        ({"received": "2999-01-01"}, "received", "in the future"),
        ({"items": "  \n"}, "items", "at least one disputed item"),
        ({"party_name_0": ""}, "party_name_0", "injured worker's name is required"),
        ({"party_name_5": "", "party_org_5": "Chen & Partners"}, "party_name_5", "a name is needed for an attorney"),
        ({"worker_age": "forty"}, "worker_age", "not an age"),
        ({"case_number": "12345"}, "case_number", "digits only"),
        ({"ur_decision_date": "2026-12-01", "received": "2026-11-02"}, "ur_decision_date", "before the application"),
        ({"priority": "urgent"}, "priority", "standard or expedited"),
        ({"doc_date_0": "yesterday"}, "doc_date_0", "not a date"),
    ],
)
def test_a_mistake_is_shown_next_to_its_field_and_nothing_is_filed(
    site: Site, changes: dict[str, str], field: str, says: str
) -> None:
    intake = signed_in(site, "ian")
    record = EXAMPLES / "records" / "progress-note-2026-10-19.txt"
    answer = submit(intake, open_form(**changes), files={"doc_file_0": (record.name, record.read_bytes(), "text/plain")})
    assert answer.status_code == 422
    assert says in field_error(answer.text, field)
    assert f'aria-describedby="err-{field}"' in answer.text
    assert answer.text.count('class="field-error"') == 2  # this field's and "choose the files again"
    # The form comes back as it was sent, and the files must be chosen again.
    assert 'value="Golden State Claims Services"' in answer.text and "choose the files again" in answer.text
    assert "CM26-0001234" not in intake.get("/queue").text


def test_a_case_number_already_on_file_is_a_field_error(site: Site) -> None:
    intake = signed_in(site, "ian")
    assert submit(intake, open_form()).status_code == 303
    again = submit(intake, open_form())
    assert again.status_code == 422 and "already on file" in field_error(again.text, "case_number")


def test_a_document_that_is_neither_pdf_nor_text_is_refused_by_its_row(site: Site) -> None:
    intake = signed_in(site, "ian")
    answer = submit(intake, open_form(), files={"doc_file_2": ("scan.png", b"\x89PNG\r\n\x1a\n\x00\xff\xfe", "image/png")})
    assert answer.status_code == 422 and "neither a PDF nor UTF-8 text" in field_error(answer.text, "doc_file_2")
    assert "CM26-0001234" not in intake.get("/queue").text


def test_only_intake_and_admin_open_cases_and_the_form_needs_its_token(site: Site) -> None:
    for name in ("park", "aud"):
        client = signed_in(site, name)
        assert client.get("/cases/new").status_code == 403
        assert submit(client, open_form()).status_code == 403
    intake = signed_in(site, "ian")
    assert intake.post("/cases/open", data=open_form()).status_code == 403  # no CSRF token
    assert "CM26-0001234" not in intake.get("/queue").text
    assert submit(signed_in(site, "ada"), open_form()).status_code == 303


# ---------------------------------------------------------------- search


def test_cases_are_found_by_worker_name_and_claim_number_among_those_one_may_see(site: Site) -> None:
    intake = signed_in(site, "ian")
    garcia = import_example(intake)  # Maria L. Garcia, claim GSC-2013-558812
    assert submit(intake, open_form()).status_code == 303  # Jorge Ramirez, claim GSC-2024-100200

    def found(client: TestClient, text: str) -> set[str]:
        rows = client.get("/queue", params={"q": text}, headers={"HX-Request": "true"}).text
        return set(re.findall(r"CM\d\d-\d{7}", rows))

    assert found(intake, "maria l. garcia") == {"CM26-0000001"}
    assert found(intake, "RAMIREZ") == {"CM26-0001234"}
    assert found(intake, "GSC-2024-100200") == {"CM26-0001234"}
    assert found(intake, "558812") == {"CM26-0000001"}
    assert found(intake, "Valley Packing") == set()  # the employer is not the worker
    # A reviewer finds only the cases assigned to them, whatever they type.
    ready_for_review(intake, garcia)  # assigned to Dr. Haddad
    assert found(signed_in(site, "haddad"), "garcia") == {"CM26-0000001"}
    assert found(signed_in(site, "haddad"), "ramirez") == set()
    assert found(signed_in(site, "park"), "garcia") == set()
    assert found(signed_in(site, "park"), "GSC-2013-558812") == set()


# ---------------------------------------------------------------- the clinical case summary


def draft_form(page: str) -> dict[str, str]:
    """The draft form as the page shows it: version, each item's outcome, citations and rationale."""
    form = {
        "version": re.search(r'id="draft-form">\s*<input[^>]*>\s*<input type="hidden" name="version" value="(\d+)"', page).group(
            1
        ),
        "then": "save",
    }
    for n in (1, 2):
        form[f"outcome_{n}"] = "Upheld"
        form[f"citations_{n}"] = "MTUS Chronic Pain Medical Treatment Guidelines; Benzodiazepines; 24"
        form[f"rationale_{n}"] = f"Item {n}: not supported by the records."
    return form


def test_the_assigned_reviewer_edits_the_clinical_case_summary(site: Site) -> None:
    intake = signed_in(site, "ian")
    case_id = import_example(intake)
    ready_for_review(intake, case_id)
    reviewer, page = open_review(site, case_id)
    drafted = html.unescape(re.search(r'<textarea name="summary" rows="7">([^<]*)</textarea>', page).group(1))
    assert "alprazolam" in drafted.lower()  # the engine drafted one from the records
    summary = "This 52-year-old woman has low back pain since a 2013 lifting injury; corrected by the reviewer."
    answer = post(reviewer, f"/cases/{case_id}/draft", {**draft_form(page), "summary": summary}, token_from=f"/cases/{case_id}")
    assert answer.status_code == 303, answer.text
    page = reviewer.get(f"/cases/{case_id}").text
    assert f'<textarea name="summary" rows="7">{summary}</textarea>' in page
    shown = "since a 2013 lifting injury; corrected by the reviewer."  # (the letter keeps hyphenated words whole in spans)
    assert shown in reviewer.get(f"/cases/{case_id}/letter.html").text
    # Saving the items without the summary field leaves the summary as it is.
    assert post(reviewer, f"/cases/{case_id}/draft", draft_form(page), token_from=f"/cases/{case_id}").status_code == 303
    assert shown in reviewer.get(f"/cases/{case_id}/letter.html").text
    sign(reviewer, case_id, reviewer.get(f"/cases/{case_id}").text)
    with site.app.state.database.reading() as db:
        from imr.cases.models import DeterminationVersion

        signed = db.query(DeterminationVersion).filter_by(case_id=case_id, status="signed").one()
        assert signed.content["case"]["summary"] == summary


def test_only_the_assigned_reviewer_may_change_the_summary(site: Site) -> None:
    intake = signed_in(site, "ian")
    case_id = import_example(intake)
    ready_for_review(intake, case_id)
    reviewer, page = open_review(site, case_id)
    form = {**draft_form(page), "summary": "Rewritten by someone else."}
    assert 'name="summary"' not in intake.get(f"/cases/{case_id}").text
    intake_token = csrf(intake, f"/cases/{case_id}")
    assert intake.post(f"/cases/{case_id}/draft", data={**form, "csrf_token": intake_token}).status_code == 403
    other = signed_in(site, "park")
    assert other.post(f"/cases/{case_id}/draft", data={**form, "csrf_token": csrf(other)}).status_code == 404
    too_long = post(
        reviewer, f"/cases/{case_id}/draft", {**draft_form(page), "summary": "x" * 20_001}, token_from=f"/cases/{case_id}"
    )
    assert too_long.status_code == 422 and "at most 20,000" in too_long.text
    assert "Rewritten by someone else" not in reviewer.get(f"/cases/{case_id}/letter.html").text


# ---------------------------------------------------------------- accounts and reviewers


@pytest.fixture
def no_user_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tokens checked against the database at once (not after the authenticator's seconds of caching)."""
    from imr.web.auth import Authenticator

    monkeypatch.setattr(Authenticator, "CACHE_SECONDS", 0.0)


def user_ids(admin: TestClient) -> dict[str, int]:
    page = admin.get("/users").text
    return {name: int(i) for i, name in re.findall(r'<tr id="user-(\d+)"[^>]*>\s*<td class="strong">([^<]+)</td>', page)}


def sign_in_answer(site: Site, username: str, password: str) -> int:
    client = TestClient(site.app, follow_redirects=False)
    token = csrf(client, "/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token}).status_code


def test_an_admin_deactivates_and_reactivates_an_account(site: Site, no_user_cache: None) -> None:
    admin, intake = signed_in(site, "ada"), signed_in(site, "ian")
    ids = user_ids(admin)
    assert set(ids) == {"ada", "ian", "aud", "haddad", "park"}
    assert post(admin, f"/users/{ids['ian']}/deactivate", token_from="/users").status_code == 303
    assert "deactivated" in admin.get("/users").text
    assert intake.get("/queue").status_code == 303  # the open session has ended
    assert sign_in_answer(site, "ian", PASSWORD) == 401
    assert post(admin, f"/users/{ids['ian']}/reactivate", token_from="/users").status_code == 303
    assert sign_in_answer(site, "ian", PASSWORD) == 303
    actions = signed_in(site, "aud").get("/audit", params={"action": "user."}).text
    assert "user.deactivate" in actions and "user.reactivate" in actions


def test_an_admin_changes_a_role_and_the_user_signs_in_again(site: Site, no_user_cache: None) -> None:
    admin, auditor = signed_in(site, "ada"), signed_in(site, "aud")
    ids = user_ids(admin)
    assert auditor.get("/cases/new").status_code == 403
    assert post(admin, f"/users/{ids['aud']}/role", {"role": "intake"}, token_from="/users").status_code == 303
    assert auditor.get("/queue").status_code == 303
    assert signed_in(site, "aud").get("/cases/new").status_code == 200
    # A reviewer account is tied to a registered reviewer, and only a reviewer account is.
    refused = post(admin, f"/users/{ids['aud']}/role", {"role": "reviewer"}, token_from="/users")
    assert refused.status_code == 422 and "needs a reviewer from the registry" in refused.text
    refused = post(admin, f"/users/{ids['aud']}/role", {"role": "superuser"}, token_from="/users")
    assert refused.status_code == 422 and "unknown role" in refused.text
    park = site.app.state.database
    with park.reading() as db:
        from imr.cases.models import Reviewer

        omar = db.query(Reviewer).filter_by(name="Dr. Omar Haddad").one().id
    assert (
        post(admin, f"/users/{ids['aud']}/role", {"role": "reviewer", "reviewer_id": str(omar)}, token_from="/users").status_code
        == 303
    )
    assert signed_in(site, "aud").get("/audit").status_code == 403  # a reviewer now


def test_an_admin_resets_a_password(site: Site, no_user_cache: None) -> None:
    admin, reviewer = signed_in(site, "ada"), signed_in(site, "park")
    ids = user_ids(admin)
    for weak in ("short", " " * 12, "   abc   "):
        refused = post(admin, f"/users/{ids['park']}/password", {"password": weak}, token_from="/users")
        assert refused.status_code == 422 and "too short" in refused.text
    assert reviewer.get("/queue").status_code == 200  # a refused reset changed nothing
    new = "a brand new long password"
    assert post(admin, f"/users/{ids['park']}/password", {"password": new}, token_from="/users").status_code == 303
    assert reviewer.get("/queue").status_code == 303
    assert sign_in_answer(site, "park", PASSWORD) == 401
    assert sign_in_answer(site, "park", new) == 303
    assert new not in signed_in(site, "aud").get("/audit").text


def test_account_admin_is_for_admins_only_and_not_on_ones_own_account(site: Site) -> None:
    admin = signed_in(site, "ada")
    ids = user_ids(admin)
    refused = post(admin, f"/users/{ids['ada']}/deactivate", token_from="/users")
    assert refused.status_code == 403 and "another admin must" in refused.text
    assert post(admin, "/users/9999/deactivate", token_from="/users").status_code == 404
    for name in ("ian", "aud", "haddad"):
        client = signed_in(site, name)
        assert client.get("/users").status_code == 403
        for action, data in (("deactivate", {}), ("role", {"role": "admin"}), ("password", {"password": "x" * 20})):
            assert post(client, f"/users/{ids['park']}/{action}", data).status_code == 403
    assert admin.post(f"/users/{ids['park']}/deactivate", data={}).status_code == 403  # no CSRF token
    assert "deactivated" not in admin.get("/users").text


def test_an_admin_edits_a_reviewers_specialties_licensure_and_active_flag(site: Site) -> None:
    admin = signed_in(site, "ada")
    with site.app.state.database.reading() as db:
        from imr.cases.models import Reviewer

        omar = db.query(Reviewer).filter_by(name="Dr. Omar Haddad").one().id
    form = admin.get(f"/reviewers/{omar}").text
    assert 'name="specialties"' in form and 'name="active" value="yes" checked' in form
    bad = post(
        admin,
        f"/reviewers/{omar}",
        {"specialties": "pain medicine", "license_states": "CA, California", "active": "yes"},
        token_from=f"/reviewers/{omar}",
    )
    assert bad.status_code == 422 and "two-letter codes" in field_error(bad.text, "license_states")
    empty = post(admin, f"/reviewers/{omar}", {"specialties": " , ", "license_states": "CA"}, token_from=f"/reviewers/{omar}")
    assert empty.status_code == 422 and field_error(empty.text, "specialties")
    changed = post(
        admin,
        f"/reviewers/{omar}",
        {
            "specialties": "Pain Medicine, Anesthesiology",
            "license_states": "ca, nv",
            "board_certifications": "American Board of Anesthesiology\n",
            "subspecialty": "",
        },
        token_from=f"/reviewers/{omar}",
    )
    assert changed.status_code == 303, changed.text
    with site.app.state.database.reading() as db:
        stored = db.get(Reviewer, omar)
        assert stored.specialties == ["pain medicine", "anesthesiology"] and stored.license_states == ["CA", "NV"]
        assert stored.board_certifications == ["American Board of Anesthesiology"] and stored.active is False
    # Inactive: the screening of a new case no longer offers him.
    intake = signed_in(site, "ian")
    case_id = import_example(intake)
    post(intake, f"/cases/{case_id}/eligibility")
    post(intake, f"/cases/{case_id}/records-complete", {"on": "2026-11-20"})
    page = intake.get(f"/cases/{case_id}").text
    assert "Reviewer: <b>Dr. Omar Haddad</b>" not in page and re.search(
        r"<td>Dr\. Omar Haddad</td><td>not active in the registry", page
    )
    for name in ("ian", "aud", "haddad"):
        client = signed_in(site, name)
        assert client.get(f"/reviewers/{omar}").status_code == 403
        assert post(client, f"/reviewers/{omar}", {"specialties": "radiology", "active": "yes"}).status_code == 403


# ---------------------------------------------------------------- audit filters


def audit_rows(client: TestClient, **filters: str) -> list[tuple[str, str]]:
    """(user, action) of each line the audit page shows for these filters."""
    page = client.get("/audit", params=filters)
    assert page.status_code == 200, page.text
    return re.findall(r'<td>([^<]+)</td><td class="mono small">([^<]+)</td>', page.text)


def test_the_audit_trail_filters_by_user_action_and_california_dates(site: Site) -> None:
    import datetime as dt
    from zoneinfo import ZoneInfo

    from imr.cases.models import AuditEntry

    intake = signed_in(site, "ian")
    case_id = import_example(intake)
    assert signed_in(site, "park").get(f"/cases/{case_id}").status_code == 404
    with site.app.state.database.transaction() as db:
        # 23:30 on 1 November and 00:30 on 2 November in California (PST, UTC-8): two days there, one in UTC.
        db.add(
            AuditEntry(username="night-a", action="case.read", case_id=case_id, at=dt.datetime(2026, 11, 2, 7, 30, tzinfo=dt.UTC))
        )
        db.add(
            AuditEntry(username="night-b", action="case.read", case_id=case_id, at=dt.datetime(2026, 11, 2, 8, 30, tzinfo=dt.UTC))
        )
    auditor = signed_in(site, "aud")
    assert {user for user, _ in audit_rows(auditor, user="park")} == {"park"}
    assert ("park", "case.read") in audit_rows(auditor, user="park", action="case.read")
    assert audit_rows(auditor, user="park", action="case.import") == []
    assert {a for _, a in audit_rows(auditor, action="case.")} >= {"case.import", "case.read"}
    assert all(a.startswith("case.") for _, a in audit_rows(auditor, action="case."))
    assert audit_rows(auditor, action="case_") == []  # user text is text, not a LIKE pattern
    assert {u for u, _ in audit_rows(auditor, since="2026-11-02", until="2026-11-02")} == {"night-b"}
    assert {u for u, _ in audit_rows(auditor, since="2026-11-01", until="2026-11-01")} == {"night-a"}
    assert {u for u, _ in audit_rows(auditor, until="2026-11-02")} == {"night-a", "night-b"}
    today = dt.datetime.now(ZoneInfo("America/Los_Angeles")).date().isoformat()
    assert ("ian", "case.import") in audit_rows(auditor, since=today)
    bad = auditor.get("/audit", params={"since": "2026-13-01"})
    assert bad.status_code == 422 and "not a date" in bad.text
    assert auditor.get("/audit", params={"since": "2026-11-03", "until": "2026-11-01"}).status_code == 422
    assert signed_in(site, "park").get("/audit", params={"user": "park"}).status_code == 403
    assert signed_in(site, "ian").get("/audit", params={"user": "park"}).status_code == 403


# ---------------------------------------------------------------- the published copy


def test_the_published_redacted_copy_reads_in_the_browser(site: Site) -> None:
    intake = signed_in(site, "ian")
    case_id = import_example(intake)
    ready_for_review(intake, case_id)
    reviewer, page = open_review(site, case_id)
    summary = "Maria L. Garcia, a 52 year old packer at Valley Packing Co., hurt her back lifting boxes in 2013."
    saved = post(reviewer, f"/cases/{case_id}/draft", {**draft_form(page), "summary": summary}, token_from=f"/cases/{case_id}")
    assert saved.status_code == 303
    sign(reviewer, case_id, reviewer.get(f"/cases/{case_id}").text)
    assert intake.get(f"/cases/{case_id}/published").status_code == 404  # signed, not yet published
    assert post(intake, f"/cases/{case_id}/issue", token_from=f"/cases/{case_id}").status_code == 303
    assert post(intake, f"/cases/{case_id}/publish", token_from=f"/cases/{case_id}").status_code == 303
    assert f'href="/cases/{case_id}/published"' in intake.get(f"/cases/{case_id}").text
    for client in (intake, reviewer, signed_in(site, "aud")):
        shown = client.get(f"/cases/{case_id}/published")
        assert shown.status_code == 200 and '<pre class="published">' in shown.text
        text = html.unescape(re.search(r'<pre class="published">(.*?)</pre>', shown.text, re.S).group(1))
        assert "FINAL DETERMINATION" in text.upper() and "CM26-0000001" in text
        assert "Garcia" not in text and "Valley Packing" not in text  # redacted ...
        assert "[injured worker], a 52 year old packer at [employer]" in " ".join(text.split())  # ... in place
        pdf = client.get(f"/cases/{case_id}/published.pdf")
        assert (
            pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf.headers["content-disposition"].startswith("inline")
        )
    other = signed_in(site, "park")
    assert other.get(f"/cases/{case_id}/published").status_code == 404
    assert other.get(f"/cases/{case_id}/published.pdf").status_code == 404


# ---------------------------------------------------------------- the API's documentation pages


def test_the_api_docs_are_served_from_this_machine_under_a_strict_script_policy(site: Site) -> None:
    client = TestClient(site.app)
    for path, script in (("/docs", "/docs/assets/swagger-ui-bundle.js"), ("/redoc", "/docs/assets/redoc.standalone.js")):
        answer = client.get(path)
        assert answer.status_code == 200 and script in answer.text
        policy = answer.headers["content-security-policy"]
        assert "script-src 'self';" in policy and "unsafe-eval" not in policy and "frame-ancestors 'none'" in policy
        assert "https://" not in policy and "http://" not in policy
        # No script or style from elsewhere, and no inline script: every <script> has a local src.
        assert not re.search(r'(src|href)="(https?:)?//', answer.text)
        assert all(tag.startswith('<script src="/docs/assets/') for tag in re.findall(r"<script[^>]*>", answer.text))
    assert "/openapi.json" in client.get("/docs").text and "/openapi.json" in client.get("/redoc").text
    for name, kind in (
        ("swagger-ui-bundle.js", "javascript"),
        ("swagger-ui.css", "css"),
        ("redoc.standalone.js", "javascript"),
        ("swagger-init.js", "javascript"),
    ):
        asset = client.get(f"/docs/assets/{name}")
        assert asset.status_code == 200 and kind in asset.headers["content-type"] and len(asset.content) > 300
    assert client.get("/docs/assets/..%2Fapidocs%2F__init__.py").status_code == 404
    assert client.get("/docs/assets/core.py").status_code == 404
    assert client.get("/openapi.json").json()["info"]["title"] == "imr case service"
