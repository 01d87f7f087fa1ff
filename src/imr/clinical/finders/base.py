"""What every fact finder shares: the mention it proposes, the sentence it reads (with drugs, dates,
vocabulary hits and ConText cues already found), the cue words of data/cues.yaml and the canonical
vocabularies of data/vocabulary.yaml, and small helpers to find what is near a mention."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterator

from imr.clinical.drugnames import DrugName
from imr.items.vocabulary import BODY_PART_WORDS
from imr.clinical.matching import alternatives, flexible, lower_text, lowered
from imr.clinical.rules import load_data
from imr.clinical.text import DateMention, NUMBER, Sentence
from imr.memo import pattern as _kept_pattern


@dataclass(slots=True)
class Mention:
    """A proposed fact in sentence coordinates."""

    kind: str
    value: Any
    start: int
    end: int
    attributes: dict[str, Any] = field(default_factory=dict)
    negated: bool | None = None  # None: let ConText decide
    hypothetical: bool | None = None
    historical: bool | None = None
    possible: bool | None = None


Hit = tuple[int, int, str]  # start, end, canonical name


@dataclass(slots=True)
class SentenceView:
    """One sentence with what the finders share, in sentence offsets: drugs, dates, vocabulary and
    phrase-target hits, ConText cues (all found once per record, see RecordIndex)."""

    sentence: Sentence
    drugs: list[DrugName]
    dates: list[DateMention]
    vocabulary: dict[str, list[Hit]] = field(default_factory=dict)
    targets: list[tuple[int, int, Any]] = field(default_factory=list)  # (start, end, PhraseTarget)
    cues: list[Any] = field(default_factory=list)
    record_has_drugs: bool = False
    # the gate cues (GATE_CUES) found over the record that touch this sentence: a finder whose cue is
    # absent has nothing to read, without searching the sentence again
    gates: frozenset[str] | None = None

    def may_have(self, cue: str) -> bool:
        return self.gates is None or cue in self.gates

    @property
    def text(self) -> str:
        return self.sentence.text


flex = flexible

# cues that decide whether a finder reads a sentence at all: looked up once per record
GATE_CUES = ("care_context", "tried", "drug_screen", "cures", "utilization_review")


class Cue:
    """A named list of cue words from data/cues.yaml, matched as whole words in any case.

    Compiled on first use, lower-case and without a leading word-boundary test, and run on the
    lower-cased text (see matching.py: several times faster); the boundary is checked afterwards."""

    def __init__(self, name: str) -> None:
        self.name = name

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match[str]]:
        lower = lower_text(text)
        for match in _cue_pattern(self.name).finditer(lower, pos, len(lower) if endpos is None else endpos):
            start = match.start()
            if start == 0 or not (lower[start - 1].isalnum() or lower[start - 1] == "_"):
                yield match

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        return next(self.finditer(text, pos, endpos), None)


@lru_cache(maxsize=None)
def _cue_pattern(name: str) -> re.Pattern[str]:
    alternatives = load_data("cues.yaml")[name]
    return _kept_pattern(r"(?:" + "|".join(flex(lowered(a)) for a in alternatives) + r")\b")


VOCABULARY_GROUPS = (
    "therapies",
    "imaging",
    "body_parts",
    "body_part_details",
    "not_body_parts",
    "implied_sites",
    "surgeries",
    "neuro",
    "neuro_normal",
    "first_line",
    "drug_classes",
)


@lru_cache(maxsize=1)
def vocabulary_patterns() -> dict[str, Any]:
    """Each group as (canonical name, pattern source) pairs, one pattern per synonym: separate
    simple patterns scan ten times faster than one alternation of them all (compiled by the record
    scanner when first tried). Body parts are the items
    vocabulary's (one anatomy, patterns written once); `body_part_details` are the finer structures
    ('L4-5', 'medial meniscus') that a site keeps as its detail."""
    data = dict(load_data("vocabulary.yaml"))
    parts = BODY_PART_WORDS
    data["body_parts"] = {}
    for entry in parts:
        data["body_parts"].setdefault(entry.name, []).extend([*entry.details, *entry.patterns])
    data["body_part_details"] = {}
    for entry in parts:
        if entry.details:
            data["body_part_details"].setdefault(entry.name, []).extend(entry.details)
    data["not_body_parts"] = {"none": data.get("not_body_parts") or []}
    patterns: dict[str, Any] = {
        group: [(name, alternatives([p])) for name, patterns in data[group].items() for p in patterns]
        for group in VOCABULARY_GROUPS
    }
    patterns["session_therapies"] = set(data["session_therapies"])
    return patterns


def lookup(group: str, view: SentenceView) -> list[Hit]:
    """All (start, end, canonical) of one vocabulary group in the sentence."""
    return view.vocabulary.get(group, [])


def without_overlaps(hits: list[Hit]) -> list[Hit]:
    """The longest match wins an overlap; on equal length the earlier position (then the earlier
    name in the file, hits arrive in file order)."""
    kept: list[Hit] = []  # disjoint, ordered by start: an overlap can only be with a neighbour
    starts: list[int] = []
    for hit in sorted(hits, key=lambda h: (-(h[1] - h[0]), h[0])):
        i = bisect_right(starts, hit[0])
        if (i and kept[i - 1][1] > hit[0]) or (i < len(kept) and kept[i][0] < hit[1]):
            continue
        kept.insert(i, hit)
        starts.insert(i, hit[0])
    return sorted(kept)


def nearest(hits: list[tuple[int, int, str]], start: int, end: int, reach: int = 60) -> str | None:
    best, distance = None, reach + 1
    for h_start, h_end, name in hits:
        gap = h_start - end if h_start >= end else start - h_end if h_end <= start else 0
        if 0 <= gap < distance:
            best, distance = name, gap
    return best


def nearest_date(view: SentenceView, start: int, end: int, reach: int = 80) -> Any:
    best, distance = None, reach + 1
    for mention in view.dates:
        gap = mention.start - end if mention.start >= end else start - mention.end if mention.end <= start else 0
        if 0 <= gap < distance:
            best, distance = mention.date, gap
    return best


_LATERALITY = _kept_pattern(r"\b(left|right|bilateral(?:ly)?|both)\b", re.IGNORECASE)


def laterality(text: str, start: int, end: int) -> str | None:
    window = text[max(0, start - 25) : end + 25]
    found = {m.group(1).lower() for m in _LATERALITY.finditer(window)}
    if found & {"bilateral", "bilaterally", "both"} or {"left", "right"} <= found:
        return "bilateral"
    return next(iter(found), None)


# cue words several finders read
REQUESTED = Cue("requested")
PLANNED = Cue("planned")
DURATION = _kept_pattern(
    rf"\b(?:for|over|x|in)\s+(?:the\s+)?(?:past\s+|last\s+|previous\s+)?(?:over\s+|more\s+than\s+|at\s+least\s+|approximately\s+|about\s+|almost\s+|nearly\s+|around\s+|greater\s+than\s+)?(?P<n>{NUMBER})\s+(?P<unit>days?|weeks?|months?|years?)\b",
    re.IGNORECASE,
)


_BEFORE_LINK = _kept_pattern(r"^[\s\w-]{0,20}$")  # "lumbar radiculopathy", "right knee mild osteoarthritis"
_AFTER_LINK = _kept_pattern(r"^\s*(?:of|in|at|to|over|involving|on)\s+(?:the\s+)?(?:\w+\s+){0,2}?$", re.IGNORECASE)


def placed(view: SentenceView, start: int, end: int, part: str | None, date_reach: int | None = None) -> dict[str, Any]:
    """The body_part, laterality and date attributes of a mention, those that are found."""
    attributes: dict[str, Any] = {}
    if part:
        attributes["body_part"] = part
        side = laterality(view.text, start, end)
        if side:
            attributes["laterality"] = side
    if date_reach is not None:
        date = nearest_date(view, start, end, reach=date_reach)
        if date:
            attributes["date"] = date
    return attributes


def body_part_of(view: SentenceView, start: int, end: int) -> str | None:
    """The body part a finding is written with: just before it ("lumbar radiculopathy") or linked after
    it ("osteoarthritis of the right knee"), never across a comma into the next item of a list."""
    text = view.text
    for h_start, h_end, name in reversed(lookup("body_parts", view)):
        if h_end <= start and _BEFORE_LINK.match(text[h_end:start]):
            return name
    for h_start, h_end, name in lookup("body_parts", view):
        if h_start >= end and _AFTER_LINK.match(text[end:h_start]):
            return name
    return None


def drug_near(view: SentenceView, start: int, end: int, reach: int = 80) -> str | None:
    """The generic name of the drug nearest the mention, within `reach` characters."""
    return nearest([(d.start, d.end, d.generic) for d in view.drugs], start, end, reach)
