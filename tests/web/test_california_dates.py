"""Dates are California dates (issue 15, item 10): at 05:00 UTC on March 10, 2026 it is still the
evening of March 9 in California. The workbench, the service and the audit log must say March 9."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator

import pytest
import time_machine
import yaml

from tests.web.test_pages import EXAMPLES, Site, csrf, import_example, open_review, post, sign, signed_in, site  # noqa: F401 - site is a fixture

# 22:00 PDT on March 9 in California; already March 10 in UTC.
EVENING_IN_CALIFORNIA = dt.datetime(2026, 3, 10, 5, 0, tzinfo=dt.UTC)


@pytest.fixture
def evening() -> Iterator[None]:
    with time_machine.travel(EVENING_IN_CALIFORNIA, tick=False):
        yield


def recent_case() -> dict:
    """The example case, received today (March 9 in California) after a UR decision in February."""
    case = yaml.safe_load((EXAMPLES / "case.yaml").read_text())
    case.update(case_number="CM26-0000009", received="2026-03-09", ur_decision_date="2026-02-20", claim_number="GSC-2026-000009")
    case["ur_decision"]["date"] = "2026-02-20"
    for party in case["parties"]:
        if "claim_number" in party:
            party["claim_number"] = "GSC-2026-000009"
    return json.loads(json.dumps(case, default=str))


def test_the_workbench_dates_are_california_dates(evening: None, site: Site) -> None:  # noqa: F811
    intake = signed_in(site, "ian")
    case_id = import_example(intake, recent_case())
    assert post(intake, f"/cases/{case_id}/eligibility").status_code == 303
    page = intake.get(f"/cases/{case_id}").text
    # the records-complete form offers today's California date, and no later one
    field = re.search(r'<input type="date" name="on" value="([^"]+)"[^>]*max="([^"]+)"', page)
    assert field is not None and field.groups() == ("2026-03-09", "2026-03-09")

    refused = post(intake, f"/cases/{case_id}/records-complete", {"on": "2026-03-10"}, token_from=f"/cases/{case_id}")
    assert refused.status_code in (400, 409, 422) and "2026-03-10, a date in the future" in refused.text
    assert post(intake, f"/cases/{case_id}/records-complete", {}, token_from=f"/cases/{case_id}").status_code == 303
    page = intake.get(f"/cases/{case_id}").text
    assert "03/09/2026" in page and "30 day(s) left" in page  # a 30-day clock shows 30 days on its first day

    assert post(intake, f"/cases/{case_id}/assign", {}, token_from=f"/cases/{case_id}").status_code == 303
    reviewer, page = open_review(site, case_id)
    form = {"version": re.search(r'name="version" value="(\d+)"', page).group(1), "then": "save"}
    for n in (1, 2):
        form[f"outcome_{n}"] = "Upheld"
        form[f"citations_{n}"] = "MTUS Chronic Pain Medical Treatment Guidelines; Benzodiazepines; 24"
        form[f"rationale_{n}"] = f"Item {n}: not supported by the record."
    assert post(reviewer, f"/cases/{case_id}/draft", form, token_from=f"/cases/{case_id}").status_code == 303
    sign(reviewer, case_id, reviewer.get(f"/cases/{case_id}").text)
    page = reviewer.get(f"/cases/{case_id}").text
    assert re.search(r"<b>Signed</b> version \d+ by \S+ on 03/09/2026", page), "signed on the California date"
    assert "03/10/2026" not in page

    audit = signed_in(site, "aud").get("/audit", params={"case_id": case_id}).text
    assert "2026-03-09 22:00:00 PDT" in audit and "2026-03-10" not in audit


def test_records_cannot_be_complete_in_the_future(evening: None, site: Site) -> None:  # noqa: F811
    """The API refuses tomorrow, and the default is today in California."""
    from fastapi.testclient import TestClient

    from tests.web.conftest import PASSWORD

    client = TestClient(site.app)
    token = client.post("/api/token", data={"username": "ian", "password": PASSWORD}).json()["access_token"]
    client.headers["Authorization"] = f"Bearer {token}"
    case_id = client.post("/api/cases", json=recent_case()).json()["id"]
    assert client.post(f"/api/cases/{case_id}/eligibility").status_code == 200
    refused = client.post(f"/api/cases/{case_id}/records-complete", json={"on": "2026-03-10"})
    assert refused.status_code in (400, 409, 422) and "a date in the future" in refused.text
    done = client.post(f"/api/cases/{case_id}/records-complete")
    assert done.status_code == 200, done.text
    shown = client.get(f"/api/cases/{case_id}").json()
    assert shown["records_complete_on"] == "2026-03-09"
    assert shown["deadline"]["days_left"] == 30 and shown["deadline"]["determination_due"] == "2026-04-08"
