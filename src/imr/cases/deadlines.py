"""Statutory deadlines of a case: records due, determination due, days left (data/deadlines.yaml).

The determination clock runs from receipt of the application and the supporting documents
(LC 4610.6(d)). Until the records are complete the due date is provisional and counted from the
application, the earliest the clock can start, so a late case is never shown as on time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from imr.cases import data


Status = Literal["overdue", "at risk", "on track", "met", "missed", "closed"]


def _rules() -> dict[str, Any]:
    return data.load("deadlines")


def _days(section: str, expedited: bool) -> int:
    return int(_rules()[section]["expedited_days" if expedited else "regular_days"])


def max_extension_days() -> int:
    return int(_rules()["extension"]["max_days"])


def quiet_days(expedited: bool) -> int:
    """How many days after the application a case certainly is neither at risk nor waiting on overdue
    records (the clock never starts before the application): the due list need not look at younger cases."""
    return min(_days("determination", expedited) - _days("at_risk", expedited), _days("records", expedited) + 1)


@dataclass(frozen=True)
class Deadline:
    records_due: dt.date
    records_overdue: bool
    determination_due: dt.date
    provisional: bool  # records not complete yet: the clock may still start later
    days_left: int | None  # None once the case is closed
    status: Status
    source: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "records_due": self.records_due.isoformat(),
            "records_overdue": self.records_overdue,
            "determination_due": self.determination_due.isoformat(),
            "provisional": self.provisional,
            "days_left": self.days_left,
            "status": self.status,
            "source": self.source,
        }


def compute_deadline(
    *,
    expedited: bool,
    received: dt.date,
    records_complete_on: dt.date | None,
    decided_on: dt.date | None,
    still_open: bool,
    today: dt.date,
    extension_days: int = 0,
) -> Deadline:
    """The deadlines of one case as of `today`; `decided_on` is the signing date once signed."""
    records_due = received + dt.timedelta(days=_days("records", expedited))
    clock_start = max(received, records_complete_on) if records_complete_on else received
    due = clock_start + dt.timedelta(days=_days("determination", expedited) + extension_days)
    if decided_on is not None:
        status: Status = "met" if decided_on <= due else "missed"
        days_left = None
    elif not still_open:
        status, days_left = "closed", None
    else:
        days_left = (due - today).days
        if days_left < 0:
            status = "overdue"
        elif days_left <= _days("at_risk", expedited):
            status = "at risk"
        else:
            status = "on track"
    return Deadline(
        records_due=records_due,
        records_overdue=records_complete_on is None and still_open and decided_on is None and today > records_due,
        determination_due=due,
        provisional=records_complete_on is None,
        days_left=days_left,
        status=status,
        source=str(_rules()["determination"]["source"]),
    )
