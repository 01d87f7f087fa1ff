"""Final Determination Letters: the model every package speaks, the parser and the renderer.

Public API: `Determination` and its parts (model.py), `parse_letter`, `parse_letter_text` (parse.py),
`render_letter` (render.py).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from imr.letters.model import (
    CaseDetails,
    CriterionCheck,
    Determination,
    DisputedItem,
    Evidence,
    GuidelineCitation,
    IssueDecision,
    Precedent,
    ReviewerCredentials,
)

_LAZY = {"parse_letter": "imr.letters.parse", "parse_letter_text": "imr.letters.parse", "render_letter": "imr.letters.render"}


def __getattr__(name: str) -> Any:
    # Parser and renderer load on first use: PDF and template libraries cost start-up time.
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(name)


__all__ = [
    "CaseDetails",
    "CriterionCheck",
    "Determination",
    "DisputedItem",
    "Evidence",
    "GuidelineCitation",
    "IssueDecision",
    "Precedent",
    "ReviewerCredentials",
    "parse_letter",
    "parse_letter_text",
    "render_letter",
]
