"""A packet (one or more PDFs) read into a case file: the facts of the forms and every document as a
record with its kind, date, author, text and the file and pages it came from.

Problems with one file or page (encrypted, damaged, noise, no UR determination) are collected as
one-line messages naming the file and page, and the rest is still read. Only when nothing usable is
left does `read_packet` raise.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from imr.casefile import MAX_REQUESTS, CaseFile, parse_case
from imr.packets import forms
from imr.packets.mend import Mender
from imr.packets.pages import Page, PacketError, page_count, read_pages
from imr.packets.split import PacketDocument, split_pages

Progress = Callable[[int], None]  # called with the number of pages just read


@dataclass
class Intake:
    """What a packet yielded: the case file data, the documents found, and the problems met."""

    documents: list[PacketDocument] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return sum(len(d.pages) for d in self.documents)

    def case(self) -> CaseFile:
        return parse_case(self.data, source="packet")


def packet_files(paths: Iterable[Path]) -> list[Path]:
    """The PDFs named, a directory standing for the PDFs in it (sorted by name)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() == ".pdf")
            if not found:
                raise PacketError(f"{path}: no PDF files in this directory")
            files += found
        elif path.exists():
            files.append(path)
        else:
            raise PacketError(f"{path}: no such file")
    return files


def count_pages(files: list[Path]) -> int:
    total = 0
    for file in files:
        try:
            total += page_count(file)
        except PacketError:
            pass  # reported when the file is read
    return total


def _read_documents(paths: Iterable[Path], *, ocr: bool, progress: Progress | None) -> Intake:
    """Every page of every file read, and split into documents of a kind; no case facts drawn yet."""
    intake = Intake()
    for file in packet_files(paths):
        pages: list[Page] = []
        try:
            for page in read_pages(file, ocr=ocr):
                pages.append(page)
                if page.problem:
                    intake.problems.append(page.problem)
                if progress:
                    progress(1)
        except PacketError as error:
            intake.problems.append(str(error))
            continue
        if pages:
            intake.documents += split_pages(pages)
    return intake


def read_packet(paths: Iterable[Path], *, ocr: bool = True, progress: Progress | None = None) -> Intake:
    """Read every page of every file, split and classify the documents, and draw up the case."""
    intake = _read_documents(paths, ocr=ocr, progress=progress)
    intake.data = case_data(intake)
    return intake


def read_records(paths: Iterable[Path], *, ocr: bool = True) -> Intake:
    """Records that arrive after the case is open, read as a packet's are (pages, OCR, split, kind,
    date, author, file and pages), but with no case facts: the case has them already. `data` holds
    only `records`; an unreadable file or page is a problem, not an error."""
    intake = _read_documents(paths, ocr=ocr, progress=None)
    intake.data = {"records": [_record(d) for d in intake.documents if d.text.strip()]}
    return intake


@contextmanager
def as_files(uploads: Sequence[tuple[str, bytes]]) -> Iterator[list[Path]]:
    """Uploaded PDFs as files, for the reader, in a private temporary folder (mode 0700) that is always
    removed: a packet is PHI and must not outlive the request on disk. Names are taken as bare file
    names and must differ (the records point at their file by name)."""
    names = [Path(name).name for name, _ in uploads]
    if len(set(names)) != len(names) or not all(names):
        raise PacketError("each file of a packet needs a name of its own (two files share one, or one has none)")
    with tempfile.TemporaryDirectory(prefix="imr-packet-") as folder:
        paths = []
        for name, (_, content) in zip(names, uploads):
            path = Path(folder) / name
            path.write_bytes(content)
            paths.append(path)
        yield paths


def _first(documents: list[PacketDocument], kind: str) -> PacketDocument | None:
    return next((d for d in documents if d.kind == kind), None)


def _from(documents: list[PacketDocument], read: Callable[[str], Any]) -> Any:
    for document in documents:
        if (value := read(document.text)) is not None:
            return value
    return None


def case_data(intake: Intake) -> dict[str, Any]:
    """The case file data drawn up from the documents found (the forms first); PacketError when
    nothing usable is left."""
    documents = [d for d in intake.documents if d.text.strip()]
    if not documents:
        raise PacketError("nothing readable in the packet" + (f" ({'; '.join(intake.problems[:3])})" if intake.problems else ""))
    by_kind = {kind: [d for d in documents if d.kind == kind] for kind in ("imr_application", "ur_determination", "rfa")}
    application, rfas = by_kind["imr_application"], by_kind["rfa"]
    # The latest UR determination is the one under review (an earlier one may have been appealed).
    urs = sorted(by_kind["ur_determination"], key=lambda d: d.date or dt.date.min, reverse=True)
    forms_first = application + urs + rfas
    others = [d for d in documents if d not in forms_first]
    data: dict[str, Any] = {}
    data["claim_number"] = _from(forms_first + others, forms.claim_number)
    data["injury_date"] = _from(forms_first + others, forms.injury_date)
    data["received"] = _from(application, forms.received_date) if application else None
    data["expedited"] = bool(_from(application, forms.expedited)) if application else False
    data["ur_decision_date"] = urs[0].date if urs and urs[0].date else _from(application, _ur_date_on_application)
    on = data["received"] or data["ur_decision_date"]
    age, sex = forms.worker_age_sex([d.text for d in others], dob_text="\n".join(d.text for d in forms_first), on=on)
    data["worker"] = {k: v for k, v in (("age", age), ("sex", sex)) if v is not None}
    data["requests"] = _requests(urs, rfas, intake, application)
    if not application:
        intake.problems.append("no IMR application found in the packet: date received, expedited and claim number may be missing")
    data["records"] = [_record(d) for d in documents]
    if not data["requests"]:
        raise PacketError(
            "no disputed items found: the packet has no readable UR determination or RFA"
            + (f" ({'; '.join(intake.problems[:3])})" if intake.problems else "")
        )
    return {k: v for k, v in data.items() if v is not None}


def _ur_date_on_application(text: str) -> dt.date | None:
    from imr.packets.dates import labelled_date

    return labelled_date(text, r"(?:date of )?(?:utilization review|ur) decision(?: date)?", reach=30)


_VOTED_WORDS = 20  # an item's name is a few words; a longer text is kept as it is read


class Votes:
    """The runs of words on the lines of the form copies (the UR determination, the RFA and the IMR
    application each list the items), counted for each run length asked for and grouped by the numbers
    in them: each length is counted once, however many items ask."""

    def __init__(self, copies: list[str]) -> None:
        self._lines = [line.split() for copy in copies for line in copy.splitlines()]
        self._counted: dict[int, dict[tuple[str, ...], Counter[str]]] = {}

    def of_length(self, size: int) -> dict[tuple[str, ...], Counter[str]]:
        if size not in self._counted:
            groups: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
            for words in self._lines:
                for start in range(max(0, len(words) - size + 1)):
                    window = " ".join(words[start : start + size]).strip(".,;:=|")
                    groups[tuple(_NUMBER.findall(window))][window] += 1
            self._counted[size] = groups
        return self._counted[size]


_NUMBER = re.compile(r"\d+")


def consensus(text: str, votes: Votes, *, scanned: bool = False) -> str:
    """The wording of an item that most copies agree on, so that an OCR slip in one copy ("Synvise",
    "leftknee") is outvoted by the others. Quantities tell items apart ("#120" and "#60"): never
    voted on. On `scanned` forms, runs of one word more or fewer are compared too: OCR joins two
    words or splits one."""
    size = len(text.split())
    if size > _VOTED_WORDS:
        return text
    numbers = tuple(_NUMBER.findall(text))
    seen = Counter(votes.of_length(size).get(numbers, Counter()))
    letters = len(text) - text.count(" ")
    for length in [n for n in (size - 1, size + 1) if n > 0] if scanned else []:
        # a run of another length is the same words only when it has (nearly) the same letters
        for words, count in votes.of_length(length).get(numbers, Counter()).items():
            if abs(len(words) - words.count(" ") - letters) <= 1:
                seen[words] += count
    close = [
        (n, w)
        for w, n in seen.items()
        if (w[:1].lower() == text[:1].lower() or w[-3:] == text[-3:])
        # a ratio of 0.9 needs lengths within a quarter of each other: the longer are not compared
        and (w == text or (len(w) <= 1.25 * len(text) + 1 and SequenceMatcher(None, w, text).ratio() >= 0.9))
    ]
    if not close:
        return text
    best_count, best = max(close)
    return best if best_count > seen.get(text, 0) else text


def _requests(
    urs: list[PacketDocument], rfas: list[PacketDocument], intake: Intake, application: list[PacketDocument] | None = None
) -> list[dict[str, Any]]:
    for ur in urs:
        items = forms.ur_items(forms.decision_slips(ur.text) if _scanned(ur) else ur.text)
        if len(items) > MAX_REQUESTS:
            raise PacketError(
                f"{ur.file} pages {_pages(ur)}: the UR determination lists {len(items)} items, more than {MAX_REQUESTS}"
            )
        if items:
            votes = Votes([d.text for d in [ur, *rfas, *(application or [])]])
            scanned = _scanned(ur)
            mend = _mender(ur, intake)
            for item in items:
                item.text = mend(consensus(item.text, votes, scanned=scanned))
                if item.authorized:
                    item.authorized = mend(consensus(item.authorized, votes, scanned=scanned))
            requests = []
            for item in items:
                if item.decision == "certified":
                    continue
                # OCR specks after the value; runs of spaces where a scan spread the words
                item.basis = mend(" ".join(item.basis.split()).strip(" :;,.")) if item.basis else None
                request: dict[str, Any] = {"text": item.text, "ur_basis": item.basis}
                if item.decision == "modified" and item.authorized:
                    request = {
                        "text": remaining_request(item.text, item.authorized),
                        "ur_basis": item.basis,
                        "original_request": item.text,
                        "authorized": item.authorized,
                    }
                requests.append({k: v for k, v in request.items() if v is not None})
            if not requests:
                intake.problems.append(
                    f"{ur.file} pages {_pages(ur)}: the UR determination certified every item; nothing is in dispute"
                )
            return requests
        intake.problems.append(f"{ur.file} pages {_pages(ur)}: UR determination found but its decisions could not be read")
    if not urs:
        intake.problems.append(
            "no UR determination found in the packet: disputed items are taken from the RFA, without the UR's basis"
        )
    for rfa in rfas:
        if rfa_texts := forms.rfa_items(rfa.text):
            mend = _mender(rfa, intake)
            return [{"text": mend(text)} for text in rfa_texts]
    return []


def _scanned(form: PacketDocument) -> bool:
    return any(page.method == "ocr" for page in form.pages)


def _mender(form: PacketDocument, intake: Intake) -> Callable[[str], str]:
    """OCR slips in the values of a scanned form mended (`imr.packets.mend`)."""
    if not _scanned(form):
        return str  # a typed form's values are taken as they are
    return Mender(d.text for d in intake.documents).mend


def _pages(document: PacketDocument) -> str:
    numbers = document.page_numbers
    return f"{numbers[0]}-{numbers[-1]}" if len(numbers) > 1 else str(numbers[0])


_QUANTITIES = (
    re.compile(r"#\s?(?P<n>\d+)"),
    re.compile(r"(?P<n>\d+)(?=\s*(?:additional\s+)?(?:sessions|visits|treatments)\b)", re.IGNORECASE),
    re.compile(r"(?P<f>\d+)\s?x\s?(?P<n>\d+)", re.IGNORECASE),
)


def remaining_request(original: str, authorized: str) -> str:
    """What stays in dispute when UR authorized part of a request: the quantity it did not authorize
    ("Norco 10/325mg #90" with "#45" authorized -> "Norco 10/325mg #45"). The whole request when the
    two quantities cannot be compared."""
    for pattern in _QUANTITIES:
        asked, given = pattern.search(original), pattern.search(authorized)
        if not (asked and given):
            continue
        if "f" in pattern.groupindex and asked.group("f") != given.group("f"):
            continue  # 3x4 against 2x6: weeks of different frequency cannot be subtracted
        left = int(asked.group("n")) - int(given.group("n"))
        if left <= 0:
            continue
        start, end = asked.span("n")
        return original[:start] + str(left) + original[end:]
    return original


def _record(document: PacketDocument) -> dict[str, Any]:
    source: dict[str, Any] = {"file": document.file, "pages": document.page_numbers, "offsets": document.page_offsets}
    if any(p.method == "ocr" for p in document.pages):
        source["confidence"] = [p.confidence if p.method == "ocr" else None for p in document.pages]
    record = {"date": document.date, "kind": document.label, "author": document.author, "text": document.text, "source": source}
    return {k: v for k, v in record.items() if v is not None}
