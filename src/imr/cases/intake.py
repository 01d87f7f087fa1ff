"""What `imr cases import` reads beyond the review engine's case file: parties, the UR decision, documents.

These keys travel as unknown keys of `imr.casefile.CaseFile` (its `model_extra`); their shape is
documented in docs/cases.md and validated here, with errors naming the field.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from imr.casefile import CaseFile
from imr.cases import data
from imr.cases.errors import validated
from imr.errors import CaseFileError


def _party_data() -> dict[str, Any]:
    return data.load("parties")


def party_roles() -> dict[str, dict[str, str]]:
    return _party_data()["roles"]


def person_affixes() -> set[str]:
    """Honorifics and degrees ("Dr.", "MD") that are not part of a person's name."""
    return set(_party_data()["person_affixes"])


class PartyIn(BaseModel):
    """A party to the dispute. Identifying details are kept for screening and for redaction."""

    model_config = ConfigDict(extra="allow")

    role: str
    name: str = Field(min_length=1)
    address: str | None = None
    phone: str | None = None
    date_of_birth: dt.date | None = None
    ssn: str | None = None
    claim_number: str | None = None
    specialty: str | None = None
    represents: str | None = Field(default=None, description="Attorneys: injured_worker or employer.")

    @field_validator("role")
    @classmethod
    def _known_role(cls, role: str) -> str:
        if role not in party_roles():
            raise ValueError(f"unknown party role {role!r} (one of: {', '.join(party_roles())})")
        return role


class URDecisionIn(BaseModel):
    model_config = ConfigDict(extra="allow")

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

    model_config = ConfigDict(extra="ignore")

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


def read_intake(case: CaseFile, *, source: str = "case file") -> Intake:
    """Validate the intake keys of a case file; the error names the field."""
    return validated(Intake, case.model_extra or {}, source=source, error=CaseFileError)


def ur_decision_date(case: CaseFile, intake: Intake) -> dt.date | None:
    return case.ur_decision_date or intake.ur_decision.date


def as_json(value: Any) -> Any:
    """A case file as stored: JSON-compatible, unknown keys included."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    return value
