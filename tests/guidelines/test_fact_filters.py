"""The `mentions` and `status` narrowing of fact tests, which the non-drug rules rely on.

A knee MRI rule asks for "a diagnosis of meniscal tear", a repeat-imaging criterion for "an MRI of the
knee", a postsurgical rule for "a surgery already done": each must match only the facts that say so.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from imr.guidelines.criteria import CaseContext, check_test, evaluate


def F(kind: str, value: Any = None, text: str = "", *, hypothetical: bool = False, attributes: dict | None = None):
    """A fact as the evaluator reads it (kind, value, text, flags, attributes)."""
    return SimpleNamespace(
        kind=kind, value=value, text=text, negated=False, hypothetical=hypothetical,
        attributes=attributes or {}, record_index=0, record_date=None,
    )


def status(test: dict, *facts: SimpleNamespace) -> str:
    return evaluate(test, CaseContext(facts=list(facts))).status


def test_mentions_searches_value_text_and_body_part():
    meniscus = F("diagnosis", "right knee medial meniscus tear", "medial meniscus tear")
    sprain = F("diagnosis", "lumbar sprain", "lumbar sprain")
    wanted = {"fact": "diagnosis", "mentions": ["menisc", "cruciate"]}
    assert status(wanted, meniscus, sprain) == "met"
    assert status(wanted, sprain) == "not documented"
    knee_mri = F("imaging_done", "mri", "MRI on 12/08/2016", attributes={"body_part": "knee"})
    assert status({"no_fact": "imaging_done", "value": "mri", "mentions": ["knee"]}, knee_mri) == "contradicted"
    lumbar_mri = F("imaging_done", "mri", "MRI of the lumbar spine", attributes={"body_part": "lumbar spine"})
    assert status({"no_fact": "imaging_done", "value": "mri", "mentions": ["knee"]}, lumbar_mri) == "met"


def test_status_narrows_to_the_attribute():
    planned = F("surgery", "knee arthroscopy", "planned arthroscopy", attributes={"status": "planned"})
    done = F("surgery", "knee arthroscopy", "underwent arthroscopy", attributes={"status": "done"})
    assert status({"fact": "surgery", "status": "done"}, planned) == "not documented"
    assert status({"fact": "surgery", "status": "done"}, planned, done) == "met"
    assert status({"no_fact": "surgery", "status": "done"}, planned) == "met"


def test_mentions_is_validated():
    assert check_test({"fact": "diagnosis", "mentions": ["menisc"]}) is None
    assert check_test({"fact": "diagnosis", "mentions": []})
    assert check_test({"phase": ["acute"], "mentions": ["x"]})


def test_a_planned_surgery_counts_only_when_the_test_names_its_status():
    planned = F("surgery", "arthroscopy", "arthroscopy", hypothetical=True, attributes={"status": "planned"})
    assert status({"fact": "surgery"}, planned) == "not documented"
    assert status({"fact": "surgery", "status": "planned"}, planned) == "met"
