"""Medications: the drug, its dose, how often it is taken, the quantity and days supplied, and how long
it has been taken ("since 2013", "for over 2 months", "started on 03/02/2015", "continue")."""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from functools import lru_cache
from typing import Any

from imr.clinical.finders.base import Cue, DURATION, Mention, REQUESTED, SentenceView, flex
from imr.clinical.rules import load_data
from imr.clinical.text import NUMBER, to_days
from imr.memo import pattern as _kept_pattern


_DOSE = _kept_pattern(
    r"^[\s,:(]{0,3}(?:\((?:[^)]{0,30})\)\s*)?(?:(?:ER|XR|SR|CR|ES|IR|DS|HCL|tablets?|tabs?|caps?|capsules?|patch)\s+)?"
    r"(?P<dose>\d+(?:\.\d+)?(?:\s*/\s*\d+(?:\.\d+)?)*)\s*(?P<unit>mg|mcg|µg|g|gm|grams?|ml|%|units?|mEq)(?![a-z])",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def _frequencies() -> tuple[re.Pattern[str], list[float | None]]:
    """One pattern with a group per dosing rate (f0, f1...), and the doses per day of each group."""
    table = load_data("cues.yaml")["frequencies"]
    body = "|".join(f"(?P<f{i}>" + "|".join(flex(p) for p in row["patterns"]) + ")" for i, row in enumerate(table))
    return _kept_pattern(rf"(?<![\w])(?:{body})(?![\w])", re.IGNORECASE), [row["per_day"] for row in table]


_QUANTITY = _kept_pattern(
    r"(?<![\d.])(?:#|number\s+|quantity:?\s*|qty:?\s*|no\.\s*)(?P<qty>\d{1,4})(?!\d)|(?<![\d.])(?P<qty2>\d{1,4})\s+(?:tablets|tabs|capsules|caps|pills|patches)",
    re.IGNORECASE,
)
_SINCE = _kept_pattern(
    r"\b(?:since|as\s+(?:far\s+back|early)\s+as|dating\s+back\s+to|going\s+back\s+to|back\s+to)\s+(?:at\s+least\s+|about\s+|approximately\s+|around\s+)?(?:(?:early|late|mid-?)\s*)?(?P<year>(?:19|20)\d{2})\b(?![/-])",
    re.IGNORECASE,
)
_SINCE_DATE = _kept_pattern(
    r"\b(?:since|as\s+(?:far\s+back|early)\s+as|dating\s+back\s+to|going\s+back\s+to|started(?:\s+on)?|began|initiated(?:\s+on)?|first\s+prescribed(?:\s+on)?|prescribed\s+on|starting|start\s+date(?:\s+of)?)\s+(?:at\s+least\s+|on\s+|in\s+)?$",
    re.IGNORECASE,
)
_CONTINUING = Cue("continuing")
_STOPPED = Cue("stopped")
_LONG_TERM = Cue("long_term")
_TO_START = Cue("medication_to_start")
_ALLERGY = Cue("allergy")


def medication_mentions(view: SentenceView) -> list[Mention]:
    if not view.drugs:
        return []
    text = view.text
    mentions: list[Mention] = []
    requested = bool(REQUESTED.search(text))
    continuing_sentence = _CONTINUING.search(text)
    stopped_sentence = _STOPPED.search(text)
    clues = _start_clues(view)
    long_term = bool(_LONG_TERM.search(text))  # once per sentence, not once per drug
    for index, drug in enumerate(view.drugs):
        if _ALLERGY.search(text, max(0, drug.start - 30), drug.start):
            continue  # "allergic to codeine": a drug the worker must not take
        limit = view.drugs[index + 1].start if index + 1 < len(view.drugs) else len(text)
        window = text[drug.end : min(limit, drug.end + 90)]
        attributes: dict[str, Any] = {}
        if drug.drug_class:
            attributes["drug_class"] = drug.drug_class
        end = drug.end
        dose = _DOSE.match(window)
        if dose:
            attributes["dose"] = re.sub(r"\s+", "", dose.group("dose")) + " " + dose.group("unit").lower()
            end = drug.end + dose.end()
        frequencies, rates = _frequencies()
        frequency = frequencies.search(window)
        if frequency:
            attributes["frequency"] = " ".join(frequency.group().lower().split())
            per_day = next((rates[i] for i in range(len(rates)) if frequency.group(f"f{i}")), None)
            if per_day:
                attributes["per_day"] = per_day
        quantity = _QUANTITY.search(window)
        if quantity:
            attributes["quantity"] = int(quantity.group("qty") or quantity.group("qty2"))
            if attributes.get("per_day"):
                attributes["days_supply"] = int(attributes["quantity"] // attributes["per_day"])
        _when_started(clues.get(index, ()), attributes)
        if continuing_sentence:
            attributes["continuing"] = True
        if stopped_sentence:
            attributes["discontinued"] = True
        if requested:
            attributes["requested"] = True
        if long_term:
            attributes["long_term"] = True
        # "will start a trial of gabapentin": a drug to be started is not a drug taken
        planned = bool(_TO_START.search(text, max(0, drug.start - 45), drug.start)) and not _CONTINUING.search(
            text, max(0, drug.start - 45), drug.start
        )
        if planned:
            attributes["planned"] = True
        mentions.append(Mention("medication", drug.generic, drug.start, end, attributes, hypothetical=planned or None))
    return mentions


# "started 3 weeks ago": the time since the start is how long it has been taken
_AGO = _kept_pattern(rf"\b(?P<n>{NUMBER})\s+(?P<unit>days?|weeks?|months?|years?)\s+ago\b", re.IGNORECASE)
_SINCE_INJURY = _kept_pattern(
    r"\b(?:since|from)\s+(?:the\s+|his\s+|her\s+|their\s+)?(?:time\s+of\s+(?:the\s+)?)?(?:industrial\s+|work\s+|original\s+)?(?:injury|accident|date\s+of\s+injury|DOI)\b",
    re.IGNORECASE,
)


def _start_clues(view: SentenceView) -> dict[int, list[tuple[str, Any]]]:
    """'since 2013', 'started on 03/02/2015', 'for over 2 months': each phrase found once in the
    sentence and given to the drug it follows (or the only drug of the sentence), so that a long list
    of drugs stays linear."""
    text = view.text
    starts = [d.start for d in view.drugs]
    found: dict[int, list[tuple[str, Any]]] = {}

    def owner(position: int) -> int:
        if len(starts) == 1:
            return 0
        return max(bisect_right(starts, position) - 1, 0)

    for since in _SINCE.finditer(text):
        found.setdefault(owner(since.start()), []).append(("year", int(since.group("year"))))
    for date in view.dates:
        if _SINCE_DATE.search(text, max(0, date.start - 40), date.start):
            found.setdefault(owner(date.start), []).append(("date", date))
    for duration in [*DURATION.finditer(text), *_AGO.finditer(text)]:
        found.setdefault(owner(duration.start()), []).append(("days", to_days(duration.group("n"), duration.group("unit"))))
    for since in _SINCE_INJURY.finditer(text):
        found.setdefault(owner(since.start()), []).append(("injury", True))
    return found


def _when_started(clues: Any, attributes: dict[str, Any]) -> None:
    """The start, duration and 'since the injury' clues of one drug, in the order the sentence gives them."""
    for what, value in sorted(clues, key=lambda c: _CLUE_ORDER[c[0]]):
        if what == "year":
            attributes["started"] = _year_start(value)
            attributes["started_precision"] = "year"
        elif what == "date":
            attributes["started"] = value.date
            attributes["started_precision"] = value.precision
        elif what == "days" and value is not None:
            attributes["duration_days"] = max(value, attributes.get("duration_days", 0))
        elif what == "injury":
            attributes["since_injury"] = True  # the pipeline dates it from the case's injury date


_CLUE_ORDER = {"year": 0, "date": 1, "days": 2, "injury": 3}


def _year_start(year: int) -> dt.date:
    return dt.date(year, 1, 1)
