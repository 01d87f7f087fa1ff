"""The drug lexicon: loading `data/drugs.yaml` into name -> DrugEntry tables, lookup, and text search.

Everything is built once, at import, so that the letter parser can call `lookup_drug` and
`find_drugs` for every item of every letter. Names are matched on normalised word tokens (lower case;
hyphens, slashes and commas are separators) so that 'EC-Naprosyn', 'ec naprosyn' and 'EC Naprosyn'
are one key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cached_property
from itertools import accumulate
from pathlib import Path
from typing import Literal

import yaml


from imr.errors import ImrError
from imr.memo import data_yaml

DATA_FILE = Path(__file__).parent / "data" / "drugs.yaml"

DrugKind = Literal["brand", "generic", "compound", "medical food", "misspelling-of"]

# Most to least restrictive; a compound carries the most restrictive schedule of its ingredients.
SCHEDULE_ORDER: tuple[str, ...] = ("I", "II", "III", "IV", "V")

# Word tokens; '#3' stays one token so that 'Tylenol #3' is a name, '0.25' stays one number.
_TOKEN = re.compile(r"#?[a-z0-9]+(?:\.[0-9]+)?")
_SPLIT = re.compile(r"(#?[a-z0-9]+(?:\.[0-9]+)?)")
# What may follow a drug name in a request without being part of it: numbers, units, counts.
_NOT_A_NAME = re.compile(r"#?\d+(?:\.\d+)?(?:mg|mcg|g|gm|ml|%|iu|units?)?|mg|mcg|g|gm|ml|iu|units?|qty|quantity|refills?|x")

# Fuzzy matching is limited to names long enough that one slip cannot turn them into another drug
# or an ordinary word ('relax' is one slip from Relpax, so a 5-letter word is never corrected).
_FUZZY_MIN_LENGTH = 6
_FUZZY_MIN_KEY_LENGTH = 5


class DrugLexiconError(ImrError):
    """The drug lexicon data file is invalid."""


@dataclass(frozen=True, slots=True)
class DrugEntry:
    """What one drug name means.

    `name` is the lexicon's spelling of the name looked up (for a misspelling: as written);
    `generic` is lower case with combination ingredients joined by '/'.
    """

    name: str
    generic: str
    drug_class: str
    schedule: str | None = None
    form: str | None = None
    ingredients: tuple[str, ...] = ()
    kind: DrugKind = "generic"
    subclass: str | None = None
    brand: str | None = None
    misspelling_of: str | None = None

    @property
    def controlled(self) -> bool:
        return self.schedule is not None


@dataclass(frozen=True, slots=True)
class DrugMention:
    """A drug name found in text: the entry and where it is."""

    text: str
    start: int
    end: int
    entry: DrugEntry

    @property
    def generic(self) -> str:
        return self.entry.generic

    @property
    def drug_class(self) -> str:
        return self.entry.drug_class


def tokens_of(text: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(text.lower()))


def _key(text: str) -> str:
    return " ".join(tokens_of(text))


def _deletions(word: str) -> list[str]:
    return [word[:i] + word[i + 1 :] for i in range(len(word))]


def one_slip_apart(a: str, b: str) -> bool:
    """True when b is a with one character inserted, deleted, replaced, or two neighbours swapped."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        swapped = i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
        return swapped or a[i + 1 :] == b[i + 1 :]
    return a[i + 1 :] == b[i:] if len(a) > len(b) else a[i:] == b[i + 1 :]


class Lexicon:
    """The loaded lexicon: exact keys, phrase index for text search, deletion index for misspellings."""

    def __init__(self, data: dict) -> None:
        self.entries: dict[str, DrugEntry] = {}
        self.by_generic: dict[str, DrugEntry] = {}
        self.combinations: dict[str, str] = dict(data.get("combination_when_two_strengths") or {})
        self.suffixes: frozenset[str] = frozenset(data.get("name_suffixes") or ())
        self.topical_forms: frozenset[str] = frozenset(data.get("topical_forms") or ())
        self.topical_classes: dict[str, str] = dict(data.get("topical_classes") or {})
        self._load_generics(data.get("generics") or [])
        self._load_products(data.get("products") or [])
        self._load_misspellings(data.get("misspellings") or {})
        self._build_indexes()

    # -- loading -------------------------------------------------------------------------------

    def _add(self, name: str, entry: DrugEntry) -> None:
        key = _key(name)
        if not key:
            raise DrugLexiconError(f"{DATA_FILE.name}: empty drug name in entry for {entry.generic!r}")
        # The first entry listed for a name wins: generics are listed before their variants.
        self.entries.setdefault(key, entry)

    def _load_generics(self, rows: list[dict]) -> None:
        for row in rows:
            try:
                generic = str(row["generic"]).lower()
                base = DrugEntry(
                    name=generic,
                    generic=generic,
                    drug_class=str(row["class"]),
                    schedule=row.get("schedule"),
                    form=row.get("form"),
                    ingredients=tuple(generic.split("/")),
                    kind="generic",
                    subclass=row.get("subclass"),
                )
            except KeyError as missing:
                raise DrugLexiconError(f"{DATA_FILE.name}: generic entry {row!r} lacks {missing}") from None
            self.by_generic.setdefault(generic, base)
            self._add(generic, base)
            for other in row.get("also") or ():
                self._add(other, base)
            for brand in row.get("brands") or ():
                self._add(brand, replace(base, name=brand, kind="brand", brand=brand))

    def _load_products(self, rows: list[dict]) -> None:
        for row in rows:
            name = str(row["name"])
            ingredients = tuple(str(i).lower() for i in row.get("ingredients") or ())
            schedule = row.get("schedule")
            if schedule is None:
                schedule = most_restrictive(self.by_generic[i].schedule for i in ingredients if i in self.by_generic)
            entry = DrugEntry(
                name=name,
                generic="/".join(ingredients) if ingredients else name.lower(),
                drug_class=str(row["class"]),
                schedule=schedule,
                form=row.get("form"),
                ingredients=ingredients,
                kind=row.get("kind", "compound"),
                brand=name if row.get("kind") != "generic" else None,
            )
            self._add(name, entry)

    def _load_misspellings(self, rows: dict[str, str]) -> None:
        for wrong, meant in rows.items():
            target = self.entries.get(_key(meant))
            if target is None:
                raise DrugLexiconError(f"{DATA_FILE.name}: misspelling {wrong!r} names unknown drug {meant!r}")
            if _key(wrong) in self.entries:
                raise DrugLexiconError(f"{DATA_FILE.name}: misspelling {wrong!r} is already the name of a drug")
            self._add(wrong, replace(target, name=str(wrong), kind="misspelling-of", misspelling_of=target.name))

    def _build_indexes(self) -> None:
        # phrase index: first token -> [(tokens, key)], longest phrase first
        self.phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for key in self.entries:
            toks = tuple(key.split(" "))
            self.phrases.setdefault(toks[0], []).append((toks, key))
        for candidates in self.phrases.values():
            candidates.sort(key=lambda c: -len(c[0]))
        self.max_phrase = max(len(c[0]) for cs in self.phrases.values() for c in cs)

    @cached_property
    def deletions(self) -> dict[str, set[str]]:
        """The deletion index for one-slip misspellings of correctly spelled names: built on the first
        fuzzy lookup (most commands make none, and it is a tenth of loading the lexicon)."""
        deletions: dict[str, set[str]] = {}
        for key, entry in self.entries.items():
            if entry.kind == "misspelling-of" or len(key) < _FUZZY_MIN_KEY_LENGTH:
                continue
            for variant in [key, *_deletions(key)]:
                deletions.setdefault(variant, set()).add(key)
        return deletions

    @cached_property
    def longest_fuzzy(self) -> int:
        """A name longer than this is no slip of any name (and its deletions cost its length squared)."""
        return max((len(key) for keys in self.deletions.values() for key in keys), default=0) + 1

    # -- lookup --------------------------------------------------------------------------------

    def exact(self, name: str) -> DrugEntry | None:
        """The entry for a name, also when salt, release form, strength or count follow it
        ('Bupropion HCL', 'Norco 10/325', 'Xanax 1mg #30')."""
        key = _key(name)
        entry = self.entries.get(key)
        if entry is not None:
            return entry
        tokens = [t for t in key.split(" ") if t not in self.suffixes]
        if not tokens:
            return None
        entry = self.entries.get(" ".join(tokens))
        if entry is None:
            match = self._phrase_at(tokens, 0)
            if match is not None and all(_NOT_A_NAME.fullmatch(t) for t in tokens[match[0] :]):
                entry = match[1]
        return entry

    def fuzzy(self, name: str) -> DrugEntry | None:
        """A name one typing slip (insertion, deletion, substitution) from exactly one lexicon name."""
        key = _key(name)
        if not _FUZZY_MIN_LENGTH <= len(key) <= self.longest_fuzzy:
            return None
        candidates: set[str] = set()
        for variant in [key, *_deletions(key)]:
            candidates |= self.deletions.get(variant, set())
        meant = {self.entries[c] for c in candidates if one_slip_apart(key, c)}
        if len({(e.generic, e.drug_class, e.name) for e in meant}) != 1:
            return None
        target = next(iter(meant))
        return replace(target, name=name, kind="misspelling-of", misspelling_of=target.name)

    def find(self, text: str, *, fuzzy: bool = False) -> list[DrugMention]:
        # Splitting with the token pattern keeps separators and tokens alternating, so that token
        # offsets are running sums of piece lengths: a record is scanned at C speed and only the
        # tokens that start a drug name are looked at in Python.
        pieces = _SPLIT.split(text.lower())
        tokens = pieces[1::2]
        phrases = self.phrases
        hits = [i for i, token in enumerate(tokens) if token in phrases]
        if fuzzy:
            hits = sorted({*hits, *(i for i, t in enumerate(tokens) if len(t) >= _FUZZY_MIN_LENGTH and t.isalpha())})
        if not hits:
            return []
        ends = list(accumulate(map(len, pieces)))
        found: list[DrugMention] = []
        next_free = 0
        for i in hits:
            if i < next_free:
                continue
            match = self._phrase_at(tokens, i)
            if match is None and fuzzy and tokens[i] not in phrases:
                entry = self.fuzzy(tokens[i])
                if entry is not None:
                    match = (1, entry)
            if match is None:
                continue
            length, entry = match
            start, end = ends[2 * i], ends[2 * (i + length - 1) + 1]
            if entry.kind == "misspelling-of" and entry.name.lower() != text[start:end].lower():
                entry = replace(entry, name=text[start:end])
            found.append(DrugMention(text=text[start:end], start=start, end=end, entry=entry))
            next_free = i + length
        return found

    def _phrase_at(self, tokens: list[str], i: int) -> tuple[int, DrugEntry] | None:
        candidates = self.phrases.get(tokens[i])
        if not candidates:
            return None
        for toks, key in candidates:
            n = len(toks)
            if i + n <= len(tokens) and all(tokens[i + k] == toks[k] for k in range(1, n)):
                return n, self.entries[key]
        return None


def most_restrictive(schedules) -> str | None:
    present = [s for s in schedules if s]
    return min(present, key=SCHEDULE_ORDER.index) if present else None


def load_lexicon(path: Path = DATA_FILE) -> Lexicon:
    try:
        data = data_yaml(path)
    except (OSError, yaml.YAMLError) as error:
        raise DrugLexiconError(f"{path}: cannot read the drug lexicon ({error.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise DrugLexiconError(f"{path}: the drug lexicon must be a mapping")
    return Lexicon(data)
