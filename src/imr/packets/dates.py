"""Dates as packets write them: 04/21/2016, 4/21/16, April 21, 2016, APR 21 2016, 2016-04-21.

OCR turns a digit into a letter now and then (O for 0, l or I for 1, S for 5); inside something
shaped like a date those are read back as digits.
"""

from __future__ import annotations

import datetime as dt
import re

_MONTHS = {m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_DIGITISH = "0-9OoIlS"
_NUMERIC = rf"(?P<m>[{_DIGITISH}]{{1,2}})\s?[/.-]\s?(?P<d>[{_DIGITISH}]{{1,2}})\s?[/.-]\s?(?P<y>[{_DIGITISH}]{{4}}|[{_DIGITISH}]{{2}})(?![0-9])"
_ISO = r"(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})"
_WORDS = r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(?P<wd>[0-9OoIl]{1,2})(?:st|nd|rd|th)?,?\s+(?P<wy>[0-9OoIlS]{4})"
DATE = re.compile(rf"(?<![0-9A-Za-z])(?:{_ISO}|{_NUMERIC}|{_WORDS})", re.IGNORECASE)

_DIGIT = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "S": "5"})


def _number(text: str) -> int:
    return int(text.translate(_DIGIT))


def to_date(match: re.Match[str]) -> dt.date | None:
    """The date a `DATE` match names, or None when it is not a calendar date."""
    try:
        if match.group("iy"):
            return dt.date(int(match.group("iy")), int(match.group("im")), int(match.group("id")))
        if match.group("m"):
            year = _number(match.group("y"))
            year += 2000 if year < 70 else (1900 if year < 100 else 0)
            return dt.date(year, _number(match.group("m")), _number(match.group("d")))
        return dt.date(_number(match.group("wy")), _MONTHS[match.group("mon")[:3].lower()], _number(match.group("wd")))
    except ValueError:
        return None


def first_date(text: str) -> dt.date | None:
    for match in DATE.finditer(text):
        if (date := to_date(match)) is not None and 1900 < date.year < 2100:
            return date
    return None


def labelled_date(text: str, label: str, *, reach: int = 60) -> dt.date | None:
    """The first date within `reach` characters after a line-leading or inline `label` (a regex)."""
    pattern = re.compile(rf"(?im)(?:^|\b){label}(?![a-z])\s*[:#.]?", re.IGNORECASE) if label != "^" else None
    if pattern is None:  # a line that is nothing but a date (the date line of a letter)
        for line in text.splitlines():
            line = line.strip()
            if line and (match := DATE.fullmatch(line)) and (date := to_date(match)):
                return date
        return None
    for found in pattern.finditer(text):
        window = text[found.end() : found.end() + reach].split("\n\n")[0]
        if (date := first_date(window)) is not None:
            return date
    return None
