"""The shared model at the bottom of imr: the Final Determination and its parts.

Every other package speaks this model (letters, items, review, cases, corpus, web); it imports no
other imr package.
"""

from __future__ import annotations

from imr.model.determination import (
    ITEM_KINDS,
    SCHEMA_VERSION,
    CaseDetails,
    CriterionCheck,
    CriterionStatus,
    Determination,
    DisputedItem,
    Evidence,
    GuidelineCitation,
    IssueDecision,
    ItemKind,
    Laterality,
    Outcome,
    Precedent,
    Priority,
    ReviewerCredentials,
    Sex,
)

__all__ = [
    "ITEM_KINDS",
    "SCHEMA_VERSION",
    "CaseDetails",
    "CriterionCheck",
    "CriterionStatus",
    "Determination",
    "DisputedItem",
    "Evidence",
    "GuidelineCitation",
    "IssueDecision",
    "ItemKind",
    "Laterality",
    "Outcome",
    "Precedent",
    "Priority",
    "ReviewerCredentials",
    "Sex",
]
