"""What `imr cases import` reads beyond the review engine's case file: parties, the UR decision, documents.

These keys travel untyped in `imr.casefile.CaseFile`; their shape is documented in docs/cases.md and
validated here, with errors naming the file, line and field. Unknown keys are refused at every level.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from imr.casefile import CaseFile
from imr.cases import data
from imr import input_files
from imr.errors import CaseFileError
from imr.input_files import InputFile


def _party_data() -> dict[str, Any]:
    return data.load("parties")


def party_roles() -> dict[str, dict[str, str]]:
    return _party_data()["roles"]


def person_affixes() -> set[str]:
    """Honorifics and degrees ("Dr.", "MD") that are not part of a person's name."""
    return set(_party_data()["person_affixes"])


class PartyIn(BaseModel):
    """A party to the dispute. Identifying details are kept for screening and for redaction."""

    model_config = ConfigDict(extra="forbid")

    role: str
    name: str = Field(min_length=1)
    address: str | None = None
    phone: str | None = None
    date_of_birth: dt.date | None = None
    ssn: str | None = None
    claim_number: str | None = None
    specialty: str | None = None
    represents: str | None = Field(default=None, description="Attorneys: injured_worker or employer.")
    practice: str | None = Field(default=None, description="Providers: the practice or medical group.")
    firm: str | None = Field(default=None, description="Attorneys: the law firm.")

    @field_validator("role")
    @classmethod
    def _known_role(cls, role: str) -> str:
        if role not in party_roles():
            raise ValueError(f"unknown party role {role!r} (one of: {', '.join(party_roles())})")
        return role


class URDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: dt.date | None = None
    served: dt.date | None = Field(default=None, description="Date of service on the employee, if known.")
    organization: str | None = None
    basis: str | None = Field(default=None, description="What the decision decided: 'medical necessity', 'liability'...")


class DocumentRef(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str = Field(min_length=1, description="Relative to the case file.")
    kind: str | None = None
    date: dt.date | None = None


class Intake(BaseModel):
    """The case-service part of a case file."""

    model_config = ConfigDict(extra="forbid")

    claim_number: str | None = None
    liability_disputed: bool = False
    applicant: str | None = Field(default=None, description="Who filed the application: injured_worker (default), attorney...")
    ur_decision: URDecisionIn = Field(default_factory=URDecisionIn)
    parties: list[PartyIn] = Field(default_factory=list)
    documents: list[DocumentRef] = Field(default_factory=list)

    @property
    def resolved_claim_number(self) -> str | None:
        if self.claim_number:
            return self.claim_number
        return next((p.claim_number for p in self.parties if p.claim_number), None)


def read_intake(case: CaseFile, *, source: str | None = None) -> Intake:
    """Validate the intake keys of a case file; the error names the file, line and field."""
    written = {key: value for key in Intake.model_fields if (value := getattr(case, key)) is not None}
    document = case.document
    return input_files.validate(Intake, InputFile(written, source or document.source, document.lines), error=CaseFileError)


def stored_intake(case: CaseFile) -> Intake:
    """The intake keys of a stored case file (unknown keys kept by earlier versions are dropped)."""
    return input_files.stored(Intake, {key: value for key in Intake.model_fields if (value := getattr(case, key)) is not None})


def ur_decision_date(case: CaseFile, intake: Intake) -> dt.date | None:
    return case.ur_decision_date or intake.ur_decision.date


def as_json(value: Any) -> Any:
    """A case file as stored: JSON-compatible, unknown keys included."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    return value
