"""OCR slips in the values of a scanned form mended: the words of a disputed item, of what UR
authorized and of the guideline UR cited ("Compiaints", "Chroni¢", "[umbar", "CA MTUS. Chronic").

A word is mended only into a word known to be right: a word of the item vocabularies (procedures,
body parts, drugs), of the guideline titles and sections (`imr.guidelines` data, read as text), or a
word the packet itself spells the same way at least three times. A word is replaced only when it is
unknown and one slip (a character added, dropped, changed, or two swapped) from exactly one known word.
Numbers are never touched: a quantity misread stays misread rather than turn into another quantity.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from imr.drugs.lexicon import load_lexicon, one_slip_apart
from imr.items.spelling import procedure_words
from imr.memo import data_yaml

_GUIDELINES = Path(__file__).parent.parent / "guidelines" / "data"
# Words of the guideline data that name a guideline: its title, how it is cited, its chapter, and
# the sections and topics of its rules.
_SOURCE_FIELDS = ("title", "cite_as", "chapter")
_RULE_NAMES = re.compile(r"(?m)^\s*(?:- )?(?:section|topic):\s*(.+)$")
_LETTERS = re.compile(r"[a-z]{4,}")
# Shorter words have too many neighbours one slip away ("knee" / "knew"); a four-letter word is
# mended only when OCR put a mark that is no letter in it ("kn€e").
_MIN_LENGTH = 5
_MIN_MARKED_LENGTH = 4
# A word the packet spells the same way this often is taken as right, whatever the vocabularies say.
_SEEN_ENOUGH = 3
_QUOTES = "'`\"\u2018\u2019\u201c\u201d"
# A dot that ends a word inside a value is a speck ("CA MTUS. Chronic", "10mg. #120") unless the
# word is a short abbreviation ("Ed.", "No.", "pp.") or dotted inside ("U.S.").
_ABBREVIATION = 3
# A letter outside ASCII right after a digit, ending the word (a word character that is no ASCII, no digit).
_AFTER_NUMBER = re.compile(r"(?<=\d)[^\x00-\x7f\W\d_](?=[\s,;.)]|$)")
# An opening parenthesis, a short word, and a mark that is no closing one but looks like it.
# A part of a value of this many words or more is compared with the guideline names (`_in_phrase`).
_PHRASE_WORDS = 3
_CLOSING_SLIP = re.compile(r"\((?P<inner>[A-Za-z0-9]{1,12})[!|\]}](?=[\s,.;:]|$)")


def _words(text: str) -> set[str]:
    return set(_LETTERS.findall(text.lower()))


@cache
def _guideline_names() -> tuple[str, ...]:
    """How the guidelines are named and cited: titles, citations, chapters, sections and topics."""
    names: list[str] = []
    for path in sorted((_GUIDELINES / "sources").glob("*.yaml")):
        data = data_yaml(path)
        for entry in data if isinstance(data, list) else [data]:
            names += [str(entry[field]) for field in _SOURCE_FIELDS if entry.get(field)]
    for path in sorted((_GUIDELINES / "rules").rglob("*.yaml")):
        names += [match.group(1) for match in _RULE_NAMES.finditer(path.read_text(encoding="utf-8"))]
    return tuple(names)


@cache
def _guideline_words() -> frozenset[str]:
    return frozenset(word for name in _guideline_names() for word in _words(name))


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(re.sub(r"[^\w&/-]+", "", word).lower() for word in text.replace("&", "and").split())


@cache
def _guideline_phrases() -> dict[int, frozenset[tuple[str, ...]]]:
    """The parts of the guideline names between commas and semicolons, as lower-case words ("&" read
    as "and"), by their number of words: a cited section's wording ("GI symptoms and cardiovascular
    risk") is one of them."""
    phrases: dict[int, set[tuple[str, ...]]] = {}
    for name in _guideline_names():
        for part in re.split(r"[,;]", name):
            if len(words := _phrase(part)) >= _PHRASE_WORDS:
                phrases.setdefault(len(words), set()).add(words)
    return {size: frozenset(group) for size, group in phrases.items()}


def _in_phrase(segment: str) -> str:
    """A part of a value that is a guideline phrase but for one word one slip off ("cardiovascular
    tisk"): that word as the phrase has it. Its neighbours say which word it is, so a short word is
    mended too, where on its own it has too many neighbours ("tisk": risk, disk, task)."""
    words = _phrase(segment)
    if len(words) < _PHRASE_WORDS or words in _guideline_phrases().get(len(words), frozenset()):
        return segment
    meant = set()
    for phrase in _guideline_phrases().get(len(words), frozenset()):
        differ = [i for i, (a, b) in enumerate(zip(words, phrase)) if a != b]
        if len(differ) == 1 and one_slip_apart(words[differ[0]], phrase[differ[0]]):
            meant.add((differ[0], phrase[differ[0]]))
    if len(meant) != 1:
        return segment
    at, word = meant.pop()
    tokens = segment.split()
    core = re.sub(r"[^\w&/-]+", "", tokens[at])
    if not core or not core.isalpha() or any(c.isdigit() for c in word):
        return segment
    word = word.upper() if core.isupper() and len(core) > 1 else word.capitalize() if core[:1].isupper() else word
    tokens[at] = tokens[at].replace(core, word, 1)
    return (" " if segment[:1] == " " else "") + " ".join(tokens)


@cache
def vocabulary() -> frozenset[str]:
    """Every known word (lower case, four letters or more). Built on the first scanned form only:
    a typed packet never needs it."""
    # the lexicon lists misspellings of drug names too ("Lidocane"): those are no words to mend into
    entries = load_lexicon().entries.items()
    drugs = {word for name, entry in entries if entry.kind != "misspelling-of" for word in _LETTERS.findall(name)}
    return frozenset(procedure_words().vocabulary | drugs | _guideline_words())


class Mender:
    """Mends the values of one packet: the vocabularies and the words the packet spells often."""

    def __init__(self, texts: Iterable[str]) -> None:
        seen = Counter(word for text in texts for word in _LETTERS.findall(text.lower()))
        self.known = vocabulary() | {word for word, count in seen.items() if count >= _SEEN_ENOUGH}
        self._by_deletion: dict[str, set[str]] = {}
        for word in self.known:
            for variant in (word, *(word[:i] + word[i + 1 :] for i in range(len(word)))):
                self._by_deletion.setdefault(variant, set()).add(word)

    def _meant(self, word: str) -> str | None:
        """The one known word `word` (lower case) is a slip of, or None."""
        marked = not word.isalpha() or not word.isascii()
        if len(word) < (_MIN_MARKED_LENGTH if marked else _MIN_LENGTH) or word in self.known or any(c.isdigit() for c in word):
            return None
        candidates: set[str] = set()
        for variant in (word, *(word[:i] + word[i + 1 :] for i in range(len(word)))):
            candidates |= self._by_deletion.get(variant, set())
        meant = {c for c in candidates if one_slip_apart(word, c)}
        return meant.pop() if len(meant) == 1 else None

    def _word(self, token: str, first: bool) -> str:
        head = len(token) - len(token.lstrip("("))
        core = token[head:].rstrip(",;:.)")
        tail = token[head + len(core) :]
        bare = core.lstrip(_QUOTES)
        if bare != core and bare.lower() in self.known:  # a speck before a word read as a quote mark
            core = bare
        meant = self._meant(core.lower())
        if meant is None:
            return token[:head] + core + tail
        if core.isupper():
            meant = meant.upper()
        elif core[:1].isupper() or (first and not core[:1].isalpha()):
            meant = meant.capitalize()
        return token[:head] + meant + tail

    def mend(self, value: str) -> str:
        # a speck between a word and a number is read as a quote mark ("therapy'2x6")
        value = re.sub(rf"(?<=[A-Za-z])[{_QUOTES}](?=\d)", " ", value)
        # a speck after a number read as an accented letter ("at C5-C6\u00e9"): no item's number has one
        value = _AFTER_NUMBER.sub("", value)
        # a closing parenthesis read as another upright mark ("(ODG!, Low Back")
        value = _CLOSING_SLIP.sub(r"(\g<inner>)", value)
        tokens = value.split()
        mended: list[str] = []
        for index, token in enumerate(tokens):
            if token == "-" and mended and mended[-1].endswith(","):
                continue  # a dash right after a comma is a speck ("Guidelines, - 2nd Edition")
            word = token[:-1] if token.endswith(".") else token
            if token.endswith(".") and index + 1 < len(tokens) and "." not in word:
                if len(word.strip("([")) > _ABBREVIATION or any(c.isdigit() for c in word):
                    token = word
            # the parts of "Post-operative" or "Flurbiprofen/Lidocaine" are words of their own
            parts = re.split(r"([-/])", token)
            mended.append(
                "".join(self._word(part, first=index == 0 and at == 0) if at % 2 == 0 else part for at, part in enumerate(parts))
            )
        # then each part between commas against the guideline names
        return ",".join(_in_phrase(part) for part in " ".join(mended).split(","))
