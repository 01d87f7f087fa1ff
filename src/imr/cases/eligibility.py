"""Eligibility screening of an IMR application (8 CCR 9792.10.2-.3; rules in data/eligibility.yaml).

A pure function of the application and the cases already on file: the service stores its decision and
the stated reason. Screens, in order: a UR decision exists; it decided medical necessity; the dispute
is not about liability; the employee (or their representative) applied; the application was timely;
the case is not a duplicate.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from imr.cases import data


def _rules() -> dict[str, Any]:
    return data.load("eligibility")


@dataclass(frozen=True)
class Application:
    case_number: str
    received: dt.date
    ur_decision_date: dt.date | None
    ur_served: dt.date | None
    ur_basis: str | None
    liability_disputed: bool
    claim_number: str | None
    items: tuple[str, ...]
    applicant: str | None = None


@dataclass(frozen=True)
class CaseOnFile:
    """An earlier case that a new application could duplicate (ineligible ones are left out)."""

    case_number: str
    claim_number: str | None
    ur_decision_date: dt.date | None
    items: tuple[str, ...]


@dataclass(frozen=True)
class EligibilityDecision:
    eligible: bool
    reasons: list[str] = field(default_factory=list)
    application_due: dt.date | None = None

    @property
    def reason(self) -> str | None:
        return "; ".join(self.reasons) or None


def _normal_item(text: str) -> str:
    return re.sub(r"[^a-z0-9/%.]+", " ", text.lower()).strip()


def _normal_claim(claim: str | None) -> str | None:
    return re.sub(r"[^A-Za-z0-9]", "", claim).upper() if claim else None


def application_due(app: Application) -> dt.date | None:
    """The last day a timely application could be received."""
    rules = _rules()["application"]
    if app.ur_served:
        served = app.ur_served
    elif app.ur_decision_date:
        served = app.ur_decision_date + dt.timedelta(days=rules["mail_service_extension_days"])
    else:
        return None
    return served + dt.timedelta(days=rules["days_after_service"])


def screen_application(app: Application, on_file: list[CaseOnFile]) -> EligibilityDecision:
    """Decide eligibility; an ineligible application gets every reason that applies."""
    rules = _rules()
    reasons_text = rules["reasons"]
    reasons: list[str] = []
    basis = (app.ur_basis or "").strip().lower()
    if app.ur_decision_date is None:
        reasons.append(reasons_text["no_ur_decision"])
    if app.liability_disputed or basis in rules["liability_bases"]:
        reasons.append(reasons_text["liability"])
    elif basis and basis not in rules["medical_necessity_bases"]:
        reasons.append(reasons_text["not_medical_necessity"].format(basis=app.ur_basis))
    if app.applicant and app.applicant not in rules["applicants"]:
        reasons.append(reasons_text["applicant"].format(applicant=app.applicant.replace("_", " ")))
    due = application_due(app)
    if due is not None and app.received > due:
        served = app.ur_served or app.ur_decision_date
        reasons.append(
            reasons_text["untimely"].format(
                received=app.received.isoformat(),
                days=rules["application"]["days_after_service"],
                served=served.isoformat() if served else "?",
                due=due.isoformat(),
            )
        )
    claim = _normal_claim(app.claim_number)
    items = {_normal_item(i) for i in app.items}
    for other in on_file:
        if other.case_number == app.case_number or claim is None or _normal_claim(other.claim_number) != claim:
            continue
        if other.ur_decision_date != app.ur_decision_date:
            continue
        shared = sorted(items & {_normal_item(i) for i in other.items})
        if shared:
            reasons.append(
                reasons_text["duplicate"].format(other=other.case_number, ur_date=app.ur_decision_date, items=", ".join(shared))
            )
            break
    return EligibilityDecision(eligible=not reasons, reasons=reasons, application_due=due)
