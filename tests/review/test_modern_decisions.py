"""Real IMR decisions of 2020 (public summaries, tests/review/cases_modern/README.md) decided by the engine:
each is decided (no abstain) under the guideline edition in force on its date; agreement is reported."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from imr.casefile import parse_case
from imr.guidelines import load_rulebook
from imr.review import review_case

CASES = sorted((Path(__file__).parent / "cases_modern").glob("*.yaml"))
# what the test knows of a decision, beside the case file the engine reads
NOT_CASE_FIELDS = ("published", "date_basis")


def case_of(data: dict, source: str):
    return parse_case({k: v for k, v in data.items() if k not in NOT_CASE_FIELDS}, source=source)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_a_modern_decision_is_decided_under_the_edition_in_force(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["published"]["outcome"] in ("Upheld", "Overturned")
    case = case_of(data, path.name)
    issue = review_case(case).issues[0]
    assert issue.outcome is not None, issue.abstain_reason
    book = load_rulebook()
    in_force = {s.cite_as for s in book.sources.values() if s.in_force(case.ur_decision_date)}
    assert all(c.source in in_force for c in issue.reviewer_basis), [c.source for c in issue.reviewer_basis]


def test_agreement_with_the_published_outcomes_is_measured() -> None:
    outcomes = []
    for path in CASES:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        outcomes.append((review_case(case_of(data, path.name)).issues[0].outcome, data["published"]["outcome"]))
    agreed = sum(engine == published for engine, published in outcomes)
    print(f"modern decisions: {agreed}/{len(outcomes)} agree with the published outcome")
    # the figure the README reports; a change in it is a change to explain there
    assert (agreed, len(outcomes)) == (1, 3)
