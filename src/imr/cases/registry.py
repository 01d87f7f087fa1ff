"""The reviewer registry: credentials, affiliations, and each reviewer's open workload."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from imr.cases.access import Actor, record, require
from imr.cases.db import add_unique
from imr.cases.errors import InvalidInput, NotFoundError, validated
from imr.cases.models import Assignment, Case, Reviewer
from imr.cases.screening import Affiliation, ReviewerProfile

# Cases in these states count toward a reviewer's workload.
WORKLOAD_STATES = ("assigned", "in_review")


class AffiliationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    relation: str = Field(default="professional", description="employment, financial, familial or professional")


class ReviewerIn(BaseModel):
    """A reviewer as registered (YAML for `imr reviewers add`, JSON for the API)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    specialties: list[str] = Field(min_length=1)
    board_certifications: list[str] = Field(default_factory=list)
    subspecialty: str | None = None
    license_states: list[str] = Field(default_factory=list)
    license_restricted: bool = False
    disciplinary_history: bool = False
    years_in_practice: int = Field(default=0, ge=0)
    active_practice_hours: float = Field(default=0, ge=0, le=168)
    affiliations: list[AffiliationIn] = Field(default_factory=list)
    active: bool = True


def parse_reviewer(data: Any, *, source: str = "reviewer") -> ReviewerIn:
    return validated(ReviewerIn, data, source=source)


def add_reviewer(session: Session, actor: Actor, data: ReviewerIn) -> Reviewer:
    require(actor, "reviewers.write")
    values = data.model_dump()
    values["specialties"] = [s.lower() for s in data.specialties]
    reviewer = Reviewer(**values)
    add_unique(session, reviewer, InvalidInput(f"a reviewer named {data.name!r} is already registered"))
    record(session, actor, "reviewer.add", None)
    return reviewer


def get_reviewer(session: Session, reviewer_id: int) -> Reviewer:
    reviewer = session.get(Reviewer, reviewer_id)
    if reviewer is None:
        raise NotFoundError(f"no reviewer {reviewer_id}")
    return reviewer


def open_workloads(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(Assignment.reviewer_id, func.count())
        .join(Case, Case.id == Assignment.case_id)
        .where(Assignment.ended_at.is_(None), Case.state.in_(WORKLOAD_STATES))
        .group_by(Assignment.reviewer_id)
    ).all()
    return {reviewer_id: count for reviewer_id, count in rows}


def list_reviewers(session: Session, actor: Actor) -> list[dict[str, Any]]:
    require(actor, "reviewers.read")
    load = open_workloads(session)
    return [reviewer_view(r, load.get(r.id, 0)) for r in session.scalars(select(Reviewer).order_by(Reviewer.id))]


def profile_of(reviewer: Reviewer, open_cases: int) -> ReviewerProfile:
    return ReviewerProfile(
        id=reviewer.id,
        name=reviewer.name,
        specialties=tuple(reviewer.specialties),
        board_certifications=tuple(reviewer.board_certifications),
        license_states=tuple(reviewer.license_states),
        license_restricted=reviewer.license_restricted,
        disciplinary_history=reviewer.disciplinary_history,
        years_in_practice=reviewer.years_in_practice,
        active_practice_hours=reviewer.active_practice_hours,
        affiliations=tuple(Affiliation(a["name"], a.get("relation", "professional")) for a in reviewer.affiliations),
        active=reviewer.active,
        open_cases=open_cases,
    )


def reviewer_view(reviewer: Reviewer, open_cases: int) -> dict[str, Any]:
    return {
        "id": reviewer.id,
        "name": reviewer.name,
        "specialties": reviewer.specialties,
        "board_certifications": reviewer.board_certifications,
        "subspecialty": reviewer.subspecialty,
        "license_states": reviewer.license_states,
        "license_restricted": reviewer.license_restricted,
        "disciplinary_history": reviewer.disciplinary_history,
        "years_in_practice": reviewer.years_in_practice,
        "active_practice_hours": reviewer.active_practice_hours,
        "affiliations": reviewer.affiliations,
        "active": reviewer.active,
        "open_cases": open_cases,
    }


class ReviewerChanges(BaseModel):
    """What an admin may change of a registered reviewer (the workbench's reviewer form); None: unchanged."""

    model_config = ConfigDict(extra="forbid")

    specialties: list[str] | None = Field(default=None, min_length=1)
    subspecialty: str | None = None
    board_certifications: list[str] | None = None
    license_states: list[str] | None = None
    license_restricted: bool | None = None
    active: bool | None = None

    @field_validator("license_states")
    @classmethod
    def _state_codes(cls, states: list[str] | None) -> list[str] | None:
        if states is None:
            return None
        bad = [s for s in states if not (len(s) == 2 and s.isalpha())]
        if bad:
            raise ValueError(f"licensure states are two-letter codes such as CA, got {', '.join(map(repr, bad))}")
        return [s.upper() for s in states]


def update_reviewer(session: Session, actor: Actor, reviewer_id: int, changes: ReviewerChanges) -> Reviewer:
    """Change a reviewer's specialties, licensure or active flag; later screenings use the new values
    (an assignment already made keeps the screening it was made with)."""
    require(actor, "reviewers.write")
    reviewer = get_reviewer(session, reviewer_id)
    values = changes.model_dump(exclude_unset=True)
    if "specialties" in values and values["specialties"] is not None:
        values["specialties"] = [s.strip().lower() for s in values["specialties"]]
    for name, value in values.items():
        if value is None and name != "subspecialty":
            continue
        setattr(reviewer, name, value)
    record(session, actor, "reviewer.edit", None)
    return reviewer
