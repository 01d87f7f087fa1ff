"""The IMR case file: what the review engine decides from, and what `imr cases import` takes.

YAML or JSON; its JSON Schema is `imr schema case`. A key that is not in the schema is refused, with
its file and line: a misspelled `expedite: true` must not file an expedited case as a standard one.
The case service's own keys (parties, documents...) travel here as they are written and are validated
by `imr.cases.intake`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from imr import input_files
from imr.errors import CaseFileError
from imr.input_files import InputFile
from imr.model import Sex


# An application disputes a handful of items; a file with hundreds is not an IMR case, and each item
# costs a review of the whole record.
MAX_REQUESTS = 100
# One record is one document of the packet: 2 million characters are some 600 pages. The engine's
# memory grows with a record's text (a 10 MB record passed 2 GB): a longer one is refused (split it into
# its documents, as `imr intake` does).
MAX_RECORD_CHARS = 2_000_000


class Worker(BaseModel):
    model_config = ConfigDict(extra="forbid")

    age: int | None = Field(default=None, ge=0, le=120)
    sex: Sex | None = None


class Request(BaseModel):
    """A disputed item as the UR decision lists it."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1)
    ur_basis: str | None = Field(default=None, description="The guideline the claims administrator cited.")
    original_request: str | None = Field(default=None, description="When part was authorized: the whole request.")
    authorized: str | None = Field(default=None, description="When part was authorized: what UR authorized.")


class RecordSource(BaseModel):
    """Where a record read from a packet came from: the file and its pages (`imr intake`)."""

    model_config = ConfigDict(extra="forbid")

    file: str = Field(min_length=1)
    pages: list[int] = Field(min_length=1, description="1-based page numbers in the file, in order.")
    offsets: list[int] | None = Field(
        default=None, description="Where each page's text begins in the record text (same order as pages)."
    )
    confidence: list[float | None] | None = Field(
        default=None, description="OCR confidence 0-1 of each page; null for a page read from its text layer."
    )

    def page_at(self, offset: int) -> int:
        """The page that holds the character at `offset` of the record text."""
        if not self.offsets:
            return self.pages[0]
        index = max((i for i, start in enumerate(self.offsets) if start <= offset), default=0)
        return self.pages[index]


class Record(BaseModel):
    """One medical record (progress note, report, UR decision...), as text."""

    model_config = ConfigDict(extra="forbid")

    date: dt.date | None = None
    kind: str | None = None
    author: str | None = None
    text: str = Field(max_length=MAX_RECORD_CHARS)
    source: RecordSource | None = None


class CaseFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    case_number: str | None = None
    received: dt.date | None = Field(default=None, description="Date the IMR application was received.")
    expedited: bool = False
    worker: Worker = Field(default_factory=Worker)
    injury_date: dt.date | None = None
    ur_decision_date: dt.date | None = Field(
        default=None, description="Date of the UR decision; it chooses the guideline edition in force."
    )
    requests: list[Request] = Field(min_length=1, max_length=MAX_REQUESTS)
    records: list[Record] = Field(default_factory=list)
    from_letter: bool = Field(default=False, description="Rebuilt from a published letter (imr review --from-letter, imr eval).")

    # The case service's keys, as written; `imr.cases.intake` validates their shape (docs/cases.md).
    claim_number: Any = None
    liability_disputed: Any = None
    applicant: Any = None
    ur_decision: Any = None
    parties: Any = None
    documents: Any = None

    # Where the file came from, for errors found later (the case service's keys).
    _document: InputFile | None = PrivateAttr(default=None)

    @property
    def document(self) -> InputFile:
        return self._document or InputFile(None, "case file")

    @property
    def decision_basis_date(self) -> dt.date | None:
        """The date that selects the guideline edition: the UR decision, else the latest record."""
        if self.ur_decision_date:
            return self.ur_decision_date
        dated = [r.date for r in self.records if r.date]
        return max(dated) if dated else self.received


def parse_document(document: InputFile) -> CaseFile:
    """Validate a decoded case file; errors name the file, the line and the field."""
    if not isinstance(document.data, dict):
        raise CaseFileError(f"{document.source}: expected a mapping of case fields, got {type(document.data).__name__}")
    case = input_files.validate(CaseFile, document, error=CaseFileError)
    case._document = document
    return case


def stored_case(data: dict[str, Any]) -> CaseFile:
    """A case file as the case service stored it (see `input_files.stored`)."""
    return input_files.stored(CaseFile, data)


def parse_case(data: Any, *, source: str = "case file") -> CaseFile:
    """Validate case data decoded elsewhere (an API body, a test); errors name the field."""
    return parse_document(InputFile(data, source))


def parse_text(text: str, *, source: str) -> CaseFile:
    """A case file's text (an upload): JSON when its name ends in .json, else YAML."""
    return parse_document(input_files.decode(text, source=source, as_json=source.lower().endswith(".json"), error=CaseFileError))


def load_case(path: str | Path) -> CaseFile:
    """Read a case file (YAML or JSON)."""
    return parse_document(input_files.read(path, error=CaseFileError))
