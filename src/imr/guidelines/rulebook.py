"""The rule book: every guideline edition and rule, and which of them cover an item on a date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from imr.guidelines.model import GuidelineSource, Rule
from imr.items import procedure_of
from imr.model import DisputedItem, GuidelineCitation
from imr.model.anatomy import anatomy, is_part


def _parts(value: str | None, sep: str) -> set[str]:
    if not value:
        return set()
    whole = value.strip().lower()
    return {p.strip() for p in whole.split(sep) if p.strip()} | {whole}


@dataclass
class RuleBook:
    sources: dict[str, GuidelineSource]
    rules: list[Rule]
    root: Path | None = None
    _by_id: dict[str, Rule] = field(default_factory=dict, repr=False)
    _by_kind: dict[str | None, list[Rule]] = field(default_factory=dict, repr=False)
    _editions: dict[tuple[str, dt.date | None], GuidelineSource | None] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {r.id: r for r in self.rules}
        # rules indexed by item kind (None: rules that do not name a kind), so a review scans few rules
        for rule in self.rules:
            kinds: list[str | None] = [*rule.applies_to.kinds] if rule.applies_to.kinds else [None]
            for kind in kinds:
                self._by_kind.setdefault(kind, []).append(rule)

    def rule(self, rule_id: str) -> Rule:
        return self._by_id[rule_id]

    def edition(self, rule: Rule, on: dt.date | None) -> GuidelineSource | None:
        """The edition of `rule` in force on `on` (the latest one when several are)."""
        key = (rule.id, on)
        if key not in self._editions:
            in_force = [self.sources[e] for e in rule.editions if self.sources[e].in_force(on)]
            self._editions[key] = max(in_force, key=lambda s: s.effective_from or dt.date.min) if in_force else None
        return self._editions[key]

    def citation(self, rule: Rule, on: dt.date | None) -> GuidelineCitation:
        source = self.edition(rule, on) or self.sources[rule.source]
        return GuidelineCitation(source=source.cite_as, mtus=source.mtus, sections=[rule.section], pages=list(rule.pages))

    def applicable(
        self,
        item: DisputedItem,
        on: dt.date | None,
        *,
        form: str | None = None,
        procedure: str | None = None,
        rules: Iterable[Rule] | None = None,
    ) -> list[Rule]:
        """Rules in force on `on` whose `applies_to` matches the item (their `when` tests are the engine's)."""
        if procedure is None and item.kind != "drug":
            procedure = procedure_of(item)
        if rules is None:
            rules = self._by_kind.get(item.kind, []) + self._by_kind.get(None, [])
        return [
            rule for rule in rules if self.edition(rule, on) is not None and matches(rule, item, form=form, procedure=procedure)
        ]

    def covers_on_another_date(self, item: DisputedItem, on: dt.date | None, *, form: str | None = None) -> bool:
        """Whether rules for the item exist but none is in force on `on` (a date the rulebook's editions
        do not reach), as against a treatment no rule addresses at all."""
        procedure = procedure_of(item) if item.kind != "drug" else None
        rules = self._by_kind.get(item.kind, []) + self._by_kind.get(None, [])
        matching = [rule for rule in rules if matches(rule, item, form=form, procedure=procedure)]
        return bool(matching) and all(self.edition(rule, on) is None for rule in matching)


def matches(rule: Rule, item: DisputedItem, *, form: str | None = None, procedure: str | None = None) -> bool:
    scope = rule.applies_to
    if scope.kinds is not None and item.kind not in scope.kinds:
        return False
    # a topical product is governed by the topical-analgesic rules, never by the oral drug's
    if scope.forms is not None:
        if (form or "").lower() not in scope.forms:
            return False
    elif form == "topical" and item.kind == "drug":
        return False
    if scope.generics is not None and not (_parts(item.generic, "/") & {g.lower() for g in scope.generics}):
        return False
    if scope.drug_classes is not None and (item.drug_class or "").lower() not in {c.lower() for c in scope.drug_classes}:
        return False
    if scope.procedures is not None and (procedure or "").lower() not in {p.lower() for p in scope.procedures}:
        return False
    if scope.body_parts is not None and not _covers(scope.body_parts, _parts(item.body_part, ",")):
        return False
    return True


def _covers(rule_parts: list[str], item_parts: set[str]) -> bool:
    """A rule on the hand covers a request on the thumb (one anatomy: the part or a part inside it)."""
    book = anatomy()
    wanted = {b.lower() for b in rule_parts}
    return any(wanted & set(book.lineage(p)) if is_part(p) else p in wanted for p in item_parts)
