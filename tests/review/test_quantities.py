"""The numbers the rules compare: doses a day, days supplied, morphine equivalents, durations."""

from __future__ import annotations

import pytest

from imr.model import DisputedItem
from imr.review.quantities import days_supply, doses_per_day, duration_weeks, morphine_equivalent


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("one tablet twice a day", 2),
        ("1 tab q4-6h prn", 6),
        ("TID", 3),
        ("at bedtime", 1),
        ("every 8 hours", 3),
        ("as directed", None),
    ],
)
def test_doses_per_day(text, rate):
    assert doses_per_day(text) == rate


def test_days_supplied_counts_refills():
    item = DisputedItem(text="Xanax 0.5mg #60 with 2 refills", kind="drug", quantity=60, refills=2)
    assert days_supply(item, 2) == 90
    assert days_supply(item, None) is None


def opioid(generic, strength, unit="mg"):
    return DisputedItem(
        text=f"{generic} {strength}", kind="drug", generic=generic, drug_class="opioid", strength=strength, unit=unit
    )


def test_morphine_equivalents():
    assert morphine_equivalent(opioid("hydrocodone/acetaminophen", "10/325"), 4) == 40
    assert morphine_equivalent(opioid("oxycodone", "30"), 4) == 180
    assert morphine_equivalent(opioid("fentanyl", "25", "mcg/hr"), None) == 60
    assert morphine_equivalent(opioid("methadone", "10"), 3) == 240  # 30 mg a day: factor 8
    assert morphine_equivalent(opioid("oxycodone", "30"), None) is None
    assert (
        morphine_equivalent(
            DisputedItem(text="Xanax 1mg", kind="drug", generic="alprazolam", drug_class="benzodiazepine", strength="1"), 2
        )
        is None
    )


def test_duration_weeks():
    assert duration_weeks("2 weeks") == 2
    assert duration_weeks("1 month") == pytest.approx(4.345)
    assert duration_weeks("as needed") is None


def test_total_morphine_equivalents_count_the_other_opioids_taken():
    from imr.casefile import parse_case
    from imr.review import review_case

    text = (
        "Medications: OxyContin 40 mg twice a day, Norco 10/325 mg four times a day. "
        "Pain is 8/10 without medication and 4/10 with medication. She is able to walk longer. "
        "She denies side effects. A urine drug screen on 01/15/2015 was consistent with her prescribed medications."
    )
    case = parse_case(
        {
            "injury_date": "2008-01-01",
            "ur_decision_date": "2015-04-20",
            "requests": [{"text": "Norco 10/325mg #120, one tablet every 6 hours"}],
            "records": [{"date": "2015-04-10", "kind": "progress note", "text": text}],
        }
    )
    (issue,) = review_case(case).issues
    check = next(c for c in issue.criteria if c.criterion == "morphine-equivalents")
    # Norco 40 + OxyContin 40 x 2 x 1.5 = 160 mg a day, above the 120 mg of the guideline
    assert check.status == "contradicted"
    assert issue.outcome == "Upheld"


def _prior_sessions_for(request: str, note: str):
    from imr.casefile import parse_case
    from imr.clinical import extract_facts
    from imr.items import procedure_of, understand_item
    from imr.review.quantities import derive

    case = parse_case({"requests": [{"text": request}], "records": [{"date": "2016-11-01", "text": note}]})
    item = understand_item(request)
    return derive(
        item,
        record=extract_facts(case),
        current=[],
        authorized=None,
        injury_date=None,
        on=None,
        age=None,
        procedure=procedure_of(item),
    )


def test_visits_of_another_therapy_do_not_count_against_the_requested_one():
    note = "She has completed 24 sessions of physical therapy with little benefit."
    acupuncture = _prior_sessions_for("Acupuncture 6 sessions, lumbar spine", note)
    therapy = _prior_sessions_for("Physical therapy 6 sessions, lumbar spine", note)
    assert acupuncture.values["prior_sessions"] is None
    assert therapy.values["prior_sessions"] == 24
