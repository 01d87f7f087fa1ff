"""Fast phrase matching: patterns are lower-cased once and run without re.IGNORECASE on lower-cased text.

Python's `re` skips ahead on a pattern's possible first characters only when the pattern starts with
them: IGNORECASE and a leading look-behind both defeat that, and made phrase matching the slowest
step of extraction (about 3x). So patterns are compiled lower-case, without a leading word-boundary
test, and the boundary before a match is checked afterwards. Offsets are unchanged: `lower()` keeps
the length (a character whose lower case is longer is left as it is).
"""

from __future__ import annotations

import re
from typing import Any
from collections.abc import Iterable, Iterator
from functools import lru_cache

from imr.memo import pattern as _kept_pattern


def flexible(pattern: str) -> str:
    """A space in a rule matches any run of whitespace (PDF text wraps lines anywhere)."""
    return pattern.replace(" ", r"\s+")


def lowered(pattern: str) -> str:
    """The pattern in lower case, escapes (\\S, \\W, \\D, \\B...) left as written."""
    out: list[str] = []
    escaped = False
    for char in pattern:
        out.append(char if escaped else char.lower())
        escaped = not escaped and char == "\\"
    return "".join(out)


def alternatives(patterns: Iterable[str]) -> str:
    """Alternatives, longest first, as one lower-case pattern that must end on a word boundary."""
    body = "|".join(f"(?:{flexible(lowered(p))})" for p in sorted(patterns, key=len, reverse=True))
    return rf"(?:{body})(?![\w-])"


def compile_alternatives(patterns: Iterable[str]) -> re.Pattern[str]:
    return re.compile(alternatives(patterns))


def compile_named(groups: dict[str, Iterable[str]]) -> re.Pattern[str]:
    """One pattern with a named group per entry (names must be valid group names)."""
    body = "|".join(
        f"(?P<{name}>" + "|".join(flexible(lowered(p)) for p in sorted(patterns, key=len, reverse=True)) + ")"
        for name, patterns in groups.items()
    )
    return re.compile(rf"(?:{body})(?![\w-])")


@lru_cache(maxsize=256)
def lower_text(text: str) -> str:
    """The text in lower case, same length (cached: every finder of a sentence asks for it)."""
    lower = text.lower()
    if len(lower) == len(text):
        return lower
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _word_before(lower: str, start: int) -> bool:
    if start == 0:
        return False
    previous = lower[start - 1]
    return previous.isalnum() or previous in "_-"


def find_all(pattern: re.Pattern[str], lower: str) -> Iterator[re.Match[str]]:
    """Matches that start on a word boundary."""
    for match in pattern.finditer(lower):
        if not _word_before(lower, match.start()):
            yield match


class PrefixScanner:
    """Many patterns run over one text by trying each only where its matches can start.

    Scanning a 3,000-character record once per pattern (hundreds of phrase targets and vocabulary
    synonyms) was most of extraction's time. Here every token start is visited once, and only the
    patterns whose first two characters fit are tried there (the index of the request reader,
    imr.items.vocabulary.pattern_starts). Each pattern's matches are those of `find_all`: starting on
    a word boundary, not overlapping one another.

    Patterns arrive as source and are compiled when first tried: a short record meets the first two
    characters of fewer than half of them, and compiling them all was a third of a command's start."""

    def __init__(self, entries: list[tuple[object, str]]) -> None:
        from imr.items.vocabulary import pattern_starts

        self._payloads = [payload for payload, _ in entries]
        self._sources = [source for _, source in entries]
        self._compiled: list[re.Pattern[str] | None] = [None] * len(entries)
        self._by_prefix: dict[str, list[int]] = {}
        self._anywhere: list[int] = []
        for index, source in enumerate(self._sources):
            # whitespace is read as one space, in the patterns here and in the text's keys in scan()
            spaced = source.replace(r"\s+", " ").replace(r"\s*", " ?")
            starts = _literal_starts(spaced) or pattern_starts(spaced)
            if starts is None or "" in starts:
                self._anywhere.append(index)
                continue
            for start in starts:
                self._by_prefix.setdefault(start, []).append(index)
        self._buckets: dict[str, list] = {}  # key -> [union or None, patterns, uses]

    def _pattern(self, index: int) -> re.Pattern[str]:
        pattern = self._compiled[index]
        if pattern is None:
            pattern = self._compiled[index] = _kept_pattern(self._sources[index])
        return pattern

    def _bucket(self, key: str) -> list:
        bucket = self._buckets.get(key)
        if bucket is None:
            indexes = set(self._anywhere)
            indexes.update(self._by_prefix.get(key, ()))
            indexes.update(self._by_prefix.get(key[:1], ()))
            bucket = [None, tuple((i, self._pattern(i)) for i in sorted(indexes)), 0]
            self._buckets[key] = bucket
        elif bucket[0] is None and len(bucket[1]) > 1:
            bucket[2] += 1
            if bucket[2] == _UNION_AFTER:
                # one union tried first: at most positions nothing matches, and one call says so;
                # compiled once a key is common (a one-case command compiles few)
                bucket[0] = _kept_pattern("|".join(f"(?:{self._sources[i]})" for i, _ in bucket[1]))
        return bucket

    def scan(self, lower: str) -> list[tuple[Any, int, int]]:
        """(payload, start, end) of every match in lower-cased text."""
        found: list[tuple[Any, int, int]] = []
        ends: dict[int, int] = {}
        payloads = self._payloads
        buckets = self._buckets
        for token in _TOKEN_START.finditer(lower):
            pos = token.start()
            key = lower[pos : pos + 2]
            if not key.isalnum():
                key = _WHITESPACE.sub(" ", key)
            bucket = buckets.get(key)
            if bucket is None or bucket[0] is None:
                bucket = self._bucket(key)  # new, or not yet common enough for its union
            union, patterns, _ = bucket
            if union is not None and union.match(lower, pos) is None:
                continue
            for index, pattern in patterns:
                if pos < ends.get(index, 0):
                    continue
                match = pattern.match(lower, pos)
                if match is not None and match.end() > pos:
                    ends[index] = match.end()
                    found.append((payloads[index], pos, match.end()))
        return found


def _literal_starts(source: str) -> set[str] | None:
    """The first two characters of an `alternatives` pattern of plain words ('low back'), read off
    without parsing it (half the record vocabulary; pattern_starts gives the same, parsing)."""
    words = _PLAIN.fullmatch(source)
    return {words.group(1)[:2]} if words else None


_PLAIN = _kept_pattern(r"\(\?:\(\?:([a-z0-9]{2}[a-z0-9 ]*)\)\)\(\?!\[\\w-\]\)")
_TOKEN_START = _kept_pattern(r"(?<![\w-])\S")
_UNION_AFTER = 24
_WHITESPACE = _kept_pattern(r"\s")
