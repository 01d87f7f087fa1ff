"""The Final Determination as data: what a letter states, and what the review engine adds to it.

Every other package speaks this model. Field names are the public JSON names (`imr letter parse --json`,
`imr review --json`, the API); change them only with a schema version bump.

Letter fields are always serialised (null where the letter does not state them). Fields that only the
review engine or the corpus fill (`evidence`, `missing`, `confidence`, `criteria`, `abstain_reason`,
`precedents`) are left out of the JSON when they are unset, so a parsed letter has exactly the
letter's names.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1"

Outcome = Literal["Upheld", "Overturned"]
Priority = Literal["Standard", "Expedited"]
Sex = Literal["male", "female"]
Laterality = Literal["left", "right", "bilateral"]
ItemKind = Literal[
    "drug",
    "imaging",
    "electrodiagnostic",
    "physical medicine",
    "injection",
    "surgery",
    "peri-operative service",
    "durable medical equipment",
    "evaluation or consultation",
    "other",
]
ITEM_KINDS: tuple[str, ...] = get_args(ItemKind)
CriterionStatus = Literal["met", "not documented", "contradicted"]


def _unset(value: Any) -> bool:
    return value is None


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class GuidelineCitation(_Model):
    """One guideline a decision relies on, as the letter cites it."""

    source: str = Field(description="As written, e.g. 'MTUS Low Back Complaints 2004'.")
    mtus: bool = Field(description="False for 'Non-MTUS Citation' and decisions outside the MTUS.")
    sections: list[str] = Field(default_factory=list)
    pages: list[int] = Field(default_factory=list, description="Ranges expanded: '63-5' is 63, 64, 65.")


class DisputedItem(_Model):
    """A treatment the UR decision denied or modified, as the letter (or the request) words it."""

    text: str = Field(description="As written; for a partial authorization, the remaining IMR-eligible portion.")
    kind: ItemKind = "other"
    original_request: str | None = None
    authorized: str | None = None
    # drugs
    brand: str | None = None
    generic: str | None = Field(
        default=None,
        description="Lower case; combinations joined by '/', e.g. 'hydrocodone/acetaminophen'; "
        "a compound lists each ingredient the same way.",
    )
    drug_class: str | None = None
    strength: str | None = Field(default=None, description="Number as written, e.g. '10/325', '0.25', '20%'.")
    unit: str | None = Field(default=None, description="e.g. 'mg', 'mcg', '%', 'g', 'ml'.")
    quantity: float | None = None
    refills: int | None = Field(default=None, description="0 when a drug request states none.")
    # services
    sessions: int | None = None
    frequency: str | None = Field(default=None, description="As stated, e.g. '3 times a week'.")
    duration: str | None = Field(default=None, description="As stated, e.g. '2 weeks'.")
    body_part: str | None = Field(default=None, description="Canonical names, several joined by ', '.")
    laterality: Laterality | None = None
    date_of_service: dt.date | None = Field(default=None, description="Retrospective requests.")
    rental_or_purchase: Literal["rental", "purchase"] | None = None


class Evidence(_Model):
    """A span of the record that supports (or contradicts) a finding."""

    fact: str = Field(description="Fact kind, e.g. 'functional_improvement', 'red_flag'.")
    text: str = Field(description="The exact text of the record.")
    record_index: int | None = Field(default=None, description="Index into the case's records; None for the letter summary.")
    record_date: dt.date | None = None
    start: int | None = Field(default=None, description="Character offset in the record text.")
    end: int | None = None
    negated: bool = False
    reason: str | None = Field(
        default=None,
        exclude_if=_unset,
        description="Why the finding was set aside for this item (other body part, other side, outside the time window...).",
    )
    file: str | None = Field(default=None, exclude_if=_unset, description="The packet file the record was read from.")
    page: int | None = Field(default=None, exclude_if=_unset, description="The page of that file that holds the span.")
    ocr_confidence: float | None = Field(
        default=None, exclude_if=_unset, description="OCR confidence (0-1) of that page; unset for a text layer."
    )


class CriterionCheck(_Model):
    """One guideline criterion, checked against the record: the reviewer's checklist line."""

    rule: str = Field(description="Rule id, e.g. 'mtus.chronic-pain.benzodiazepines.long-term'.")
    criterion: str
    label: str
    status: CriterionStatus
    evidence: list[Evidence] = Field(default_factory=list)
    citation: GuidelineCitation | None = None
    met_by: Literal["evidence", "stated absence", "silence"] | None = Field(
        default=None,
        exclude_if=_unset,
        description="How a met criterion is met: by a finding, by a stated absence, or by silence where the guideline puts it so.",
    )
    basis: str | None = Field(
        default=None, exclude_if=_unset, description="Why silence meets this criterion (the guideline's own terms)."
    )
    set_aside: list[Evidence] = Field(
        default_factory=list,
        exclude_if=lambda v: not v,
        description="Findings of the right kind that do not count for this item, each with its reason.",
    )


class Precedent(_Model):
    """A published decision similar to the item under review."""

    case_number: str | None
    item: str
    outcome: Outcome
    decision_date: dt.date | None = None
    similarity: float
    reviewer_basis: list[GuidelineCitation] = Field(default_factory=list)


class IssueDecision(_Model):
    """One disputed item and its decision (a letter's 'IMR ISSUES, DECISIONS AND RATIONALES' entry)."""

    item: DisputedItem
    outcome: Outcome | None = Field(description="None only for an engine abstain (no guideline covers the item).")
    rationale: str | None = None
    claims_administrator_basis: list[GuidelineCitation] = Field(default_factory=list)
    reviewer_basis: list[GuidelineCitation] = Field(default_factory=list)
    # set by the review engine only
    evidence: list[Evidence] | None = Field(default=None, exclude_if=_unset)
    missing: list[str] | None = Field(default=None, exclude_if=_unset)
    confidence: float | None = Field(default=None, exclude_if=_unset, ge=0, le=1)
    criteria: list[CriterionCheck] | None = Field(default=None, exclude_if=_unset)
    abstain_reason: str | None = Field(default=None, exclude_if=_unset)
    precedents: list[Precedent] | None = Field(default=None, exclude_if=_unset)


class CaseDetails(_Model):
    """The letter header and the clinical case summary."""

    case_number: str | None = None
    date_assigned: dt.date | None = None
    date_of_injury: dt.date | None = None
    decision_date: dt.date | None = None
    ur_denial_date: dt.date | None = None
    application_received: dt.date | None = None
    priority: Priority | None = None
    age: int | None = None
    sex: Sex | None = None
    summary: str | None = None
    diagnoses: list[str] = Field(default_factory=list)
    medications: list[str] = Field(default_factory=list)


class ReviewerCredentials(_Model):
    """What the letter discloses of the expert reviewer (never the identity)."""

    licensure_states: list[str] = Field(default_factory=list)
    specialties: list[str] = Field(default_factory=list)
    board_certified: bool | None = None
    subspecialty: str | None = None


class Determination(_Model):
    """A Final Determination: the case, the reviewer's credentials and one decision per disputed item."""

    case: CaseDetails = Field(default_factory=CaseDetails)
    reviewer: ReviewerCredentials = Field(default_factory=ReviewerCredentials)
    issues: list[IssueDecision] = Field(default_factory=list)

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
