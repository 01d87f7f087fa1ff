"""The case lifecycle: which step may start from which state (rules in data/lifecycle.yaml)."""

from __future__ import annotations

from typing import Any


from imr.cases import data
from imr.cases.errors import StepRefused


def _lifecycle() -> dict[str, Any]:
    return data.load("lifecycle")


def states() -> dict[str, dict[str, Any]]:
    return _lifecycle()["states"]


def is_open(state: str) -> bool:
    """Whether a case in this state still runs against its statutory deadline."""
    return bool(states()[state]["open"])


def require_step(case_number: str, state: str, step: str, *, to: str | None = None) -> None:
    """Refuse `step` unless the case's state allows it (and `to` is one of the step's outcomes)."""
    rule = _lifecycle()["steps"][step]
    if state not in rule["from"]:
        allowed = ", ".join(rule["from"])
        raise StepRefused(
            f"case {case_number}: cannot {step.replace('_', ' ')} while {state.replace('_', ' ')} (allowed from: {allowed})"
        )
    if to is not None and to not in rule["to"]:
        raise StepRefused(f"case {case_number}: {step.replace('_', ' ')} cannot lead to {to}")
