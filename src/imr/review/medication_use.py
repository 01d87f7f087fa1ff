"""Which medication mentions show the worker already taking a drug, as opposed to starting or requesting it.

A reviewer reads "Plan: start gabapentin" as a new trial and "She has taken Norco since 2012" as
continued use; the guideline criteria differ (a trial needs an indication, continued use needs a
documented benefit). The words that mark a new start are data (data/vocabulary.yaml).
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from imr.review.quantities import vocabulary
from imr.memo import pattern as _kept_pattern

# sentences end at a full stop or semicolon, a blank line, or a line that starts a new heading ("Plan:")
_BOUNDARY = _kept_pattern(r"\.(?!\d)|;|\n\s*\n|\n(?=\s*[A-Z][A-Za-z /]{1,30}:)")


SENTENCE_REACH = 600


@lru_cache(maxsize=1)
def _start_words() -> re.Pattern[str]:
    words = sorted(vocabulary()["new_start_words"], key=len, reverse=True)
    return _kept_pattern(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)


@lru_cache(maxsize=16)
def _boundaries(text: str) -> tuple[list[int], list[int]]:
    """Where the sentence boundaries of a record start and end, found once per record: a record is
    asked for the sentence around each of its facts, and a 1 MB record has thousands of them."""
    starts, ends = [], []
    for match in _BOUNDARY.finditer(text):
        starts.append(match.start())
        ends.append(match.end())
    return starts, ends


def sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets of the sentence (or list line) around a span of a record, surrounding spaces trimmed."""
    starts, ends = _boundaries(text)
    # the last boundary that ends at or before the span, the first that starts at or after its end
    before = bisect.bisect_right(ends, start) - 1
    left = ends[before] if before >= 0 else 0
    after = bisect.bisect_left(starts, end)
    right = starts[after] if after < len(starts) else len(text)
    # text with no boundary for pages is not one sentence: at most SENTENCE_REACH either side
    left, right = max(left, start - SENTENCE_REACH), min(right, end + SENTENCE_REACH)
    while left < right and text[left].isspace():
        left += 1
    while right > left and text[right - 1].isspace():
        right -= 1
    return left, right


def sentence_of(text: str, start: int | None, end: int | None) -> str:
    """The sentence (or list line) around a span of a record, on one line."""
    if start is None or end is None or not text:
        return ""
    left, right = sentence_span(text, start, end)
    return " ".join(text[left:right].split())


def is_new_start(fact: Any, texts: Sequence[str]) -> bool:
    attributes = fact.attributes or {}
    if (
        attributes.get("continuing")
        or attributes.get("started")
        or attributes.get("duration_days")
        or attributes.get("long_term")
    ):
        return False
    if attributes.get("section") == "medications":
        return False  # a medication list names what the worker takes
    index = fact.record_index
    text = texts[index] if index is not None and 0 <= index < len(texts) else ""
    return _names_a_start(sentence_of(text, fact.start, fact.end))


@lru_cache(maxsize=1024)
def _names_a_start(sentence: str) -> bool:
    """Once per sentence, however many drugs it names and however often a record repeats it."""
    return bool(_start_words().search(sentence))


def current_use(facts: Sequence[Any], texts: Sequence[str], latest: dt.date | None, phase: str | None = None) -> list[Any]:
    """Medication facts that document the drug as taken before this request."""
    taken = []
    for fact in facts:
        if fact.kind != "medication" or fact.negated or getattr(fact, "hypothetical", False):
            continue
        if getattr(fact, "family", False) or getattr(fact, "historical", False):
            continue  # another person's drug, or a course that ended years ago ("Norco after a fracture in 2001")
        attributes = fact.attributes or {}
        if attributes.get("discontinued"):
            continue
        earlier_record = bool(latest and fact.record_date and fact.record_date < latest)
        if phase == "acute" and not earlier_record and not (attributes.get("continuing") or attributes.get("started")):
            continue  # weeks after the injury, a drug named on the latest note is the new prescription
        if earlier_record or not is_new_start(fact, texts):
            if attributes.get("requested") and not (earlier_record or attributes.get("continuing") or attributes.get("started")):
                continue  # named only as the request under review
            taken.append(fact)
    return taken


def prior_use_days(facts: Sequence[Any], as_of: dt.date | None) -> int | None:
    """The longest use the record supports: a stated duration, a start date, or the earliest dated mention."""
    best: int | None = None
    for fact in facts:
        attributes = fact.attributes or {}
        candidates = [attributes.get("duration_days")]
        started = attributes.get("started")
        if isinstance(started, dt.date) and as_of:
            candidates.append((as_of - started).days)
        if fact.record_date and as_of:
            candidates.append((as_of - fact.record_date).days)
        for days in candidates:
            if isinstance(days, int) and days > 0 and (best is None or days > best):
                best = days
    return best
