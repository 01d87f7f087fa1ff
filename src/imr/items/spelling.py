"""Misspelled vocabulary words in requests ('accupunture', 'physcial therapy', 'shouler') corrected.

The vocabulary is every word of five letters or more in the procedure and body-part synonyms. A word
of the request that is not in it and is one typing slip (insertion, deletion, substitution, swap)
from exactly one vocabulary word is replaced by that word. Used only as a second reading, when the
first found no procedure (or no body part where one is expected), so it costs nothing on the usual
request.
"""

from __future__ import annotations

import re
from functools import cache

from imr.drugs.lexicon import one_slip_apart
from imr.items.vocabulary import _read, expansions

_WORD = re.compile(r"[a-z]{5,}")
_REQUEST_WORD = re.compile(r"[a-z]+")
# Shorter words have too many one-slip neighbours ('tens' / 'test', 'knee' / 'knew').
_MIN_LENGTH = 6


def _vocabulary(file: str, key: str) -> frozenset[str]:
    words: set[str] = set()
    for row in _read(file).get(key) or []:
        for pattern in [row.get("name", ""), *(row.get("patterns") or []), *(row.get("details") or [])]:
            for text in expansions(str(pattern)):
                words.update(_WORD.findall(text))
    return frozenset(words)


class Speller:
    """One-slip corrections into one vocabulary."""

    def __init__(self, vocabulary: frozenset[str]) -> None:
        self.vocabulary = vocabulary
        self._by_deletion: dict[str, set[str]] = {}
        for word in vocabulary:
            for variant in [word, *(word[:i] + word[i + 1 :] for i in range(len(word)))]:
                self._by_deletion.setdefault(variant, set()).add(word)
        # a word longer than this is no slip of any vocabulary word (and its deletions cost its length squared)
        self._longest = max(map(len, vocabulary), default=0) + 1

    def correction(self, word: str) -> str | None:
        """The one vocabulary word `word` is a slip of, or None (known, too short, or ambiguous)."""
        if not _MIN_LENGTH <= len(word) <= self._longest or word in self.vocabulary:
            return None
        candidates: set[str] = set()
        for variant in [word, *(word[:i] + word[i + 1 :] for i in range(len(word)))]:
            candidates |= self._by_deletion.get(variant, set())
        meant = {c for c in candidates if one_slip_apart(word, c)}
        return meant.pop() if len(meant) == 1 else None

    def corrected(self, low: str) -> str | None:
        """The lower-case request with its misspelled vocabulary words corrected; None if none were."""
        changed = False

        def fix(match: re.Match[str]) -> str:
            nonlocal changed
            better = self.correction(match.group())
            if better is None:
                return match.group()
            changed = True
            return better

        text = _REQUEST_WORD.sub(fix, low)
        return text if changed else None


# Built on first use: most requests never need a second reading, and imports stay fast.
@cache
def procedure_words() -> Speller:
    return Speller(_vocabulary("procedures.yaml", "procedures") | _vocabulary("body_parts.yaml", "body_parts"))


@cache
def body_part_words() -> Speller:
    return Speller(_vocabulary("body_parts.yaml", "body_parts"))


def correction(word: str) -> str | None:
    """The procedure or body-part word `word` is a one-slip misspelling of, if exactly one."""
    return procedure_words().correction(word)


def corrected(low: str) -> str | None:
    """A request with misspelled procedure and body-part words corrected; None if nothing changed."""
    return procedure_words().corrected(low)


__all__ = ["Speller", "body_part_words", "corrected", "correction", "procedure_words"]
