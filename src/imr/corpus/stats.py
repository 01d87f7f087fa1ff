"""What the corpus says in aggregate: decisions and uphold rates by drug, class, kind, guideline, specialty, year.

The breakdowns are listed in data/stats.yaml; each is one GROUP BY. "Uphold rate" is upheld over
decided (upheld + overturned), so a decision without an outcome never skews it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import text

from imr.corpus.store import CorpusError, CorpusStore
from imr.letters.guideline_names import guideline_name

DATA = Path(__file__).parent / "data" / "stats.yaml"
_COLUMNS = {"generic", "drug_class", "kind", "decision_year", "procedure", "body_part"}


@dataclass(frozen=True, slots=True)
class Dimension:
    name: str
    label: str
    column: str | None = None
    facet: str | None = None
    where: str | None = None
    top: int = 20
    chart: str = "bar"


@dataclass(slots=True)
class Row:
    value: str
    decisions: int
    upheld: int
    overturned: int

    @property
    def uphold_rate(self) -> float | None:
        decided = self.upheld + self.overturned
        return round(self.upheld / decided, 4) if decided else None

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "uphold_rate": self.uphold_rate}


@dataclass(slots=True)
class CorpusStats:
    letters: int
    overall: Row
    breakdowns: dict[str, list[Row]] = field(default_factory=dict)
    dimensions: dict[str, Dimension] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "letters": self.letters,
            "decisions": self.overall.to_json() | {"value": "all"},
            "breakdowns": {
                name: {"label": self.dimensions[name].label, "rows": [row.to_json() for row in rows]}
                for name, rows in self.breakdowns.items()
            },
        }


@cache
def dimensions() -> dict[str, Dimension]:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    found: dict[str, Dimension] = {}
    for entry in data["dimensions"]:
        dimension = Dimension(**entry)
        if (dimension.column is None) == (dimension.facet is None) or (dimension.column and dimension.column not in _COLUMNS):
            raise CorpusError(f"{DATA}: dimension {dimension.name!r} needs exactly one of a known column or a facet")
        found[dimension.name] = dimension
    return found


_COUNTS = "count(*), sum(CASE WHEN {o} THEN 1 ELSE 0 END), sum(CASE WHEN {n} THEN 1 ELSE 0 END)"


# Facets whose value starts with the guideline's name as the letter spelled it ("<source>", "<source> §
# <section>", "<source> p. <page>"): one guideline spelled several ways is counted once.
_GUIDELINE_FACETS = {"source": None, "section": " § ", "page": " p. "}


def _guideline_value(facet: str, value: str) -> str:
    separator = _GUIDELINE_FACETS[facet]
    if separator is None:
        return guideline_name(value)
    source, found, rest = value.partition(separator)
    return f"{guideline_name(source)}{separator}{rest}" if found else value


def _merge_spellings(rows: list[Row], facet: str = "source") -> list[Row]:
    merged: dict[str, Row] = {}
    for row in rows:
        key = _guideline_value(facet, row.value)
        if key in merged:
            same = merged[key]
            merged[key] = Row(key, same.decisions + row.decisions, same.upheld + row.upheld, same.overturned + row.overturned)
        else:
            merged[key] = Row(key, row.decisions, row.upheld, row.overturned)
    return list(merged.values())


def _breakdown(connection, dimension: Dimension, limit: int | None) -> list[Row]:  # noqa: ANN001
    if dimension.column:
        counts = _COUNTS.format(o="outcome = 'Upheld'", n="outcome = 'Overturned'")
        where = f"{dimension.column} IS NOT NULL" + (f" AND {dimension.where}" if dimension.where else "")
        sql = f"SELECT {dimension.column}, {counts} FROM corpus_items WHERE {where} GROUP BY {dimension.column}"
        params: dict[str, Any] = {}
    else:
        counts = _COUNTS.format(o="upheld = :yes", n="upheld = :no")
        sql = f"SELECT value, {counts} FROM corpus_facets WHERE facet = :facet GROUP BY value"
        params = {"facet": dimension.facet, "yes": True, "no": False}
    rows = [Row(str(r[0]), int(r[1]), int(r[2] or 0), int(r[3] or 0)) for r in connection.execute(text(sql), params)]
    if dimension.facet in _GUIDELINE_FACETS:
        rows = _merge_spellings(rows, dimension.facet)
    if dimension.chart == "timeline":
        rows.sort(key=lambda row: row.value)
    else:
        rows.sort(key=lambda row: (-row.decisions, row.value))
    top = limit if limit is not None else dimension.top
    return rows[-top:] if dimension.chart == "timeline" else rows[:top]


def corpus_stats(*, store: CorpusStore | None = None, only: list[str] | None = None, limit: int | None = None) -> CorpusStats:
    """Every breakdown of data/stats.yaml (or those named in `only`), top rows by decisions."""
    store = store or CorpusStore()
    known = dimensions()
    chosen = only or list(known)
    for name in chosen:
        if name not in known:
            raise CorpusError(f"stats: unknown breakdown {name!r} (known: {', '.join(known)})")
    with store.engine.connect() as connection:
        letters = connection.execute(text("SELECT count(*) FROM corpus_letters")).scalar_one()
        total = connection.execute(
            text("SELECT " + _COUNTS.format(o="outcome = 'Upheld'", n="outcome = 'Overturned'") + " FROM corpus_items")
        ).one()
        stats = CorpusStats(letters=letters, overall=Row("all", int(total[0]), int(total[1] or 0), int(total[2] or 0)))
        for name in chosen:
            stats.breakdowns[name] = _breakdown(connection, known[name], limit)
            stats.dimensions[name] = known[name]
    return stats
