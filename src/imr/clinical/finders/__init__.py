"""The fact finders: each reads one sentence and proposes mentions (kind, value, span, details).

One module per subject. The phrase finder reads data/targets.yaml; the others read the vocabularies
of data/vocabulary.yaml and the cue words of data/cues.yaml, and handle what a phrase list cannot:
numbers (pain 6-8/10, 12 sessions, 4+/5 strength), drugs with dose and frequency, imaging and surgery
with their body part, date and status. Whether a mention is negated, historical or hypothetical is
decided afterwards by ConText (context.py) unless a finder states it (a normal examination finding is
an explicit negation of the deficit).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any, TypeVar

from imr.clinical.context import find_cues, shifted
from imr.clinical.drugnames import DrugName, find_drug_names
from imr.clinical.finders.base import (
    GATE_CUES,
    Cue,
    Mention,
    SentenceView,
    VOCABULARY_GROUPS,
    vocabulary_patterns,
    without_overlaps,
)
from imr.clinical.finders.care import conservative_care_mentions, first_line_mentions
from imr.clinical.finders.diagnoses import age_mentions, diagnosis_mentions
from imr.clinical.finders.exam import exam_mentions
from imr.clinical.finders.imaging import imaging_mentions
from imr.clinical.finders.medications import medication_mentions
from imr.clinical.finders.neuro import neuro_mentions
from imr.clinical.finders.pain import pain_mentions, relief_mentions
from imr.clinical.finders.phrases import phrase_mentions, phrase_targets
from imr.clinical.finders.screens import screen_mentions
from imr.clinical.finders.sessions import session_mentions
from imr.clinical.finders.surgery import surgery_mentions
from imr.clinical.matching import PrefixScanner, lower_text
from imr.clinical.text import DateMention, Sentence, find_dates

__all__ = ["FINDERS", "Cue", "Mention", "RecordIndex", "SentenceView", "mentions_in", "sentence_view"]


FINDERS: tuple[Callable[[SentenceView], list[Mention]], ...] = (
    phrase_mentions,
    medication_mentions,
    pain_mentions,
    relief_mentions,
    session_mentions,
    imaging_mentions,
    surgery_mentions,
    neuro_mentions,
    exam_mentions,
    conservative_care_mentions,
    first_line_mentions,
    screen_mentions,
    diagnosis_mentions,
    age_mentions,
)


class RecordIndex:
    """What the finders look up, found once over a whole record and handed out per sentence: running
    each pattern once per record instead of once per sentence is most of extraction's speed."""

    def __init__(self, text: str) -> None:
        lower = lower_text(text)
        self.drugs = _by_start(find_drug_names(text), lambda d: d.start)
        self.dates = _by_start(find_dates(text), lambda d: d.start)
        self.cues = _by_start(find_cues(text), lambda c: c.start)
        targets: list[tuple[int, int, Any]] = []
        grouped: dict[str, list[Hit]] = {group: [] for group in VOCABULARY_GROUPS}
        for (group, payload), start, end in _scanner().scan(lower):
            if group is None:
                targets.append((start, end, payload))
            else:
                grouped[group].append((start, end, payload))
        self.targets = _by_start(targets, lambda hit: hit[0])
        found = {group: without_overlaps(hits) for group, hits in grouped.items()}
        # "visual analog scale", "back to work": a body-part word that names no body part
        not_parts = found.pop("not_body_parts")
        if not_parts:
            for group in ("body_parts", "body_part_details"):
                found[group] = [h for h in found[group] if not any(n[0] < h[1] and h[0] < n[1] for n in _near(not_parts, h))]
        self.vocabulary = {group: _by_start(hits, lambda hit: hit[0]) for group, hits in found.items()}
        self.gates = {name: [(m.start(), m.end()) for m in Cue(name).finditer(text)] for name in GATE_CUES}

    def view(self, sentence: Sentence) -> SentenceView:
        lo, hi = sentence.start, sentence.end
        return SentenceView(
            sentence,
            drugs=[
                DrugName(d.start - lo, d.end - lo, d.generic, d.drug_class) for d in _within(self.drugs, lo, hi, lambda d: d.end)
            ],
            dates=[
                DateMention(d.start - lo, d.end - lo, d.date, d.precision) for d in _within(self.dates, lo, hi, lambda d: d.end)
            ],
            vocabulary={
                group: [(s - lo, e - lo, name) for s, e, name in _within(hits, lo, hi, _hit_end)] if hits[0] else []
                for group, hits in self.vocabulary.items()
            },
            targets=[(s - lo, e - lo, t) for s, e, t in _within(self.targets, lo, hi, lambda h: h[1])],
            cues=shifted(_within(self.cues, lo, hi, lambda c: c.end), lo, hi),
            record_has_drugs=bool(self.drugs[1]),
            gates=frozenset(name for name, spans in self.gates.items() if spans and any(s < hi and lo < e for s, e in spans)),
        )


_T = TypeVar("_T")
Hit = tuple[int, int, str]


def _hit_end(hit: tuple[int, int, object]) -> int:
    return hit[1]


@lru_cache(maxsize=1)
def _scanner() -> PrefixScanner:
    """Every phrase target and vocabulary synonym, in one scanner (payload: (group or None, target or name))."""
    entries: list[tuple[object, Any]] = [((None, t), pattern) for t in phrase_targets() for pattern in t.patterns]
    vocabulary = vocabulary_patterns()
    entries += [((group, name), pattern) for group in VOCABULARY_GROUPS for name, pattern in vocabulary[group]]
    return PrefixScanner(entries)


def _near(hits: list[tuple[int, int, str]], hit: tuple[int, int, str]) -> list[tuple[int, int, str]]:
    """The hits (sorted, disjoint) that may overlap `hit`: found by bisection, linear over a record."""
    i = bisect_left(hits, (hit[0],))
    return hits[max(0, i - 1) : i + 2]


def _by_start(items: list[_T], start: Callable[[_T], int]) -> tuple[list[int], list[_T]]:
    """Items sorted by start offset, with the offsets alongside for bisection."""
    ordered = sorted(items, key=start)
    return [start(i) for i in ordered], ordered


def _within(index: tuple[list[int], list[_T]], lo: int, hi: int, end: Callable[[_T], int]) -> list[_T]:
    """The items that lie inside [lo, hi): a slice found by bisection, so a long record stays linear."""
    starts, items = index
    return [i for i in items[bisect_left(starts, lo) : bisect_left(starts, hi)] if end(i) <= hi]


def sentence_view(sentence: Sentence) -> SentenceView:
    """A sentence on its own (tests and tools); the pipeline uses RecordIndex.view."""
    return RecordIndex(sentence.text).view(Sentence(0, len(sentence.text), sentence.text, sentence.section))


def mentions_in(view: SentenceView) -> Iterator[Mention]:
    for finder in FINDERS:
        yield from finder(view)
