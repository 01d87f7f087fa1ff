"""Cases from IMR packets: the PDFs a review organization receives, read into the case file before the
case is opened (`imr.packets`), and PDFs that arrive later read the same way into more records.

Reading is slow (a scanned page takes a second of OCR), so it happens here, before the caller opens a
transaction; the case service then files what was read (`service.import_case`, `service.add_document`).
Every record keeps the name its file is filed under, so evidence found in it leads back to the stored
PDF and the page (`document_of`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from imr.casefile import CaseFile, Record
from imr.cases.errors import InvalidInput
from imr.cases.models import Case, CaseDocument

# how a PDF filed from a packet is listed among the case's documents
PACKET_KIND = "packet"


@dataclass(frozen=True)
class PacketRead:
    """A packet read into a case file, the PDFs to file with it, and the pages that could not be read."""

    case_file: CaseFile
    files: list[Any]  # service.NewDocument (not imported: the service imports this module)
    problems: list[str]


@dataclass(frozen=True)
class RecordsRead:
    """The records read from a PDF filed later (none from a text file), and what could not be read."""

    records: list[dict[str, Any]]
    problems: list[str]
    kind: str | None = None  # the document's kind and date when the PDF holds one document
    date: Any = None


def is_pdf(content: bytes) -> bool:
    return content.lstrip()[:5] == b"%PDF-"


def read_packet_files(files: list[Any], *, case_number: str | None = None, ocr: bool = True) -> PacketRead:
    """The case a packet of PDFs (`service.NewDocument`s) describes; slow, so called outside any
    transaction. Raises `PacketError` when nothing usable is left, `InvalidInput` for a file that is
    not a PDF."""
    from imr.packets.intake import as_files, read_packet

    if not files:
        raise InvalidInput("packet: choose the PDF files of the packet")
    for file in files:
        if not is_pdf(file.content):
            raise InvalidInput(f"{file.filename}: not a PDF; a packet is the PDF files the review organization received")
    with as_files([(f.filename, f.content) for f in files]) as paths:
        intake = read_packet(paths, ocr=ocr)
    if case_number:
        intake.data["case_number"] = case_number
    filed = [dataclasses.replace(f, filename=p.name, kind=f.kind or PACKET_KIND) for f, p in zip(files, paths)]
    return PacketRead(intake.case(), filed, intake.problems)


def read_later_records(filename: str, content: bytes, *, ocr: bool = True) -> RecordsRead:
    """The records in a PDF that arrives after the case is open (nothing for a text file)."""
    from imr.packets import PacketError
    from imr.packets.intake import as_files, read_records

    if not is_pdf(content):
        return RecordsRead([], [])
    try:
        with as_files([(filename, content)]) as paths:
            intake = read_records(paths, ocr=ocr)
    except PacketError as error:  # the file is still filed; the message says why it was not read
        return RecordsRead([], [str(error)])
    records = intake.data["records"]
    if len(intake.documents) == 1:
        only = intake.documents[0]
        return RecordsRead(records, intake.problems, only.label, only.date)
    return RecordsRead(records, intake.problems)


def unique_filename(case: Case, filename: str, sha256: str) -> str:
    """The name a new document is filed under: its own, or numbered when another document of the case
    has that name (records find their PDF by name)."""
    taken = {d.filename for d in case.documents if d.sha256 != sha256}
    name = filename.replace("\\", "/").rsplit("/", 1)[-1] or "document"
    if name not in taken:
        return name
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    number = 2
    while (candidate := f"{stem} ({number}){dot}{suffix}") in taken:
        number += 1
    return candidate


def add_records(case: Case, filed: CaseDocument, records: list[dict[str, Any]]) -> int:
    """Append the records read from `filed` to the case file, each pointing at the name it is filed
    under; records of that document already in the case are not added twice. The count added."""
    data = dict(case.case_file)
    present = data.get("records") or []
    if any((r.get("source") or {}).get("file") == filed.filename for r in present):
        return 0
    added = [
        Record.model_validate({**r, "source": {**r["source"], "file": filed.filename}}).model_dump(mode="json", exclude_none=True)
        for r in records
    ]
    if added:
        data["records"] = [*present, *added]
        case.case_file = data  # a new dict: SQLAlchemy writes a JSON column it sees replaced
    return len(added)


def document_of(case: Case, file: str) -> CaseDocument | None:
    """The filed PDF a record read from a packet points at (its latest of that name, should an older
    case hold two)."""
    return next((d for d in reversed(case.documents) if d.filename == file and d.blob.media_type == "application/pdf"), None)
