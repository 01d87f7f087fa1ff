"""Named provocative examination tests (data/exam_signs.yaml): McMurray, Lachman, Neer, Hawkins,
Spurling, straight leg raise, Phalen, Tinel, Finkelstein, FABER... with their result.

A test is read only with its result: "positive McMurray", "Lachman's test was negative", "Spurling's
positive on the left", or a list under one result word ("positive Kemp's, Braggard's and straight leg
raise"; "negative anterior and posterior drawer signs"). A negative test documents the absence of the
sign. The test's own body part (a McMurray examines the knee) is its site when the sentence names none.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from imr.clinical.finders.base import Mention, SentenceView
from imr.clinical.matching import compile_alternatives, find_all, lower_text
from imr.clinical.rules import load_data
from imr.memo import pattern as _kept_pattern


@dataclass(frozen=True, slots=True)
class ExamSign:
    name: str
    part: str
    strict: bool
    supports: str | None
    pattern: re.Pattern[str]


@lru_cache(maxsize=1)
def exam_signs() -> tuple[ExamSign, ...]:
    signs = load_data("exam_signs.yaml")["signs"]
    return tuple(
        ExamSign(
            name,
            spec["part"],
            bool(spec.get("strict")),
            spec.get("indication"),
            compile_alternatives([rf"(?:{p})(?:'s|s'|'|s)?" for p in spec["patterns"]]),
        )
        for name, spec in signs.items()
    )


_RESULT = r"(?P<pol>positive|negative|pos|neg|\(\+\)|\(-\)|\+(?!\d)|-(?=\s|$)|present|absent|elicited|reproduc\w+|equivocal)"
# "McMurray's test was positive", "Spurling's negative", "SLR: positive", "Tinel sign is present"
_AFTER = _kept_pattern(
    r"^\s*(?:(?:tests?|signs?|maneuvers?|testing|exam(?:ination)?|impingement(?: tests?| signs?)?)\s*)?"
    r"(?:(?:was|is|were|are|remains?|appears?)\s+)?(?:(?:mildly|markedly|strongly|slightly|equivocally|weakly)\s+)?:?\s*"
    + _RESULT
)
_BEFORE = _kept_pattern(r"(?P<pol>positive|negative|\(\+\)|\(-\)|\+)\s*(?:for\s+)?")
_TEST = _kept_pattern(r"(?:'s|s'|')?\s*(?:tests?|signs?|maneuvers?)\b")  # used with match(text, pos): no '^'"
# words that may stand between a result word and the test it governs, besides other test names
_LIST_WORDS = frozenset(
    "test tests sign signs maneuver maneuvers testing and or the with on at in of left right bilateral bilaterally both "
    "sided seated supine single side sides mildly strongly slightly".split()
)
_TOKEN = _kept_pattern(r"[a-z]+")
_POSITIVE = {"positive", "pos", "(+)", "+", "present", "elicited", "equivocal"}


_GATE = _kept_pattern(r"positive|negative|\(\+\)|\(-\)|\bpos\b|\bneg\b|elicit|reproduc|present|absent|equivocal")


def exam_mentions(view: SentenceView) -> list[Mention]:
    text = view.text
    lower = lower_text(text)
    if not _GATE.search(lower):
        return []  # a test is read only with its result
    hits: list[tuple[int, int, ExamSign]] = []
    for sign in exam_signs():
        for m in find_all(sign.pattern, lower):
            hits.append((m.start(), m.end(), sign))
    if not hits:
        return []
    hits = _longest(hits)
    mentions = []
    for index, (start, end, sign) in enumerate(hits):
        result = _result_after(lower, end) or _result_before(lower, hits, index)
        if result is None:
            continue
        if sign.strict and not (_TEST.match(lower, end) or _BEFORE_ADJACENT.search(lower, max(0, start - 12), start)):
            continue
        positive = result.startswith("reproduc") or result in _POSITIVE
        attributes = {"test": sign.name, "result": "positive" if positive else "negative", "examines": sign.part}
        if sign.supports:
            attributes["supports"] = sign.supports
        mentions.append(Mention("exam_sign", sign.name, start, end, attributes, negated=not positive))
    return mentions


_BEFORE_ADJACENT = _kept_pattern(r"(?:positive|negative|\(\+\)|\(-\)|\+)\s*(?:for\s+)?(?:the\s+)?$")


def _longest(hits: list[tuple[int, int, ExamSign]]) -> list[tuple[int, int, ExamSign]]:
    # leftmost first, then longest: "Hawkins impingement maneuver" is a Hawkins test
    kept: list[tuple[int, int, ExamSign]] = []
    for hit in sorted(hits, key=lambda h: (h[0], -(h[1] - h[0]))):
        if not kept or hit[0] >= kept[-1][1]:
            kept.append(hit)
    return kept


def _result_after(lower: str, end: int) -> str | None:
    m = _AFTER.match(lower[end : end + 60])
    return m.group("pol") if m else None


def _result_before(lower: str, hits: list[tuple[int, int, ExamSign]], index: int) -> str | None:
    """The result word governing a list of tests: the last one before this test, with only test
    names and list words between them."""
    start = hits[index][0]
    floor = max(0, start - 160)
    stop = max((m.end() for m in re.finditer(r"[;.]\s", lower[floor:start])), default=0) + floor
    found = None
    for m in _BEFORE.finditer(lower, stop, start):
        found = m
    if found is None:
        return None
    between = lower[found.end() : start]
    first = bisect_left(hits, found.end(), key=lambda h: h[0])  # only the tests inside the window
    for h_start, h_end, _ in hits[first:index]:
        between = between.replace(lower[h_start:h_end], " ")
    if all(word in _LIST_WORDS for word in _TOKEN.findall(between)):
        return found.group("pol")
    return None
