"""Split a packet's pages into documents and say what each one is, when, and by whom.

The rules are data (`data/kinds.yaml`): title lines that open a document of each kind, marks of a
continuation page, date labels and author credentials. A page opens a document when a title stands
among its first lines and nothing says it continues the one before.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from imr.packets.dates import DATE, labelled_date, to_date
from imr.packets.pages import Page

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class _Rules:
    head_lines: int
    continuation: list[re.Pattern[str]]
    titles: list[tuple[str, re.Pattern[str]]]
    labels: dict[str, str]
    dates: dict[str, list[str]]
    author: re.Pattern[str]
    no_author: frozenset[str]


@cache
def rules() -> _Rules:
    raw: dict[str, Any] = yaml.safe_load((DATA / "kinds.yaml").read_text(encoding="utf-8"))
    titles = [(kind, re.compile("(?:" + "|".join(spec["titles"]) + r")", re.IGNORECASE)) for kind, spec in raw["kinds"].items()]
    credentials = "|".join(raw["credentials"])
    author = re.compile(
        rf"(?<![A-Za-z])(?P<name>[A-Z][a-z]+(?: [A-Z]\.)? (?:[A-Z][a-z]*[-' ]?)?[A-Z][A-Za-z'-]+),? (?P<cred>{credentials})(?![A-Za-z])"
    )
    return _Rules(
        head_lines=raw["head_lines"],
        continuation=[re.compile(p, re.IGNORECASE | re.MULTILINE) for p in raw["continuation"]],
        titles=titles,
        labels={kind: spec["label"] for kind, spec in raw["kinds"].items()},
        dates=raw["dates"],
        author=author,
        no_author=frozenset(raw["no_author"]),
    )


@dataclass
class PacketDocument:
    """One document found in a packet file: its kind, pages and text."""

    file: str
    kind: str
    pages: list[Page] = field(default_factory=list)
    date: dt.date | None = None
    author: str | None = None

    @property
    def label(self) -> str:
        return rules().labels[self.kind]

    @property
    def page_numbers(self) -> list[int]:
        return [p.number for p in self.pages]

    @property
    def text(self) -> str:
        return "\n".join(p.text.strip("\n") for p in self.pages)

    @property
    def page_offsets(self) -> list[int]:
        """Where each page's text begins in `text` (for pointing evidence at a page)."""
        offsets, at = [], 0
        for page in self.pages:
            offsets.append(at)
            at += len(page.text.strip("\n")) + 1
        return offsets


_TITLE_LINE = 300  # characters; a longer line is prose, not a title (and is not cleaned or matched)
_FIRST = re.compile(r"[\w(]")
_LAST = re.compile(r"[\w)]")


def _clean(line: str) -> str:
    # OCR sprinkles stray dots and marks into a scanned title ("REVIEW. DETERMINATION")
    line = re.sub(r"(?<=[A-Za-z])[.,:;=_|~*](?= [A-Za-z])", "", line)
    line = re.sub(r"\s+", " ", line)
    # and a speck read as ©, ® or a quote at either end; the end is found from the back, since a
    # pattern anchored at the end ([^\w)]+$) is retried at every position of a long run of marks
    first, last = _FIRST.search(line), _LAST.search(line[::-1])
    if first is None or last is None:
        return ""
    return line[first.start() : len(line) - last.start()]


def _head_lines(text: str, count: int) -> list[str]:
    """The first `count` non-empty cleaned lines of a page (short ones: see _TITLE_LINE)."""
    lines: list[str] = []
    for line in text.splitlines():
        if len(line) > _TITLE_LINE:
            lines.append(line)  # counts as a line of the head, never as a title
        elif cleaned := _clean(line):
            lines.append(cleaned)
        if len(lines) == count:
            break
    return lines


def title_kind(text: str) -> str | None:
    """The kind whose title stands among the first lines of a page, if any."""
    r = rules()
    for line in _head_lines(text, r.head_lines):
        if len(line) > _TITLE_LINE:
            continue
        for kind, pattern in r.titles:
            if pattern.fullmatch(line):
                return kind
    return None


def continues(text: str) -> bool:
    return any(p.search(text) for p in rules().continuation)


def split_pages(pages: list[Page]) -> list[PacketDocument]:
    """Group one file's pages into documents (in page order)."""
    documents: list[PacketDocument] = []
    for page in pages:
        kind = title_kind(page.text) if page.text else None
        opens = kind is not None and not continues(page.text)
        if opens or not documents:
            documents.append(PacketDocument(page.file, kind or "other"))
        documents[-1].pages.append(page)
    for document in documents:
        document.date = service_date(document.kind, document.text)
        document.author = author_of(document.kind, document.text)
    return documents


_NOT_SERVICE = re.compile(r"(?:birth|dob|d\.o\.b|injury|doi|d\.o\.i)\W{0,12}$", re.IGNORECASE)


def service_date(kind: str, text: str) -> dt.date | None:
    """The date of service (or of the decision, or of receipt) of one document."""
    r = rules()
    for label in [*r.dates.get(kind, []), *r.dates["*"]]:
        if (date := labelled_date(text, label)) is not None:
            return date
    for match in DATE.finditer(text):  # the first date that is not a birth or injury date
        if not _NOT_SERVICE.search(text[max(0, match.start() - 25) : match.start()]) and (date := to_date(match)):
            return date
    return None


def author_of(kind: str, text: str) -> str | None:
    r = rules()
    if kind in r.no_author:
        return None
    found = list(r.author.finditer(text))
    if not found:
        return None
    last = found[-1]
    credential = re.sub(r"\.", "", last.group("cred"))
    credential = {"LAc": "L.Ac."}.get(credential, credential)
    return f"{last.group('name')}, {credential}"
