"""Record text mechanics: sentences with offsets, section titles, dates and numbers written in words.

Records arrive as PDF text (lines wrapped mid-sentence, sometimes a blank line after every line),
as typed notes with headings and bullet lists, or as a letter's one-paragraph case summary. Offsets
always refer to the original text so that a fact's span can be shown to the reviewer unchanged.
"""

from __future__ import annotations

import datetime as dt
import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from imr.clinical.matching import lower_text
from imr.clinical.rules import load_data
from imr.memo import pattern as _kept_pattern


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    text: str
    section: str | None  # canonical section name when under a known heading


_ABBREVIATIONS = {
    "dr",
    "mr",
    "mrs",
    "ms",
    "vs",
    "e.g",
    "i.e",
    "etc",
    "no",
    "approx",
    "st",
    "jr",
    "sr",
    "p.o",
    "b.i.d",
    "t.i.d",
    "q.i.d",
    "q.d",
    "h.s",
    "fig",
    "pt",
    "inc",
    "dept",
    "min",
    "max",
    "u.s",
    "a.m",
    "p.m",
    "ca",
}

# A sentence ends at . ! ? followed by space and a capital, digit or bullet; the test on the word
# before the period keeps "Dr. Smith" and "b.i.d. Pain" from splitting.
MAX_SENTENCE = 2000
_END = _kept_pattern(r"[.!?](?=[\"')\]]?\s+[\"'(\[]?[A-Z0-9•\-*])")
_BULLET_LINE = _kept_pattern(r"\n[ \t]*(?:[-*•·]|\d{1,2}[.)])\s+")
_WORD_BEFORE = _kept_pattern(r"([A-Za-z][A-Za-z.]*)$")


@lru_cache(maxsize=1)
def section_titles() -> tuple[re.Pattern[str], dict[str, str]]:
    data = load_data("sections.yaml")
    names: dict[str, str] = {}
    for canonical, titles in data["sections"].items():
        for title in titles:
            names[title.lower()] = canonical
    alternatives = "|".join(sorted((re.escape(t) for t in names), key=len, reverse=True))
    # A heading starts a line and ends with a colon (or stands alone on its line in capitals).
    pattern = _kept_pattern(rf"(?im)^[ \t]*(?P<title>{alternatives})[ \t]*(?::|$)")
    return pattern, names


def _break_points(text: str, titles: list[re.Match[str]]) -> list[int]:
    """Offsets where a new sentence must start regardless of punctuation: headings, bullets, blank
    lines (unless the text has a blank line after every line, as some PDF extractions do)."""
    points: list[int] = []
    lines = text.count("\n")
    blank = len(re.findall(r"\n[ \t]*\n", text))
    blank_is_layout = lines > 4 and blank * 2 >= lines * 0.8
    if not blank_is_layout:
        points += [m.end() for m in re.finditer(r"\n[ \t]*\n", text)]
    points += [m.start() + 1 for m in _BULLET_LINE.finditer(text)]
    points += [m.start("title") for m in titles]
    points += [m.end() for m in titles]
    return sorted(set(points))


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of a record with their offsets and the section each falls under."""
    pattern, names = section_titles()
    titles = list(pattern.finditer(text))  # once: the headings both cut the text and name its sections
    cuts = set(_break_points(text, titles))
    for match in _END.finditer(text):
        before = _WORD_BEFORE.search(text, max(0, match.start() - 24), match.start())
        word = before.group(1).lower().rstrip(".") if before else ""
        if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha() and text[match.start() - 2 : match.start() - 1] == "."):
            continue
        cuts.add(match.end())
    headings = [(m.start("title"), names[m.group("title").lower()]) for m in titles]
    sentences: list[Sentence] = []
    previous = 0
    heading_starts = [offset for offset, _ in headings]
    for cut in sorted(cuts | {len(text)}):
        for piece_end in _pieces(text, previous, cut):
            _append(sentences, text, previous, piece_end, headings, heading_starts)
            previous = piece_end
    return sentences


def _pieces(text: str, start: int, end: int) -> list[int]:
    """Where a stretch of text is cut: at its end, or every MAX_SENTENCE characters (at a space when
    there is one) when it runs on. A run-on "sentence" of pages (a PDF without punctuation, a pasted
    table) would make every per-sentence reading cost its length times its mentions."""
    ends = []
    while end - start > MAX_SENTENCE:
        space = text.rfind(" ", start + MAX_SENTENCE // 2, start + MAX_SENTENCE)
        start = space + 1 if space > 0 else start + MAX_SENTENCE
        ends.append(start)
    return [*ends, end]


def _append(
    sentences: list[Sentence], text: str, start: int, end: int, headings: list[tuple[int, str]], heading_starts: list[int]
) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end <= start:
        return
    # the last heading at or before the sentence (a bisection: a record can have thousands of both)
    at = bisect.bisect_right(heading_starts, start) - 1
    section = headings[at][1] if at >= 0 else None
    sentences.append(Sentence(start, end, text[start:end], section))


# ---------------------------------------------------------------- dates

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for m in names
}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))

# Compiled lower-case without IGNORECASE or a leading look-behind (see matching.py): run on lower-cased
# text, the character before a match is checked in find_dates. The look-ahead names what every
# alternative starts with (a digit or a month's first three letters): `re` tries the alternatives only
# there, four times faster over a record than at every letter that may start a month's name.
DATE_PATTERN = _kept_pattern(
    r"(?=\d|jan|feb|ma[ry]|apr|ju[nl]|aug|sep|oct|nov|dec)"
    r"(?:"
    r"(?P<m>\d{1,2})\s?[/-]\s?(?P<d>\d{1,2})\s?[/-]\s?(?P<y>\d{4}|\d{2})"
    r"|(?P<iy>(?:19|20)\d{2})-(?P<im>\d{2})-(?P<id>\d{2})"
    rf"|(?P<tm>{_MONTH_NAMES})\.?\s+(?P<td>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<ty>(?:19|20)\d{{2}})"
    rf"|(?P<mm>{_MONTH_NAMES})\.?,?\s+(?:of\s+)?(?P<my>(?:19|20)\d{{2}})"
    r"|(?P<nm>\d{1,2})/(?P<ny>(?:19|20)\d{2})"
    r")(?![\d/])",
)


@dataclass(frozen=True, slots=True)
class DateMention:
    start: int
    end: int
    date: dt.date
    precision: str  # day | month | year


def _year(raw: str) -> int:
    year = int(raw)
    if year < 100:
        year += 2000 if year < 50 else 1900
    return year


def find_dates(text: str) -> list[DateMention]:
    """Calendar dates written in the ways records write them (04/10/2015, 11-3-16, March 2014...)."""
    found: list[DateMention] = []
    for m in DATE_PATTERN.finditer(lower_text(text)):
        if m.start() and text[m.start() - 1] in "0123456789/.-":
            continue
        try:
            if m.group("m"):
                date, precision = dt.date(_year(m.group("y")), int(m.group("m")), int(m.group("d"))), "day"
            elif m.group("iy"):
                date, precision = dt.date(int(m.group("iy")), int(m.group("im")), int(m.group("id"))), "day"
            elif m.group("tm"):
                date, precision = dt.date(int(m.group("ty")), _MONTHS[m.group("tm").lower()], int(m.group("td"))), "day"
            elif m.group("mm"):
                date, precision = dt.date(int(m.group("my")), _MONTHS[m.group("mm").lower()], 1), "month"
            else:
                date, precision = dt.date(int(m.group("ny")), int(m.group("nm")), 1), "month"
        except ValueError:
            continue
        found.append(DateMention(m.start(), m.end(), date, precision))
    if "19" in text or "20" in text:
        # a year alone, after the word that makes it a date: "in 1998", "since 2014"
        # the dates found so far are disjoint and in order: the one that may hold a year is the last
        # to start at or before it (a bisection; a scan per year made a long record quadratic)
        taken_starts = [d.start for d in found]
        taken_ends = [d.end for d in found]
        for m in _YEAR_PATTERN.finditer(lower_text(text)):
            at = bisect.bisect_right(taken_starts, m.start(1)) - 1
            if at >= 0 and m.start(1) < taken_ends[at]:
                continue
            found.append(DateMention(m.start(1), m.end(1), dt.date(int(m.group(1)), 1, 1), "year"))
        found.sort(key=lambda d: d.start)
    return found


_YEAR_PATTERN = _kept_pattern(
    r"\b(?:in|since|during|around|circa|from|until|of)\s+(?:the\s+year\s+|early\s+|late\s+|mid-?)?((?:19|20)\d{2})(?![\d/-])"
)


# ---------------------------------------------------------------- numbers and durations

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "eighteen": 18,
    "twenty": 20,
    "twenty-four": 24,
    "thirty": 30,
    "several": None,
    "a few": None,
    "a couple of": 2,
}
NUMBER = r"(?:\d+(?:\.\d+)?|" + "|".join(sorted((re.escape(w) for w in NUMBER_WORDS), key=len, reverse=True)) + r")"

_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}


def to_number(raw: str) -> float | None:
    raw = raw.strip().lower()
    if raw in NUMBER_WORDS:
        value = NUMBER_WORDS[raw]
        return float(value) if value is not None else None
    try:
        return float(raw)
    except ValueError:
        return None


def to_days(amount: str, unit: str) -> int | None:
    number = to_number(amount)
    if number is None:
        return None
    return int(round(number * _UNIT_DAYS[unit.lower().rstrip("s")]))
