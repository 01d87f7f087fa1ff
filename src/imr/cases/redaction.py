"""Redaction of a determination for publication (rules in data/redaction.yaml).

Two layers: the case's own parties (each name, its parts, addresses, phones, dates of birth, SSNs,
claim numbers, in the spellings a letter uses), then general patterns for identifiers the parties
list does not name (a titled name, a street address, a phone or SSN). What is replaced, and by what,
is counted so that publishing can report it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from imr.cases import data


from imr.cases.intake import PartyIn, party_roles, person_affixes
from imr.model import Determination

PERSON_ROLES = {"injured_worker", "treating_provider", "requesting_provider", "attorney"}
# Fields of a determination that carry no identifying details and whose exact values matter.
_KEEP_FIELDS = {
    "outcome",
    "kind",
    "priority",
    "sex",
    "case_number",
    "source",
    "sections",
    "rule",
    "criterion",
    "status",
    "fact",
    "laterality",
    "unit",
    "strength",
    "generic",
    "brand",
    "drug_class",
    "licensure_states",
    "specialties",
    "subspecialty",
    "rental_or_purchase",
    "label",
}


def _rules() -> dict[str, Any]:
    return data.load("redaction")


@dataclass
class Redactor:
    """Compiled patterns for one case, most specific first."""

    patterns: list[tuple[re.Pattern[str], str]]
    counts: Counter[str] = field(default_factory=Counter)

    def text(self, value: str) -> str:
        for pattern, placeholder in self.patterns:
            value, n = pattern.subn(placeholder, value)
            if n:
                self.counts[placeholder] += n
        return value

    def determination(self, d: Determination) -> Determination:
        return Determination.model_validate(self._walk(d.model_dump(mode="json"), None))

    def _walk(self, value: Any, key: str | None) -> Any:
        if key in _KEEP_FIELDS:
            return value
        if isinstance(value, dict):
            return {k: self._walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self._walk(v, key) for v in value]
        if isinstance(value, str) and not _is_iso_date(value):
            return self.text(value)
        return value


def _is_iso_date(value: str) -> bool:
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value))


def _flexible(literal: str) -> str:
    """A literal whose spaces and punctuation may vary ("1 Main St." ~ "1  Main St")."""
    words = re.findall(r"[A-Za-z0-9]+", literal)
    return r"(?i:\b" + r"[\s.,#&-]*".join(re.escape(w) for w in words) + r"\b)"


def _date_spellings(day: dt.date) -> list[str]:
    month = day.strftime("%B")
    return [
        day.strftime("%m/%d/%Y"),
        f"{day.month}/{day.day}/{day.year}",
        day.strftime("%m-%d-%Y"),
        day.isoformat(),
        f"{month} {day.day}, {day.year}",
        f"{month[:3]}. {day.day}, {day.year}",
        f"{month[:3]} {day.day}, {day.year}",
        f"{day.day} {month} {day.year}",
        day.strftime("%m/%d/%y"),
    ]


def _name_patterns(party: PartyIn, placeholder: str) -> list[str]:
    rules = _rules()
    common = set(rules["common_words"])
    affixes = person_affixes() if party.role in PERSON_ROLES else set()
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'-]*", party.name) if len(w) > 1 and w.lower() not in affixes]
    patterns = [_flexible(party.name), _flexible(" ".join(words))]
    if party.role in PERSON_ROLES and len(words) >= 2:
        first, last = words[0], words[-1]
        patterns.append(rf"(?i:\b{re.escape(last)},?\s+{re.escape(first)}\b)")  # "Roe, Jane"
        patterns.append(rf"(?i:\b{re.escape(first)}\s+(?:[A-Z]\.?\s+)?{re.escape(last)}\b)")  # middle initial
    # Each distinctive word alone, cased as a name is ("McAllister", "MCALLISTER"), never a common word;
    # a person's surname even when short ("Ng", "Xu").
    for n, word in enumerate(words):
        surname = party.role in PERSON_ROLES and n == len(words) - 1 and len(words) > 1
        if word.lower() in common or (len(word) < rules["min_single_name_length"] and not surname):
            continue
        if party.role not in PERSON_ROLES and len(words) > 1:
            continue  # "Acme" alone is redacted only via the full organisation name
        spellings = sorted({word, word.capitalize(), word.upper()}, key=len, reverse=True)
        patterns.append(r"\b(?:" + "|".join(re.escape(w) for w in spellings) + r")\b")
    return patterns


def redactor_for(parties: list[PartyIn]) -> Redactor:
    """The redactor of one case: its parties' identifiers, then the general patterns."""
    rules = _rules()
    marks = rules["placeholders"]
    roles = party_roles()
    specific: list[tuple[str, str]] = []
    for party in parties:
        role_mark = roles[party.role]["placeholder"]
        if party.ssn:
            specific.append((_flexible(party.ssn), marks["ssn"]))
        if party.claim_number:
            specific.append((_flexible(party.claim_number), marks["claim_number"]))
        if party.date_of_birth:
            for spelling in _date_spellings(party.date_of_birth):
                specific.append((re.escape(spelling), marks["date_of_birth"]))
        if party.phone:
            digits = re.sub(r"\D", "", party.phone)[-10:]
            if len(digits) == 10:
                specific.append((rf"\(?{digits[:3]}\)?[-. ]?{digits[3:6]}[-. ]?{digits[6:]}", marks["phone"]))
        if party.address:
            specific.append((_flexible(party.address), marks["address"]))
            street = party.address.split(",")[0]
            if street != party.address:
                specific.append((_flexible(street), marks["address"]))
        specific.extend((p, role_mark) for p in _name_patterns(party, role_mark))
    general = rules["patterns"]
    ordered = [
        ("labelled_date_of_birth", marks["date_of_birth"]),
        ("labelled_claim_number", marks["claim_number"]),
        ("ssn", marks["ssn"]),
        ("email", marks["email"]),
        ("phone", marks["phone"]),
        ("street_address", marks["address"]),
        ("spanish_street", marks["address"]),
        ("numbered_road", marks["address"]),
        ("po_box", marks["address"]),
        ("titled_name", marks["person"]),
        ("degree_name", marks["person"]),
    ]
    # Longest literal first, so "Jane A. Roe" goes before "Roe" leaves "Jane A. [name]".
    specific.sort(key=lambda pair: len(pair[0]), reverse=True)
    compiled = [(re.compile(p), mark) for p, mark in specific]
    compiled += [(re.compile(general[name]), mark) for name, mark in ordered]
    return Redactor(patterns=compiled)
