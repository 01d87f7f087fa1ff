"""The fact finders: each reads one sentence and proposes mentions (kind, value, span, details).

One module per subject. The phrase finder reads data/targets.yaml; the others read the vocabularies
of data/vocabulary.yaml and the cue words of data/cues.yaml, and handle what a phrase list cannot:
numbers (pain 6-8/10, 12 sessions, 4+/5 strength), drugs with dose and frequency, imaging and surgery
with their body part, date and status. Whether a mention is negated, historical or hypothetical is
decided afterwards by ConText (context.py) unless a finder states it (a normal examination finding is
an explicit negation of the deficit).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Iterator
from functools import lru_cache
from typing import Any

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
    each pattern once per record instead of once per sentence is most of extraction's speed.

    Everything found (drugs, dates, cues, phrase targets, vocabulary hits) is kept in one list ordered
    by start, so that a sentence's share is one slice found by two bisections, however many kinds of
    thing there are."""

    def __init__(self, text: str) -> None:
        lower = lower_text(text)
        drugs = find_drug_names(text)
        targets: list[tuple[int, int, Any]] = []
        grouped: dict[str, list[Hit]] = {group: [] for group in VOCABULARY_GROUPS}
        for (group, payload), start, end in _scanner().scan(lower):
            if group is None:
                targets.append((start, end, payload))
            else:
                grouped[group].append((start, end, payload))
        found = {group: without_overlaps(hits) for group, hits in grouped.items()}
        # "visual analog scale", "back to work": a body-part word that names no body part
        not_parts = found.pop("not_body_parts")
        if not_parts:
            for group in ("body_parts", "body_part_details"):
                found[group] = [h for h in found[group] if not any(n[0] < h[1] and h[0] < n[1] for n in _near(not_parts, h))]
        drugs = _with_class_names(drugs, found.pop("drug_classes"))
        self.groups = tuple(found)
        # (start, end, slot, item, what): slots 0-3 drugs, dates, cues, targets, then one per vocabulary
        # group; `what` is all of the item but its place (phrase targets and cue modifiers are loaded
        # once per process, their identity stands for them)
        entries: list[tuple[int, int, int, Any, Hashable]] = [
            (d.start, d.end, _DRUGS, d, (d.generic, d.drug_class)) for d in drugs
        ]
        entries += [(d.start, d.end, _DATES, d, (d.date, d.precision)) for d in find_dates(text)]
        entries += [(c.start, c.end, _CUES, c, id(c.modifier)) for c in find_cues(text)]
        entries += [(hit[0], hit[1], _TARGETS, hit, id(hit[2])) for hit in targets]
        for slot, group in enumerate(self.groups, _GROUPS):
            entries += [(hit[0], hit[1], slot, hit, hit[2]) for hit in found[group]]
        # by start only: a stable sort keeps each kind's own order among equal starts
        entries.sort(key=_entry_start)
        self.entries = entries
        self.starts = [entry[0] for entry in entries]
        self.has_drugs = bool(drugs)
        # each gate's matches in order, disjoint: their ends rise with their starts (see _touches)
        self.gates = {name: _spans(Cue(name).finditer(text)) for name in GATE_CUES}

    def view(self, sentence: Sentence) -> SentenceView:
        lo, hi = sentence.start, sentence.end
        drugs: list[DrugName] = []
        dates: list[DateMention] = []
        cues: list[Any] = []
        targets: list[tuple[int, int, Any]] = []
        vocabulary: dict[str, list[Hit]] = {group: [] for group in self.groups}
        groups = self.groups
        for start, end, slot, item, _ in self.entries[bisect_left(self.starts, lo) : bisect_left(self.starts, hi)]:
            if end > hi:
                continue
            if slot >= _GROUPS:
                vocabulary[groups[slot - _GROUPS]].append((start - lo, end - lo, item[2]))
            elif slot == _DRUGS:
                drugs.append(DrugName(start - lo, end - lo, item.generic, item.drug_class))
            elif slot == _DATES:
                dates.append(DateMention(start - lo, end - lo, item.date, item.precision))
            elif slot == _CUES:
                cues.append(item)
            else:
                targets.append((start - lo, end - lo, item[2]))
        return SentenceView(
            sentence,
            drugs=drugs,
            dates=dates,
            vocabulary=vocabulary,
            targets=targets,
            cues=shifted(cues, lo, hi),
            record_has_drugs=self.has_drugs,
            gates=self._gates(lo, hi),
        )

    def key(self, sentence: Sentence) -> Hashable:
        """What the view of a sentence holds, without building it: two sentences with equal keys have
        equal views (in sentence offsets), so the finders give them equal mentions."""
        lo, hi = sentence.start, sentence.end
        found = self.entries[bisect_left(self.starts, lo) : bisect_left(self.starts, hi)]
        return (
            sentence.text,
            sentence.section,
            tuple((start - lo, end - lo, slot, what) for start, end, slot, _, what in found if end <= hi),
            self.has_drugs,
            self._gates(lo, hi),
        )

    def _gates(self, lo: int, hi: int) -> frozenset[str]:
        return frozenset(name for name, spans in self.gates.items() if _touches(spans, lo, hi))


_DRUGS, _DATES, _CUES, _TARGETS, _GROUPS = range(5)


def _with_class_names(drugs: list[DrugName], classes: list[Hit]) -> list[DrugName]:
    """The drug names and, where no drug is named, the classes of drugs ("NSAIDs", "narcotic pain
    medication"): a class is what the record says was taken, never a particular drug of it."""
    starts = [d.start for d in drugs]  # in order and disjoint: only the neighbours can overlap
    named = []
    for start, end, name in classes:
        i = bisect_right(starts, start)
        overlaps = (i and drugs[i - 1].end > start) or (i < len(drugs) and drugs[i].start < end)
        if name != "none" and not overlaps:
            named.append(DrugName(start, end, name, name))
    return sorted([*drugs, *named], key=lambda d: d.start) if named else drugs


def _entry_start(entry: tuple[int, int, int, Any, Hashable]) -> int:
    return entry[0]


Hit = tuple[int, int, str]


@lru_cache(maxsize=1)
def _scanner() -> PrefixScanner:
    """Every phrase target and vocabulary synonym, in one scanner (payload: (group or None, target or name))."""
    entries: list[tuple[object, str]] = [((None, t), pattern) for t in phrase_targets() for pattern in t.patterns]
    vocabulary = vocabulary_patterns()
    entries += [((group, name), pattern) for group in VOCABULARY_GROUPS for name, pattern in vocabulary[group]]
    return PrefixScanner(entries)


def _spans(matches: Iterator[re.Match[str]]) -> tuple[list[int], list[int]]:
    starts: list[int] = []
    ends: list[int] = []
    for match in matches:
        starts.append(match.start())
        ends.append(match.end())
    return starts, ends


def _touches(spans: tuple[list[int], list[int]], lo: int, hi: int) -> bool:
    """Whether a span of a disjoint, ordered list overlaps [lo, hi): the first span ending after `lo`
    is the only candidate (found by bisection; a scan per sentence made a long record quadratic)."""
    starts, ends = spans
    i = bisect_right(ends, lo)
    return i < len(starts) and starts[i] < hi


def _near(hits: list[tuple[int, int, str]], hit: tuple[int, int, str]) -> list[tuple[int, int, str]]:
    """The hits (sorted, disjoint) that may overlap `hit`: found by bisection, linear over a record."""
    i = bisect_left(hits, (hit[0],))
    return hits[max(0, i - 1) : i + 2]


def sentence_view(sentence: Sentence) -> SentenceView:
    """A sentence on its own (tests and tools); the pipeline uses RecordIndex.view."""
    return RecordIndex(sentence.text).view(Sentence(0, len(sentence.text), sentence.text, sentence.section))


def mentions_in(view: SentenceView) -> Iterator[Mention]:
    for finder in FINDERS:
        yield from finder(view)
