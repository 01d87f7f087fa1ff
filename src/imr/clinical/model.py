"""The clinical facts model: a `Fact` with its provenance, and the `ClinicalRecord` that holds them.

The review engine's rules ask questions of a `ClinicalRecord` ("is there documented functional
improvement?", "how long has the worker taken this drug?"); every answer points back to the exact text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

from imr.model.anatomy import Site

Phase = Literal["acute", "subacute", "chronic"]
Assertion = Literal["present", "absent", "possible", "hypothetical", "family"]
Temporality = Literal["current", "past", "planned"]


class Fact(BaseModel):
    """One clinical fact found in one record, with the exact span that supports it.

    `negated` means the record documents absence ("no functional improvement", "denies side
    effects"); `historical` means past, not current; `hypothetical` means planned, requested, to be
    ruled out or conditional, i.e. not a documented finding; `possible` a hedge ("possible
    radiculopathy"); `family` a statement about another person ("mother had..."). `site` is where the
    finding is (part, detail, side) and `about` the treatment it concerns (a canonical procedure such
    as "physical therapy", or a generic drug name): functional improvement after acupuncture is about
    acupuncture, not about the opioid. The review engine keeps a fact for an item only when its site,
    time and subject fit the request.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str
    value: Any = None
    text: str = Field(description="The exact supporting text of the record ('' for a derived fact).")
    start: int | None = Field(default=None, description="Offset of `text` in the record's text.")
    end: int | None = None
    record_index: int | None = Field(default=None, description="Index into case.records; None for a letter's case summary.")
    record_date: dt.date | None = None
    negated: bool = False
    historical: bool = False
    hypothetical: bool = False
    possible: bool = False
    family: bool = False
    site: Site | None = None
    about: str | None = Field(default=None, description="The therapy, procedure or drug the fact concerns, when stated.")
    attributes: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _derived_fields_are_not_input(cls, data: Any) -> Any:
        # assertion and temporality are written out (JSON) but derived: a dumped fact loads again
        if isinstance(data, dict) and ("assertion" in data or "temporality" in data):
            data = {k: v for k, v in data.items() if k not in ("assertion", "temporality")}
        return data

    @computed_field  # type: ignore[prop-decorator]
    @property
    def assertion(self) -> Assertion:
        if self.family:
            return "family"
        if self.negated:
            return "absent"
        if self.hypothetical:
            return "hypothetical"
        return "possible" if self.possible else "present"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def temporality(self) -> Temporality:
        if self.hypothetical and (self.attributes.get("status") == "planned" or self.attributes.get("planned")):
            return "planned"
        return "past" if self.historical else "current"

    @property
    def asserted(self) -> bool:
        """Documented as present now: neither negated, hypothetical, hedged nor about someone else."""
        return not (self.negated or self.hypothetical or self.possible or self.family)

    @property
    def date(self) -> dt.date | None:
        """The best date of the fact: a date stated in its sentence, else its record's date."""
        stated = self.attributes.get("date")
        return stated if isinstance(stated, dt.date) else self.record_date


class ClinicalRecord(BaseModel):
    """All facts of a case, in record order then text order."""

    model_config = ConfigDict(extra="forbid")

    facts: list[Fact] = Field(default_factory=list)
    injury_date: dt.date | None = None
    latest_date: dt.date | None = Field(
        default=None, description="The latest record date, else the latest date stated in the text."
    )
    phase: Phase | None = Field(default=None, description="Derived from the injury date and latest_date.")

    def of_kind(self, kind: str, value: Any = None, *, asserted: bool | None = None) -> list[Fact]:
        """Facts of one kind (a prefix ending in '.' matches a family: 'indication.'), optionally one value."""
        found = [f for f in self.facts if (f.kind.startswith(kind) if kind.endswith(".") else f.kind == kind)]
        if value is not None:
            found = [f for f in found if f.value == value]
        if asserted is not None:
            found = [f for f in found if f.asserted == asserted]
        return found

    def has(self, kind: str, value: Any = None) -> bool:
        """Whether a fact of this kind (and value) is documented as present now."""
        return bool(self.of_kind(kind, value, asserted=True))

    def medications(self, generic: str) -> list[Fact]:
        """Mentions of one drug (by generic name; a combination matches on any ingredient)."""
        wanted = set(generic.lower().split("/"))
        return [f for f in self.facts if f.kind == "medication" and isinstance(f.value, str) and wanted & set(f.value.split("/"))]

    def use_duration_days(self, generic: str, as_of: dt.date | None = None) -> int | None:
        """How long the worker has taken a drug, from the evidence: the longest stated duration, or
        the span from its earliest start or dated mention to `as_of` (default: the latest record)."""
        as_of = as_of or self.latest_date
        best: int | None = None
        for fact in self.medications(generic):
            if fact.negated:
                continue
            candidates = [fact.attributes.get("duration_days")]
            started = fact.attributes.get("started")
            if isinstance(started, dt.date) and as_of:
                candidates.append((as_of - started).days)
            # a dated mention shows the drug was taken then; a dated request does not
            if fact.date and as_of and not fact.hypothetical and not fact.attributes.get("requested"):
                candidates.append((as_of - fact.date).days)
            for days in candidates:
                if isinstance(days, int) and days >= 0 and (best is None or days > best):
                    best = days
        return best


def phase_of(injury_date: dt.date | None, as_of: dt.date | None) -> Phase | None:
    """acute < 4 weeks, subacute 4-12 weeks, chronic > 12 weeks after the injury."""
    if not injury_date or not as_of:
        return None
    weeks = (as_of - injury_date).days / 7
    if weeks < 4:
        return "acute"
    return "subacute" if weeks <= 12 else "chronic"
