"""Measuring redaction: plant synthetic identifiers in real letters, redact, count what leaks.

Recall = identifiers removed / identifiers planted, per kind (name, address, phone, SSN, date of birth,
claim number, organization), separately for the parties the case lists and for identifiers it does not
(which only the general patterns can catch). Used by tests/cases/test_redaction.py and
benchmarks/redaction_recall.py.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


from imr.cases.data import load as load_data
from imr.cases.intake import PartyIn
from imr.cases.redaction import redactor_for


@dataclass
class RecallReport:
    planted: Counter[str] = field(default_factory=Counter)
    leaked: Counter[str] = field(default_factory=Counter)
    letter_words: int = 0
    letter_words_lost: int = 0

    def recall(self, kind: str | None = None) -> float:
        planted = self.planted[kind] if kind else sum(self.planted.values())
        leaked = self.leaked[kind] if kind else sum(self.leaked.values())
        return 1.0 if planted == 0 else (planted - leaked) / planted

    @property
    def words_kept(self) -> float:
        return 1 - self.letter_words_lost / max(self.letter_words, 1)


@dataclass
class _Person:
    first: str
    middle: str
    last: str
    honorific: str
    address: str
    phone: str
    dob: dt.date
    ssn: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


def _person(rng: random.Random, data: dict[str, Any]) -> _Person:
    return _Person(
        first=rng.choice(data["first_names"]),
        middle=rng.choice("ABCDEFGHJKLMNPRSTW"),
        last=rng.choice(data["last_names"]),
        honorific=rng.choice(["Mr.", "Ms.", "Mrs."]),
        address=f"{rng.randint(10, 98765)} {rng.choice(data['streets'])}, {rng.choice(data['cities'])}, CA {rng.randint(90001, 96162)}",
        phone=rng.choice(data["phone_formats"]).format(
            a=rng.randint(209, 951), b=rng.randint(200, 999), c=rng.randint(1000, 9999)
        ),
        dob=dt.date(rng.randint(1950, 1995), rng.randint(1, 12), rng.randint(1, 28)),
        ssn=f"{rng.randint(100, 899)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}",
    )


def _fields(prefix: str, p: _Person) -> dict[str, str]:
    return {
        f"{prefix}.name": p.name,
        f"{prefix}.first": p.first,
        f"{prefix}.last": p.last,
        f"{prefix}.middle": p.middle,
        f"{prefix}.honorific": p.honorific,
        f"{prefix}.title_name": f"Dr. {p.first} {p.last}",
        f"{prefix}.upper": f"{p.last.upper()}, {p.first.upper()}",
        f"{prefix}.address": p.address,
        f"{prefix}.phone": p.phone,
        f"{prefix}.ssn": p.ssn,
        f"{prefix}.dob_slash": p.dob.strftime("%m/%d/%Y"),
        f"{prefix}.dob_iso": p.dob.isoformat(),
        f"{prefix}.dob_long": f"{p.dob:%B} {p.dob.day}, {p.dob.year}",
        f"{prefix}.age": "47",
    }


def _identifiers(
    worker: _Person, provider: _Person, other: _Person, unlisted: _Person, orgs: dict[str, str]
) -> dict[str, list[tuple[str, str]]]:
    """(kind, value) pairs whose presence after redaction is a leak, for listed and unlisted parties."""
    listed = [
        ("name", worker.last),
        ("name", worker.first),
        ("name", provider.last),
        ("name", other.last),
        ("address", worker.address.split(",")[0]),
        ("address", provider.address.split(",")[0]),
        ("phone", worker.phone),
        ("phone", provider.phone),
        ("ssn", worker.ssn),
        ("date of birth", worker.dob.strftime("%m/%d/%Y")),
        ("date of birth", worker.dob.isoformat()),
        ("date of birth", f"{worker.dob:%B} {worker.dob.day}, {worker.dob.year}"),
        ("claim number", orgs["claim"]),
        ("organization", orgs["employer"]),
        ("organization", orgs["admin"]),
    ]
    unlisted_ids = [("name", unlisted.last), ("phone", unlisted.phone), ("address", unlisted.address.split(",")[0])]
    return {"listed": listed, "unlisted": unlisted_ids}


def plant(
    letter: str, rng: random.Random, identities: str = "development"
) -> tuple[str, list[PartyIn], dict[str, list[tuple[str, str]]]]:
    """A letter with identifiers planted between its paragraphs, the case's parties, and what to look for.
    `identities` names the set of synthetic identities and sentences: development or heldout."""
    data = load_data("planted_identifiers")[identities]
    people = [_person(rng, data) for _ in range(4)]
    while len({p.last for p in people}) < 4 or len({p.first for p in people}) < 4:
        people = [_person(rng, data) for _ in range(4)]
    worker, provider, other, unlisted = people
    employer, admin = rng.sample(data["organizations"], 2)
    orgs = {
        "employer": employer,
        "admin": admin,
        "claim": f"{rng.choice(['WC', 'GB', 'SCIF'])}{rng.randint(10, 99)}-{rng.randint(100000, 999999)}",
    }
    values = {**_fields("w", worker), **_fields("p", provider), **_fields("t", other), **_fields("u", unlisted), **orgs}
    sentences = [re.sub(r"\{([\w.]+)\}", lambda m: values[m.group(1)], s) for s in data["sentences"]]
    paragraphs = letter.split("\n\n")
    for sentence in sentences:
        paragraphs.insert(rng.randint(0, len(paragraphs)), sentence)
    parties = [
        PartyIn(
            role="injured_worker",
            name=f"{worker.first} {worker.middle}. {worker.last}",
            address=worker.address,
            phone=worker.phone,
            date_of_birth=worker.dob,
            ssn=worker.ssn,
        ),
        PartyIn(
            role="requesting_provider",
            name=f"Dr. {provider.first} {provider.last}",
            address=provider.address,
            phone=provider.phone,
        ),
        PartyIn(role="treating_provider", name=f"{other.first} {other.last}, MD"),
        PartyIn(role="employer", name=employer),
        PartyIn(role="claims_administrator", name=admin, claim_number=orgs["claim"]),
    ]
    return "\n\n".join(paragraphs), parties, _identifiers(worker, provider, other, unlisted, orgs)


def _words(text: str) -> Counter[str]:
    return Counter(re.findall(r"[A-Za-z]{4,}", text))


def measure(letters: list[str], *, seed: int = 7, rounds: int = 5, identities: str = "development") -> dict[str, RecallReport]:
    """Plant, redact and count, `rounds` times per letter; reports for listed and unlisted parties."""
    rng = random.Random(seed)
    reports = {"listed": RecallReport(), "unlisted": RecallReport()}
    for letter in letters:
        original_words = _words(letter)
        for _ in range(rounds):
            planted, parties, look_for = plant(letter, rng, identities)
            redacted = redactor_for(parties).text(planted)
            for group, pairs in look_for.items():
                report = reports[group]
                for kind, value in pairs:
                    pattern = re.compile(rf"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])", re.IGNORECASE)
                    report.planted[kind] += len(pattern.findall(planted))
                    report.leaked[kind] += len(pattern.findall(redacted))
            kept = _words(redacted)
            lost = sum((original_words - kept).values())
            reports["listed"].letter_words += sum(original_words.values())
            reports["listed"].letter_words_lost += lost
    return reports
