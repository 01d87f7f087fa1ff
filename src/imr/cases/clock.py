"""The one clock of imr: stored times are UTC instants, calendar dates are California dates.

Statutory days are California calendar days (a case received at 10 p.m. in Sacramento was received
that day, whatever the date in UTC), and people read times in California time. Every reading of the
system clock goes through `utc_now`, so a test can freeze it at one instant for the whole program.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

CALIFORNIA = ZoneInfo("America/Los_Angeles")


def utc_now() -> dt.datetime:
    """Now, as an aware UTC instant (what the database stores)."""
    return dt.datetime.now(dt.UTC)


def california_now() -> dt.datetime:
    return utc_now().astimezone(CALIFORNIA)


def california_today() -> dt.date:
    return california_now().date()


def as_utc(moment: dt.datetime) -> dt.datetime:
    """A stored time as an aware instant (SQLite gives it back without its UTC zone)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def california_time(moment: dt.datetime) -> dt.datetime:
    return as_utc(moment).astimezone(CALIFORNIA)


def california_date(moment: dt.datetime) -> dt.date:
    """The California calendar date of a stored time."""
    return california_time(moment).date()
