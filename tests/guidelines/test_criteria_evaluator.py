"""The test vocabulary evaluates to met / not documented / contradicted, the way a reviewer reads a record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from imr.guidelines.criteria import CaseContext, check_test, evaluate


@dataclass
class F:
    kind: str
    value: Any = None
    text: str = "x"
    negated: bool = False
    hypothetical: bool = False
    historical: bool = False
    attributes: dict = field(default_factory=dict)
    record_index: int | None = 0
    record_date: dt.date | None = None
    start: int | None = 0
    end: int | None = 1


def ctx(*facts, **kw):
    return CaseContext(facts=list(facts), **kw)


def status(test, *facts, **kw):
    return evaluate(test, ctx(*facts, **kw)).status


def test_fact_present_absent_and_negated():
    assert status({"fact": "functional_improvement"}, F("functional_improvement")) == "met"
    assert status({"fact": "functional_improvement"}) == "not documented"
    assert status({"fact": "functional_improvement"}, F("functional_improvement", negated=True)) == "contradicted"


def test_hypothetical_facts_are_not_findings():
    assert status({"fact": "indication.anxiety"}, F("indication.anxiety", hypothetical=True)) == "not documented"


def test_family_prefix_and_value():
    assert status({"fact": "indication"}, F("indication.panic")) == "met"
    assert status({"fact": "drug_screen", "value": "consistent"}, F("drug_screen", "inconsistent")) == "not documented"


def test_no_fact_and_documented():
    assert status({"no_fact": "aberrant_behavior"}) == "met"
    assert status({"no_fact": "aberrant_behavior"}, F("aberrant_behavior")) == "contradicted"
    assert status({"no_fact": "aberrant_behavior"}, F("aberrant_behavior", negated=True)) == "met"
    assert status({"documented": "side_effect"}, F("side_effect", negated=True)) == "met"
    assert status({"documented": "side_effect"}) == "not documented"


def test_not_denied_is_contradicted_only_by_a_statement_of_the_opposite():
    mmi = {"not_denied": "work_status", "value": "permanent_and_stationary"}
    assert status(mmi) == "met"  # silence is no objection
    assert status(mmi, F("work_status", "permanent_and_stationary")) == "met"
    assert status(mmi, F("work_status", "permanent_and_stationary", negated=True)) == "contradicted"
    assert status(mmi, F("work_status", "modified_duty", negated=True)) == "met"
    assert check_test({"not_denied": 3}) is not None


def test_quantities():
    test = {"quantity": "use_duration_days", "at_most": 28}
    assert status(test, quantities={"use_duration_days": 20}) == "met"
    assert status(test, quantities={"use_duration_days": 90}) == "contradicted"
    assert status(test, quantities={"use_duration_days": None}) == "not documented"


def test_combinators():
    met, nd = {"fact": "a"}, {"fact": "b"}
    facts = [F("a"), F("c", negated=True)]
    assert evaluate({"all": [met, nd]}, ctx(*facts)).status == "not documented"
    assert evaluate({"any": [met, nd]}, ctx(*facts)).status == "met"
    assert evaluate({"all": [met, {"fact": "c"}]}, ctx(*facts)).status == "contradicted"
    assert evaluate({"not": met}, ctx(*facts)).status == "contradicted"
    assert evaluate({"not": nd}, ctx(*facts)).status == "not documented"


def test_on_drug_matches_generic_or_class():
    fact = F("medication", "hydrocodone/acetaminophen", attributes={"drug_class": "opioid"})
    assert status({"on_drug": "requested"}, fact, requested_generics=frozenset({"hydrocodone"})) == "met"
    assert status({"on_drug": "requested"}, fact, requested_generics=frozenset({"oxycodone"})) == "contradicted"
    assert status({"on_drug": "class"}, fact, requested_generics=frozenset({"oxycodone"}), requested_classes=frozenset({"opioid"})) == "met"


def test_phase_item_and_request_words():
    assert status({"phase": ["chronic"]}, phase="chronic") == "met"
    assert status({"phase": ["acute"]}, phase="chronic") == "contradicted"
    assert status({"phase": ["acute"]}) == "not documented"
    assert status({"item": "laterality", "in": ["left"]}, item={"laterality": "left"}) == "met"
    assert status({"request_mentions": ["wean"]}, request_text="Norco 10/325 #60 for weaning") == "met"


@pytest.mark.parametrize(
    "test",
    [{"fact": "a", "no_fact": "b"}, {"quantity": "age"}, {"phase": ["later"]}, {"any": []}, {"on_drug": "maybe"}, "fact"],
)
def test_malformed_tests_are_explained(test):
    assert check_test(test)


from hypothesis import given
from hypothesis import strategies as st

KINDS = ["a", "b", "c"]
facts_strategy = st.lists(st.builds(F, kind=st.sampled_from(KINDS), negated=st.booleans()), max_size=5)
leaf = st.sampled_from([{"fact": k} for k in KINDS] + [{"no_fact": k} for k in KINDS] + [{"documented": k} for k in KINDS])
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
    assert evaluate({"not": {"not": test}}, ctx(*facts)).status == evaluate(test, ctx(*facts)).status


@given(st.lists(tests_strategy, min_size=1, max_size=3), facts_strategy)
def test_any_is_all_turned_inside_out(tests, facts):
    # any(x...) == not all(not x...), in the three-valued reading the rules use
    left = evaluate({"any": tests}, ctx(*facts)).status
    right = evaluate({"not": {"all": [{"not": t} for t in tests]}}, ctx(*facts)).status
    assert left == right
