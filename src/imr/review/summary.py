"""Drafts the clinical case summary of a letter from the case file: every sentence names its source.

Wording lives in data/summary.yaml and templates/summary.j2; the sentences quote the facts that
`imr.clinical` found (their exact text), so each one can be traced to a record and an offset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from imr.casefile import CaseFile
from imr.memo import data_yaml
from imr.review.medication_use import sentence_span
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


@dataclass
class _At:
    """Where a sentence comes from, in the shape `where_of` reads."""

    record_index: int | None
    record_date: object = None


@lru_cache(maxsize=1)
def _words() -> dict[str, Any]:
    return data_yaml(_DATA)


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
    described = set(range(len(case.records))[-int(words["records_described"]) :])
    order = {kind: i for i, kind in enumerate(words["kinds"])}
    spans: dict[int, dict[tuple[int, int], int]] = {}
    for fact in record.facts:
        index = fact.record_index
        if fact.kind.split(".")[0] not in order or fact.start is None or index not in described:
            continue
        text = case.records[index].text
        span = sentence_span(text, fact.start, fact.end if fact.end is not None else fact.start)
        rank = order[fact.kind.split(".")[0]]
        spans.setdefault(index, {})
        spans[index][span] = min(rank, spans[index].get(span, rank))
    for index in sorted(spans):
        # the most telling sentences (by fact kind), told in the order the record gives them
        chosen = sorted(spans[index], key=lambda sp: (spans[index][sp], sp[0]))[: int(words["per_record"])]
        record_text = case.records[index].text
        where = where_of(_At(index, case.records[index].date), case)
        for left, right in sorted(chosen):
            quote = " ".join(record_text[left:right].split()).rstrip(".")
            draft.sentences.append(Sentence(words["fact_sentence"].format(where=where, quote=quote), index, left, right))
    items = "; ".join(r.text.rstrip(".") for r in case.requests)
    plural = len(case.requests) > 1
    draft.sentences.append(
        Sentence(words["requests"].format(plural="s" if plural else "", verb="are" if plural else "is", items=items))
    )
    return draft
