"""The item vocabularies (data/*.yaml) compiled once, at import, into the patterns `understand` uses.

Each vocabulary is one combined regular expression with one named group per canonical name, so that
a request is scanned once per vocabulary, whatever the number of synonyms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from imr.errors import ImrError
from imr.letters.model import ITEM_KINDS

DATA_DIR = Path(__file__).parent / "data"

# Matches start and end on a word edge; letters, digits and '+' continue a word.
_BEFORE = r"(?<![a-z0-9])"
_AFTER = r"(?![a-z0-9])"


class ItemVocabularyError(ImrError):
    """An item vocabulary file is invalid; the message names the file and the entry."""


@dataclass(frozen=True, slots=True)
class Procedure:
    """A canonical procedure: the name rules match, its item kind and what '#6' counts."""

    name: str
    kind: str
    rank: int
    counted_in: str
    body_part: str | None = None


def _read(name: str) -> dict[str, Any]:
    path = DATA_DIR / name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ItemVocabularyError(f"{path.name}: cannot read ({error.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise ItemVocabularyError(f"{path.name}: must be a mapping")
    return data


def _alternation(patterns: list[str], *, where: str) -> str:
    for pattern in patterns:
        try:
            compiled = re.compile(pattern)
        except re.error as error:
            raise ItemVocabularyError(f"{where}: bad pattern {pattern!r} ({error})") from None
        if compiled.groups:
            raise ItemVocabularyError(f"{where}: pattern {pattern!r} must use (?:...) groups only")
    # Longer synonyms first, so that 'mri scan' is preferred to 'mri' at one position.
    return "|".join(sorted(patterns, key=len, reverse=True))


def _named_union(names_and_patterns: list[tuple[str, list[str]]], *, where: str) -> re.Pattern[str]:
    branches = [
        f"(?P<g{i}>{_alternation(patterns, where=f'{where} {name!r}')})"
        for i, (name, patterns) in enumerate(names_and_patterns)
    ]
    return re.compile(_BEFORE + "(?:" + "|".join(branches) + ")" + _AFTER)


def bounded(patterns: list[str], *, where: str) -> re.Pattern[str]:
    """One pattern matching any of `patterns` as whole words."""
    return re.compile(_BEFORE + "(?:" + _alternation(patterns, where=where) + ")" + _AFTER)


def _load_procedures() -> tuple[list[Procedure], re.Pattern[str]]:
    rows = _read("procedures.yaml").get("procedures") or []
    procedures: list[Procedure] = []
    named: list[tuple[str, list[str]]] = []
    seen: set[str] = set()
    for rank, row in enumerate(rows):
        name, kind = row.get("name"), row.get("kind")
        if not name or kind not in ITEM_KINDS:
            raise ItemVocabularyError(f"procedures.yaml: entry {rank + 1} ({name!r}) needs a name and a kind in {ITEM_KINDS}")
        if name in seen:
            raise ItemVocabularyError(f"procedures.yaml: {name!r} is listed twice")
        seen.add(name)
        default_count = "sessions" if kind == "physical medicine" else "quantity"
        procedures.append(Procedure(name, kind, rank, row.get("counted_in", default_count), row.get("body_part")))
        named.append((name, list(row.get("patterns") or [name])))
    return procedures, _named_union(named, where="procedures.yaml")


def _load_body_parts() -> tuple[list[str], re.Pattern[str], re.Pattern[str]]:
    data = _read("body_parts.yaml")
    rows = data.get("body_parts") or []
    names = [str(row["name"]) for row in rows]
    union = _named_union([(str(r["name"]), list(r["patterns"])) for r in rows], where="body_parts.yaml")
    sides = data.get("laterality") or {}
    laterality = re.compile(
        _BEFORE
        + "(?:"
        + "|".join(f"(?P<{side}>{_alternation(list(sides[side]), where=f'body_parts.yaml laterality {side}')})"
                   for side in ("bilateral", "right", "left"))
        + ")"
        + _AFTER
    )
    return names, union, laterality


PROCEDURES, PROCEDURE_PATTERN = _load_procedures()
PROCEDURE_BY_NAME: dict[str, Procedure] = {p.name: p for p in PROCEDURES}
BODY_PARTS, BODY_PART_PATTERN, LATERALITY_PATTERN = _load_body_parts()
WORDS: dict[str, Any] = _read("request_words.yaml")
NUMBER_WORDS: dict[str, int] = {str(k): int(v) for k, v in (WORDS.get("numbers") or {}).items()}
PERIODS: dict[str, str] = {str(k): str(v) for k, v in (WORDS.get("periods") or {}).items()}
WEEKS_PER_PERIOD: dict[str, int] = {str(k): int(v) for k, v in (WORDS.get("weeks_per_period") or {}).items()}


def procedure_named(group: str) -> Procedure:
    return PROCEDURES[int(group[1:])]


def body_part_named(group: str) -> str:
    return BODY_PARTS[int(group[1:])]
