"""The disputed items belong to intake: a reviewer decides them, and cannot rewrite what was disputed."""

from __future__ import annotations

import copy

import pytest

from tests.web.test_api import _reviewed


@pytest.mark.parametrize(
    "change",
    [
        {"text": "Oxycodone 80 mg #360"},
        {"kind": "surgery"},
        {"quantity": 360.0},
        {"generic": "oxycodone", "strength": "80"},
    ],
)
def test_the_decision_cannot_rewrite_a_filed_item(site, change: dict) -> None:
    case_id = _reviewed(site)
    haddad = site["haddad"]
    current = haddad.get(f"/api/cases/{case_id}/determination").json()
    determination = copy.deepcopy(current["determination"])
    for issue in determination["issues"]:
        issue["outcome"], issue["rationale"] = "Upheld", "Not supported by the MTUS."
    determination["issues"][0]["item"].update(change)
    refused = haddad.put(
        f"/api/cases/{case_id}/determination", json={"determination": determination, "version": current["case_version"]}
    )
    assert refused.status_code == 422, refused.text
    assert "item 1: the disputed item is as filed" in refused.json()["detail"]
    # what was filed is what is decided, signed and issued
    determination["issues"][0]["item"] = current["determination"]["issues"][0]["item"]
    saved = haddad.put(
        f"/api/cases/{case_id}/determination", json={"determination": determination, "version": current["case_version"]}
    )
    assert saved.status_code == 200, saved.text
    assert haddad.post(f"/api/cases/{case_id}/determination/sign").status_code == 200
    assert site["ian"].post(f"/api/cases/{case_id}/issue").status_code == 200
    signed = site["ian"].get(f"/api/cases/{case_id}/determination").json()["determination"]
    filed = site["ian"].get(f"/api/cases/{case_id}").json()["items"]
    assert [i["item"]["text"] for i in signed["issues"]] == [i["text"] for i in filed]
    assert "Oxycodone" not in str(signed)
