"""The review engine: a case file -> a Determination with one cited recommendation per disputed item.

Owns the decision per item (guideline rules over clinical facts), the rationale and case-summary
drafting (wording in templates/ and data/), `case_from_letter` (a case rebuilt from a published
letter's summary, items and claims-administrator basis only) and `evaluate` (agreement with published
outcomes). See engine.py for what `confidence` means.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from imr.review.engine import review_case

__all__ = ["case_from_letter", "evaluate", "review_case"]

if TYPE_CHECKING:
    from imr.review.evaluation import EvalReport


def case_from_letter(determination: Any) -> Any:
    from imr.review.from_letter import case_from_letter as build

    return build(determination)


def evaluate(letters: Any) -> EvalReport:
    from imr.review.evaluation import evaluate as run

    return run(letters)
