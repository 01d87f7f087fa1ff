"""Cases nobody tuned the rules on: the engine must reach the outcome an MTUS-following reviewer would.

Each file of `cases_unseen/` is a case file (the `imr review` input) with an `expected:` block: the
outcome per disputed item (`outcome:` for a single item, `outcomes:` for several), the guideline and
section a reviewer would cite, and why. A case the engine is known to get wrong carries
`engine_disagrees:` saying why; such a case is reported, and the test fails when the engine starts
agreeing (so the note is removed) or when any other case disagrees.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from imr.casefile import parse_case
from imr.guidelines import load_rulebook
from imr.review import review_case

CASES_DIR = Path(__file__).parent / "cases_unseen"
CASE_FILES = sorted(CASES_DIR.glob("*.yaml"))


def _expected_outcomes(data: dict[str, Any]) -> list[str]:
    expected = data["expected"]
    return list(expected.get("outcomes") or [expected["outcome"]])


def _decide(path: Path) -> tuple[dict[str, Any], list[Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    case = parse_case({key: value for key, value in data.items() if key != "expected"}, source=str(path))
    return data, review_case(case, rulebook=load_rulebook()).issues


def test_the_unseen_cases_follow_the_real_workload():
    assert len(CASE_FILES) >= 60
    outcomes = Counter(o for p in CASE_FILES for o in _expected_outcomes(yaml.safe_load(p.read_text(encoding="utf-8"))))
    share = outcomes["Overturned"] / sum(outcomes.values())
    assert 0.10 <= share <= 0.25, outcomes


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_unseen_case(path: Path):
    data, issues = _decide(path)
    expected = _expected_outcomes(data)
    got = [i.outcome for i in issues]
    assert len(got) == len(expected), f"{path.name}: {len(got)} items reviewed, {len(expected)} expected"
    explain = "\n".join(
        f"- {i.item.text}: {i.outcome} [{', '.join(r.id for r in [])}] {i.rationale}\n  abstain: {i.abstain_reason}\n  checks: "
        + "; ".join(f"{c.rule}:{c.criterion}={c.status}" for c in i.criteria or [])
        for i in issues
    )
    known = data.get("engine_disagrees")
    if known:
        assert got != expected, f"{path.name}: the engine now agrees; remove engine_disagrees"
        pytest.xfail(known)
    assert got == expected, explain
    for issue in issues:
        # whatever the outcome, the reviewer reads which guideline it rests on
        assert issue.reviewer_basis, f"{path.name}: {issue.item.text} names no guideline"
