"""Request text -> what is requested: kind, canonical procedure, drug fields or service fields.

Conventions (what the DisputedItem fields hold; the review rules rely on them):

- `strength`: the number part as written, a range or combination joined by '/' ('10/325', '7.5/325'
  for '7.5-325mg', '0.25', '20'); several strengths of one compound, same unit, joined by '/'.
  `unit`: 'mg', 'mcg', '%', 'mg/ml', 'mcg/hr'...; a lone 'm' after a number ('1m') is read as 'mg'.
- `quantity`: the amount dispensed: tablets ('#30', 'QTY: 60.00', 'quantity 120', '90 tablets') or,
  for a cream, gel or liquid, its grams or millilitres ('240g' -> 240). For services counted in
  units (DME, imaging, TENS) it is '#2' / 'QTY: 2'. '(unknown quantity)' leaves it None.
- `refills`: 0 for a drug request that states none.
- `frequency`: normalised to digits, '<n> times a <week|day|month>', a range '1 to 2 times a week',
  '1 time a week' for once; `duration`: '<n> weeks' / '<n> days' / '<n> months' (ranges keep '4 to 6').
- `sessions`: stated ('Four sessions', '(8 sessions)', '12 visits', '#6' for a therapy), else
  frequency x duration when both are numeric, using the upper end of a range ('1 to 2 times per week
  for 4 weeks' = 8) and 4 weeks to a month.
- `body_part`: canonical names in the order written, joined by ', '; a procedure that implies its
  part (cervical pillow, carpal tunnel release) supplies it when none is written. Services only.
- `laterality`: 'bilateral' for 'bilateral'/'both'/'left and right'; 'left'/'right' when only that
  side is named; None when a left part and a different right part are both named.
- `date_of_service`: the date after 'DOS' / 'date of service', or any date in a retrospective request.
- `rental_or_purchase`: whichever of 'rental'/'rent'/'lease' or 'purchase'/'buy' is named first.

Kind: a request that opens with a drug name is a drug request unless it is an injection ('Toradol
60mg IM injection'); otherwise the highest-priority procedure named (procedures.yaml order) decides,
and a request naming no procedure is a drug request when it names a drug, a strength or a dose form.
Generic names of several drugs in one cream ('Flurbiprofen 20%/Lidocaine 5% cream') make one compound
whose generic joins the ingredients with '/' and whose class is 'topical analgesic'.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from functools import lru_cache
from typing import Any

from imr.drugs import DrugEntry, compound, find_drugs, lexicon, lookup_generic, topical
from imr.items.spelling import body_part_words, procedure_words
from imr.items.vocabulary import (
    BODY_PART_PATTERN,
    LATERALITY_PATTERN,
    ItemError,
    NUMBER_WORDS,
    PERIODS,
    PROCEDURE_BY_NAME,
    PROCEDURE_PATTERN,
    WEEKS_PER_PERIOD,
    WORDS,
    Procedure,
    body_part_named,
    bounded,
    names_detail,
    procedure_named,
)
from imr.memo import pattern as _kept_pattern
from imr.model import DisputedItem
from imr.model.anatomy import Site, as_side

_NUMBER_WORD = "|".join(sorted((re.escape(w) for w in NUMBER_WORDS), key=len, reverse=True))
_NUM = rf"(?:\d+(?:\.\d+)?|{_NUMBER_WORD})"
_PERIOD = r"(?:weeks?|wks?|months?|mos?|days?|years?|yrs?)"

_STRENGTH = _kept_pattern(
    r"(?<![\w.#,])(?<![^%]/)(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|\.\d+)((?:\s*[/-]\s*\d+(?:\.\d+)?)*)\s*"
    r"(mcg/hour|mcg/hr?|mcg/h|mg/ml|mg/\s?5\s?ml|mg/hr|mg|mcg|µg|ug|%|percent|gm|grams?|g|ml|cc|oz|iu|units?|meq|m)(?![a-z])"
)
_BARE_COMBINATION = _kept_pattern(r"(?<![\w./])(\d+(?:\.\d+)?)\s*([/-])\s*(\d+(?:\.\d+)?)(?![\w/])")
# 'Norco 10-325' is a combination strength; '4-6' (hours) is not: the second dose of a combination
# written with a hyphen is the acetaminophen (or ibuprofen) dose, hundreds of milligrams.
_COMBINATION_SECOND_DOSE_MIN = 200
_AMOUNT_UNITS = {"gm": "g", "gram": "g", "grams": "g", "g": "g", "ml": "ml", "cc": "ml", "oz": "oz"}
_UNIT_SPELLING = {
    "percent": "%",
    "m": "mg",
    "ug": "mcg",
    "µg": "mcg",
    "mcg/h": "mcg/hr",
    "mcg/hour": "mcg/hr",
    "unit": "units",
    "iu": "IU",
}

_WORD_COUNT = _kept_pattern(rf"\b({_NUMBER_WORD})\s+(?:tablets?|tabs?|capsules?|caps?|pills?|patch(?:es)?|films?|count)\b")
_HASH_COUNT = _kept_pattern(r"(?:#|\bno\.\s*)\s*(\d+(?:\.\d+)?)")
_QTY_COUNT = _kept_pattern(r"\b(?:qty|quantity|quantities|count|amount)\s*(?:[:#=]|of)?\s*:?\s*(\d+(?:\.\d+)?)")
_TIMES_COUNT = _kept_pattern(rf"(?<![\w.])x\s*(\d+)\b(?!\s*(?:(?:-|to)\s*\d+\s*)?{_PERIOD}\b|\s*refills?)")
# '90 tablets' is the amount dispensed, '1 tab every 6 hours' a dose: counts of tablets below five are
# read as doses; containers ('2 tubes', '1 kit') count at any number.
_DOSE_FORM_COUNT = _kept_pattern(
    r"(?<!take )(?<!apply )(?<!use )\b(\d*[5-9]|\d{2,})\)?\s*(?:tablets?|tabs?|capsules?|caps?|pills?|patch(?:es)?|films?|"
    r"lozenges?|suppositories|count|ct)\b"
    r"|\b(\d+)\s*(?:vials?|pens?|syringes?|tubes?|bottles?|jars?|kits?|packets?|boxes)\b"
)
_UNKNOWN_QUANTITY = _kept_pattern(r"\b(?:unknown|unspecified|unstated|not specified) (?:quantity|qty|amount)")
# 'RF' and 'RFs' are the prescriber's abbreviation ('#90 RF x2', '2 RF')
_REFILLS = _kept_pattern(rf"\b({_NUM})\s+(?:refills?|rfs?)\b|\b(?:refills?|rfs?)\s*[:#x]?\s*(\d+)\b")
# 'Qty: 60 Refills: 1': a labelled count is the refills, whatever number stands before the label
_REFILLS_LABELLED = _kept_pattern(r"\b(?:refills?|rfs?)\s*[:#x]\s*(\d+)\b")
_REFILL_MENTION = _kept_pattern(r"refill|\brfs?\b")

_STATED_SESSIONS = _kept_pattern(
    rf"(?<![\w.#])({_NUM})\)?\s*(?:\(\d+\)\s*)?(?:x\s*)?(?:[a-z/-]+\s+){{0,4}}?"
    r"(?:sessions?|visits?|treatments?|appointments?|classes)\b"
)
_SESSIONS_AFTER = _kept_pattern(
    r"\b(?:sessions?|visits?|treatments?)\s*(?:x|#|:|of|=)\s*(\d+)\b(?!\s*(?:weeks?|wks?|months?|days?)\b)"
)
_FREQUENCY = _kept_pattern(
    rf"\b({_NUM})(?:\s*(?:to|-|or)\s*({_NUM}))?\s*(?:x|times?|visits?|sessions?)\s*"
    r"(?:a|per|/|each|every|in a)?\s*(week|wk|month|day)s?\b"
    rf"|\b({_NUM})(?:\s*(?:to|-|or)\s*({_NUM}))?\s*(?:x|times?)?\s*(weekly|monthly|daily)\b"
    r"|\b(once|twice|thrice)\s*(?:a|per|/|each|every)?\s*(week|wk|month|day|weekly|monthly|daily)\b"
    rf"|\b({_NUM})(?:\s*(?:to|-|or)\s*({_NUM}))?\s*days?\s*(?:a|per|/|each|every)\s*(week|wk)\b"
    r"|\b(weekly|monthly|daily)\b"
)
# A duration introduced as one ('for 6 weeks', 'x 4 weeks', '7 day rental') is preferred to a bare
# 'N weeks' elsewhere in the request.
_DURATION = _kept_pattern(
    rf"\b(?:for|x|times|over|by|during|lasting|within|×)\s*(?:a\s+(?:period|total)\s+of\s+)?(?:the\s+next\s+)?"
    rf"({_NUM})(?:\s*(?:to|-)\s*({_NUM}))?\s*({_PERIOD})\b"
    rf"|\b({_NUM})[- ]({_PERIOD})\s+(?:rental|trial|supply|use|course|program|loan)\b"
)
_BARE_DURATION = _kept_pattern(rf"\b({_NUM})\s*({_PERIOD})\b(?!\s*(?:a|per|/|each|every)\s*(?:week|wk|month)\b)")
_PAIR = _kept_pattern(
    r"(?<![\w./#])([1-7])\s*x\s*(\d{1,2})(\s*(?:weeks?|wks?)\b)?(?!\s*(?:mg|%|days?|months?|refills?)\b)(?![\w./])"
)
_DATE = _kept_pattern(r"(?<!\d)(\d{1,2})[/-](\d{1,2})[/-](\d{4}|\d{2})(?!\d)")
_DOS_DATE = _kept_pattern(
    r"\b(?:dos|d\.o\.s\.?|dates? of service|service date|dated?|rendered on|provided on)\s*[:\-]?\s*"
    r"(\d{1,2})[/-](\d{1,2})[/-](\d{4}|\d{2})(?!\d)"
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# 'DOS: January 5, 2015', 'date of service Sept. 3, 2014'
_NAMED_DOS_DATE = _kept_pattern(
    r"\b(?:dos|d\.o\.s\.?|dates? of service|service date)\s*[:\-]?\s*"
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b"
)
_RETROSPECTIVE = _kept_pattern(r"\bretro(?:spective(?:ly)?|active)?\b|\bdos\b|\bdate of service\b")
_RENTAL = _kept_pattern(r"\b(?:rent(?:al|ed|ing|s)?|lease[ds]?|loan(?:er)?)\b")
_PURCHASE = _kept_pattern(r"\b(?:purchas(?:e|ed|ing)|buy|bought|own)\b")
_MEDICATION_WORDS = bounded(list(WORDS.get("medication_words") or []), where="request_words.yaml medication_words")
_MEDICAL_FOOD_WORDS = _kept_pattern(r"\bmedical foods?\b")
_TOPICAL = bounded([re.escape(str(w)) for w in WORDS.get("topical_words") or []], where="request_words.yaml topical_words")
_HISTORY_BEFORE = _kept_pattern(
    r"(?<![a-z0-9])(?:" + "|".join(re.escape(w) for w in WORDS.get("history_words") or []) + r")\W+(?:[a-z]+\W+){0,2}$"
)
_PURPOSE_BEFORE = _kept_pattern(
    r"(?<![a-z0-9])(?:" + "|".join(re.escape(w) for w in WORDS.get("purpose_words") or []) + r")\W+(?:[a-z]+\W+){0,3}$"
)
_PREFIXES = bounded([re.escape(str(w)) for w in WORDS.get("request_prefixes") or []], where="request_words.yaml request_prefixes")

# Cheap substring tests that let a request skip a pattern that cannot match it (the letter parser
# calls this for every item: most requests have no frequency, no date, no rental...).
_FREQUENCY_HINTS = ("x", "time", "visit", "session", "weekly", "monthly", "daily", "once", "twice", "thrice", "days")
_DURATION_HINTS = ("week", "wk", "month", "mos", "day", "year", "yr")
_SESSION_HINTS = ("session", "visit", "treatment", "appointment", "classes")
_COUNT_HINTS = ("#", "qty", "quantit", "count", "amount", "x")
_RENTAL_HINTS = ("rent", "lease", "loan")
_PURCHASE_HINTS = ("purchas", "buy", "bought", "own")
_DRUG_HEAD = 48


def _mentions_any(low: str, hints: tuple[str, ...]) -> bool:
    return any(hint in low for hint in hints)


# Forms that are already topical: their class is their own (Lidoderm is 'lidocaine', Flector a topical
# NSAID); a systemic drug becomes topical only when the request puts it in a cream, gel...
_SELF_TOPICAL_FORMS = ("topical", "transdermal", "nasal")
# Kinds whose requests name a body part: one not found may be misspelled ('MRI of the shouler').
_PART_EXPECTED = {"imaging", "injection", "surgery", "electrodiagnostic"}
_THERAPY_PROCEDURES = {"physical therapy", "occupational therapy"}
_CONSULT_PROCEDURES = {"consultation", "referral", "follow-up visit"}


def _number(token: str | None) -> float | None:
    if token is None:
        return None
    token = token.lower()
    if token in NUMBER_WORDS:
        return float(NUMBER_WORDS[token])
    try:
        return float(token)
    except ValueError:
        return None


def _int_text(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def clean_request(text: str) -> str:
    """The request without the letter's trailing ' is:' / '.' and with single spaces."""
    clean = " ".join(text.split()).rstrip(" .:;,")
    for tail in (" is", " are"):
        if clean[-len(tail) :].lower() == tail:
            clean = clean[: -len(tail)].rstrip(" .:;,")
    return clean


# ------------------------------------------------------------------------------------ procedures


def _procedure_matches(low: str) -> list[tuple[Procedure, int, int]]:
    return [(procedure_named(group), start, end) for group, start, end in PROCEDURE_PATTERN.finditer(low)]


def _choose_procedure(low: str, matches: list[tuple[Procedure, int, int]]) -> Procedure | None:
    """The requested procedure among those named: the highest-priority one that is not context."""
    if not matches:
        return None
    names = {p.name for p, _, _ in matches}
    has_consult = bool(names & _CONSULT_PROCEDURES)
    kept: list[tuple[Procedure, int, int]] = []
    history_surgery = False
    for procedure, start, end in matches:
        if procedure.kind == "surgery" and start > 0:
            before = low[max(0, start - 40) : start]
            if _HISTORY_BEFORE.search(before):
                history_surgery = True
                continue
            if has_consult and _PURPOSE_BEFORE.search(before):
                continue
        kept.append((procedure, start, end))
    if not kept:
        return None
    kept_names = {p.name for p, _, _ in kept}
    if "emg" in kept_names and "ncv" in kept_names:
        return PROCEDURE_BY_NAME["emg/ncv"]
    best = min(kept, key=lambda m: m[0].rank)[0]
    if best.kind == "peri-operative service":
        # 'Left total knee arthroplasty with 3 day inpatient stay' is the surgery; 'Assistant surgeon
        # for knee arthroscopy' is the assistant: of a surgery and its service, the one named first.
        surgery = min((m for m in kept if m[0].kind == "surgery"), key=lambda m: m[0].rank, default=None)
        service_start = min(start for p, start, _ in kept if p is best)
        if surgery is not None and surgery[1] < service_start:
            best = surgery[0]
    if history_surgery and best.name in _THERAPY_PROCEDURES:
        return PROCEDURE_BY_NAME["postoperative physical therapy"]
    # A request that opens with a consultation or referral is for the visit, unless it names a
    # course of treatment ("referral to chiropractor ... twice a week for 3 weeks").
    first = min(kept, key=lambda m: m[1])[0]
    if first.name in {"consultation", "referral"} and best.kind not in {"physical medicine"}:
        return first
    return best


# ------------------------------------------------------------------------------------ body parts


def body_parts_of(text: str) -> list[str]:
    """Canonical body parts named in a request, in order, each once."""
    parts: list[str] = []
    for group, _, _ in BODY_PART_PATTERN.finditer(text.lower()):
        name = body_part_named(group)
        if name not in parts:
            parts.append(name)
    return parts


def sites_of(item_or_text: DisputedItem | str) -> list[Site]:
    """Where a request is: one Site per canonical part named, in order, with the finer structure as
    written ('L4-5', 'medial meniscus') and the request's side. A procedure that implies its part
    (carpal tunnel release) supplies it when none is written; a drug request has no site."""
    if isinstance(item_or_text, DisputedItem):
        text = item_or_text.text
    elif isinstance(item_or_text, str):
        text = item_or_text
    else:
        raise ItemError(f"sites_of takes a DisputedItem or its text, not {type(item_or_text).__name__}")
    fields = dict(analyse(text))
    if fields.get("kind") == "drug":
        return []
    low = clean_request(text).lower()
    side = laterality_of(low)
    details: dict[str, str] = {}
    order: list[str] = []
    for group, start, end in BODY_PART_PATTERN.finditer(low):
        name = body_part_named(group)
        if name not in order:
            order.append(name)
        if names_detail(group) and name not in details:
            details[name] = " ".join(text_of(clean_request(text), start, end).split())
    if not order:
        procedure = PROCEDURE_BY_NAME.get(fields.get("procedure") or "")
        if procedure is not None and procedure.body_part:
            order = [procedure.body_part]
    return [Site(part=name, detail=details.get(name), side=as_side(side)) for name in order]


def site_of(item_or_text: DisputedItem | str) -> Site | None:
    """The request's one site; None when it names no part or several (a reader never guesses which)."""
    sites = sites_of(item_or_text)
    return sites[0] if len(sites) == 1 else None


def text_of(text: str, start: int, end: int) -> str:
    """The words as written (offsets of the lower-cased text are the text's own)."""
    return text[start:end].upper() if re.fullmatch(r"[a-z]\d.*", text[start:end].lower()) else text[start:end]


def laterality_of(text: str) -> str | None:
    sides: set[str] = set()
    for m in LATERALITY_PATTERN.finditer(text.lower()):
        if m.lastgroup == "bilateral":
            return "bilateral"
        sides.add(m.lastgroup or "")
    if len(sides) == 1:
        return sides.pop()
    return None


# ------------------------------------------------------------------------------------ drug fields


def _strength(low: str) -> tuple[str | None, str | None, float | None, str]:
    """(strength, unit, amount dispensed in g/ml, text after the strength)."""
    strengths: list[tuple[str, str, int]] = []
    amount: float | None = None
    for m in _STRENGTH.finditer(low):
        unit = m.group(3).replace(" ", "")
        if unit in _AMOUNT_UNITS:
            if amount is None:
                amount = float(m.group(1))
            continue
        unit = _UNIT_SPELLING.get(unit, unit)
        number = m.group(1).replace(",", "")
        # '.25 mg' is 0.25 mg: written with its leading zero so strengths compare as text
        value = ("0" + number if number.startswith(".") else number) + re.sub(r"\s*[/-]\s*", "/", m.group(2))
        strengths.append((value, unit, m.end()))
    if strengths:
        unit = strengths[0][1]
        values = [v for v, u, _ in strengths if u == unit]
        return "/".join(values), unit, amount, low[strengths[0][2] :]
    for bare in _BARE_COMBINATION.finditer(low):
        if bare.group(2) == "-" and float(bare.group(3)) < _COMBINATION_SECOND_DOSE_MIN:
            continue
        if not _DATE.search(low[max(0, bare.start() - 3) : bare.end() + 4]):
            return f"{bare.group(1)}/{bare.group(3)}", None, amount, low[bare.end() :]
    return None, None, amount, low


def _drug_quantity(low: str, amount: float | None) -> float | None:
    if "unknown" in low and _UNKNOWN_QUANTITY.search(low):
        return None
    for pattern in (_HASH_COUNT, _QTY_COUNT, _DOSE_FORM_COUNT, _TIMES_COUNT):
        m = pattern.search(low)
        if m:
            return float(m.group(1) or m.group(2))
    # 'thirty count', 'sixty tablets': a number written as a word (five or more, as for digits)
    if (m := _WORD_COUNT.search(low)) and NUMBER_WORDS[m.group(1)] >= 5:
        return float(NUMBER_WORDS[m.group(1)])
    return amount


def _refills(low: str) -> int:
    if "refill" not in low and ("rf" not in low or not _REFILL_MENTION.search(low)):
        return 0
    if labelled := _REFILLS_LABELLED.search(low):
        return int(labelled.group(1))
    m = _REFILLS.search(low)
    if not m:
        return 0
    value = _number(m.group(1) or m.group(2))
    return int(value) if value is not None else 0


def _leading_drug(low: str, mentions: list) -> bool:
    """True when the request opens with the drug (after 'Retrospective', 'Request for'...)."""
    if not mentions:
        return False
    head = _PREFIXES.sub(" ", low[: mentions[0].start])
    return not head.strip(" :;,-()[]'\"#0123456789.")


def _drug_entry(entries: list[DrugEntry], *, is_topical: bool, unit: str | None) -> DrugEntry:
    """The one drug a request asks for: a single drug, its topical form, or a compound of several."""
    primary = entries[0]
    # several drugs each in percent ('Gabapentin 10%/Lidocaine 5%/Tramadol 15%') are one compound
    if len(entries) > 1 and (is_topical or primary.kind == "compound" or unit == "%"):
        return compound(entries, is_topical=is_topical or unit == "%" or (primary.form or "").startswith("topical"))
    if (
        is_topical
        and not (primary.form or "").startswith(_SELF_TOPICAL_FORMS)
        and primary.kind not in {"compound", "medical food"}
    ):
        return topical(primary)
    return primary


def _drug_fields(low: str, mentions: list) -> dict[str, Any]:
    # Numbers in the drug's own name ('Tylenol #3') are not its strength or quantity, and a second,
    # different drug named in the same request ('Norco 10/325 and Soma 350mg') has its own numbers.
    after_name = low[mentions[0].end :] if mentions else low
    strength, unit, amount, _ = _strength(after_name)
    is_topical = bool(_TOPICAL.search(low))
    entries: list[DrugEntry] = []
    for mention in mentions:
        if all(mention.entry.generic != e.generic for e in entries):
            entries.append(mention.entry)
    entry = _drug_entry(entries, is_topical=is_topical, unit=unit) if entries else None
    # the brand of the drug requested, not of another drug the request also names
    brand = next((m.entry.brand for m in mentions if m.entry.brand and m.entry.generic == entries[0].generic), None)
    if entry is not None and len(entries) > 1 and entry.kind != "compound":
        second = next(m for m in mentions if m.entry.generic != entries[0].generic)
        after_name = low[mentions[0].end : second.start]
        strength, unit, amount, _ = _strength(after_name)
    if entry is not None and strength and "/" in strength and entry.generic in lexicon().combinations:
        combined = lookup_generic(lexicon().combinations[entry.generic])
        if combined is not None:
            entry = replace(combined, name=entry.name, brand=entry.brand)
    drug_class = entry.drug_class if entry else None
    if entry is None:
        if _MEDICAL_FOOD_WORDS.search(low):
            drug_class = "medical food"
        elif is_topical:
            drug_class = "topical analgesic"
    return {
        "brand": brand,
        "generic": entry.generic if entry else None,
        "drug_class": drug_class,
        "strength": strength,
        "unit": unit,
        "quantity": _drug_quantity(after_name, amount),
        "refills": _refills(low),
    }


# ------------------------------------------------------------------------------------ service fields


def _frequency(low: str) -> tuple[str | None, float | None, str | None]:
    """(frequency as normalised text, the upper count, the period)."""
    if not _mentions_any(low, _FREQUENCY_HINTS):
        return None, None, None
    m = _FREQUENCY.search(low)
    if not m:
        return None, None, None
    g = m.groups()
    if g[0] is not None:
        lo, hi, period = _number(g[0]), _number(g[1]), PERIODS.get(g[2], g[2])
    elif g[3] is not None:
        lo, hi, period = _number(g[3]), _number(g[4]), PERIODS.get(g[5], g[5])
    elif g[6] is not None:
        lo, hi, period = _number(g[6]), None, PERIODS.get(g[7], g[7])
    elif g[8] is not None:  # '5 days per week': five times a week
        lo, hi, period = _number(g[8]), _number(g[9]), PERIODS.get(g[10], g[10])
    else:  # 'monthly visits': once a month
        lo, hi, period = 1.0, None, PERIODS.get(g[11], g[11])
    if lo is None:
        return None, None, None
    count = _int_text(lo) if hi is None else f"{_int_text(lo)} to {_int_text(hi)}"
    times = "time" if hi is None and lo == 1 else "times"
    return f"{count} {times} a {period}", hi if hi is not None else lo, period


def _duration(low: str, frequency_span: tuple[int, int] | None) -> tuple[str | None, float | None, str | None]:
    if not _mentions_any(low, _DURATION_HINTS):
        return None, None, None
    candidates = [*_DURATION.finditer(low), *_BARE_DURATION.finditer(low)]
    for m in candidates:
        if frequency_span and frequency_span[0] <= m.start() < frequency_span[1]:
            continue
        g = m.groups()
        if m.re is _BARE_DURATION:
            lo, hi, unit = g[0], None, g[1]
        elif g[0] is not None:
            lo, hi, unit = g[0], g[1], g[2]
        else:
            lo, hi, unit = g[3], None, g[4]
        low_n, high_n = _number(lo), _number(hi)
        period = PERIODS.get(unit, unit)
        if low_n is None or period not in {"week", "day", "month", "year"}:
            continue
        top = high_n if high_n is not None else low_n
        count = _int_text(low_n) if high_n is None else f"{_int_text(low_n)} to {_int_text(high_n)}"
        return f"{count} {period}{'' if top == 1 else 's'}", top, period
    return None, None, None


def _stated_sessions(low: str) -> int | None:
    if not _mentions_any(low, _SESSION_HINTS):
        return None
    m = _STATED_SESSIONS.search(low)
    if m:
        value = _number(m.group(1))
        # '2 weeks of therapy sessions' is a duration, not a count
        if value is not None and not re.match(rf"{_NUM}\s*{_PERIOD}\b", low[m.start() :]):
            return int(value)
    m = _SESSIONS_AFTER.search(low)
    return int(m.group(1)) if m else None


def _count(low: str) -> float | None:
    if not _mentions_any(low, _COUNT_HINTS):
        return None
    for pattern in (_HASH_COUNT, _QTY_COUNT, _TIMES_COUNT):
        m = pattern.search(low)
        if m:
            return float(m.group(1))
    return None


def _date_of_service(low: str) -> dt.date | None:
    if ("dos" in low or "service" in low or "d.o.s" in low) and (named := _NAMED_DOS_DATE.search(low)) is not None:
        try:
            return dt.date(int(named.group(3)), _MONTHS.index(named.group(1)[:3]) + 1, int(named.group(2)))
        except ValueError:
            return None
    if "/" not in low and "-" not in low:
        return None
    m = _DOS_DATE.search(low)
    if m is None and _RETROSPECTIVE.search(low):
        m = _DATE.search(low)
    if m is None:
        return None
    month, day, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if year < 100:
        year += 2000 if year < 70 else 1900
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _service_fields(low: str, procedure: Procedure | None) -> dict[str, Any]:
    frequency, per_period, period = _frequency(low)
    freq_match = _FREQUENCY.search(low) if frequency else None
    duration, duration_count, duration_period = _duration(low, freq_match.span() if freq_match else None)
    counted_in = procedure.counted_in if procedure else "quantity"
    sessions = _stated_sessions(low) if counted_in == "sessions" else None
    quantity = None
    pair = None
    if frequency is None and counted_in == "sessions":
        pair = _PAIR.search(low) if "x" in low else None
        if pair and (duration is None or pair.group(3)):  # 'PT 2x4', '3 x 4 weeks': N a week for M weeks
            times = "time" if pair.group(1) == "1" else "times"
            frequency, per_period, period = f"{pair.group(1)} {times} a week", float(pair.group(1)), "week"
            duration, duration_count, duration_period = f"{pair.group(2)} weeks", float(pair.group(2)), "week"
        else:
            pair = None
    count = _count(low)
    if count is not None:
        # the 'x 4' of '2 x 4' is the pair's weeks, not a count of sessions
        if counted_in == "sessions" and sessions is None and pair is None:
            sessions = int(count)
        elif counted_in != "sessions":
            quantity = count
    if sessions is None and counted_in == "sessions" and per_period and duration_count:
        if period == "week" and duration_period in WEEKS_PER_PERIOD:
            sessions = int(per_period * duration_count * WEEKS_PER_PERIOD[duration_period])
        elif period == duration_period:
            sessions = int(per_period * duration_count)
    parts = body_parts_of(low)
    if not parts and procedure and procedure.body_part:
        parts = [procedure.body_part]
    rental = _RENTAL.search(low) if _mentions_any(low, _RENTAL_HINTS) else None
    purchase = _PURCHASE.search(low) if _mentions_any(low, _PURCHASE_HINTS) else None
    rental_or_purchase = None
    if rental and (not purchase or rental.start() < purchase.start()):
        rental_or_purchase = "rental"
    elif purchase:
        rental_or_purchase = "purchase"
    return {
        "sessions": sessions,
        "frequency": frequency,
        "duration": duration,
        "quantity": quantity,
        "body_part": ", ".join(parts) or None,
        "laterality": laterality_of(low),
        "rental_or_purchase": rental_or_purchase,
    }


# ------------------------------------------------------------------------------------ entry points


@lru_cache(maxsize=16384)
def analyse(text: str) -> tuple[tuple[str, Any], ...]:
    """The DisputedItem fields (and the procedure) for one request text; cached, immutable."""
    clean = clean_request(text)
    low = clean.lower()
    matches = _procedure_matches(low)
    procedure = _choose_procedure(low, matches)
    # A drug request opens with the drug: when a procedure is named, only the opening words can
    # make it a drug request, so only they are searched (the whole text once it is one).
    mentions = find_drugs(clean if procedure is None else clean[:_DRUG_HEAD])
    if mentions and procedure is not None:
        # A procedure word inside a drug's name ('Effexor XR': 'XR' for x-ray) names no procedure; a
        # name that is itself the procedure's ('Synvisc' for viscosupplementation) still does.
        outside = [m for m in matches if not any(d.start < m[1] and m[2] <= d.end for d in mentions)]
        if len(outside) < len(matches):
            matches = outside
            procedure = _choose_procedure(low, matches)
    is_drug = False
    if mentions and _leading_drug(low, mentions):
        # 'Toradol 60mg IM injection', 'Vitamin D level': the drug is what the service uses or tests
        is_drug = procedure is None or not (
            procedure.kind == "injection"
            or min((start for p, start, _ in matches if p is procedure), default=len(low)) <= mentions[0].end
        )
        if is_drug and procedure is not None:
            mentions = find_drugs(clean)
    elif procedure is None:
        is_drug = bool(mentions) or bool(_MEDICATION_WORDS.search(low) or _STRENGTH.search(low) or _TOPICAL.search(low))
        if not mentions:
            # second reading: a misspelled drug ('Flexiril 10mg'), else misspelled procedure words
            slips = find_drugs(clean, fuzzy=True)
            if slips and (is_drug or _leading_drug(low, slips)):
                mentions, is_drug = slips, True
            elif not is_drug and (fixed := procedure_words().corrected(low)) is not None:
                procedure = _choose_procedure(fixed, _procedure_matches(fixed))
                if procedure is not None:
                    low = fixed
    elif procedure.kind in _PART_EXPECTED and procedure.body_part is None and not body_parts_of(low):
        fixed = body_part_words().corrected(low)
        if fixed is not None and body_parts_of(fixed):
            low = fixed
    fields: dict[str, Any] = {"text": text.strip()}
    if is_drug:
        fields["kind"] = "drug"
        fields.update(_drug_fields(low, mentions))
        fields["procedure"] = None
    elif procedure is not None:
        fields["kind"] = procedure.kind
        fields.update(_service_fields(low, procedure))
        fields["procedure"] = procedure.name
    else:
        fields["kind"] = "other"
        fields.update(_service_fields(low, None))
        fields["procedure"] = None
    fields["date_of_service"] = _date_of_service(low)
    return tuple(fields.items())


def understand_item(text: str) -> DisputedItem:
    """A disputed item as the letter or request words it -> a DisputedItem with its fields read."""
    if not isinstance(text, str):
        raise ItemError(f"a disputed item must be text, not {type(text).__name__}")
    fields = {k: v for k, v in analyse(text) if k != "procedure" and v is not None}
    return DisputedItem(**fields)


def procedure_of(item_or_text: DisputedItem | str) -> str | None:
    """The canonical procedure of a service item ('mri', 'emg/ncv', 'physical therapy'...); None for a drug."""
    if isinstance(item_or_text, str):
        text = item_or_text
    elif isinstance(item_or_text, DisputedItem):
        text = item_or_text.text
    else:
        raise ItemError(f"procedure_of takes a DisputedItem or its text, not {type(item_or_text).__name__}")
    return dict(analyse(text)).get("procedure")
