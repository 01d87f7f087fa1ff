"""Full-text search over the stored decisions: FTS5 (bm25) on SQLite, tsvector + GIN on PostgreSQL.

Each hit is one decision (a disputed item), ranked by how well its item text (weighted higher) and
rationale match; filters narrow by drug, drug class, outcome, year and item kind.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import text

from imr.corpus.store import CorpusError, CorpusStore

_TERM = re.compile(r'"[^"]+"|[\w][\w\-/\.]*')
_WORD = re.compile(r"\w+")


@dataclass(slots=True)
class SearchHit:
    item_id: int
    case_number: str | None
    decision_date: dt.date | None
    item: str
    kind: str
    generic: str | None
    drug_class: str | None
    outcome: str | None
    score: float
    snippet: str

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["decision_date"] = self.decision_date.isoformat() if self.decision_date else None
        return data


def fts5_query(query: str) -> str:
    """A user's words as an FTS5 query: every word (or "quoted phrase") must occur; no syntax leaks through."""
    terms = []
    for term in _TERM.findall(query):
        words = _WORD.findall(term)
        if words:
            terms.append('"' + " ".join(words) + '"')
    return " ".join(terms)


def _filters(drug: str | None, drug_class: str | None, outcome: str | None, year: int | None, kind: str | None) -> tuple[list[str], dict]:
    where, params = [], {}
    if drug:
        # a brand or a misspelling finds its generic when the drug lexicon knows it
        where.append("(lower(i.generic) = :drug OR lower(i.generic) LIKE :drug_part OR lower(i.item) LIKE :drug_part)")
        params["drug"] = _generic(drug)
        params["drug_part"] = f"%{params['drug']}%"
    if drug_class:
        where.append("lower(i.drug_class) = :drug_class")
        params["drug_class"] = drug_class.lower()
    if outcome:
        normal = outcome.strip().capitalize()
        if normal not in ("Upheld", "Overturned"):
            raise CorpusError(f"--outcome: expected Upheld or Overturned, got {outcome!r}")
        where.append("i.outcome = :outcome")
        params["outcome"] = normal
    if year:
        where.append("i.decision_year = :year")
        params["year"] = year
    if kind:
        where.append("i.kind = :kind")
        params["kind"] = kind
    return where, params


def _generic(drug: str) -> str:
    try:
        from imr.drugs import lookup_drug

        entry = lookup_drug(drug)
        if entry is not None and entry.generic:
            return entry.generic.lower()
    except ImportError:
        pass
    return drug.strip().lower()


def search(
    query: str,
    *,
    drug: str | None = None,
    drug_class: str | None = None,
    outcome: str | None = None,
    year: int | None = None,
    kind: str | None = None,
    limit: int = 20,
    store: CorpusStore | None = None,
) -> list[SearchHit]:
    """The best-matching decisions for `query`, best first."""
    store = store or CorpusStore()
    where, params = _filters(drug, drug_class, outcome, year, kind)
    params["limit"] = max(1, min(limit, 500))
    if store.is_sqlite:
        match = fts5_query(query)
        if not match:
            raise CorpusError("search: give at least one word to search for")
        params["match"] = match
        sql = (
            "SELECT i.id, l.case_number, l.decision_date, i.item, i.kind, i.generic, i.drug_class, i.outcome, "
            "bm25(corpus_items_fts, 4.0, 1.0) AS score, "
            "snippet(corpus_items_fts, 1, '[', ']', '…', 14) AS snip "
            "FROM corpus_items_fts JOIN corpus_items i ON i.id = corpus_items_fts.rowid "
            "JOIN corpus_letters l ON l.id = i.letter_id "
            "WHERE corpus_items_fts MATCH :match " + "".join(f" AND {w}" for w in where) + " ORDER BY score LIMIT :limit"
        )
    else:
        if not _WORD.search(query):
            raise CorpusError("search: give at least one word to search for")
        params["q"] = query
        sql = (
            "SELECT h.id, l.case_number, l.decision_date, h.item, h.kind, h.generic, h.drug_class, h.outcome, h.score, "
            "ts_headline('english', coalesce(h.rationale, ''), h.tsq, 'StartSel=[,StopSel=],MaxWords=28,MinWords=10') "
            "FROM (SELECT i.*, q.tsq, ts_rank(i.search, q.tsq) AS score "
            "      FROM corpus_items i, websearch_to_tsquery('english', :q) AS q(tsq) "
            "      WHERE i.search @@ q.tsq " + "".join(f" AND {w}" for w in where) + " ORDER BY score DESC LIMIT :limit) h "
            "JOIN corpus_letters l ON l.id = h.letter_id ORDER BY h.score DESC"
        )
    with store.engine.connect() as connection:
        rows = connection.execute(text(sql), params).all()
    return [
        SearchHit(
            item_id=row[0],
            case_number=row[1],
            decision_date=_date(row[2]),
            item=row[3],
            kind=row[4],
            generic=row[5],
            drug_class=row[6],
            outcome=row[7],
            # bm25 is lower-is-better; flip it so every backend reports higher = better
            score=round(-row[8] if store.is_sqlite else row[8], 4),
            snippet=" ".join((row[9] or "").split()),
        )
        for row in rows
    ]


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))
