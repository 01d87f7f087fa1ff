"""Guideline editions and rules as typed objects (the shape of `guidelines/data/`)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from imr.guidelines.language import Test

Recommendation = Literal["recommended", "conditional", "not recommended"]
RANKS = ("A", "B", "C", "D", "E", "F")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GuidelineSource(_Strict):
    """One guideline edition: where a rule comes from and when it is in force."""

    id: str
    title: str
    cite_as: str = Field(description="How letters write the source, e.g. 'MTUS Chronic Pain Medical Treatment 2016'.")
    mtus: bool
    rank: Literal["A", "B", "C", "D", "E", "F"] = Field(description="Labor Code 4610.5(c)(2) evidence rank; A is the MTUS.")
    chapter: str | None = Field(default=None, description="The guideline chapter `imr eval` groups by; default: the title.")
    search_step: Literal[1, 2, 3, 4] | None = Field(
        default=None,
        description="Step of the Medical Evidence Search Sequence (8 CCR 9792.21.1): 1 the MTUS, 2 the most current ACOEM or ODG, "
        "3 other evidence-based guidelines, 4 peer-reviewed studies; default 1 for the MTUS, 2 otherwise.",
    )
    regulation: str | None = None
    publisher: str | None = None
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    version_date: dt.date | None = Field(
        default=None, description="The guideline text's own version date (an ACOEM guideline's date); null when unknown."
    )
    version_known: bool = Field(
        default=True, description="False when the order that adopted the edition is known but the version it adopted is not."
    )
    adopted_by: str | None = Field(
        default=None, description="The order that put the edition in force, e.g. 'AD order effective 2019-04-18'."
    )
    references: list[str] = Field(default_factory=list, description="Public pages that state the edition and its dates.")
    note: str | None = None

    @property
    def step(self) -> int:
        return self.search_step or (1 if self.mtus else 2)

    def in_force(self, on: dt.date | None) -> bool:
        if on is None:
            return self.effective_to is None
        if self.effective_from and on < self.effective_from:
            return False
        return not (self.effective_to and on > self.effective_to)


class AppliesTo(_Strict):
    """Which items a rule covers; every key given must match."""

    kinds: list[str] | None = None
    drug_classes: list[str] | None = None
    generics: list[str] | None = None
    forms: list[str] | None = Field(
        default=None, description="Drug forms, e.g. topical (from the drug lexicon or the request words)."
    )
    procedures: list[str] | None = None
    body_parts: list[str] | None = None


class Criterion(_Strict):
    id: str
    label: str
    test: Test
    missing: str


class Rule(_Strict):
    """One guideline recommendation with the criteria that make a request medically necessary."""

    id: str
    topic: str
    source: str = Field(description="The first edition id the rule belongs to.")
    editions: tuple[str, ...] = Field(description="Every edition that publishes this text (a rule may name several).")
    section: str
    pages: list[int] = Field(default_factory=list)
    applies_to: AppliesTo
    when: list[Test] = Field(default_factory=list, description="Tests that must be met for the rule to apply.")
    recommendation: Recommendation
    statement: str
    criteria: list[Criterion] = Field(default_factory=list)
    site: str | None = Field(
        default=None,
        description="The body part the recommendation is about when the request names none (continuous passive "
        "motion in the knee chapter): findings on other parts are set aside.",
    )
    follows_primary: bool = False
    # part of carrying out any surgery (the pre-operative history and physical): when the surgery it
    # accompanies is medically necessary, so is the service, unless the record argues against it
    follows_necessary_surgery: bool = False
    note: str | None = Field(
        default=None, description="What could not be verified against the guideline text, or a known limit of the encoding."
    )
    supersedes: list[str] = Field(default_factory=list, description="Rule ids set aside when this rule applies.")
    verified: bool = Field(
        default=False,
        description="True when the rule's content was checked against a public source (regulation text, DWC pages, public "
        "summaries); the licensed guideline text itself is never the check. `note` says what stays unchecked.",
    )
    file: str = Field(default="", description="The rule file, for messages.")
