"""The neurological examination: weakness with its grade, sensory loss, reflexes, provocative tests,
their distribution (dermatome, limb), and whether examined (objective) or only complained of."""

from __future__ import annotations

import re
from typing import Any

from imr.clinical.finders.base import Cue, Mention, SentenceView, laterality, lookup, nearest
from imr.memo import pattern as _kept_pattern


_GRADE = _kept_pattern(
    r"\b(?P<grade>[0-5][+-]?)\s*(?:/|over|out\s+of)\s*5\b",
    re.IGNORECASE,
)
_MOTOR_WORDS = Cue("motor")
_DERMATOME = _kept_pattern(
    r"\b(?P<root>[CLST][1-8](?:\s*(?:-|to|and|,)\s*[CLST]?[1-8])*)\s*(?:dermatom\w*|distribution|nerve\s+roots?|roots?|myotom\w*)?",
    re.IGNORECASE,
)
_COMPLAINT = Cue("complaint")
_EXAM = Cue("examination")
_EXAM_WORDING = _kept_pattern(
    r"decreased|diminished|reduced|hypo|loss|sensory|altered|pinprick|touch|paresis|deficit", re.IGNORECASE
)
_ALWAYS_OBJECTIVE = {"reflex", "positive_slr", "positive_spurling", "atrophy", "positive_tinel", "positive_phalen", "clonus"}


def neuro_mentions(view: SentenceView) -> list[Mention]:
    text = view.text
    body_parts = lookup("body_parts", view)
    mentions: list[Mention] = []
    taken: list[tuple[int, int]] = []

    def add(value: str, start: int, end: int, negated: bool | None, extra: dict[str, Any] | None = None) -> None:
        if any(start < t[1] and t[0] < end for t in taken):
            return
        taken.append((start, end))
        attributes: dict[str, Any] = dict(extra or {})
        root = _DERMATOME.search(text, max(0, start - 30), min(len(text), end + 60))
        if root and re.search(r"dermatom|distribution|root|myotom", root.group(), re.IGNORECASE):
            side = laterality(text, min(start, root.start()), max(end, root.end()))
            where = " ".join(root.group().split())
            attributes["distribution"] = f"{side} {where}" if side else where
        part = nearest(body_parts, start, end, reach=40)
        if part:
            attributes["body_part"] = part
        if "distribution" not in attributes and part:
            side = laterality(text, start, end)
            attributes["distribution"] = f"{side} {part}" if side else part
        objective = value in _ALWAYS_OBJECTIVE or "grade" in attributes or view.sentence.section == "objective"
        complained = bool(_COMPLAINT.search(text[max(0, start - 150) : start]))
        if not objective and _EXAM_WORDING.search(text[start:end]):
            objective = not complained  # "decreased sensation" is examined; "numbness" is felt
        if not objective:
            objective = bool(_EXAM.search(text)) and not complained
        attributes["objective"] = objective
        mentions.append(Mention("neuro_deficit", value, start, end, attributes, negated=negated))

    for start, end, value in lookup("neuro_normal", view):
        add(value, start, end, True)
    for m in _GRADE.finditer(text):
        context = text[max(0, m.start() - 50) : m.end() + 30]
        if not _MOTOR_WORDS.search(context):
            continue
        grade = m.group("grade")
        add("weakness", m.start(), m.end(), grade == "5" or None, {"grade": f"{grade}/5"})
    for start, end, value in lookup("neuro", view):
        add(value, start, end, None)
    return mentions
