"""Fast phrase matching: patterns are lower-cased once and run without re.IGNORECASE on lower-cased text.

Python's `re` skips ahead on a pattern's possible first characters only when the pattern starts with
them: IGNORECASE and a leading look-behind both defeat that, and made phrase matching the slowest
step of extraction (about 3x). So patterns are compiled lower-case, without a leading word-boundary
test, and the boundary before a match is checked afterwards. Offsets are unchanged: `lower()` keeps
the length (a character whose lower case is longer is left as it is).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator


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


def compile_alternatives(patterns: Iterable[str]) -> re.Pattern[str]:
    """Alternatives, longest first, as one lower-case pattern that must end on a word boundary."""
    body = "|".join(f"(?:{flexible(lowered(p))})" for p in sorted(patterns, key=len, reverse=True))
    return re.compile(rf"(?:{body})(?![\w-])")


def compile_named(groups: dict[str, Iterable[str]]) -> re.Pattern[str]:
    """One pattern with a named group per entry (names must be valid group names)."""
    body = "|".join(
        f"(?P<{name}>" + "|".join(flexible(lowered(p)) for p in sorted(patterns, key=len, reverse=True)) + ")"
        for name, patterns in groups.items()
    )
    return re.compile(rf"(?:{body})(?![\w-])")


def lower_text(text: str) -> str:
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
