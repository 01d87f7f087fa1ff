"""The IMR case file: what the review engine decides from, and what `imr cases import` takes.

YAML or JSON; its JSON Schema is `imr schema case`. Unknown keys are kept (not rejected) so that later
stages (parties, documents) can travel in the same file.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from imr.errors import CaseFileError
from imr.model import Sex


class Worker(BaseModel):
    model_config = ConfigDict(extra="allow")

    age: int | None = Field(default=None, ge=0, le=120)
    sex: Sex | None = None


class Request(BaseModel):
    """A disputed item as the UR decision lists it."""

    model_config = ConfigDict(extra="allow")

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
        default=None, description="Where each page's text begins in the record text (same order as pages).")
    confidence: list[float | None] | None = Field(
        default=None, description="OCR confidence 0-1 of each page; null for a page read from its text layer.")

    def page_at(self, offset: int) -> int:
        """The page that holds the character at `offset` of the record text."""
        if not self.offsets:
            return self.pages[0]
        index = max((i for i, start in enumerate(self.offsets) if start <= offset), default=0)
        return self.pages[index]


class Record(BaseModel):
    """One medical record (progress note, report, UR decision...), as text."""

    model_config = ConfigDict(extra="allow")

    date: dt.date | None = None
    kind: str | None = None
    author: str | None = None
    text: str
    source: RecordSource | None = None


class CaseFile(BaseModel):
    model_config = ConfigDict(extra="allow")

    case_number: str | None = None
    received: dt.date | None = Field(default=None, description="Date the IMR application was received.")
    expedited: bool = False
    worker: Worker = Field(default_factory=Worker)
    injury_date: dt.date | None = None
    ur_decision_date: dt.date | None = Field(
        default=None, description="Date of the UR decision; it chooses the guideline edition in force."
    )
    requests: list[Request] = Field(min_length=1)
    records: list[Record] = Field(default_factory=list)

    @property
    def decision_basis_date(self) -> dt.date | None:
        """The date that selects the guideline edition: the UR decision, else the latest record."""
        if self.ur_decision_date:
            return self.ur_decision_date
        dated = [r.date for r in self.records if r.date]
        return max(dated) if dated else self.received


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "(top level)"
    return f"{where}: {first['msg']}"


def parse_case(data: Any, *, source: str = "case file") -> CaseFile:
    """Validate a decoded case file; errors name the field."""
    if not isinstance(data, dict):
        raise CaseFileError(f"{source}: expected a mapping of case fields, got {type(data).__name__}")
    try:
        return CaseFile.model_validate(data)
    except ValidationError as error:
        raise CaseFileError(f"{source}: invalid field {_describe(error)}") from None


def load_case(path: str | Path) -> CaseFile:
    """Read a case file (YAML or JSON)."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CaseFileError(f"{path}: cannot read case file ({error.__class__.__name__})") from None
    try:
        data = json.loads(raw) if path.suffix.lower() == ".json" else yaml.safe_load(raw)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        line = getattr(getattr(error, "problem_mark", None), "line", None)
        at = f" at line {line + 1}" if line is not None else ""
        raise CaseFileError(f"{path}: not valid {'JSON' if path.suffix == '.json' else 'YAML'}{at}") from None
    return parse_case(data, source=str(path))
