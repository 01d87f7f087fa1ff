"""The MTUS timeline: which edition of a guideline was in force on a date, and what imr does not know.

The editions and their periods are the sources (`data/sources/`); `data/timeline.yaml` names the orders
that put them in force, the proposed actions whose outcome is unknown, and the last action encoded.
A case dated after the last known action is still decided with the latest editions, but its
recommendation says that later changes may apply: an unknown update is a stated uncertainty, never a
silent choice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from imr.errors import GuidelineError
from imr.guidelines.model import GuidelineSource, Rule
from imr.guidelines.rulebook import RuleBook
from imr.memo import data_yaml

TIMELINE_FILE = Path(__file__).parent / "data" / "timeline.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Order(_Strict):
    """One Administrative Director order (or Drug List version) and the editions it put in force."""

    effective: dt.date
    by: str
    editions: list[str]


class Pending(_Strict):
    """A proposed update whose adoption was not found."""

    chapter: str
    from_: dt.date = Field(alias="from")
    says: str
    references: list[str] = Field(default_factory=list)


class Timeline(_Strict):
    last_known_action: dt.date
    last_known_guideline_order: dt.date
    orders: list[Order]
    pending: list[Pending] = Field(default_factory=list)


def _read(path: Path) -> Timeline:
    try:
        data = data_yaml(path)
    except (OSError, yaml.YAMLError) as error:
        raise GuidelineError(f"{path}: cannot read the MTUS timeline ({error.__class__.__name__})") from None
    try:
        return Timeline.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise GuidelineError(f"{path}: invalid timeline field {where}: {first['msg']}") from None


def check_timeline(timeline: Timeline, sources: dict[str, GuidelineSource], where: str = "timeline.yaml") -> None:
    """Every order names known editions that take effect on the order's date; nothing is later than the last action."""
    for order in timeline.orders:
        for edition in order.editions:
            source = sources.get(edition)
            if source is None:
                raise GuidelineError(f"{where}: order of {order.effective}: unknown edition {edition!r}")
            if source.effective_from != order.effective:
                raise GuidelineError(
                    f"{where}: order of {order.effective}: edition {edition} takes effect {source.effective_from}, not on the order's date"
                )
        if order.effective > timeline.last_known_action:
            raise GuidelineError(
                f"{where}: order of {order.effective} is later than last_known_action {timeline.last_known_action}"
            )


@lru_cache(maxsize=4)
def load_timeline(path: Path = TIMELINE_FILE) -> Timeline:
    return _read(path)


def editions_in_force(book: RuleBook, chapter: str, on: dt.date) -> list[GuidelineSource]:
    """The editions of a chapter ("MTUS Low Back Disorders") in force on a date (mental health has several modules)."""
    return sorted(
        (s for s in book.sources.values() if (s.chapter or s.title) == chapter and s.effective_from and s.in_force(on)),
        key=lambda s: s.effective_from or dt.date.min,
    )


def caveats(book: RuleBook, rules: Iterable[Rule], on: dt.date | None, timeline: Timeline | None = None) -> list[str]:
    """What a recommendation on `on` must say about the limits of the timeline (empty when nothing applies)."""
    if on is None:
        return []
    timeline = timeline or load_timeline()
    notes: list[str] = []
    used = [book.edition(rule, on) for rule in rules]
    mtus_used = [s for s in used if s is not None and s.mtus]
    if mtus_used and on > timeline.last_known_action:
        notes.append(
            f"no MTUS update after {timeline.last_known_action:%B %-d, %Y} is encoded; later changes may apply "
            f"to a decision dated {on:%B %-d, %Y}"
        )
    chapters = {s.chapter or s.title for s in mtus_used}
    for pending in timeline.pending:
        if pending.chapter in chapters and on >= pending.from_:
            notes.append(f"{pending.says} (the edition cited may have been replaced by {on:%B %-d, %Y})")
    for source in mtus_used:
        if not source.version_known:
            notes.append(
                f"the ACOEM version date of {source.cite_as} (in force from {source.effective_from:%B %-d, %Y}) is not known to imr"
            )
    return list(dict.fromkeys(notes))
