"""The YAML rule cases: each guideline rule decided on readable record excerpts, and each flip pair proven.

A case file `cases/<family>/<topic>.yaml` covers the rule file `rules/<family>/<topic>.yaml`: every
rule in it must be exercised by a case, and every conditional rule with criteria by a case whose
`flip` adds the decisive documentation to the latest record (the outcome changes) and removes it
again (the outcome changes back), and whose `must_not_flip` list adds the same documentation where it
does not count -- about another body part, the other side, outside the time window, negated, or
about another treatment -- and the outcome must stay as it was.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from imr.casefile import parse_case
from imr.guidelines import load_rulebook
from imr.guidelines.loader import DATA_DIR
from imr.review import review_case
from imr.review.engine import review_items

CASES_DIR = Path(__file__).parent / "cases"
CASE_FILES = sorted(CASES_DIR.rglob("*.yaml"))


def _load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _all_cases() -> list[Any]:
    params = []
    for path in CASE_FILES:
        try:
            cases = _load(path).get("cases") or []
        except yaml.YAMLError as error:
            # one broken file fails its own test, never the collection of everyone else's cases
            params.append(pytest.param(path, {"invalid": str(error)}, id=f"{path.relative_to(CASES_DIR)}::invalid-yaml"))
            continue
        for index, case in enumerate(cases):
            params.append(pytest.param(path, case, id=f"{path.relative_to(CASES_DIR)}::{case.get('name', index)}"))
    return params


def case_file_of(spec: dict[str, Any], extra_text: str = "") -> Any:
    requests = spec.get("requests") or [spec["request"]]
    data: dict[str, Any] = {
        "injury_date": spec.get("injury_date"),
        "ur_decision_date": spec.get("ur_decision_date"),
        "worker": spec.get("worker") or {},
        "requests": [r if isinstance(r, dict) else {"text": r} for r in requests],
        "records": [dict(r) for r in spec.get("records") or []],
    }
    if extra_text:
        latest = data["records"][-1]
        latest["text"] = latest["text"].rstrip() + "\n" + extra_text
    return parse_case(data, source=spec.get("name", "rule case"))


def decide(spec: dict[str, Any], extra_text: str = ""):
    case = case_file_of(spec, extra_text)
    book = load_rulebook()
    review = review_items(case, book)[-1]
    issue = review_case(case, rulebook=book).issues[-1]
    return review, issue


@pytest.mark.parametrize(("path", "spec"), _all_cases())
def test_rule_case(path: Path, spec: dict[str, Any]):
    assert "invalid" not in spec, f"{path}: not valid YAML: {spec.get('invalid')}"
    review, issue = decide(spec)
    expect = spec["expect"]
    explain = f"\nrationale: {issue.rationale}\nabstain: {issue.abstain_reason}\nchecks: " + "; ".join(
        f"{c.criterion}={c.status}" for c in issue.criteria or []
    )
    assert issue.outcome == expect["outcome"], explain
    rule_ids = {r.id for r in review.rules}
    assert set(expect.get("rules", [])) <= rule_ids, f"rules applied: {sorted(rule_ids)}{explain}"
    cited_pages = {p for c in issue.reviewer_basis for p in c.pages}
    assert set(expect.get("pages", [])) <= cited_pages, explain
    cited_sections = {s for c in issue.reviewer_basis for s in c.sections}
    assert set(expect.get("sections", [])) <= cited_sections, explain
    if "unmet" in expect:
        unmet = {c.criterion for c in issue.criteria or [] if c.status != "met"}
        assert unmet == set(expect["unmet"]), explain
    if issue.outcome is not None:
        assert issue.rationale and issue.reviewer_basis and issue.confidence is not None
    if "flip" in spec:
        flipped = decide(spec, spec["flip"]["add"])[1]
        assert flipped.outcome == spec["flip"]["outcome"], f"adding the documentation did not flip:\n{flipped.rationale}"
        assert decide(spec)[1].outcome == expect["outcome"], "removing the documentation did not flip back"


KNOWN_GAPS_FILE = Path(__file__).parent / "known_gaps.yaml"


def _known_gaps() -> dict[tuple[str, str, str], str]:
    """Variants the engine still gets wrong, each with why (an expected failure that must stay one:
    a variant that starts to pass fails the run until it is taken off the list)."""
    entries = yaml.safe_load(KNOWN_GAPS_FILE.read_text(encoding="utf-8")) or [] if KNOWN_GAPS_FILE.exists() else []
    return {(e["file"], e["case"], e["change"]): e["why"] for e in entries}


def _all_variants() -> list[Any]:
    gaps = _known_gaps()
    params = []
    for path in CASE_FILES:
        relative = str(path.relative_to(CASES_DIR))
        for index, spec in enumerate(_load(path).get("cases") or []):
            for variant in spec.get("must_not_flip") or []:
                key = (relative, spec.get("name", str(index)), variant["change"])
                marks = [pytest.mark.xfail(strict=True, reason=gaps[key])] if key in gaps else []
                params.append(pytest.param(spec, variant, id="::".join(key), marks=marks))
    return params


@pytest.mark.parametrize(("spec", "variant"), _all_variants())
def test_must_not_flip(spec: dict[str, Any], variant: dict[str, Any]):
    kept = decide(spec, variant["add"])[1]
    assert kept.outcome == variant.get("outcome", spec["expect"]["outcome"]), (
        f"{variant['change']}: the outcome changed although the documentation does not count here:\n{kept.rationale}"
    )


@pytest.mark.parametrize("path", CASE_FILES, ids=[str(p.relative_to(CASES_DIR)) for p in CASE_FILES])
def test_every_rule_of_the_topic_has_a_case_and_a_flip(path: Path):
    rule_file = DATA_DIR / "rules" / path.relative_to(CASES_DIR)
    if not rule_file.exists():
        pytest.skip(f"no rule file {rule_file.name} beside these cases")
    book = load_rulebook()
    rules = [r for r in book.rules if Path(r.file) == rule_file]
    exercised: set[str] = set()
    flipped: set[str] = set()
    guarded: set[str] = set()
    for spec in _load(path).get("cases") or []:
        review, _ = decide(spec)
        ids = {r.id for r in review.rules}
        exercised |= ids
        if "flip" in spec:
            flipped |= ids
            if spec.get("must_not_flip"):
                guarded |= ids
    assert not [r.id for r in rules if r.id not in exercised], "rules without a case"
    needs_flip = [r.id for r in rules if r.recommendation == "conditional" and r.criteria]
    assert not [r for r in needs_flip if r not in flipped], "conditional rules without a flip pair"
    # the decisive documentation placed where it must not count: every conditional rule is tried so
    assert not [r for r in needs_flip if r not in guarded], "conditional rules without must_not_flip variants"
