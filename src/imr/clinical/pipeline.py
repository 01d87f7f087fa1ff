"""The clinical pipeline: case file records -> sentences -> mentions -> facts with ConText attributes.

Runs on progress notes (one record per note, dated) and on a letter's clinical case summary (one
record, no date), where the dates live in the sentences: "In a progress note dated 04/10/2015 ...",
"On 11-3-16, utilization review ...". Such a date becomes the `date` attribute of the facts of its
sentence and, when it names a visit or note, of the sentences that follow it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Hashable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from imr.casefile import CaseFile, Record
from imr.clinical.context import assess
from imr.clinical.finders import Cue, Mention, RecordIndex, SentenceView, mentions_in
from imr.clinical.finders.base import DURATION
from imr.clinical.about import about_of, gains_of_one_treatment
from imr.clinical.matching import lower_text
from imr.clinical.model import ClinicalRecord, Fact, phase_of
from imr.clinical.sites import PartHit, RecordSites, is_sited, part_hits, side_in_clause, side_near, site_in_sentence
from imr.model.anatomy import Site, anatomy, as_side
from imr.clinical.text import section_titles, split_sentences, to_days
from imr.memo import pattern as _kept_pattern

# Record kinds that mean "a letter's case summary": its facts carry record_index None (design.md).
SUMMARY_KINDS = frozenset({"case summary", "clinical case summary", "summary", "letter summary"})

# A date that introduces a visit or a note carries over to the sentences after it.
_NOTE_DATE = _kept_pattern(
    r"(?:\b(?:notes?|reports?|visits?|evaluations?|exam(?:ination)?s?|PR-?2|consultations?|records?|assessments?|follow-?ups?|appointments?|encounters?|seen|evaluated|examined)"
    r"\s+(?:\w+\s+){0,2}?(?:dated|of|on|from)\s*$)|(?:^\s*(?:on|in|as\s+of|at\s+the\s+visit\s+on|per\s+the\s+\w+\s+dated|dated)\s*$)",
    re.IGNORECASE,
)
_INJURY_DATE = _kept_pattern(r"(?:injur(?:y|ed)|DOI|date\s+of\s+injury|accident|claim)\b[^.]{0,30}$", re.IGNORECASE)
# another event than this claim's injury ("an earlier injury in 2008", "a car accident in 1999"): its
# date dates what the sentence says happened then
_OTHER_INJURY = _kept_pattern(
    r"\b(?:earlier|prior|previous|another|old|former|car|motor\s+vehicle|auto|mva|mvc)\s+(?:\w+\s+)?(?:injur(?:y|ies)|accident|claim)\b[^.]{0,30}$",
    re.IGNORECASE,
)
# a date ahead of the visit ("off work through 03/30/2016", "follow-up on ...") dates no finding
_FUTURE_DATE = _kept_pattern(
    r"\b(?:through|thru|until|till|scheduled\s+(?:for|on)|follow[- ]?up\s+(?:on|in)|return\s+(?:on|in)|next\s+(?:visit|appointment)\s+(?:on|in)?|expires?|valid\s+to)\s*$",
    re.IGNORECASE,
)
_UR_DATE = _kept_pattern(
    r"(?:utilization\s+review|UR|IMR|application|request\s+for\s+authorization|RFA)\b[^.]{0,25}$", re.IGNORECASE
)

# "since 2014" starts a span, it dates no event
_SINCE = _kept_pattern(r"\bsince\s*$", re.IGNORECASE)
# findings whose stated date more than a year before the record makes them past ("in 1998 she had a
# compression fracture"); care, sessions and surgery keep their date for the rule's time window
_DATED_FINDINGS = ("red_flag", "diagnosis", "neuro_deficit", "exam_sign", "indication.")
_PAST_DAYS = 365

_SCREEN_RESULT = _kept_pattern(r"\b(?:positive|negative|tested)\s+for\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE)

_UR_SENTENCE = Cue("utilization_review")
_SECTION_HISTORICAL = {"past_history"}
_PLAN_KINDS = {"imaging_done", "surgery", "prior_sessions"}
_SKIP_IN_ALLERGIES = {"medication", "side_effect"}


def extract_facts(case: CaseFile) -> ClinicalRecord:
    """Every clinical fact of the case's records, each with its span, record, date and ConText attributes."""
    facts: list[Fact] = []
    latest: dt.date | None = None
    readings: dict[Hashable, _Reading] = {}  # shared by the records: notes copy sentences forward
    for index, record in enumerate(case.records):
        record_facts, latest_stated = _record_facts(record, None if _is_summary(record) else index, readings)
        facts.extend(record_facts)
        for candidate in (record.date, latest_stated if record.date is None else None):
            if candidate and (latest is None or candidate > latest):
                latest = candidate
    facts = [_dated_from_injury(f, case.injury_date) for f in facts]
    facts.extend(_case_facts(case, facts))
    return ClinicalRecord(
        facts=facts,
        injury_date=case.injury_date,
        latest_date=latest,
        phase=phase_of(case.injury_date, latest),
    )


def extract_text_facts(text: str, *, record_date: dt.date | None = None) -> list[Fact]:
    """Facts of one piece of text (a case summary when no date is given); handy for tests and tools."""
    record = Record(text=text, date=record_date, kind=None if record_date else "case summary")
    return _record_facts(record, None if record_date is None else 0, {})[0]


def _is_summary(record: Record) -> bool:
    return (record.kind or "").strip().lower() in SUMMARY_KINDS


@dataclass(frozen=True, slots=True)
class _Reading:
    """What one sentence gives, read once: its facts (as found at `start` in record `index`), its body
    part hits and its dates. A sentence met again with the same view, carried date and carried site
    (a note copied forward, a repeated list line) gives the same facts, moved to where it stands."""

    facts: list[Fact]
    start: int
    hits: list[PartHit]
    note_date: dt.date | None
    usable: list[dt.date]
    precise: frozenset[dt.date]  # the dates to the day or the month: a year alone never dates the record


def _record_facts(record: Record, index: int | None, readings: dict[Hashable, _Reading]) -> tuple[list[Fact], dt.date | None]:
    text = record.text
    facts: list[Fact] = []
    carried: dt.date | None = None
    latest_stated: dt.date | None = None
    index_of_text = RecordIndex(text)
    headings = section_titles()[1]
    record_sites = RecordSites(text)
    for sentence in split_sentences(text):
        if sentence.text.rstrip(" :").lower() in headings:
            continue  # "Diagnostic studies:" names a section, it reports nothing
        carried_site = record_sites.before(sentence)
        key = (index_of_text.key(sentence), carried, carried_site)
        reading = readings.get(key)
        if reading is None:
            reading = _read_sentence(index_of_text.view(sentence), record, index, carried, carried_site)
            readings[key] = reading
            facts.extend(reading.facts)
        else:
            facts.extend(_moved(reading.facts, sentence.start - reading.start, index, record.date))
        for date in reading.usable:
            if date in reading.precise and (latest_stated is None or date > latest_stated):
                latest_stated = date
        if reading.note_date:
            carried = reading.note_date
        record_sites.after(reading.hits)
    facts.extend(_record_derived(facts, index, record.date))
    # a summary without any other date is read today: its 1998 fracture is past all the same
    facts = _past_by_date(facts, record.date or latest_stated or dt.date.today())
    facts.sort(key=lambda f: (f.start or 0, f.kind))
    return facts, latest_stated


def _read_sentence(
    view: SentenceView, record: Record, index: int | None, carried: dt.date | None, carried_site: Site | None
) -> _Reading:
    hits = part_hits(view)
    note_date, usable = _sentence_dates(view)
    if note_date:
        carried = note_date
    cues = view.cues
    facts: list[Fact] = []
    seen: set[tuple[str, str, int, int]] = set()  # facts of other sentences have other offsets
    for mention in mentions_in(view):
        fact = _to_fact(mention, view, cues, record, index, usable, carried, hits, carried_site)
        if fact is None:
            continue
        key = (fact.kind, str(fact.value), fact.start or 0, fact.end or 0)
        if key in seen:
            continue
        seen.add(key)
        facts.append(fact)
    facts = gains_of_one_treatment(facts, view.text)
    precise = frozenset(d.date for d in view.dates if d.precision != "year")
    return _Reading(facts, view.sentence.start, hits, note_date, usable, precise)


def _moved(facts: list[Fact], shift: int, index: int | None, record_date: dt.date | None) -> list[Fact]:
    """A sentence's facts where the same sentence stands again (same words: the same text)."""
    return [
        fact.model_copy(
            update={
                "start": (fact.start or 0) + shift,
                "end": (fact.end or 0) + shift,
                "record_index": index,
                "record_date": record_date,
            }
        )
        for fact in facts
    ]


def _past_by_date(facts: list[Fact], reference: dt.date | None) -> list[Fact]:
    """A finding stated with a date more than a year before the record's is a past event."""
    if reference is None:
        return facts
    out = []
    for fact in facts:
        stated = fact.attributes.get("date")
        if (
            not fact.historical
            and isinstance(stated, dt.date)
            and fact.kind.startswith(_DATED_FINDINGS)
            and (reference - stated).days > _PAST_DAYS
        ):
            fact = fact.model_copy(update={"historical": True})
        out.append(fact)
    return out


def _this_injury(before: str) -> bool:
    """Whether a date is this claim's date of injury (which dates no finding) by the words before it."""
    return bool(_INJURY_DATE.search(before)) and not _OTHER_INJURY.search(before)


def _sentence_dates(view: SentenceView) -> tuple[dt.date | None, list[dt.date]]:
    """The dates of a sentence that can date its facts (not the injury date), and the note date it opens."""
    text = view.text
    usable: list[dt.date] = []
    note_date = None
    for mention in view.dates:
        before = text[max(0, mention.start - 60) : mention.start]
        if _this_injury(before) or _FUTURE_DATE.search(before[-40:]) or _SINCE.search(before[-12:]):
            continue
        usable.append(mention.date)
        if note_date is None and not _UR_DATE.search(before) and _NOTE_DATE.search(before[-45:]):
            note_date = mention.date
    return note_date, usable


def _to_fact(
    mention: Mention,
    view: SentenceView,
    cues: list[Any],
    record: Record,
    index: int | None,
    usable_dates: list[dt.date],
    carried: dt.date | None,
    hits: list[PartHit],
    carried_site: Site | None,
) -> Fact | None:
    sentence = view.sentence
    section = sentence.section
    if section == "allergies" and mention.kind in _SKIP_IN_ALLERGIES:
        return None
    if mention.kind == "medication" and _SCREEN_RESULT.search(sentence.text, max(0, mention.start - 45), mention.start):
        return None  # "UDS positive for unprescribed hydrocodone": a screen's finding, not a drug taken
    attributes = dict(mention.attributes)
    context = assess(sentence.text, mention.start, mention.end, mention.kind, cues)
    # another person's condition ("her mother has...") is kept, marked, and never the worker's
    family = context["family"] or section == "family_history"
    negated = context["negated"] if mention.negated is None else mention.negated
    hypothetical = context["hypothetical"] if mention.hypothetical is None else mention.hypothetical
    historical = context["historical"] if mention.historical is None else mention.historical
    if negated and attributes.pop("drop_if_negated", False):
        return None
    attributes.pop("drop_if_negated", None)
    if section in _SECTION_HISTORICAL:
        historical = True
    kind = mention.kind
    if section == "plan" and kind in _PLAN_KINDS and attributes.get("status") not in ("done", "completed"):
        hypothetical = True
        if kind == "prior_sessions":
            kind, attributes["status"] = "requested_sessions", "requested"
    if section:
        attributes["section"] = section
    if view.may_have("utilization_review") and _UR_SENTENCE.search(sentence.text):
        # the sentence reports a utilization review's finding ("denied due to no documentation of ..."),
        # not the treating physician's record: the engine may weigh it differently
        attributes["utilization_review"] = True
    if "date" not in attributes:
        if len(usable_dates) == 1:
            if not _year_of_another_clause(view, mention, usable_dates[0]):
                attributes["date"] = usable_dates[0]
        elif len(usable_dates) > 1:
            attributes["date"] = _closest_date(view, mention)
        elif carried:
            attributes["date"] = carried
    if attributes.get("date") is None:
        attributes.pop("date", None)
    if is_sited(kind):
        attributes.update(_time_words(view, attributes))
    site, located = _placement(kind, mention, view, hits, carried_site)
    if site is not None and not located:
        # carried from a heading or an earlier sentence: said so, for the reviewer who checks the span
        attributes["site_from"] = "context"
    elif site is None and is_sited(kind) and (side := side_in_clause(view.text, mention.start, mention.end)):
        attributes["side"] = side  # "suspected left tendon rupture": no part, yet a side that counts
    start, end = sentence.start + mention.start, sentence.start + mention.end
    # validated, though the finders typed every value: pydantic-core checks them in less time than
    # model_construct takes to assemble a model in Python (half of it, with pydantic 2.13)
    return Fact(
        kind=kind,
        value=mention.value,
        text=record.text[start:end],
        start=start,
        end=end,
        record_index=index,
        record_date=record.date,
        negated=bool(negated),
        historical=bool(historical),
        hypothetical=bool(hypothetical),
        possible=bool(context["possible"]) if mention.possible is None else bool(mention.possible),
        family=bool(family),
        about=about_of(mention, sentence.text),
        site=site,
        attributes=attributes,
    )


def _placement(
    kind: str, mention: Mention, view: SentenceView, hits: list[PartHit], carried: Site | None
) -> tuple[Site | None, bool]:
    """The fact's site and whether its sentence gives it: from the sentence, else the part the record
    was speaking of (sites.py)."""
    if not is_sited(kind):
        return None, True
    hint = mention.attributes.get("body_part")
    site, located = site_in_sentence(view, hits, mention.start, mention.end, kind, mention.value, hint)
    examines = mention.attributes.get("examines")
    if examines and not located and carried is not None and _same_region(carried.part, examines):
        site, located = _on_stated_side(carried, view, mention), True  # "Right knee: ... Positive McMurray."
    if examines and (site is None or not _same_region(site.part, examines)):
        # a McMurray examines the knee, whatever other part the sentence or the record was speaking of
        site, located = (
            Site(
                part=examines, side=site.side if site else as_side(side_near(lower_text(view.text), mention.start, mention.end))
            ),
            True,
        )
    if not located and carried is not None:
        return _on_stated_side(carried, view, mention), False
    return site, True


def _on_stated_side(carried: Site, view: SentenceView, mention: Mention) -> Site:
    """The part carried from before, on the side this clause states ("Left knee. McMurray positive on
    the right.")."""
    side = as_side(side_in_clause(view.text, mention.start, mention.end))
    if side is None or side == carried.side:
        return carried
    return Site(part=carried.part, detail=carried.detail, side=side)


def _time_words(view: SentenceView, attributes: dict[str, Any]) -> dict[str, Any]:
    """'for the past 3 months', 'since 2014': how long, or since when, the sentence says it has been."""
    duration_days, since = _sentence_time_words(view.text, tuple((d.start, d.date) for d in view.dates))
    found: dict[str, Any] = {}
    if duration_days is not None and "duration_days" not in attributes:
        found["duration_days"] = duration_days
    if since is not None and "since" not in attributes:
        found["since"] = since
    return found


@lru_cache(maxsize=8)
def _sentence_time_words(text: str, dates: tuple[tuple[int, dt.date], ...]) -> tuple[int | None, dt.date | None]:
    """Once per sentence, whatever the number of its facts (a long sentence stays linear)."""
    duration_days = None
    if _HAS_DURATION.search(text):
        duration = DURATION.search(text)
        if duration:
            duration_days = to_days(duration.group("n"), duration.group("unit"))
    since = next((date for start, date in dates if _SINCE.search(text[max(0, start - 12) : start])), None)
    return duration_days, since


_HAS_DURATION = _kept_pattern(r"\b(?:days?|weeks?|months?|years?)\b", re.IGNORECASE)


def _same_region(a: str, b: str) -> bool:
    book = anatomy()
    return book.related(a, b) or book.region(a) == book.region(b)


def _year_of_another_clause(view: SentenceView, mention: Mention, date: dt.date) -> bool:
    """A bare year ("in 2008") dates the event of its own clause only: "after therapy for an earlier
    injury in 2008 she returned to full duty; since this surgery her function has not improved"."""
    for stated in view.dates:
        if stated.date == date and stated.precision == "year":
            low, high = sorted((stated.start, mention.start))
            return ";" in view.text[low:high]
    return False


def _closest_date(view: SentenceView, mention: Mention) -> dt.date | None:
    text = view.text
    best, distance = None, None
    for date in view.dates:
        before = text[max(0, date.start - 60) : date.start]
        if _this_injury(before) or _FUTURE_DATE.search(before[-40:]) or _SINCE.search(before[-12:]):
            continue
        # a date dates what follows it ("On 11-9-16 ... rated 5/10 and on 11-18-16 ..."): prefer the last one before
        gap = mention.start - date.start if date.start <= mention.start else 10_000 + date.start - mention.start
        if distance is None or gap < distance:
            best, distance = date.date, gap
    return best


def _record_derived(facts: list[Fact], index: int | None, record_date: dt.date | None) -> list[Fact]:
    """Facts that follow from other facts of the same record: several NSAIDs at once is a GI risk."""
    nsaids: dict[str, Fact] = {}
    # NSAIDs tried and stopped in the past are not NSAIDs taken together
    tried = {(f.start, f.end) for f in facts if f.kind == "first_line_tried"}
    for fact in facts:
        if (
            fact.kind == "medication"
            and fact.asserted
            and fact.attributes.get("drug_class") in ("nsaid", "cox-2 inhibitor")
            and (fact.start, fact.end) not in tried
            and not fact.attributes.get("discontinued")
            # a strength in percent is a cream's or a gel's: a topical NSAID adds little systemic GI risk
            and "%" not in str(fact.attributes.get("dose") or "")
        ):
            nsaids.setdefault(fact.value, fact)
    if len(nsaids) < 2:
        return []
    second = list(nsaids.values())[1]
    return [
        Fact(
            kind="gi_risk",
            value="multiple_nsaids",
            text=second.text,
            start=second.start,
            end=second.end,
            record_index=index,
            record_date=record_date,
            attributes={"derived": True, "nsaids": sorted(nsaids)},
        )
    ]


def _dated_from_injury(fact: Fact, injury_date: dt.date | None) -> Fact:
    """'On Norco since the injury': the start is the case's injury date."""
    if not injury_date or not fact.attributes.get("since_injury") or "started" in fact.attributes:
        return fact
    return fact.model_copy(update={"attributes": {**fact.attributes, "started": injury_date, "started_precision": "day"}})


def _case_facts(case: CaseFile, facts: list[Fact]) -> list[Fact]:
    """Facts the case file states outside the records: the worker's age."""
    age = case.worker.age
    if age is None or age <= 65 or any(f.kind == "gi_risk" and f.value == "age_over_65" for f in facts):
        return []
    return [Fact(kind="gi_risk", value="age_over_65", text="", attributes={"derived": True, "age": age})]
