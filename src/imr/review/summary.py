"""Drafts the clinical case summary of a letter from the case file: every sentence names its source.

Wording lives in data/summary.yaml and templates/summary.j2; the sentences quote the facts that
`imr.clinical` found (their exact text), so each one can be traced to a record and an offset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from imr.casefile import CaseFile
from imr.review.rationale import render, us_date, where_of

_DATA = Path(__file__).parent / "data" / "summary.yaml"


@dataclass
class Sentence:
    text: str
    record_index: int | None = None  # None: from the case file's own fields
    start: int | None = None
    end: int | None = None


@dataclass
class SummaryDraft:
    sentences: list[Sentence] = field(default_factory=list)

    @property
    def text(self) -> str:
        return render("summary.j2", sentences=self.sentences)


@lru_cache(maxsize=1)
def _words() -> dict[str, Any]:
    return yaml.safe_load(_DATA.read_text(encoding="utf-8"))


def draft_summary(case: CaseFile, record: Any = None) -> SummaryDraft:
    words = _words()
    if record is None:
        from imr.clinical import extract_facts

        record = extract_facts(case)
    draft = SummaryDraft()
    injury = us_date(case.injury_date) or "an unstated date"
    if case.worker.age and case.worker.sex:
        draft.sentences.append(Sentence(words["opening"].format(age=case.worker.age, sex=case.worker.sex, injury=injury)))
    else:
        draft.sentences.append(Sentence(words["opening_no_age"].format(injury=injury)))
    dated = [r.date for r in case.records if r.date]
    if dated:
        draft.sentences.append(Sentence(words["latest_record"].format(date=us_date(max(dated)))))
    described = set(range(len(case.records))[-int(words["records_described"]):])
    order = {kind: i for i, kind in enumerate(words["kinds"])}
    by_record: dict[int | None, list[Any]] = {}
    for fact in record.facts:
        if fact.kind.split(".")[0] in order and fact.text and (fact.record_index in described or fact.record_index is None):
            by_record.setdefault(fact.record_index, []).append(fact)
    for index in sorted(by_record, key=lambda i: -1 if i is None else i):
        seen: set[str] = set()
        facts = sorted(by_record[index], key=lambda f: (order[f.kind.split(".")[0]], f.start or 0))
        for fact in facts:
            quote = " ".join(fact.text.split())
            if quote.lower() in seen or len(seen) >= int(words["per_record"]):
                continue
            seen.add(quote.lower())
            where = where_of(fact, case)
            where = where[4:] if where.lower().startswith("the ") else where
            draft.sentences.append(
                Sentence(words["fact_sentence"].format(where=where, quote=quote), fact.record_index, fact.start, fact.end)
            )
    items = "; ".join(r.text.rstrip(".") for r in case.requests)
    plural = len(case.requests) > 1
    draft.sentences.append(Sentence(words["requests"].format(plural="s" if plural else "", verb="are" if plural else "is", items=items)))
    return draft
