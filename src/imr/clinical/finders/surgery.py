"""Surgery: the procedure, body part, date, and whether done, authorized or planned."""

from __future__ import annotations

import re

from imr.clinical.finders.base import Cue, Mention, REQUESTED, SentenceView, lookup, nearest, placed
from imr.memo import pattern as _kept_pattern


_SURGERY_DONE = Cue("surgery_done")
_SURGERY_PLANNED = Cue("surgery_planned")
_SURGERY_CONSIDERED = Cue("surgery_considered")
_SURGERY_AUTHORIZED = Cue("surgery_authorized")
_RETROSPECTIVE = Cue("retrospective")
_TREATMENT_INCLUDED = Cue("treatment_included")


def _surgery_status(text: str, start: int, end: int) -> str:
    """done / authorized / planned / considered / unknown, from the words around the procedure."""
    before = text[max(0, start - 80) : start]
    local = before + " " + text[end : end + 80]
    if _RETROSPECTIVE.search(local):
        return "done"  # a retrospective request is for a surgery already performed
    if _SURGERY_AUTHORIZED.search(local):
        return "authorized"
    if _SURGERY_PLANNED.search(before[-40:]):
        return "planned"
    if _SURGERY_CONSIDERED.search(before[-40:]):
        return "considered"
    if _SURGERY_DONE.search(local) or _TREATMENT_INCLUDED.search(text, 0, start):
        return "done"
    if _SURGERY_PLANNED.search(local) or REQUESTED.search(local):
        return "planned"
    if _SURGERY_CONSIDERED.search(local):
        return "considered"  # weighed, not decided: neither done nor planned
    return "unknown"


_NOT_A_SURGERY = _kept_pattern(r"^\s*(?:consult\w*|evaluation|referral|surgeon|follow[- ]?up|clearance)", re.IGNORECASE)


def surgery_mentions(view: SentenceView) -> list[Mention]:
    text = view.text
    body_parts = lookup("body_parts", view)
    mentions: list[Mention] = []
    for start, end, procedure in lookup("surgeries", view):
        if _NOT_A_SURGERY.match(text[end:]):
            continue
        if (
            re.search(r"(?:orthopedic|spine|spinal|neuro|hand|general)\s*$", text[max(0, start - 15) : start], re.IGNORECASE)
            and procedure == "surgery"
            and _NOT_A_SURGERY.match(text[end:])
        ):
            continue
        attributes = placed(view, start, end, nearest(body_parts, start, end, reach=40), date_reach=50)
        status = _surgery_status(text, start, end)
        attributes["status"] = status
        mentions.append(
            Mention("surgery", procedure, start, end, attributes, hypothetical=status in ("planned", "considered") or None)
        )
    return mentions
