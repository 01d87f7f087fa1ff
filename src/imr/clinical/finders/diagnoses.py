"""Diagnoses as listed ("Diagnoses include ...") and age over 65 as a GI risk factor."""

from __future__ import annotations

import re

from imr.clinical.finders.base import Mention, SentenceView
from imr.memo import pattern as _kept_pattern

_DIAGNOSES = _kept_pattern(
    r"\b(?:diagnos(?:es|is)\s+(?:include[sd]?|are|were|is|was|of|listed\s+as)|diagnosed\s+(?:with|as\s+having|as)|(?:current\s+)?diagnoses\s*:|diagnosis\s*:|"
    r"(?:being\s+)?treated\s+for(?:\s+the\s+diagnos[ie]s\s+of)?|undergoing\s+treatment\s+for|treatment\s+for\s+the\s+diagnos[ie]s\s+of|"
    r"(?:has\s+)?a\s+(?:comorbid\s+)?diagnosis\s+of|documented\s+(?:is|as)|impression\s*:)\s*",
    re.IGNORECASE,
)
# Linear on any text: a separator starts only where a run of spaces starts, and every run is taken
# whole (possessive), so a long run of spaces is read once, not once per position and length.
_LIST_SPLIT = _kept_pattern(r"(?<!\s)(?:\s*+(?:,\s*+(?:(?:and|or)\s++)?|;\s*+)|\s++and\s++(?!(?:left|right)\b))", re.IGNORECASE)
_DIAGNOSIS_NOISE = _kept_pattern(r"^(?:the\s+)?(?:diagnos[ie]s\s+of\s+|having\s+)", re.IGNORECASE)


def diagnosis_mentions(view: SentenceView) -> list[Mention]:
    text = view.text
    if view.sentence.section == "assessment" and not _DIAGNOSES.search(text):
        return _diagnosis_list(text, 0)
    m = _DIAGNOSES.search(text)
    return _diagnosis_list(text, m.end()) if m else []


def _diagnosis_list(text: str, offset: int) -> list[Mention]:
    mentions: list[Mention] = []
    body_end = len(text.rstrip(" ."))
    position = offset
    for piece in _LIST_SPLIT.split(text[offset:body_end]) + [""]:
        start = text.find(piece, position) if piece else -1
        if start < 0:
            continue
        position = start + len(piece)
        clean = _DIAGNOSIS_NOISE.sub("", piece).strip(" .:")
        if 3 <= len(clean) <= 120 and not clean[0].isdigit():
            lead = piece.find(clean)
            mentions.append(Mention("diagnosis", " ".join(clean.lower().split()), start + lead, start + lead + len(clean), {}))
    return mentions


_AGE = _kept_pattern(r"\b(?P<age>\d{2,3})[- ](?:year|yr)s?[- ]old\b", re.IGNORECASE)


def age_mentions(view: SentenceView) -> list[Mention]:
    mentions: list[Mention] = []
    if "old" not in view.text:
        return mentions
    for m in _AGE.finditer(view.text):
        age = int(m.group("age"))
        if 65 < age <= 120:
            mentions.append(Mention("gi_risk", "age_over_65", m.start(), m.end(), {"age": age}, negated=False))
    return mentions
