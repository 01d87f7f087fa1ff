"""Guidelines as data: the editions (sources), the rules, the criteria evaluator and the evidence hierarchy.

`load_rulebook()` reads `guidelines/data/` (validated; errors name the file and rule);
`RuleBook.applicable(item, on)` gives the rules in force on a date that cover an item;
`imr.guidelines.criteria.evaluate` decides one test to met / not documented / contradicted;
`highest_rank` keeps only the strongest evidence present (Labor Code 4610.5(c)(2): MTUS first).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from imr.guidelines.loader import DATA_DIR, load_rules, load_sources
from imr.guidelines.model import AppliesTo, Criterion, GuidelineSource, Rule
from imr.guidelines.rulebook import RuleBook

__all__ = ["AppliesTo", "Criterion", "GuidelineSource", "Rule", "RuleBook", "highest_rank", "load_rulebook"]


@lru_cache(maxsize=8)
def _load(root: Path) -> RuleBook:
    sources = load_sources(root / "sources")
    return RuleBook(sources=sources, rules=load_rules(root / "rules", sources), root=root)


def load_rulebook(path: str | Path | None = None) -> RuleBook:
    """The rule book under `path` (a directory with sources/ and rules/); default: the packaged guidelines."""
    return _load(Path(path).resolve() if path else DATA_DIR)


def highest_rank(book: RuleBook, rules: list[Rule], on) -> list[Rule]:
    """Only the rules of the strongest evidence rank present: MTUS (A) before ODG (B) and the rest."""
    if not rules:
        return []

    def rank(rule: Rule) -> str:
        edition = book.edition(rule, on) or book.sources[rule.source]
        return edition.rank

    best = min(rank(r) for r in rules)
    return [r for r in rules if rank(r) == best]
