"""Fact finders: each reads one sentence and proposes mentions (kind, value, span, details).

The phrase finder reads data/targets.yaml; the others read the vocabularies of data/vocabulary.yaml
and handle what a phrase list cannot: numbers (pain 6-8/10, 12 sessions, 4+/5 strength), drugs with
dose and frequency, imaging and surgery with their body part, date and status. Whether a mention is
negated, historical or hypothetical is decided afterwards by ConText (context.py) unless a finder
states it (a normal exam finding is an explicit negation of the deficit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Iterator

from imr.clinical.context import find_cues, shifted
from imr.clinical.drugnames import DrugName, find_drug_names
from imr.clinical.matching import compile_alternatives, find_all, flexible, lower_text
from imr.clinical.rules import load_data
from imr.clinical.text import NUMBER, DateMention, Sentence, section_titles, find_dates, to_days, to_number


@dataclass(slots=True)
class Mention:
    """A proposed fact in sentence coordinates."""

    kind: str
    value: Any
    start: int
    end: int
    attributes: dict[str, Any] = field(default_factory=dict)
    negated: bool | None = None  # None: let ConText decide
    hypothetical: bool | None = None
    historical: bool | None = None


Hit = tuple[int, int, str]  # start, end, canonical name


@dataclass(slots=True)
class SentenceView:
    """One sentence with what the finders share, in sentence offsets: drugs, dates, vocabulary and
    phrase-target hits, ConText cues (all found once per record, see RecordIndex)."""

    sentence: Sentence
    drugs: list[DrugName]
    dates: list[DateMention]
    vocabulary: dict[str, list[Hit]] = field(default_factory=dict)
    targets: list[tuple[int, int, "_Target"]] = field(default_factory=list)
    cues: list[Any] = field(default_factory=list)
    record_has_drugs: bool = False

    @property
    def text(self) -> str:
        return self.sentence.text


_flex = flexible


class Cue:
    """A named list of cue words from data/cues.yaml, compiled on first use (\\b-bounded, any case)."""

    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def pattern(self) -> re.Pattern[str]:
        return _cue_pattern(self.name)

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        return self.pattern.search(text, pos, len(text) if endpos is None else endpos)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.pattern.finditer(text)


@lru_cache(maxsize=None)
def _cue_pattern(name: str) -> re.Pattern[str]:
    alternatives = load_data("cues.yaml")[name]
    return re.compile(r"\b(?:" + "|".join(_flex(a) for a in alternatives) + r")\b", re.IGNORECASE)


VOCABULARY_GROUPS = ("therapies", "imaging", "body_parts", "surgeries", "neuro", "neuro_normal", "first_line")


@lru_cache(maxsize=1)
def _vocabulary() -> dict[str, Any]:
    """Each group as (canonical name, compiled pattern) pairs, one pattern per synonym: separate
    simple patterns scan ten times faster than one alternation of them all."""
    data = load_data("vocabulary.yaml")
    compiled: dict[str, Any] = {
        group: [(name, compile_alternatives([p])) for name, patterns in data[group].items() for p in patterns]
        for group in VOCABULARY_GROUPS
    }
    compiled["session_therapies"] = set(data["session_therapies"])
    return compiled


def _lookup(group: str, view: SentenceView) -> list[Hit]:
    """All (start, end, canonical) of one vocabulary group in the sentence."""
    return view.vocabulary.get(group, [])


def _without_overlaps(hits: list[Hit]) -> list[Hit]:
    """The longest match wins an overlap; on equal length the earlier position (then the earlier
    name in the file, hits arrive in file order)."""
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (-(h[1] - h[0]), h[0])):
        if all(hit[1] <= k[0] or hit[0] >= k[1] for k in kept):
            kept.append(hit)
    return sorted(kept)


def _nearest(hits: list[tuple[int, int, str]], start: int, end: int, reach: int = 60) -> str | None:
    best, distance = None, reach + 1
    for h_start, h_end, name in hits:
        gap = h_start - end if h_start >= end else start - h_end if h_end <= start else 0
        if 0 <= gap < distance:
            best, distance = name, gap
    return best


def _nearest_date(view: SentenceView, start: int, end: int, reach: int = 80) -> Any:
    best, distance = None, reach + 1
    for mention in view.dates:
        gap = mention.start - end if mention.start >= end else start - mention.end if mention.end <= start else 0
        if 0 <= gap < distance:
            best, distance = mention.date, gap
    return best


_LATERALITY = re.compile(r"\b(left|right|bilateral(?:ly)?|both)\b", re.IGNORECASE)


def _laterality(text: str, start: int, end: int) -> str | None:
    window = text[max(0, start - 25) : end + 25]
    found = {m.group(1).lower() for m in _LATERALITY.finditer(window)}
    if found & {"bilateral", "bilaterally", "both"} or {"left", "right"} <= found:
        return "bilateral"
    return next(iter(found), None)


# ------------------------------------------------------------------ phrase targets


@dataclass(frozen=True, slots=True)
class _Target:
    kind: str
    value: Any
    patterns: tuple[re.Pattern[str], ...]
    negated: bool
    near_medication: bool
    drop_if_negated: bool


@lru_cache(maxsize=1)
def _targets() -> tuple[_Target, ...]:
    return tuple(
        _Target(
            kind=entry["kind"],
            value=entry.get("value"),
            patterns=tuple(compile_alternatives([p]) for p in entry["patterns"]),
            negated=bool(entry.get("negated")),
            near_medication=bool(entry.get("near_medication")),
            drop_if_negated=bool(entry.get("drop_if_negated")),
        )
        for entry in load_data("targets.yaml")["targets"]
    )


_SIDE_EFFECT_WORDS = Cue("side_effect_context")
# in a record that names medications, "Denies constipation or sedation." reviews side effects
_DENIES = Cue("denies")


def phrase_mentions(view: SentenceView) -> list[Mention]:
    text = view.text
    found: dict[str, list[tuple[int, int, _Target]]] = {}
    for start, end, target in view.targets:
        if target.near_medication and not (
            view.drugs or _SIDE_EFFECT_WORDS.search(text) or (view.record_has_drugs and _DENIES.search(text))
        ):
            continue
        found.setdefault(target.kind, []).append((start, end, target))
    mentions: list[Mention] = []
    therapies = _lookup("therapies", view)
    for kind, hits in found.items():
        # within one kind the longest phrase wins: "has not returned to work" over "returned to work"
        kept: list[tuple[int, int, _Target]] = []
        for hit in sorted(hits, key=lambda h: (-(h[1] - h[0]), h[0])):
            if all(hit[1] <= k[0] or hit[0] >= k[1] for k in kept):
                kept.append(hit)
        for start, end, target in sorted(kept, key=lambda h: h[0]):
            value = target.value
            if value == "symptom":
                value = text[start:end].lower()
            attributes: dict[str, Any] = {}
            if kind == "functional_improvement":
                therapy = _nearest(therapies, start, end, reach=80) or _drug_near(view, start, end)
                if therapy:
                    attributes["therapy"] = therapy
            if kind.startswith("indication.") and view.drugs:
                # "Xanax for anxiety": the drug the indication is given for, when the sentence names one
                attributes["drug"] = _drug_near(view, start, end, reach=60)
            if kind == "side_effect" and view.drugs:
                attributes["drug"] = _drug_near(view, start, end, reach=200)
            if kind == "taper_plan" and view.drugs:
                attributes["drug"] = _drug_near(view, start, end, reach=200)
            if target.drop_if_negated:
                attributes["drop_if_negated"] = True
            mentions.append(Mention(kind, value, start, end, attributes, negated=True if target.negated else None))
    # "is working full duty": the specific status says it all
    if any(m.kind == "work_status" and m.value not in ("working", "not_working") for m in mentions):
        mentions = [m for m in mentions if not (m.kind == "work_status" and m.value == "working")]
    return mentions


def _drug_near(view: SentenceView, start: int, end: int, reach: int = 80) -> str | None:
    return _nearest([(d.start, d.end, d.generic) for d in view.drugs], start, end, reach)


# ------------------------------------------------------------------ medications

_DOSE = re.compile(
    r"^[\s,:(]{0,3}(?:\((?:[^)]{0,30})\)\s*)?(?:(?:ER|XR|SR|CR|ES|IR|DS|HCL|tablets?|tabs?|caps?|capsules?|patch)\s+)?"
    r"(?P<dose>\d+(?:\.\d+)?(?:\s*/\s*\d+(?:\.\d+)?)*)\s*(?P<unit>mg|mcg|µg|g|gm|grams?|ml|%|units?|mEq)(?![a-z])",
    re.IGNORECASE,
)
@lru_cache(maxsize=1)
def _frequencies() -> tuple[re.Pattern[str], list[float | None]]:
    """One pattern with a group per dosing rate (f0, f1...), and the doses per day of each group."""
    table = load_data("cues.yaml")["frequencies"]
    body = "|".join(f"(?P<f{i}>" + "|".join(_flex(p) for p in row["patterns"]) + ")" for i, row in enumerate(table))
    return re.compile(rf"(?<![\w])(?:{body})(?![\w])", re.IGNORECASE), [row["per_day"] for row in table]


_QUANTITY = re.compile(r"(?<![\d.])(?:#|number\s+|quantity:?\s*|qty:?\s*|no\.\s*)(?P<qty>\d{1,4})(?!\d)|(?<![\d.])(?P<qty2>\d{1,4})\s+(?:tablets|tabs|capsules|caps|pills|patches)", re.IGNORECASE)
_SINCE = re.compile(r"\bsince\s+(?:at\s+least\s+|about\s+|approximately\s+|around\s+)?(?:(?:early|late|mid-?)\s*)?(?P<year>(?:19|20)\d{2})\b(?![/-])", re.IGNORECASE)
_SINCE_DATE = re.compile(r"\b(?:since|started(?:\s+on)?|began|initiated(?:\s+on)?|first\s+prescribed(?:\s+on)?|prescribed\s+on|starting|start\s+date(?:\s+of)?)\s+(?:at\s+least\s+|on\s+|in\s+)?$", re.IGNORECASE)
_DURATION = re.compile(
    rf"\b(?:for|over|x|in)\s+(?:the\s+)?(?:past\s+|last\s+|previous\s+)?(?:over\s+|more\s+than\s+|at\s+least\s+|approximately\s+|about\s+|almost\s+|nearly\s+|around\s+|greater\s+than\s+)?(?P<n>{NUMBER})\s+(?P<unit>days?|weeks?|months?|years?)\b",
    re.IGNORECASE,
)
_CONTINUING = Cue("continuing")
_STOPPED = Cue("stopped")
_REQUESTED = Cue("requested")
_LONG_TERM = Cue("long_term")


def medication_mentions(view: SentenceView) -> list[Mention]:
    text = view.text
    mentions: list[Mention] = []
    requested = bool(_REQUESTED.search(text))
    continuing_sentence = _CONTINUING.search(text)
    stopped_sentence = _STOPPED.search(text)
    for index, drug in enumerate(view.drugs):
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
        _when_started(view, drug, attributes)
        if continuing_sentence:
            attributes["continuing"] = True
        if stopped_sentence:
            attributes["discontinued"] = True
        if requested:
            attributes["requested"] = True
        if _LONG_TERM.search(text):
            attributes["long_term"] = True
        mentions.append(Mention("medication", drug.generic, drug.start, end, attributes))
    return mentions


def _when_started(view: SentenceView, drug: DrugName, attributes: dict[str, Any]) -> None:
    """'since 2013', 'started on 03/02/2015', 'for over 2 months': only for the drug the phrase follows,
    or the only drug of the sentence."""
    text = view.text
    owner = [d for d in view.drugs]

    def belongs(position: int) -> bool:
        before = [d for d in owner if d.start <= position]
        mine = before[-1] if before else owner[0]
        return mine is drug or len(owner) == 1

    for since in _SINCE.finditer(text):
        if belongs(since.start()):
            attributes["started"] = _year_start(int(since.group("year")))
            attributes["started_precision"] = "year"
    for date in view.dates:
        if _SINCE_DATE.search(text, max(0, date.start - 40), date.start) and belongs(date.start):
            attributes["started"] = date.date
            attributes["started_precision"] = date.precision
    for duration in _DURATION.finditer(text):
        if belongs(duration.start()):
            days = to_days(duration.group("n"), duration.group("unit"))
            if days is not None:
                attributes["duration_days"] = max(days, attributes.get("duration_days", 0))


def _year_start(year: int) -> Any:
    import datetime as dt

    return dt.date(year, 1, 1)


# ------------------------------------------------------------------ pain scores and relief

_SCALE = (
    r"(?:\s*/\s*10\b|\s+(?:out\s+of|over|of)\s+(?:a\s+possible\s+)?10\b"
    r"|\s+on\s+(?:a|the)\s+(?:(?:0|1)\s*(?:-|to)\s*10\s+|\d+[- ]point\s+|visual\s+analog(?:ue)?\s+|numeric(?:al)?\s+(?:rating\s+)?|pain\s+|VAS\s+)*(?:scale|VAS)(?:\s+of\s+(?:(?:0|1)\s*(?:-|to)\s*)?10)?"
    r"|\s+on\s+(?:a|the)\s+VAS)"
)
_PAIN_SCORE = re.compile(
    rf"(?<![\d/.])(?P<a>10|\d(?:\.\d)?)(?:\s*(?:-|to)\s*(?P<b>10|\d(?:\.\d)?))?(?:{_SCALE})",
    re.IGNORECASE,
)
_PAIN_RATED = re.compile(
    r"\b(?:rate[sd]?|rating|VAS(?:\s+score)?(?:\s+of)?|pain\s+(?:level|score|intensity|rating)s?(?:\s+(?:of|was|is|at))?)\s+"
    r"(?:(?:his|her|their|the)\s+)?(?:\w+\s+){0,2}?(?:pain\s+)?(?:as\s+|at\s+)?(?:an?\s+)?"
    r"(?P<a>10|\d(?:\.\d)?)(?:\s*(?:-|to)\s*(?P<b>10|\d(?:\.\d)?))?(?![\d%°/]|\.\d|\s*(?:%|percent|mg|degrees|times|days|weeks|months|years|sessions))",
    re.IGNORECASE,
)
_WITH_MEDS = re.compile(
    r"\b(?P<q>with(?:out)?|before|after|prior\s+to|on|off|post)\s+(?:the\s+)?(?:use\s+of\s+)?(?:his\s+|her\s+|pain\s+|current\s+|taking\s+)?(?:medications?|meds|medicine|analgesics|\w+\s+medications?)\b"
    # "6/10 with meds, 9/10 without.": a bare with/without closing the clause
    r"|\b(?P<q2>with(?:out)?)(?=\s*(?:[.,;)]|$))",
    re.IGNORECASE,
)
_FROM_TO = re.compile(r"\bfrom\s*$", re.IGNORECASE)
_TO = re.compile(r"^\s*(?:down\s+)?to\s*$", re.IGNORECASE)
_PAIN_CONTEXT = re.compile(r"\bpain|VAS|rated|rates|scale\b", re.IGNORECASE)


def pain_mentions(view: SentenceView) -> list[Mention]:
    text = view.text
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
        mentions.append(Mention("pain_score", value, start, end, attributes))
    # "8/10 without medication and 4/10 with" and "from 8/10 to 4/10": the reduction, derived
    without = [m for m in mentions if m.attributes.get("without_medication")]
    with_ = [m for m in mentions if m.attributes.get("with_medication")]
    pairs: list[tuple[Mention, Mention, str]] = []
    if without and with_:
        pairs.append((without[0], with_[0], "with/without medication"))
    for first, second in zip(mentions, mentions[1:]):
        if _FROM_TO.search(text, max(0, first.start - 12), first.start) and _TO.match(text[first.end : second.start]):
            pairs.append((first, second, "from/to"))
    for before, after, how in pairs:
        if before.value and before.value > 0 and after.value <= before.value:
            percent = round((before.value - after.value) / before.value * 100)
            mentions.append(
                Mention("pain_reduction", percent, min(before.start, after.start), max(before.end, after.end),
                        {"derived_from": how, "before": before.value, "after": after.value})
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


_RELIEF = re.compile(
    r"(?<![\d.])(?P<a>\d{1,3})(?:\s*(?:%|percent)?\s*(?:-|to)\s*(?P<b>\d{1,3}))?\s*(?:%|percent)\s+(?:\w+\s+){0,3}?"
    r"(?P<what>relief|reduction|improvement|decrease|improved|better|less\s+pain|pain\s+relief|benefit)"
    r"|\b(?P<what2>relief|reduction|improvement|decrease|benefit)\s+(?:\w+\s+){0,4}?(?:of|by|at)\s+(?:about\s+|approximately\s+)?"
    r"(?P<c>\d{1,3})(?:\s*(?:-|to)\s*(?P<d>\d{1,3}))?\s*(?:%|percent)",
    re.IGNORECASE,
)
_FUNCTION_AFTER = re.compile(r"^\s*(?:in|of)\s+(?:\w+\s+)?(?:function|functional|ADLs|activities)", re.IGNORECASE)


def relief_mentions(view: SentenceView) -> list[Mention]:
    text = view.text
    therapies = _lookup("therapies", view)
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
        therapy = _nearest(therapies, m.start(), m.end(), reach=100) or _drug_near(view, m.start(), m.end(), reach=100)
        if therapy:
            attributes["therapy"] = therapy
        duration = _DURATION.search(text, m.end(), min(len(text), m.end() + 40))
        if duration:
            attributes["duration_days"] = to_days(duration.group("n"), duration.group("unit"))
        kind = "functional_improvement" if _FUNCTION_AFTER.match(text[m.end() :]) else "pain_reduction"
        mentions.append(Mention(kind, percent, m.start(), m.end(), attributes))
    return mentions


# ------------------------------------------------------------------ prior sessions of a therapy

_SESSIONS = re.compile(
    rf"(?P<qual>at\s+least\s+|approximately\s+|about\s+|over\s+|more\s+than\s+|less\s+than\s+|fewer\s+than\s+|a\s+total\s+of\s+|up\s+to\s+|total\s+of\s+)?"
    rf"(?<![\w/#.-])(?P<n>{NUMBER})(?![\d/-])(?!\s*(?:/|%|mg|times))\s+(?:(?!(?:for|of|to|on|in|at|and|or)\b)[\w'-]+\s+){{0,3}}?(?:sessions?|visits?|treatments?|appointments?)\b",
    re.IGNORECASE,
)
# "7 physical therapy reports dated ...": the therapy named between the count and the noun
_THERAPY_NOTES = re.compile(rf"(?<![\w/#.-])(?P<n>{NUMBER})\s+(?P<between>(?:[\w'-]+\s+){{1,3}}?)(?:progress\s+|daily\s+)?(?:reports|notes)\b", re.IGNORECASE)
_SESSIONS_AFTER = re.compile(rf"(?:x|times|for\s+a\s+total\s+of)\s*(?P<n>\d{{1,3}})\s+(?:sessions?|visits?|treatments?)", re.IGNORECASE)
_COMPLETED = Cue("completed")


_SESSIONS_AUTHORIZED = Cue("sessions_authorized")
_REQUEST_BEFORE = re.compile(r"\b(?:request(?:ed|s)?|requesting|for|recommend\w*|additional|further|another|more|plan\w*|order\w*)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)


def session_mentions(view: SentenceView) -> list[Mention]:
    text = view.text
    therapies = [t for t in _lookup("therapies", view) if t[2] in _vocabulary()["session_therapies"]]
    mentions: list[Mention] = []
    for pattern in (_SESSIONS, _SESSIONS_AFTER, _THERAPY_NOTES):
        for m in pattern.finditer(text):
            if pattern is _THERAPY_NOTES and not any(m.start("between") <= t[0] and t[1] <= m.end("between") for t in therapies):
                continue
            if any(d.start <= m.start("n") < d.end for d in view.dates):
                continue
            count = to_number(m.group("n"))
            if count is None or count > 200:
                continue
            therapy = _nearest(therapies, m.start(), m.end(), reach=40)
            if therapy is None:
                continue
            attributes: dict[str, Any] = {"therapy": therapy}
            qualifier = m.groupdict().get("qual")
            if qualifier:
                attributes["qualifier"] = " ".join(qualifier.lower().split())
            hypothetical = None
            near = text[max(0, m.start() - 50) : min(len(text), m.end() + 30)]
            requested_here = bool(_REQUEST_BEFORE.search(text, max(0, m.start() - 40), m.start()))
            anywhere_requested = bool(_PLANNED.search(text) or _REQUESTED.search(text))
            if _COMPLETED.search(near) and not requested_here:
                attributes["status"] = "completed"
            elif _SESSIONS_AUTHORIZED.search(text) and not requested_here:
                attributes["status"], hypothetical = "authorized", True  # authorized is not yet attended
            elif requested_here or anywhere_requested:
                attributes["status"], hypothetical = "requested", True
            elif _COMPLETED.search(text):
                attributes["status"] = "completed"
            else:
                attributes["status"] = "unknown"
            # a count requested or authorized but not yet attended is not a prior session: its own kind,
            # so that nothing adding up sessions already given can count it by mistake
            kind = "requested_sessions" if hypothetical else "prior_sessions"
            mentions.append(Mention(kind, int(count), m.start("n"), m.end(), attributes, hypothetical=hypothetical))
    return mentions


# ------------------------------------------------------------------ imaging already done

_DONE = Cue("imaging_done")
_PLANNED = Cue("planned")
_FINDING = re.compile(
    r"\b(?:revealed|reveals|showed|shows|demonstrated|demonstrates|noted|documented|was\s+read\s+as|consistent\s+with|significant\s+for|"
    r"with\s+findings\s+of|findings\s+(?:of|include|included)|impression|described\s+(?:\w+\s+)?as)\s*:?\s*(?P<finding>[^;]{3,200})",
    re.IGNORECASE,
)
_NORMAL = re.compile(r"\b(?:was|were|is|are)\s+(?:completely\s+|entirely\s+)?(?P<finding>normal|negative|unremarkable|within\s+normal\s+limits)\b", re.IGNORECASE)


def imaging_mentions(view: SentenceView) -> list[Mention]:
    text = view.text
    body_parts = _lookup("body_parts", view)
    hits = _lookup("imaging", view)
    mentions: list[Mention] = []
    for index, (start, end, modality) in enumerate(hits):
        limit = hits[index + 1][0] if index + 1 < len(hits) else len(text)
        if index and re.fullmatch(r"\s*\(\s*", text[hits[index - 1][1] : start]):
            continue  # "magnetic resonance imaging (MRI)": the abbreviation repeats the study
        attributes: dict[str, Any] = {}
        floor = hits[index - 1][1] if index else 0
        part = _nearest([b for b in body_parts if floor <= b[0] < limit], start, end, reach=45)
        if part:
            attributes["body_part"] = part
            side = _laterality(text, start, end)
            if side:
                attributes["laterality"] = side
        date = _nearest_date(view, start, end, reach=60)
        if date:
            attributes["date"] = date
        local = text[max(0, start - 60) : min(limit + 60, len(text))]
        finding = _FINDING.search(text, end, limit) or _NORMAL.search(text, end, min(limit, end + 60))
        if finding:
            attributes["finding"] = " ".join(finding.group("finding").split()).rstrip(" .,")
            attributes["status"] = "done"
        elif _PLANNED.search(text, 0, start) or _PLANNED.search(text, end, min(len(text), end + 60)):
            attributes["status"] = "planned"
        elif _DONE.search(local) or date:
            attributes["status"] = "done"
        else:
            attributes["status"] = "unknown"
        hypothetical = attributes["status"] == "planned"
        mentions.append(Mention("imaging_done", modality, start, end, attributes, hypothetical=hypothetical or None))
    return mentions


# ------------------------------------------------------------------ surgery

_SURGERY_DONE = Cue("surgery_done")
_SURGERY_PLANNED = Cue("surgery_planned")
_SURGERY_AUTHORIZED = Cue("surgery_authorized")
_RETROSPECTIVE = Cue("retrospective")
_TREATMENT_INCLUDED = Cue("treatment_included")


def _surgery_status(text: str, start: int, end: int) -> str:
    """done / authorized / planned / unknown, from the words around the procedure."""
    before = text[max(0, start - 80) : start]
    local = before + " " + text[end : end + 80]
    if _RETROSPECTIVE.search(local):
        return "done"  # a retrospective request is for a surgery already performed
    if _SURGERY_AUTHORIZED.search(local):
        return "authorized"
    if _SURGERY_PLANNED.search(before[-40:]):
        return "planned"
    if _SURGERY_DONE.search(local) or _TREATMENT_INCLUDED.search(text, 0, start):
        return "done"
    if _SURGERY_PLANNED.search(local) or _REQUESTED.search(local):
        return "planned"
    return "unknown"


_NOT_A_SURGERY = re.compile(r"^\s*(?:consult\w*|evaluation|referral|surgeon|follow[- ]?up|clearance)", re.IGNORECASE)


def surgery_mentions(view: SentenceView) -> list[Mention]:
    text = view.text
    body_parts = _lookup("body_parts", view)
    mentions: list[Mention] = []
    for start, end, procedure in _lookup("surgeries", view):
        if _NOT_A_SURGERY.match(text[end:]):
            continue
        if re.search(r"(?:orthopedic|spine|spinal|neuro|hand|general)\s*$", text[max(0, start - 15) : start], re.IGNORECASE) and procedure == "surgery" and _NOT_A_SURGERY.match(text[end:]):
            continue
        attributes: dict[str, Any] = {}
        part = _nearest(body_parts, start, end, reach=40)
        if part:
            attributes["body_part"] = part
            side = _laterality(text, start, end)
            if side:
                attributes["laterality"] = side
        date = _nearest_date(view, start, end, reach=50)
        if date:
            attributes["date"] = date
        status = _surgery_status(text, start, end)
        attributes["status"] = status
        mentions.append(Mention("surgery", procedure, start, end, attributes, hypothetical=status == "planned" or None))
    return mentions


# ------------------------------------------------------------------ neurological findings

_GRADE = re.compile(
    r"\b(?P<grade>[0-5][+-]?)\s*(?:/|over|out\s+of)\s*5\b",
    re.IGNORECASE,
)
_MOTOR_WORDS = Cue("motor")
_DERMATOME = re.compile(r"\b(?P<root>[CLST][1-8](?:\s*(?:-|to|and|,)\s*[CLST]?[1-8])*)\s*(?:dermatom\w*|distribution|nerve\s+roots?|roots?|myotom\w*)?", re.IGNORECASE)
_COMPLAINT = Cue("complaint")
_EXAM = Cue("examination")
_EXAM_WORDING = re.compile(r"decreased|diminished|reduced|hypo|loss|sensory|altered|pinprick|touch|paresis|deficit", re.IGNORECASE)
_ALWAYS_OBJECTIVE = {"reflex", "positive_slr", "positive_spurling", "atrophy", "positive_tinel", "positive_phalen", "clonus"}


def neuro_mentions(view: SentenceView) -> list[Mention]:
    text = view.text
    body_parts = _lookup("body_parts", view)
    mentions: list[Mention] = []
    taken: list[tuple[int, int]] = []

    def add(value: str, start: int, end: int, negated: bool | None, extra: dict[str, Any] | None = None) -> None:
        if any(start < t[1] and t[0] < end for t in taken):
            return
        taken.append((start, end))
        attributes: dict[str, Any] = dict(extra or {})
        root = _DERMATOME.search(text, max(0, start - 30), min(len(text), end + 60))
        if root and re.search(r"dermatom|distribution|root|myotom", root.group(), re.IGNORECASE):
            side = _laterality(text, min(start, root.start()), max(end, root.end()))
            where = " ".join(root.group().split())
            attributes["distribution"] = f"{side} {where}" if side else where
        else:
            part = _nearest(body_parts, start, end, reach=40)
            if part:
                side = _laterality(text, start, end)
                attributes["distribution"] = f"{side} {part}" if side else part
        objective = value in _ALWAYS_OBJECTIVE or "grade" in attributes or view.sentence.section == "objective"
        complained = bool(_COMPLAINT.search(text[max(0, start - 150) : start]))
        if not objective and _EXAM_WORDING.search(text[start:end]):
            objective = not complained  # "decreased sensation" is examined; "numbness" is felt
        if not objective:
            objective = bool(_EXAM.search(text)) and not complained
        attributes["objective"] = objective
        mentions.append(Mention("neuro_deficit", value, start, end, attributes, negated=negated))

    for start, end, value in _lookup("neuro_normal", view):
        add(value, start, end, True)
    for m in _GRADE.finditer(text):
        context = text[max(0, m.start() - 50) : m.end() + 30]
        if not _MOTOR_WORDS.search(context):
            continue
        grade = m.group("grade")
        add("weakness", m.start(), m.end(), grade == "5" or None, {"grade": f"{grade}/5"})
    for start, end, value in _lookup("neuro", view):
        add(value, start, end, None)
    return mentions


# ------------------------------------------------------------------ conservative care and first-line drugs

_CARE_CONTEXT = Cue("care_context")
_FAILED = Cue("failed")

def conservative_care_mentions(view: SentenceView) -> list[Mention]:
    text = view.text
    if not _CARE_CONTEXT.search(text):
        return []
    failed = bool(_FAILED.search(text))
    duration = _DURATION.search(text)
    mentions: list[Mention] = []
    care = list(_lookup("therapies", view))
    if view.drugs and not any(name == "medication" for _, _, name in care):
        # "treatment to date has included Pamelor, Robaxin and physical therapy": drugs are medication care
        care.append((view.drugs[0].start, view.drugs[0].end, "medication"))
    for start, end, therapy in care:
        attributes: dict[str, Any] = {"failed": failed}
        if duration:
            attributes["duration"] = " ".join(duration.group().split())
            attributes["duration_days"] = to_days(duration.group("n"), duration.group("unit"))
        mentions.append(Mention("conservative_care", therapy, start, end, attributes))
    return mentions


_TRIED = Cue("tried")

def first_line_mentions(view: SentenceView) -> list[Mention]:
    text = view.text
    if not _TRIED.search(text):
        return []
    failed = bool(_FAILED.search(text) or re.search(r"did\s+not\s+tolerate|intoleran", text, re.IGNORECASE))
    return [
        Mention("first_line_tried", what, start, end, {"failed": failed})
        for start, end, what in _lookup("first_line", view)
    ]


# ------------------------------------------------------------------ drug screens, CURES

_SCREEN = Cue("drug_screen")
_CONSISTENT = Cue("screen_consistent")
_CURES = Cue("cures")


@lru_cache(maxsize=1)
def _substances() -> str:
    return "(?:" + "|".join(_flex(a) for a in load_data("cues.yaml")["illicit_substances"]) + ")"


@lru_cache(maxsize=1)
def _inconsistent() -> re.Pattern[str]:
    words = "|".join(_flex(a) for a in load_data("cues.yaml")["screen_inconsistent"])
    return re.compile(rf"\b(?:{words}|positive\s+for\s+(?:\w+\s+){{0,2}}?{_substances()})\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def _substance_alone() -> re.Pattern[str]:
    return re.compile(rf"\bpositive\s+for\s+(?:\w+\s+){{0,2}}?{_substances()}\b", re.IGNORECASE)

def _screen_result(text: str) -> str | None:
    if _inconsistent().search(text):
        return "inconsistent"
    if _CONSISTENT.search(text):
        return "consistent"
    return None


def screen_mentions(view: SentenceView) -> list[Mention]:
    text = view.text
    mentions: list[Mention] = []
    screens = list(_SCREEN.finditer(text))
    for m in screens:
        attributes: dict[str, Any] = {}
        date = _nearest_date(view, m.start(), m.end(), reach=60)
        if date:
            attributes["date"] = date
        substances = re.findall(_substances(), text, re.IGNORECASE)
        if substances:
            attributes["substances"] = sorted({s.lower() for s in substances})
        mentions.append(Mention("drug_screen", _screen_result(text), m.start(), m.end(), attributes))
    if not screens:
        for m in _substance_alone().finditer(text):
            mentions.append(Mention("drug_screen", "inconsistent", m.start(), m.end(), {"substances": [m.group().split()[-1].lower()]}))
    for m in _CURES.finditer(text):
        mentions.append(Mention("cures", _screen_result(text), m.start(), m.end(), {}))
    return mentions


# ------------------------------------------------------------------ diagnoses and age

_DIAGNOSES = re.compile(
    r"\b(?:diagnos(?:es|is)\s+(?:include[sd]?|are|were|is|was|of|listed\s+as)|diagnosed\s+(?:with|as\s+having|as)|(?:current\s+)?diagnoses\s*:|diagnosis\s*:|"
    r"(?:being\s+)?treated\s+for(?:\s+the\s+diagnos[ie]s\s+of)?|undergoing\s+treatment\s+for|treatment\s+for\s+the\s+diagnos[ie]s\s+of|"
    r"(?:has\s+)?a\s+(?:comorbid\s+)?diagnosis\s+of|documented\s+(?:is|as)|impression\s*:)\s*",
    re.IGNORECASE,
)
_LIST_SPLIT = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|;\s*|\s+and\s+(?!(?:left|right)\b))", re.IGNORECASE)
_DIAGNOSIS_NOISE = re.compile(r"^(?:the\s+)?(?:diagnos[ie]s\s+of\s+|having\s+)", re.IGNORECASE)


def diagnosis_mentions(view: SentenceView) -> list[Mention]:
    text = view.text
    if view.sentence.section == "assessment" and not _DIAGNOSES.search(text):
        return _diagnosis_list(text, 0)
    m = _DIAGNOSES.search(text)
    return _diagnosis_list(text, m.end()) if m else []


def _diagnosis_list(text: str, offset: int) -> list[Mention]:
    if text.rstrip(" :").lower() in section_titles()[1]:
        return []  # the heading itself
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


_AGE = re.compile(r"\b(?P<age>\d{2,3})[- ](?:year|yr)s?[- ]old\b", re.IGNORECASE)


def age_mentions(view: SentenceView) -> list[Mention]:
    mentions = []
    for m in _AGE.finditer(view.text):
        age = int(m.group("age"))
        if 65 < age <= 120:
            mentions.append(Mention("gi_risk", "age_over_65", m.start(), m.end(), {"age": age}, negated=False))
    return mentions


FINDERS: tuple[Callable[[SentenceView], list[Mention]], ...] = (
    phrase_mentions,
    medication_mentions,
    pain_mentions,
    relief_mentions,
    session_mentions,
    imaging_mentions,
    surgery_mentions,
    neuro_mentions,
    conservative_care_mentions,
    first_line_mentions,
    screen_mentions,
    diagnosis_mentions,
    age_mentions,
)


class RecordIndex:
    """What the finders look up, found once over a whole record and handed out per sentence: running
    each pattern once per record instead of once per sentence is most of extraction's speed."""

    def __init__(self, text: str) -> None:
        lower = lower_text(text)
        self.drugs = find_drug_names(text)
        self.dates = find_dates(text)
        self.cues = find_cues(text)
        self.targets = [
            (m.start(), m.end(), target) for target in _targets() for pattern in target.patterns for m in find_all(pattern, lower)
        ]
        vocabulary = _vocabulary()
        self.vocabulary = {
            group: _without_overlaps([(m.start(), m.end(), name) for name, pattern in vocabulary[group] for m in find_all(pattern, lower)])
            for group in VOCABULARY_GROUPS
        }

    def view(self, sentence: Sentence) -> SentenceView:
        lo, hi = sentence.start, sentence.end

        def inside(start: int, end: int) -> bool:
            return lo <= start and end <= hi

        return SentenceView(
            sentence,
            drugs=[DrugName(d.start - lo, d.end - lo, d.generic, d.drug_class) for d in self.drugs if inside(d.start, d.end)],
            dates=[DateMention(d.start - lo, d.end - lo, d.date, d.precision) for d in self.dates if inside(d.start, d.end)],
            vocabulary={
                group: [(s - lo, e - lo, name) for s, e, name in hits if inside(s, e)] for group, hits in self.vocabulary.items()
            },
            targets=[(s - lo, e - lo, t) for s, e, t in self.targets if inside(s, e)],
            cues=shifted(self.cues, lo, hi),
            record_has_drugs=bool(self.drugs),
        )


def sentence_view(sentence: Sentence) -> SentenceView:
    """A sentence on its own (tests and tools); the pipeline uses RecordIndex.view."""
    return RecordIndex(sentence.text).view(Sentence(0, len(sentence.text), sentence.text, sentence.section))


def mentions_in(view: SentenceView) -> Iterator[Mention]:
    for finder in FINDERS:
        yield from finder(view)
