"""The item vocabularies (data/*.yaml) compiled once, at import, into the patterns `understand` uses.

Each vocabulary is one combined regular expression with one named group per canonical name, so that
a request is scanned once per vocabulary, whatever the number of synonyms.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# the regular-expression parser's constants: patterns are indexed by first character at import, from
# their parse trees (imr.memo.parsed_pattern: plain ints there, so compared with ==)
from re import _constants as _sre  # type: ignore[attr-defined]  # a private module typeshed leaves out

import yaml


from imr.errors import ImrError
from imr.memo import data_yaml, parsed_pattern
from imr.memo import pattern as _kept_pattern
from imr.model import ITEM_KINDS

DATA_DIR = Path(__file__).parent / "data"

# Matches start and end on a word edge; letters, digits and '+' continue a word.
_BEFORE = r"(?<![a-z0-9])"
_AFTER = r"(?![a-z0-9])"


class ItemVocabularyError(ImrError):
    """An item vocabulary file is invalid; the message names the file and the entry."""


class ItemError(ImrError):
    """A disputed item that cannot be read (not text)."""


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
        data = data_yaml(path)
    except (OSError, yaml.YAMLError) as error:
        raise ItemVocabularyError(f"{path.name}: cannot read ({error.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise ItemVocabularyError(f"{path.name}: must be a mapping")
    return data


def _checked(patterns: list[str], *, where: str) -> list[Any]:
    """Each pattern parsed once: a bad pattern or a capturing group is refused with its place."""
    parsed = []
    for pattern in patterns:
        try:
            groups, tree = parsed_pattern(pattern)
        except re.error as error:
            raise ItemVocabularyError(f"{where}: bad pattern {pattern!r} ({error})") from None
        if groups > 1:
            raise ItemVocabularyError(f"{where}: pattern {pattern!r} must use (?:...) groups only")
        parsed.append(tree)
    return parsed


def _alternation(patterns: list[str], *, where: str) -> str:
    _checked(patterns, where=where)
    # Longer synonyms first, so that 'mri scan' is preferred to 'mri' at one position.
    return "|".join(sorted(patterns, key=len, reverse=True))


_WORD_START = re.compile(r"(?<![a-z0-9])[a-z0-9]")


_PREFIX_LENGTH = 2


def _concat(heads: set[str], tails: set[str], k: int) -> set[str]:
    out: set[str] = set()
    for head in heads:
        if len(head) >= k:
            out.add(head)
        else:
            out.update((head + tail)[:k] for tail in tails)
    return out


def _prefixes(items: Any, k: int) -> set[str] | None:
    """Every string (cut to k characters) a parsed pattern's matches can start with; None: anything.

    A string shorter than k means a match can end there. Zero-width assertions are ignored, which
    only makes the set larger (never wrong).
    """
    result = {""}
    for op, av in items:
        if all(len(r) >= k for r in result):
            break  # the first k characters are known: what follows cannot change them
        part = _element_prefixes(op, av, k)
        if part is None:
            return None
        result = _concat(result, part, k)
    return result


def _element_prefixes(op: Any, av: Any, k: int) -> set[str] | None:
    if op == _sre.LITERAL:
        return {chr(av)}
    if op == _sre.IN:
        chars: set[str] = set()
        for kind, value in av:
            if kind == _sre.LITERAL:
                chars.add(chr(value))
            elif kind == _sre.RANGE:
                chars.update(chr(c) for c in range(value[0], value[1] + 1))
            elif kind == _sre.CATEGORY and value == _sre.CATEGORY_DIGIT:
                chars.update(string.digits)
            else:
                return None
        return chars
    if op == _sre.SUBPATTERN:
        return _prefixes(av[-1], k)
    if op == _sre.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            part = _prefixes(branch, k)
            if part is None:
                return None
            union |= part
        return union
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
        low, high, sub = av
        once = _prefixes(sub, k)
        if once is None:
            return None
        found: set[str] = set()
        acc = {""}
        for count in range(0, max(low, k) + 1):
            if count >= low:
                found |= acc
            if count >= high:
                break
            acc = _concat(acc, once, k)
        return found
    if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
        return {""}
    return None


def pattern_starts(pattern: str, k: int = _PREFIX_LENGTH) -> set[str] | None:
    """Every string (cut to k characters) a pattern's matches can start with; None: anything (the
    index that lets a scanner try a pattern only where a match can start)."""
    return _prefixes(parsed_pattern(pattern)[1], k)


def expansions(pattern: str, limit: int = 64) -> set[str]:
    """The strings a small pattern matches ('mri(?: scans?)?' -> mri, mri scan, mri scans); patterns
    with open-ended parts ('\\d+', '[^;]') contribute only their fully literal alternatives."""
    found = _expand(parsed_pattern(pattern)[1], limit)
    return found or set()


def _expand(items: Any, limit: int) -> set[str] | None:
    result = {""}
    for op, av in items:
        part = _expand_element(op, av, limit)
        if part is None:
            return None
        result = {a + b for a in result for b in part}
        if len(result) > limit:
            return None
    return result


def _expand_element(op: Any, av: Any, limit: int) -> set[str] | None:
    if op == _sre.LITERAL:
        return {chr(av)}
    if op == _sre.IN:
        chars = {chr(value) for kind, value in av if kind == _sre.LITERAL}
        return chars if len(chars) == len(av) else None
    if op == _sre.SUBPATTERN:
        return _expand(av[-1], limit)
    if op == _sre.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            part = _expand(branch, limit)
            if part is not None:
                union |= part
        return union or None
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and av[1] <= 1:
        once = _expand(av[2], limit)
        return None if once is None else {""} | once if av[0] == 0 else once
    if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
        return {""}
    return None


class WordStartMatcher:
    """Named alternatives matched at word starts only, each tried only where its matches can start
    (the first two characters of a word).

    One union of a thousand synonyms is slow in Python's regex engine (every branch is tried at
    every position); indexing the branches by the characters they can start with makes a request
    line cost a few microseconds. Semantics are those of `finditer` on the union: leftmost match,
    earlier-listed alternative first at one position, whole words only.

    A word start's branches are tried one by one, each compiled on first use, until its key (the
    word's first two characters) has come up `_UNION_AFTER` times; then one union of them is compiled
    and tried instead, with the same result. Compiling a union per key at once was most of the
    rule book's loading time, for keys a command meets a handful of times.
    """

    def __init__(self, named: list[tuple[str, str, list[str]]], *, where: str) -> None:
        self._names: list[str] = []
        self._bodies: list[str] = []
        self._branches: list[str] = []  # as named groups of the union
        self._patterns: list[re.Pattern[str] | None] = []
        self._by_prefix: dict[str, list[int]] = {}
        self._anywhere: list[int] = []
        for index, (group, name, patterns) in enumerate(named):
            self._names.append(group)
            # Longer synonyms first, so that 'mri scan' is preferred to 'mri' at one position.
            self._bodies.append("|".join(sorted(patterns, key=len, reverse=True)))
            self._branches.append(f"(?P<{group}>{self._bodies[-1]})")
            self._patterns.append(None)
            starts: set[str] | None = set()
            for tree in _checked(patterns, where=f"{where} {name!r}"):
                found = _prefixes(tree, _PREFIX_LENGTH)
                starts = None if found is None or starts is None else starts | found
            if starts is None or "" in starts:
                self._anywhere.append(index)
                continue
            for start in starts:
                self._by_prefix.setdefault(start, []).append(index)
        self._buckets: dict[str, _Bucket] = {}

    def _bucket(self, key: str) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            indexes = set(self._anywhere)
            indexes.update(self._by_prefix.get(key, ()))
            if len(key) == _PREFIX_LENGTH:
                indexes.update(self._by_prefix.get(key[0], ()))
            bucket = self._buckets[key] = _Bucket(tuple(sorted(indexes)))
        elif bucket.union is None and bucket.uses < _UNION_AFTER:
            bucket.uses += 1
            if bucket.uses == _UNION_AFTER:
                bucket.union = _kept_pattern("(?:" + "|".join(self._branches[i] for i in bucket.indexes) + ")" + _AFTER)
        return bucket

    def _branch(self, index: int) -> re.Pattern[str]:
        pattern = self._patterns[index]
        if pattern is None:
            pattern = self._patterns[index] = _kept_pattern("(?:" + self._bodies[index] + ")" + _AFTER)
        return pattern

    def finditer(self, low: str) -> Iterator[tuple[str, int, int]]:
        """(group name, start, end) of each match in lower-case text, left to right, not overlapping."""
        end = 0
        for start_match in _WORD_START.finditer(low):
            pos = start_match.start()
            if pos < end:
                continue
            bucket = self._bucket(low[pos : pos + _PREFIX_LENGTH])
            if bucket.union is not None:
                m = bucket.union.match(low, pos)
                if m is not None and m.lastgroup:
                    end = m.end()
                    yield m.lastgroup, pos, end
                continue
            for index in bucket.indexes:
                m = self._branch(index).match(low, pos)
                if m is not None:
                    end = m.end()
                    yield self._names[index], pos, end
                    break


class _Bucket:
    """The branches that may match at a word start with one key, in the vocabulary's order."""

    __slots__ = ("indexes", "union", "uses")

    def __init__(self, indexes: tuple[int, ...]) -> None:
        self.indexes = indexes
        self.union: re.Pattern[str] | None = None
        self.uses = 0


_UNION_AFTER = 16


def _named_union(names_and_patterns: list[tuple[str, list[str]]], *, where: str) -> WordStartMatcher:
    return WordStartMatcher([(f"g{i}", name, patterns) for i, (name, patterns) in enumerate(names_and_patterns)], where=where)


def bounded(patterns: list[str], *, where: str) -> re.Pattern[str]:
    """One pattern matching any of `patterns` as whole words."""
    return _kept_pattern(_BEFORE + "(?:" + _alternation(patterns, where=where) + ")" + _AFTER)


def _load_procedures() -> tuple[list[Procedure], WordStartMatcher]:
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


@dataclass(frozen=True, slots=True)
class BodyPartWords:
    """One canonical part (an anatomy part) and the ways requests and records write it; `details` name
    a finer structure of the part ('L4-5', 'medial meniscus') that a site keeps as its detail."""

    name: str
    patterns: tuple[str, ...]
    details: tuple[str, ...] = ()


def body_part_words_of(data: dict[str, Any]) -> list[BodyPartWords]:
    rows = data.get("body_parts") or []
    words: list[BodyPartWords] = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict) or not row.get("name") or not row.get("patterns"):
            raise ItemVocabularyError(f"body_parts.yaml: entry {index + 1} needs a name and patterns")
        unknown = set(row) - {"name", "patterns", "details"}
        if unknown:
            raise ItemVocabularyError(f"body_parts.yaml: {row['name']!r}: unknown key(s) {sorted(unknown)}")
        words.append(BodyPartWords(str(row["name"]), tuple(row["patterns"]), tuple(row.get("details") or ())))
    return words


# the laterality words of body_parts.yaml by side (clinical records are read with the same words)
LATERALITY_WORDS: dict[str, tuple[str, ...]] = {}


def _load_body_parts() -> tuple[list[BodyPartWords], list[str], list[tuple[str, bool]], WordStartMatcher, re.Pattern[str]]:
    data = _read("body_parts.yaml")
    words = body_part_words_of(data)
    names: list[str] = []
    groups: list[tuple[str, bool]] = []  # per matcher group: part name, whether it names a detail
    named: list[tuple[str, list[str]]] = []
    for entry in words:
        if entry.name not in names:
            names.append(entry.name)
        # the detail group first: at one position 'medial meniscus' is a detail, not just 'knee'
        if entry.details:
            groups.append((entry.name, True))
            named.append((entry.name, list(entry.details)))
        groups.append((entry.name, False))
        named.append((entry.name, list(entry.patterns)))
    union = _named_union(named, where="body_parts.yaml")
    sides = data.get("laterality") or {}
    LATERALITY_WORDS.update({side: tuple(sides[side]) for side in ("bilateral", "right", "left")})
    laterality = _kept_pattern(
        _BEFORE
        + "(?:"
        + "|".join(
            f"(?P<{side}>{_alternation(list(sides[side]), where=f'body_parts.yaml laterality {side}')})"
            for side in ("bilateral", "right", "left")
        )
        + ")"
        + _AFTER
    )
    return words, names, groups, union, laterality


PROCEDURES, PROCEDURE_PATTERN = _load_procedures()
PROCEDURE_BY_NAME: dict[str, Procedure] = {p.name: p for p in PROCEDURES}
BODY_PART_WORDS, BODY_PARTS, _BODY_PART_GROUPS, BODY_PART_PATTERN, LATERALITY_PATTERN = _load_body_parts()
WORDS: dict[str, Any] = _read("request_words.yaml")
NUMBER_WORDS: dict[str, int] = {str(k): int(v) for k, v in (WORDS.get("numbers") or {}).items()}
PERIODS: dict[str, str] = {str(k): str(v) for k, v in (WORDS.get("periods") or {}).items()}
WEEKS_PER_PERIOD: dict[str, int] = {str(k): int(v) for k, v in (WORDS.get("weeks_per_period") or {}).items()}


def procedure_named(group: str) -> Procedure:
    return PROCEDURES[int(group[1:])]


def body_part_named(group: str) -> str:
    return _BODY_PART_GROUPS[int(group[1:])][0]


def names_detail(group: str) -> bool:
    """Whether a body-part match names a finer structure of its part ('L4-5'), kept as the site's detail."""
    return _BODY_PART_GROUPS[int(group[1:])][1]
