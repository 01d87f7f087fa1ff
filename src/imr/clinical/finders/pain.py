"""Pain: scores ("7/10", "6-8 on a 10-point scale") with or without medication, and relief ("50%
relief", or derived from before/after scores)."""

from __future__ import annotations

import re
from typing import Any

from imr.clinical.finders.base import DURATION, Mention, SentenceView, drug_near, lookup, nearest
from imr.clinical.text import to_days
from imr.memo import pattern as _kept_pattern


_SCALE = (
    r"(?:\s*/\s*10\b|\s+(?:out\s+of|over|of)\s+(?:a\s+possible\s+)?10\b"
    r"|\s+on\s+(?:a|the)\s+(?:(?:0|1)\s*(?:-|to)\s*10\s+|\d+[- ]point\s+|visual\s+analog(?:ue)?\s+|numeric(?:al)?\s+(?:rating\s+)?|pain\s+|VAS\s+)*(?:scale|VAS)(?:\s+of\s+(?:(?:0|1)\s*(?:-|to)\s*)?10)?"
    r"|\s+on\s+(?:a|the)\s+VAS)"
)
_PAIN_SCORE = _kept_pattern(
    rf"(?<![\d/.])(?P<a>10|\d(?:\.\d)?)(?:\s*(?:-|to)\s*(?P<b>10|\d(?:\.\d)?))?(?:{_SCALE})",
    re.IGNORECASE,
)
_PAIN_RATED = _kept_pattern(
    r"\b(?:rate[sd]?|rating|VAS(?:\s+score)?(?:\s+of)?|pain\s+(?:level|score|intensity|rating)s?(?:\s+(?:of|was|is|at))?)\s+"
    r"(?:(?:his|her|their|the)\s+)?(?:\w+\s+){0,2}?(?:pain\s+)?(?:as\s+|at\s+)?(?:an?\s+)?"
    r"(?P<a>10|\d(?:\.\d)?)(?:\s*(?:-|to)\s*(?P<b>10|\d(?:\.\d)?))?(?![\d%°/]|\.\d|\s*(?:%|percent|mg|degrees|times|days|weeks|months|years|sessions))",
    re.IGNORECASE,
)
_WITH_MEDS = _kept_pattern(
    r"\b(?P<q>with(?:out)?|before|after|prior\s+to|on|off|post)\s+(?:the\s+)?(?:use\s+of\s+)?(?:his\s+|her\s+|pain\s+|current\s+|taking\s+)?(?:medications?|meds|medicine|analgesics|\w+\s+medications?)\b"
    # "6/10 with meds, 9/10 without.": a bare with/without closing the clause
    r"|\b(?P<q2>with(?:out)?)(?=\s*(?:[.,;)]|and\b|but\b|$))",
    re.IGNORECASE,
)
_FROM_TO = _kept_pattern(r"\bfrom\s*$", re.IGNORECASE)
_TO = _kept_pattern(r"^\s*(?:down\s+)?to\s*$", re.IGNORECASE)
_ARROW = _kept_pattern(r"^\s*(?:->|-->|→|=>)\s*$")
_PAIN_CONTEXT = _kept_pattern(r"\bpain|VAS|rated|rates|scale\b", re.IGNORECASE)


_MAY_SCORE_PAIN = _kept_pattern(r"10|scale|VAS|rat(?:e|ed|es|ing)\b|pain", re.IGNORECASE)


def pain_mentions(view: SentenceView) -> list[Mention]:
    text = view.text
    if not _MAY_SCORE_PAIN.search(text):
        return []  # most sentences: no scale, no rating, nothing to read
    hits: list[tuple[int, int, float, float | None]] = []
    for pattern in (_PAIN_SCORE, _PAIN_RATED):
        for m in pattern.finditer(text):
            if any(m.start() < h[1] and h[0] < m.end() for h in hits):
                continue
            if pattern is _PAIN_RATED and not _PAIN_CONTEXT.search(text):
                continue
            if any(d.start <= m.start() < d.end for d in view.dates):
                continue
            a = float(m.group("a"))
            b = float(m.group("b")) if m.group("b") else None
            if a > 10 or (b is not None and (b > 10 or b < a)):
                continue
            start = m.start("a")
            hits.append((start, m.end(), a, b))
    hits.sort()
    mentions: list[Mention] = []
    for index, (start, end, a, b) in enumerate(hits):
        attributes: dict[str, Any] = {}
        if b is not None:
            attributes["range"] = [a, b]
        value = (a + b) / 2 if b is not None else a
        lower = hits[index - 1][1] if index else 0
        upper = hits[index + 1][0] if index + 1 < len(hits) else len(text)
        qualifier = _medication_qualifier(text, start, end, lower, upper)
        if qualifier:
            attributes[qualifier] = True
        # a score is a measurement: "8/10 without medication" is not a denied pain score
        mentions.append(Mention("pain_score", value, start, end, attributes, negated=False))
    # "8/10 without medication and 4/10 with" and "from 8/10 to 4/10": the reduction, derived
    without = [m for m in mentions if m.attributes.get("without_medication")]
    with_ = [m for m in mentions if m.attributes.get("with_medication")]
    pairs: list[tuple[Mention, Mention, str]] = []
    if without and with_:
        pairs.append((without[0], with_[0], "with/without medication"))
    for first, second in zip(mentions, mentions[1:]):
        between = text[first.end : second.start]
        if (_FROM_TO.search(text, max(0, first.start - 12), first.start) and _TO.match(between)) or _ARROW.match(between):
            pairs.append((first, second, "from/to"))
    for before, after, how in pairs:
        if before.value and before.value > 0 and after.value <= before.value:
            percent = round((before.value - after.value) / before.value * 100)
            mentions.append(
                Mention(
                    "pain_reduction",
                    percent,
                    min(before.start, after.start),
                    max(before.end, after.end),
                    {"derived_from": how, "before": before.value, "after": after.value},
                )
            )
    return mentions


def _medication_qualifier(text: str, start: int, end: int, lower: int, upper: int) -> str | None:
    best: tuple[int, str] | None = None
    for m in _WITH_MEDS.finditer(text, lower, upper):
        gap = m.start() - end if m.start() >= end else start - m.end()
        if gap < 0 or gap > 40:
            continue
        word = (m.group("q") or m.group("q2")).lower()
        kind = "without_medication" if word in ("without", "before", "off") or word.startswith("prior") else "with_medication"
        if best is None or gap < best[0]:
            best = (gap, kind)
    return best[1] if best else None


_RELIEF = _kept_pattern(
    r"(?<![\d.])(?P<a>\d{1,3})(?:\s*(?:%|percent)?\s*(?:-|to)\s*(?P<b>\d{1,3}))?\s*(?:%|percent)\s+(?:\w+\s+){0,3}?"
    r"(?P<what>relief|reduction|improvement|decrease|improved|better|less\s+pain|pain\s+relief|benefit)"
    r"|\b(?P<what2>relief|reduction|improvement|decrease|benefit)\s+(?:\w+\s+){0,4}?(?:of|by|at)\s+(?:about\s+|approximately\s+)?"
    r"(?P<c>\d{1,3})(?:\s*(?:-|to)\s*(?P<d>\d{1,3}))?\s*(?:%|percent)",
    re.IGNORECASE,
)
_FUNCTION_AFTER = _kept_pattern(r"^\s*(?:in|of)\s+(?:\w+\s+)?(?:function|functional|ADLs|activities)", re.IGNORECASE)


def relief_mentions(view: SentenceView) -> list[Mention]:
    text = view.text
    if "%" not in text and "percent" not in text.lower():
        return []
    therapies = lookup("therapies", view)
    mentions: list[Mention] = []
    for m in _RELIEF.finditer(text):
        low = m.group("a") or m.group("c")
        high = m.group("b") or m.group("d")
        percent = int(low)
        if percent > 100:
            continue
        attributes: dict[str, Any] = {}
        if high:
            attributes["range"] = [int(low), int(high)]
        therapy = nearest(therapies, m.start(), m.end(), reach=100) or drug_near(view, m.start(), m.end(), reach=100)
        if therapy:
            attributes["therapy"] = therapy
        duration = DURATION.search(text, m.end(), min(len(text), m.end() + 40))
        if duration:
            attributes["duration_days"] = to_days(duration.group("n"), duration.group("unit"))
        kind = "functional_improvement" if _FUNCTION_AFTER.match(text[m.end() :]) else "pain_reduction"
        mentions.append(Mention(kind, percent, m.start(), m.end(), attributes))
    return mentions
