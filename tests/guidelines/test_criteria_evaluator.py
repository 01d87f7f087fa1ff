"""The rule language evaluates to met / not documented / contradicted, the way a reviewer reads a record:
only facts anchored to the disputed item count, and silence is never documentation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from imr.guidelines.criteria import CaseContext, evaluate
from imr.guidelines.language import Test
from imr.model.anatomy import Site

TESTS = TypeAdapter(Test)


@dataclass
class F:
    kind: str
    value: Any = None
    text: str = "x"
    negated: bool = False
    hypothetical: bool = False
    historical: bool = False
    possible: bool = False
    family: bool = False
    site: Site | None = None
    about: str | None = None
    attributes: dict = field(default_factory=dict)
    record_index: int | None = 0
    record_date: dt.date | None = None
    start: int | None = 0
    end: int | None = 1

    @property
    def date(self) -> dt.date | None:
        return self.record_date


def ctx(*facts, **kw):
    return CaseContext(facts=list(facts), **kw)


def result(test: dict, *facts, **kw):
    return evaluate(TESTS.validate_python(test), ctx(*facts, **kw))


def status(test: dict, *facts, **kw) -> str:
    return result(test, *facts, **kw).status


LEFT_KNEE = (Site(part="knee", side="left"),)
SHOULDER = (Site(part="shoulder", side="right"),)


def test_finding_present_absent_and_negated():
    assert status({"finding": "functional_improvement"}, F("functional_improvement")) == "met"
    assert status({"finding": "functional_improvement"}) == "not documented"
    assert status({"finding": "functional_improvement"}, F("functional_improvement", negated=True)) == "contradicted"


def test_hypothetical_hedged_and_family_facts_are_not_findings():
    assert status({"finding": "indication.anxiety"}, F("indication.anxiety", hypothetical=True)) == "not documented"
    assert status({"finding": "diagnosis"}, F("diagnosis", "radiculopathy", possible=True)) == "not documented"
    assert status({"finding": "diagnosis"}, F("diagnosis", "arthritis", family=True)) == "not documented"
    # a red flag is acted on when it is suspected
    assert status({"finding": "red_flag"}, F("red_flag", "fracture", possible=True)) == "met"


def test_family_prefix_and_value():
    assert status({"finding": "indication"}, F("indication.panic")) == "met"
    assert status({"finding": "drug_screen", "value": "consistent"}, F("drug_screen", "inconsistent")) == "not documented"


def test_absent_is_met_by_a_statement_of_absence_never_by_silence():
    test = {"absent": "aberrant_behavior"}
    assert status(test) == "not documented"
    assert status(test, F("aberrant_behavior")) == "contradicted"
    met = result(test, F("aberrant_behavior", negated=True))
    assert (met.status, met.by) == ("met", "stated absence")


def test_silence_counts_only_where_the_rule_gives_the_guidelines_basis():
    with pytest.raises(ValidationError, match="basis"):
        TESTS.validate_python({"absent": "imaging_done", "silence": "met"})
    first_study = result({"absent": "imaging_done", "value": "mri", "silence": "met", "basis": "repeat studies are limited"})
    assert (first_study.status, first_study.by) == ("met", "silence")
    with pytest.raises(ValidationError, match="basis"):
        TESTS.validate_python({"quantity": "morphine_equivalent_mg_per_day", "at_most": 120, "if_unknown": "met"})


def test_documented():
    assert status({"documented": "side_effect"}, F("side_effect", negated=True)) == "met"
    assert status({"documented": "side_effect"}) == "not documented"


def test_a_finding_on_another_body_part_does_not_count():
    thumb_fracture = F("red_flag", "fracture", site=Site(part="thumb", side="right"))
    checked = result({"finding": "red_flag"}, thumb_fracture, sites=SHOULDER)
    assert checked.status == "not documented"
    assert checked.set_aside[0][1] == "other body part (thumb)"
    # the same fracture counts for a hand request, and for the upper extremity as a whole
    assert status({"finding": "red_flag"}, thumb_fracture, sites=(Site(part="hand", side="right"),)) == "met"
    assert status({"finding": "red_flag"}, thumb_fracture, sites=(Site(part="upper extremity"),)) == "met"


def test_a_finding_on_the_other_side_does_not_count():
    right = F("neuro_deficit", "weakness", site=Site(part="knee", side="right"))
    checked = result({"finding": "neuro_deficit"}, right, sites=LEFT_KNEE)
    assert (checked.status, checked.set_aside[0][1]) == ("not documented", "other side (right)")
    assert (
        status({"finding": "neuro_deficit"}, F("neuro_deficit", site=Site(part="knee", side="bilateral")), sites=LEFT_KNEE)
        == "met"
    )


def test_leg_findings_count_for_the_lumbar_spine_and_back_findings_for_a_leg_study():
    numb_leg = F("neuro_deficit", "numbness", site=Site(part="lower extremity", side="left"))
    assert status({"finding": "neuro_deficit"}, numb_leg, sites=(Site(part="lumbar spine"),)) == "met"
    # one way: a knee request does not read the back (a leg nerve study adds the lumbar spine to its sites)
    radiculopathy = F("indication.radiculopathy", site=Site(part="lumbar spine"))
    assert (
        status({"finding": "indication.radiculopathy"}, radiculopathy, sites=(Site(part="knee", side="left"),))
        == "not documented"
    )
    leg_study = (Site(part="lower extremity", side="left"), Site(part="lumbar spine", side="left"))
    assert status({"finding": "indication.radiculopathy"}, radiculopathy, sites=leg_study) == "met"
    assert status({"finding": "neuro_deficit"}, numb_leg, sites=(Site(part="cervical spine"),)) == "not documented"
    # care of the knee is not care of the back: only neurological findings are read through the limb
    knee_care = F("conservative_care", "physical therapy", site=Site(part="knee", side="right"))
    assert status({"finding": "conservative_care"}, knee_care, sites=(Site(part="lumbar spine"),)) == "not documented"


def test_old_and_past_findings_fall_outside_the_window():
    on = dt.date(2016, 12, 1)
    old = F("red_flag", "fracture", site=Site(part="knee"), record_date=dt.date(1998, 5, 1))
    checked = result({"finding": "red_flag"}, old, sites=LEFT_KNEE, basis_date=on)
    assert checked.status == "not documented" and "more than 365 days" in checked.set_aside[0][1]
    history = F("red_flag", "fracture", site=Site(part="knee"), historical=True)
    assert status({"finding": "red_flag"}, history, sites=LEFT_KNEE, basis_date=on) == "not documented"
    # failed care counts over the whole claim, and a rule may widen a window
    care = F("conservative_care", "physical therapy", site=Site(part="knee"), record_date=dt.date(2014, 1, 1))
    assert status({"finding": "conservative_care"}, care, sites=LEFT_KNEE, basis_date=on) == "met"
    assert status({"finding": "red_flag", "within_days": 10000}, old, sites=LEFT_KNEE, basis_date=on) == "met"


def test_a_finding_about_another_treatment_does_not_count():
    after_pt = F("functional_improvement", about="physical therapy")
    opioid = {
        "requested_generics": frozenset({"hydrocodone/acetaminophen", "hydrocodone", "acetaminophen"}),
        "requested_classes": frozenset({"opioid"}),
    }
    checked = result({"finding": "functional_improvement"}, after_pt, **opioid)
    assert (checked.status, checked.set_aside[0][1]) == ("not documented", "about physical therapy, not the requested treatment")
    assert (
        status({"finding": "functional_improvement"}, F("functional_improvement", about="hydrocodone/acetaminophen"), **opioid)
        == "met"
    )
    # occupational therapy visits are the same course of physical medicine as physical therapy
    assert (
        status(
            {"finding": "functional_improvement"},
            F("functional_improvement", about="occupational therapy"),
            treatments=frozenset({"physical therapy"}),
        )
        == "met"
    )
    assert (
        status(
            {"finding": "functional_improvement"},
            F("functional_improvement", about="acupuncture"),
            treatments=frozenset({"physical therapy"}),
        )
        == "not documented"
    )


def test_quantities():
    test = {"quantity": "use_duration_days", "at_most": 28}
    assert status(test, quantities={"use_duration_days": 20}) == "met"
    assert status(test, quantities={"use_duration_days": 90}) == "contradicted"
    assert status(test, quantities={"use_duration_days": None}) == "not documented"


def test_combinators():
    facts = [F("functional_improvement"), F("side_effect", negated=True)]
    met, nd = {"finding": "functional_improvement"}, {"finding": "aberrant_behavior"}
    assert status({"all": [met, nd]}, *facts) == "not documented"
    assert status({"any": [met, nd]}, *facts) == "met"
    assert status({"all": [met, {"finding": "side_effect"}]}, *facts) == "contradicted"
    assert status({"not": met}, *facts) == "contradicted"
    assert status({"not": nd}, *facts) == "not documented"


def test_on_drug_matches_generic_or_class():
    fact = F("medication", "hydrocodone/acetaminophen", attributes={"drug_class": "opioid"})
    assert status({"on_drug": "requested"}, fact, requested_generics=frozenset({"hydrocodone"})) == "met"
    assert status({"on_drug": "requested"}, fact, requested_generics=frozenset({"oxycodone"})) == "contradicted"
    assert (
        status({"on_drug": "class"}, fact, requested_generics=frozenset({"oxycodone"}), requested_classes=frozenset({"opioid"}))
        == "met"
    )


def test_phase_item_and_request_words():
    assert status({"phase": ["chronic"]}, phase="chronic") == "met"
    assert status({"phase": ["acute"]}, phase="chronic") == "contradicted"
    assert status({"phase": ["acute"]}) == "not documented"
    assert status({"item": "laterality", "in": ["left"]}, item={"laterality": "left"}) == "met"
    assert status({"request_mentions": ["wean"]}, request_text="Norco 10/325 #60 for weaning") == "met"


def test_mentions_and_status_narrow_the_facts():
    meniscus = F("diagnosis", "right knee medial meniscus tear", "medial meniscus tear")
    sprain = F("diagnosis", "lumbar sprain", "lumbar sprain")
    wanted = {"finding": "diagnosis", "mentions": ["menisc", "cruciate"]}
    assert status(wanted, meniscus, sprain) == "met"
    assert status(wanted, sprain) == "not documented"
    planned = F("surgery", "knee arthroscopy", hypothetical=True, attributes={"status": "planned"})
    done = F("surgery", "knee arthroscopy", attributes={"status": "done"})
    assert status({"finding": "surgery", "status": "done"}, planned) == "not documented"
    assert status({"finding": "surgery", "status": "done"}, planned, done) == "met"
    assert status({"finding": "surgery"}, planned) == "not documented"
    assert status({"finding": "surgery", "status": "planned"}, planned) == "met"


@pytest.mark.parametrize(
    ("test", "says"),
    [
        ({"finding": "a"}, "unknown fact kind 'a'"),
        ({"finding": "red_flag", "value": "broken"}, "unknown value 'broken'"),
        ({"fact": "red_flag"}, "a test needs exactly one of"),
        ({"finding": "red_flag", "absent": "red_flag"}, "a test needs exactly one of"),
        ({"finding": "red_flag", "mention": ["x"]}, "Extra inputs are not permitted"),
        ({"quantity": "age"}, "needs at_most or at_least"),
        ({"quantity": "ages", "at_most": 3}, "Input should be"),
        ({"phase": ["later"]}, "Input should be"),
        ({"any": []}, "at least 1 item"),
        ({"on_drug": "maybe"}, "Input should be"),
    ],
)
def test_malformed_tests_are_refused_with_the_reason(test, says):
    with pytest.raises(ValidationError, match=says):
        TESTS.validate_python(test)


KINDS = ["functional_improvement", "side_effect", "aberrant_behavior"]
facts_strategy = st.lists(st.builds(F, kind=st.sampled_from(KINDS), negated=st.booleans()), max_size=5)
leaf = st.sampled_from([{"finding": k} for k in KINDS] + [{"absent": k} for k in KINDS] + [{"documented": k} for k in KINDS])
tests_strategy = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.builds(lambda t: {"not": t}, inner),
        st.builds(lambda ts: {"all": ts}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda ts: {"any": ts}, st.lists(inner, min_size=1, max_size=3)),
    ),
    max_leaves=6,
)


@given(tests_strategy, facts_strategy)
def test_not_twice_is_the_test_itself(test, facts):
    assert status({"not": {"not": test}}, *facts) == status(test, *facts)


@given(st.lists(tests_strategy, min_size=1, max_size=3), facts_strategy)
def test_any_is_all_turned_inside_out(tests, facts):
    # any(x...) == not all(not x...), in the three-valued reading the rules use
    assert status({"any": tests}, *facts) == status({"not": {"all": [{"not": t} for t in tests]}}, *facts)


@given(tests_strategy)
def test_silence_never_meets_a_test_without_a_basis(test):
    assert status(test) != "met"


def test_a_finding_reported_by_utilization_review_is_not_the_treating_record():
    in_ur_letter = F("red_flag", "fracture", record_index=2)
    checked = result({"finding": "red_flag"}, in_ur_letter, foreign_records=frozenset({2}))
    assert (checked.status, checked.set_aside[0][1]) == (
        "not documented",
        "reported by utilization review, not by the treating record",
    )
    quoted = F("neuro_deficit", "weakness", attributes={"utilization_review": True})
    assert status({"finding": "neuro_deficit"}, quoted) == "not documented"
    assert status({"finding": "red_flag"}, F("red_flag", "fracture", record_index=1), foreign_records=frozenset({2})) == "met"


def test_care_before_the_injury_belongs_to_an_earlier_episode():
    old_care = F("conservative_care", "physical therapy", record_date=dt.date(2009, 3, 1))
    checked = result({"finding": "conservative_care"}, old_care, injury_date=dt.date(2016, 1, 5), basis_date=dt.date(2016, 12, 1))
    assert (checked.status, checked.set_aside[0][1]) == ("not documented", "2009-03-01: before this injury (2016-01-05)")
    cancer = F("red_flag", "tumor", historical=True, record_date=dt.date(2012, 1, 1))
    assert status({"finding": "red_flag"}, cancer, injury_date=dt.date(2016, 1, 5), basis_date=dt.date(2016, 12, 1)) == "met"


def test_a_study_that_found_nothing_is_no_imaging_evidence_of_a_lesion():
    clean = F("imaging_done", "mri", attributes={"finding": "no meniscus tear", "normal": True})
    assert status({"finding": "imaging_done", "value": "mri"}, clean) == "contradicted"
    # it is still an earlier study for a repeat-imaging criterion
    assert (
        status({"absent": "imaging_done", "value": "mri", "silence": "met", "basis": "repeat studies"}, clean) == "contradicted"
    )
    assert (
        status(
            {"finding": "imaging_done", "value": "mri"},
            F("imaging_done", "mri", attributes={"finding": "a medial meniscus tear"}),
        )
        == "met"
    )
