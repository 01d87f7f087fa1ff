"""A drug recommendation from 2018 says what the MTUS Drug Formulary requires and whether the request meets it."""

from __future__ import annotations

from imr.casefile import parse_case
from imr.review import review_case


def _issue(request: str, record: str, ur_date: str = "2026-11-10"):
    case = parse_case(
        {
            "injury_date": "2024-01-01",
            "ur_decision_date": ur_date,
            "requests": [{"text": request}],
            "records": [{"date": ur_date, "text": record}],
        }
    )
    return review_case(case).issues[0]


def test_an_opioid_recommendation_names_its_status_and_the_drug_list_in_force():
    issue = _issue("Norco 10/325mg #120", "He currently takes Norco 10/325 mg four times a day.")
    assert "MTUS Drug Formulary (MTUS Drug List v13" in issue.rationale
    assert "Non-Exempt and needs prospective review" in issue.rationale
    assert not any("brand-name" in m for m in issue.missing), "a brand name used as shorthand is not a brand-only order"


def test_a_compound_without_a_documented_reason_over_approved_drugs_is_missing_it():
    issue = _issue("Flurbiprofen 20%/Cyclobenzaprine 4% cream 180g", "Knee osteoarthritis.")
    assert "a compounded drug always needs prospective review (8 CCR 9792.27.9)" in issue.rationale
    assert any("over FDA-approved or OTC-monograph alternatives" in m for m in issue.missing)
    documented = _issue("Flurbiprofen 20%/Cyclobenzaprine 4% cream 180g", "Knee osteoarthritis. She cannot tolerate oral NSAIDs.")
    assert not any("FDA-approved" in m for m in documented.missing)


def test_a_brand_only_order_needs_a_documented_reason():
    issue = _issue("Cymbalta 60mg #30 brand only, dispense as written", "Chronic low back pain. She takes Cymbalta 60 mg daily.")
    assert "duloxetine is Exempt" in issue.rationale
    assert any("brand-name drug over its generic" in m for m in issue.missing)
    reasoned = _issue(
        "Cymbalta 60mg #30 brand only, dispense as written",
        "She takes Cymbalta 60 mg daily. The generic duloxetine caused a rash.",
    )
    assert not any("brand-name drug over its generic" in m for m in reasoned.missing)


def test_before_the_formulary_there_is_no_formulary_paragraph():
    issue = _issue("Norco 10/325mg #120", "He currently takes Norco 10/325 mg four times a day.", ur_date="2017-06-01")
    assert "MTUS Drug Formulary" not in (issue.rationale or "")
