"""The IMR case file: what the review engine decides from, and what `imr cases import` takes.

YAML or JSON; its JSON Schema is `imr schema case`. Unknown keys are kept (not rejected) so that later
stages (parties, documents) can travel in the same file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from imr.errors import CaseFileError
from imr.model import Sex
from imr.userdata import MAX_USER_FILE_BYTES, load_user_data


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


class Record(BaseModel):
    """One medical record (progress note, report, UR decision...), as text."""

    model_config = ConfigDict(extra="allow")

    date: dt.date | None = None
    kind: str | None = None
    text: str


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
        with path.open("rb") as handle:  # no further than the bound: a huge file is refused, not read
            raw = handle.read(MAX_USER_FILE_BYTES + 1).decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CaseFileError(f"{path}: cannot read case file ({error.__class__.__name__})") from None
    data = load_user_data(raw, source=str(path), json_format=path.suffix.lower() == ".json", error=CaseFileError)
    return parse_case(data, source=str(path))
