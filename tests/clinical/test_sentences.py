"""Each sentence of sentences.yaml read as a clinician reads it: the facts expected are found (kind,
value, site part and side, assertion, temporality, what it is about) and the facts that must not be
read are not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from imr.clinical.model import Fact
from imr.clinical.pipeline import extract_text_facts

CASES = yaml.safe_load((Path(__file__).parent / "sentences.yaml").read_text(encoding="utf-8"))
FIELDS = {"kind", "value", "part", "side", "assertion", "temporality", "about"}


def _matches(fact: Fact, expected: dict[str, Any]) -> bool:
    for field, wanted in expected.items():
        if field == "part":
            actual = fact.site.part if fact.site else None
        elif field == "side":
            # a side stated with no body part is kept beside the (missing) site
            actual = fact.site.side if fact.site else (fact.attributes or {}).get("side")
        else:
            actual = getattr(fact, field)
        if actual != wanted:
            return False
    return True


def _show(facts: list[Fact]) -> str:
    return "\n".join(
        f"  {f.kind} {f.value!r} site={f.site.describe() if f.site else None} {f.assertion}/{f.temporality} about={f.about}"
        for f in facts
    )


def test_the_sentence_file_is_well_formed_and_broad():
    assert len(CASES) >= 150
    for case in CASES:
        assert set(case) <= {"text", "facts", "not"}, case
        assert case.get("facts") or case.get("not"), case["text"]
        for spec in [*(case.get("facts") or []), *(case.get("not") or [])]:
            assert set(spec) <= FIELDS and "kind" in spec, (case["text"], spec)


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:70] for c in CASES])
def test_sentence_reads_as_a_clinician_reads_it(case):
    facts = extract_text_facts(case["text"])
    for expected in case.get("facts") or []:
        assert any(_matches(f, expected) for f in facts), f"expected {expected} in:\n{_show(facts)}"
    for unwanted in case.get("not") or []:
        wrong = [f for f in facts if _matches(f, unwanted)]
        assert not wrong, f"must not read {unwanted}:\n{_show(wrong)}"


def test_every_fact_read_is_in_the_catalogue_rules_are_checked_against():
    from imr.clinical import fact_kinds

    catalogue = fact_kinds()
    for case in CASES:
        for fact in extract_text_facts(case["text"]):
            assert fact.kind in catalogue, fact.kind
            values = catalogue.get(fact.kind)
            assert values is None or fact.value in values, (fact.kind, fact.value)
    assert "mcmurray" in catalogue["exam_sign"] and "fracture" in catalogue["red_flag"]
