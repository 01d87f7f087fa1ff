"""Urine drug screens and CURES checks, consistent or not ("positive for THC")."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from imr.clinical.finders.base import Cue, Mention, SentenceView, flex, nearest_date
from imr.clinical.matching import lower_text
from imr.clinical.rules import load_data
from imr.memo import pattern as _kept_pattern


_SCREEN = Cue("drug_screen")
_CONSISTENT = Cue("screen_consistent")
_CURES = Cue("cures")


@lru_cache(maxsize=1)
def _substances() -> str:
    return "(?:" + "|".join(flex(a) for a in load_data("cues.yaml")["illicit_substances"]) + ")"


@lru_cache(maxsize=1)
def _inconsistent() -> re.Pattern[str]:
    words = "|".join(flex(a) for a in load_data("cues.yaml")["screen_inconsistent"])
    return _kept_pattern(rf"\b(?:{words}|positive\s+for\s+(?:\w+\s+){{0,2}}?{_substances()})\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def _substance_alone() -> re.Pattern[str]:
    return _kept_pattern(rf"\bpositive\s+for\s+(?:\w+\s+){{0,2}}?{_substances()}\b", re.IGNORECASE)


def _screen_result(text: str) -> str | None:
    if _inconsistent().search(text):
        return "inconsistent"
    if _CONSISTENT.search(text):
        return "consistent"
    return None


def screen_mentions(view: SentenceView) -> list[Mention]:
    text = view.text
    mentions: list[Mention] = []
    screens = list(_SCREEN.finditer(text)) if view.may_have("drug_screen") else []
    for m in screens:
        attributes: dict[str, Any] = {}
        date = nearest_date(view, m.start(), m.end(), reach=60)
        if date:
            attributes["date"] = date
        substances = re.findall(_substances(), text, re.IGNORECASE)
        if substances:
            attributes["substances"] = sorted({s.lower() for s in substances})
        mentions.append(Mention("drug_screen", _screen_result(text), m.start(), m.end(), attributes))
    if not screens and "positive" in lower_text(text):
        for m in _substance_alone().finditer(text):
            mentions.append(
                Mention("drug_screen", "inconsistent", m.start(), m.end(), {"substances": [m.group().split()[-1].lower()]})
            )
    for m in _CURES.finditer(text) if view.may_have("cures") else ():
        mentions.append(Mention("cures", _screen_result(text), m.start(), m.end(), {}))
    return mentions
