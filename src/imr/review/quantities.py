"""The numbers guideline tests compare: how long a drug has been taken, days supplied, sessions, weeks.

Each number comes with the facts it was derived from, so a rationale can quote them. A number the
record does not support is None ("not documented"), never a guess.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from imr.items import procedure_of
from imr.memo import data_yaml
from imr.memo import pattern as _kept_pattern
from imr.model import DisputedItem

_DATA = Path(__file__).parent / "data" / "vocabulary.yaml"


def _same_therapy(therapy: str, procedure: str) -> bool:
    """'physical therapy' visits count toward 'postoperative physical therapy', not toward acupuncture."""
    return bool(therapy) and (therapy == procedure or therapy in procedure or procedure in therapy)


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, Any]:
    return data_yaml(_DATA)


@lru_cache(maxsize=1)
def _frequency_pattern() -> tuple[re.Pattern[str], dict[str, float]]:
    rates = {k.lower(): float(v) for k, v in vocabulary()["doses_per_day"].items()}
    alternatives = sorted(rates, key=len, reverse=True)
    pattern = _kept_pattern(r"(?<![a-z])(" + "|".join(re.escape(a) for a in alternatives) + r")(?![a-z])", re.I)
    return pattern, rates


def doses_per_day(text: str | None) -> float | None:
    """The highest dosing rate a frequency text states ('1 tab q4-6h prn' -> 6)."""
    if not text:
        return None
    pattern, rates = _frequency_pattern()
    found = [rates[m.group(1).lower()] for m in pattern.finditer(text)]
    return max(found) if found else None


def duration_weeks(text: str | None) -> float | None:
    if not text:
        return None
    units = vocabulary()["weeks_per_unit"]
    match = re.search(r"(\d+(?:\.\d+)?)\s*(" + "|".join(sorted(units, key=len, reverse=True)) + r")\b", text, re.I)
    return float(match.group(1)) * float(units[match.group(2).lower()]) if match else None


def prior_use_days(facts: list[Any], as_of: dt.date | None) -> int | None:
    from imr.review.medication_use import prior_use_days as prior

    return prior(facts, as_of)


@dataclass
class Quantities:
    values: dict[str, float | None] = field(default_factory=dict)
    evidence: dict[str, list[Any]] = field(default_factory=dict)


def _medication_facts(current: list[Any], generic: str | None) -> list[Any]:
    """Current-use mentions of the requested drug (a combination matches on any ingredient)."""
    if not generic:
        return []
    wanted = {p for p in generic.lower().split("/") if p}
    return [f for f in current if wanted & set(str(f.value or "").lower().split("/"))]


def requested_sessions(item: DisputedItem) -> float | None:
    """Visits asked for: the stated count, or visits a week times weeks when that is more ("3 x 4")."""
    per_week = _times_a_week(item.frequency)
    weeks = duration_weeks(item.duration)
    scheduled = per_week * weeks if per_week and weeks else None
    if item.sessions is None:
        return scheduled
    # a schedule read as its last number ("3 x 4" -> 4) undercounts; the schedule is what was asked for
    return max(float(item.sessions), scheduled or 0)


def _times_a_week(text: str | None) -> float | None:
    match = re.search(
        r"(\d+(?:\.\d+)?)(?:\s*(?:-|to)\s*(\d+(?:\.\d+)?))?\s*(?:times|x)\s*(?:a|per|/)\s*(?:week|wk)", text or "", re.I
    )
    if not match:
        return None
    return float(match.group(2) or match.group(1))


def days_supply(item: DisputedItem, rate: float | None) -> float | None:
    if item.quantity is None or not rate:
        return None
    fills = 1 + (item.refills or 0)
    return item.quantity * fills / rate


def _authorized_units(item: DisputedItem, authorized: DisputedItem | None, procedure: str | None) -> float:
    """How much of the same treatment the claims administrator authorized from this request (visits,
    tablets, months; 1 when the amount is not stated); 0 when none, or when what was authorized is
    another part of the request (the surgery beside a disputed associated procedure)."""
    if authorized is None:
        return 0
    if item.kind == "drug":
        same = bool(item.generic) and authorized.generic == item.generic
    else:
        same = procedure is not None and authorized.kind == item.kind and procedure_of(authorized) == procedure
    if not same:
        return 0
    return float(requested_sessions(authorized) or authorized.quantity or 1)


def derive(  # noqa: PLR0913 - the case's numbers come from several places
    item: DisputedItem,
    *,
    record: Any,
    current: list[Any],
    authorized: DisputedItem | None,
    injury_date: dt.date | None,
    on: dt.date | None,
    age: int | None,
    procedure: str | None,
    counts: Callable[[Any], bool] = lambda fact: True,
) -> Quantities:
    """The numbers of one item. `counts` keeps only the facts anchored to it (same body part and side,
    same course of treatment, inside the time window): visits to the shoulder never count toward the
    knee's limit, and weeks since surgery are counted from the surgery on this part."""
    q = Quantities()
    as_of = (record.latest_date if record is not None else None) or on
    meds = _medication_facts(current, item.generic)

    # days supplied: the request's own frequency, else the prescription in the record
    rate = doses_per_day(" ".join(filter(None, [item.frequency, item.text])))
    if rate is None:
        for fact in reversed(meds):
            rate = doses_per_day(str(fact.attributes.get("frequency") or "")) or doses_per_day(fact.text)
            if rate:
                break
    supply = days_supply(item, rate)
    if supply is not None and authorized is not None and authorized.quantity is not None:
        # the authorized part is taken first: the remaining portion extends the course beyond it
        supply += days_supply(authorized, rate) or 0
    q.values["days_supply"] = supply
    q.values["requested_quantity"] = item.quantity

    # how long the drug has been taken before this request, then with it
    prior = prior_use_days(meds, as_of)
    ongoing = bool(meds) or any(w in item.text.lower() for w in vocabulary()["continuing_request_words"])
    if prior:
        q.values["use_duration_days"] = prior + (supply or 0)
    elif ongoing:
        q.values["use_duration_days"] = None  # taken before, for a time the record does not state
    else:
        q.values["use_duration_days"] = supply  # a new course: its length is what the request supplies
    q.evidence["use_duration_days"] = meds
    q.evidence["days_supply"] = meds[-1:]

    # sessions: prior ones for the same therapy, the authorized part, the remaining request
    # a visit count in a plan or request ("Plan: therapy, 6 sessions") is not a visit attended
    prior_facts = (
        []
        if record is None
        else [
            f for f in record.of_kind("prior_sessions") if not f.negated and not getattr(f, "hypothetical", False) and counts(f)
        ]
    )
    same = [f for f in prior_facts if procedure and _same_therapy(str(f.attributes.get("therapy") or "").lower(), procedure)]
    # visits of another named therapy never count against this one's limit; unnamed ones might
    chosen = same or [f for f in prior_facts if not f.attributes.get("therapy")]
    numbers = [float(f.value) for f in chosen if isinstance(f.value, (int, float))]
    prior_sessions = max(numbers) if numbers else None
    q.values["prior_sessions"] = prior_sessions
    q.evidence["prior_sessions"] = chosen
    requested = requested_sessions(item)
    q.values["requested_sessions"] = requested
    # the visits the claims administrator already authorized from the same request (0: none); the
    # remainder in dispute is then a continuation that waits for the result of those visits
    authorized_sessions = (requested_sessions(authorized) or 0) if authorized is not None else 0
    q.values["authorized_sessions"] = authorized_sessions
    q.values["authorized_same_treatment"] = _authorized_units(item, authorized, procedure)
    if requested is not None:
        q.values["total_sessions"] = (prior_sessions or 0) + authorized_sessions + requested
        q.evidence["total_sessions"] = chosen
    else:
        q.values["total_sessions"] = None
    q.values["requested_duration_weeks"] = duration_weeks(item.duration)

    if injury_date and as_of:
        q.values["weeks_since_injury"] = (as_of - injury_date).days / 7
    surgeries = (
        []
        if record is None
        else [
            f
            for f in record.of_kind("surgery")
            if not f.negated and f.attributes.get("status") == "done" and isinstance(f.date, dt.date) and counts(f)
        ]
    )
    if surgeries and as_of:
        latest = max(surgeries, key=lambda f: f.date)
        q.values["weeks_since_surgery"] = (as_of - latest.date).days / 7
        q.evidence["weeks_since_surgery"] = [latest]
    q.values["age"] = age
    requested_med = morphine_equivalent(item, rate)
    others, other_facts = concurrent_morphine_equivalent(current, item.generic)
    # the guideline limits the total daily dose: the request plus the other opioids taken with it
    q.values["morphine_equivalent_mg_per_day"] = None if requested_med is None else round(requested_med + others, 1)
    q.evidence["morphine_equivalent_mg_per_day"] = other_facts

    reductions = [] if record is None else [f for f in record.of_kind("pain_reduction") if not f.negated and counts(f)]
    percents = [float(f.value) for f in reductions if isinstance(f.value, (int, float))]
    if percents:
        q.values["pain_reduction_percent"] = max(percents)
        q.evidence["pain_reduction_percent"] = reductions
    elif record is not None:
        _reduction_from_scores(record, q, counts)
    return q


def _reduction_from_scores(record: Any, q: Quantities, counts: Callable[[Any], bool]) -> None:
    """With/without-medication pain scores give the percent relief the guideline asks for."""
    scores = [f for f in record.of_kind("pain_score") if not f.negated and isinstance(f.value, (int, float)) and counts(f)]
    with_med = [f for f in scores if f.attributes.get("with_medication")]
    without = [f for f in scores if f.attributes.get("without_medication")]
    if with_med and without and float(without[-1].value) > 0:
        drop = (float(without[-1].value) - float(with_med[-1].value)) / float(without[-1].value) * 100
        q.values["pain_reduction_percent"] = round(drop, 1)
        q.evidence["pain_reduction_percent"] = [without[-1], with_med[-1]]


@lru_cache(maxsize=1)
def _conversion() -> dict[str, Any]:
    path = Path(__file__).parent / "data" / "opioid_conversion.yaml"
    return data_yaml(path)


def concurrent_morphine_equivalent(current: list[Any], requested_generic: str | None) -> tuple[float, list[Any]]:
    """Morphine equivalents a day of the other opioids the record shows taken (latest mention of each)."""
    requested = set((requested_generic or "").lower().split("/"))
    latest: dict[str, Any] = {}
    for fact in current:
        attributes = fact.attributes or {}
        generic = str(fact.value or "").lower()
        if attributes.get("drug_class") != "opioid" or not generic or set(generic.split("/")) & requested:
            continue
        if attributes.get("dose"):
            latest[generic] = fact
    total, used = 0.0, []
    for generic, fact in latest.items():
        attributes = fact.attributes
        other = DisputedItem(text=fact.text, kind="drug", generic=generic, drug_class="opioid", strength=str(attributes["dose"]))
        value = morphine_equivalent(other, attributes.get("per_day"))
        if value is not None:
            total += value
            used.append(fact)
    return total, used


def morphine_equivalent(item: DisputedItem, doses_a_day: float | None) -> float | None:
    """Oral morphine equivalents a day of the requested opioid, when its strength and rate are stated."""
    if item.kind != "drug" or (item.drug_class or "").lower() != "opioid" or not item.strength:
        return None
    match = re.match(r"\s*(\d+(?:\.\d+)?)", item.strength)
    if not match:
        return None
    strength = float(match.group(1))
    table = _conversion()
    ingredients = [p.strip() for p in (item.generic or "").lower().split("/")]
    if "fentanyl" in ingredients:
        return round(strength * float(table["factors"]["fentanyl_patch_mcg_per_hour"]), 1)
    if not doses_a_day:
        return None
    daily = strength * doses_a_day
    if "methadone" in ingredients:
        factor = next(b["factor"] for b in table["methadone"] if b["up_to"] is None or daily <= b["up_to"])
        return round(daily * factor, 1)
    factor = next((table["factors"].get(i) for i in ingredients if table["factors"].get(i) is not None), None)
    return round(daily * float(factor), 1) if factor is not None else None
