"""The MTUS Drug Formulary (8 CCR 9792.27.1 ff.) on the regulation's own examples: Special Fill at the
single initial visit within 7 days of the injury, Perioperative Fill from 4 days before to 4 days after
surgery, compounds always reviewed, brand over generic only with a documented reason, off-label use."""

from __future__ import annotations

import datetime as dt

import pytest

from imr.drugs import lookup_generic
from imr.drugs.formulary import (
    Dispensing,
    Formulary,
    FormularyEntry,
    assess,
    in_perioperative_window,
    in_special_fill_window,
    load_formulary,
    status_of,
)

D = dt.date
INJURY = D(2019, 3, 1)


def test_every_formulary_generic_is_a_generic_of_the_drug_lexicon():
    for entry in load_formulary().entries:
        if entry.generic:
            assert lookup_generic(entry.generic), f"{entry.generic} is not in src/imr/drugs/data/drugs.yaml"


def test_a_drug_without_a_public_source_is_unknown_not_guessed():
    assert status_of("ibuprofen", "nsaid", D(2024, 1, 1)).status == "unknown"


def test_opioids_are_non_exempt_from_the_first_drug_list():
    assert status_of("oxycodone", "opioid", D(2018, 1, 1)).status == "non-exempt"
    assert status_of("oxycodone", "opioid", D(2017, 12, 31)).status == "unknown"


def test_the_v7_antidepressants_are_exempt_from_november_1_2020_only():
    assert status_of("duloxetine", "antidepressant", D(2020, 11, 1)).status == "exempt"
    assert status_of("duloxetine", "antidepressant", D(2020, 10, 31)).status == "unknown"


def test_the_formulary_does_not_apply_before_2018():
    assert not assess("oxycodone", "opioid", Dispensing(on=D(2017, 12, 31))).applies
    assert assess("oxycodone", "opioid", Dispensing(on=D(2018, 1, 1))).applies


@pytest.mark.parametrize(
    ("visit", "inside"),
    [
        (INJURY, True),
        (INJURY + dt.timedelta(days=1), True),
        (INJURY + dt.timedelta(days=7), True),
        (INJURY + dt.timedelta(days=8), False),
    ],
)
def test_special_fill_window_is_seven_days_the_day_after_injury_being_day_one(visit, inside):
    assert in_special_fill_window(INJURY, visit) is inside


def _betamethasone(**kw):
    # Drug List v2 (May 15, 2018) made betamethasone a Non-Exempt drug with a 4-day Special Fill
    return assess("betamethasone", "corticosteroid", Dispensing(injury_date=INJURY, **kw))


def test_special_fill_at_the_initial_visit_within_seven_days_needs_no_prospective_review():
    finding = _betamethasone(on=INJURY + dt.timedelta(days=7), initial_visit=True, days_supply=4)
    assert finding.status == "non-exempt" and finding.route == "special fill" and finding.prospective_review is False
    assert "8 CCR 9792.27.12" in finding.sections


@pytest.mark.parametrize(
    "change",
    [
        {"on": INJURY + dt.timedelta(days=8), "initial_visit": True, "days_supply": 4},  # day 8: too late
        {"on": INJURY + dt.timedelta(days=2), "initial_visit": True, "days_supply": 5},  # more than the listed supply
        {"on": INJURY + dt.timedelta(days=2), "initial_visit": False, "days_supply": 4},  # a second visit
        {"on": INJURY + dt.timedelta(days=2), "initial_visit": None, "days_supply": 4},  # the record does not say
    ],
)
def test_outside_the_special_fill_conditions_the_drug_needs_prospective_review(change):
    finding = _betamethasone(**change)
    assert finding.route == "prospective review" and finding.prospective_review is True


SURGERY = D(2022, 6, 15)


@pytest.mark.parametrize(("days", "inside"), [(-5, False), (-4, True), (0, True), (4, True), (5, False)])
def test_perioperative_window_runs_from_4_days_before_to_4_days_after_surgery_day_zero(days, inside):
    assert in_perioperative_window(SURGERY, SURGERY + dt.timedelta(days=days)) is inside


def test_perioperative_fill_within_the_window_and_the_listed_supply_needs_no_prospective_review():
    # no Perioperative Fill day count was found publicly: the rule is tested on a listed drug of our own
    formulary = Formulary(
        formulary_from=D(2018, 1, 1),
        entries=[
            FormularyEntry.model_validate(
                {"class": "opioid", "status": "non-exempt", "from": "2018-01-01", "perioperative_fill_days": 4, "source": "test"}
            )
        ],
    )
    inside = assess(
        "oxycodone", "opioid", Dispensing(on=SURGERY + dt.timedelta(days=4), surgery_date=SURGERY, days_supply=4), formulary
    )
    assert inside.route == "perioperative fill" and inside.prospective_review is False
    late = assess(
        "oxycodone", "opioid", Dispensing(on=SURGERY + dt.timedelta(days=5), surgery_date=SURGERY, days_supply=4), formulary
    )
    assert late.prospective_review is True
    too_much = assess("oxycodone", "opioid", Dispensing(on=SURGERY, surgery_date=SURGERY, days_supply=7), formulary)
    assert too_much.prospective_review is True


def test_a_compound_is_always_reviewed_even_with_an_exempt_ingredient():
    finding = assess("amitriptyline", "antidepressant", Dispensing(on=D(2024, 1, 1), compounded=True))
    assert finding.prospective_review is True and finding.route == "compounded drug"
    assert finding.unmet and "FDA-approved" in finding.unmet[0]
    documented = assess(
        "amitriptyline", "antidepressant", Dispensing(on=D(2024, 1, 1), compounded=True, compound_necessity_documented=True)
    )
    assert documented.prospective_review is True and not documented.unmet


def test_an_exempt_brand_over_its_generic_needs_review_and_a_documented_reason():
    finding = assess("duloxetine", "antidepressant", Dispensing(on=D(2024, 1, 1), brand_requested=True))
    assert finding.status == "exempt" and finding.prospective_review is True and finding.route == "brand over generic"
    assert finding.unmet
    with_reason = assess(
        "duloxetine", "antidepressant", Dispensing(on=D(2024, 1, 1), brand_requested=True, brand_reason_documented=True)
    )
    assert with_reason.prospective_review is True and not with_reason.unmet
    no_generic = assess(
        "duloxetine", "antidepressant", Dispensing(on=D(2024, 1, 1), brand_requested=True, generic_available=False)
    )
    assert no_generic.prospective_review is False


def test_an_exempt_drug_used_off_label_needs_review_unless_the_mtus_recommends_that_use():
    assert assess("trazodone", "antidepressant", Dispensing(on=D(2024, 1, 1), off_label=True)).prospective_review is True
    assert (
        assess(
            "trazodone", "antidepressant", Dispensing(on=D(2024, 1, 1), off_label=True, mtus_recommends_use=True)
        ).prospective_review
        is False
    )


def test_a_misspelled_field_in_the_formulary_file_is_an_error(tmp_path):
    from imr.drugs.formulary import FormularyError

    bad = tmp_path / "formulary.yaml"
    bad.write_text(
        "formulary_from: 2018-01-01\nentries:\n  - {generic: x, status: exempt, from: 2018-01-01, sorce: y}\n", encoding="utf-8"
    )
    with pytest.raises(FormularyError, match="entries.0"):
        load_formulary(bad)
