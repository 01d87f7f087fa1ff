"""Full-text search over the stored decisions: FTS5 (bm25) on SQLite, tsvector + GIN on PostgreSQL.

Each hit is one decision (a disputed item), ranked by how well its item text (weighted higher) and
rationale match; filters narrow by drug, drug class, outcome, year and item kind.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.exc import OperationalError

from imr.corpus.extract import tag
from imr.corpus.store import CorpusError, CorpusStore
from imr.drugs import lookup_drug

_TERM = re.compile(r'"[^"]+"|[\w][\w\-/\.]*')
_WORD = re.compile(r"\w+")
# A search is a few words: a longer one is not a search (and its cost grows with every word), and
# none runs longer than SEARCH_SECONDS (it would go on after the client has left).
MAX_QUERY_CHARS = 500
MAX_FILTER_CHARS = 120
SEARCH_SECONDS = 5.0
PROGRESS_STEPS = 10_000  # SQLite virtual-machine steps between two looks at the clock
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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


def _filters(
    drug: str | None, drug_class: str | None, outcome: str | None, year: int | None, kind: str | None, *, as_tags: bool
) -> tuple[list[str], dict, list[str]]:
    """SQL conditions (and their parameters) for the filters; with as_tags, index words where a tag exists."""
    where: list[str] = []
    params: dict[str, Any] = {}
    tagged: list[str] = []
    if drug:
        # a brand or a misspelling finds its generic when the drug lexicon knows it
        where.append("(lower(i.generic) = :drug OR lower(i.generic) LIKE :drug_part OR lower(i.item) LIKE :drug_part)")
        params["drug"] = _generic(drug)
        params["drug_part"] = f"%{params['drug']}%"
    if outcome:
        outcome = outcome.strip().capitalize()
        if outcome not in ("Upheld", "Overturned"):
            raise CorpusError(f"--outcome: expected Upheld or Overturned, got {outcome!r}")
    for name, column, value in (
        ("class", "lower(i.drug_class)", drug_class.lower() if drug_class else None),
        ("outcome", "i.outcome", outcome),
        ("year", "i.decision_year", year),
        ("kind", "i.kind", kind),
    ):
        if value is None or value == "":
            continue
        if as_tags:
            tagged.append(tag(name, value))
        else:
            where.append(f"{column} = :{name}")
            params[name] = value
    return where, params, tagged


def _generic(drug: str) -> str:
    entry = lookup_drug(drug)
    if entry is not None and entry.generic:
        return entry.generic.lower()
    return drug.strip().lower()


# A query matching fewer than WINDOW decisions, without filters, is ranked by bm25. A common one
# ("physical therapy") or a filtered one is ranked within its newest WINDOW matches by where the words
# occur (item text first), because bm25 reads every posting of every word, filter words included (a
# quarter of a second at a million letters); the window widens
# (x8) only when the --drug filter, applied after the index, leaves fewer hits than asked for.
WINDOW = 4000


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
    """The best-matching decisions for `query`, best first (on SQLite, among the newest matches; see WINDOW)."""
    store = store or CorpusStore()
    _check_text("search", query, MAX_QUERY_CHARS)
    for name, value in (("drug", drug), ("drug class", drug_class), ("kind", kind), ("outcome", outcome)):
        _check_text(name, value, MAX_FILTER_CHARS)
    where, params, tagged = _filters(drug, drug_class, outcome, year, kind, as_tags=store.is_sqlite)
    params["limit"] = max(1, min(limit, 500))
    with store.engine.connect() as connection, _time_bound(connection, store.is_sqlite):
        if store.is_sqlite:
            rows = _search_sqlite(connection, query, tagged, where, params)
        else:
            rows = _search_postgres(connection, query, where, params)
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


def _check_text(name: str, value: str | None, limit: int) -> None:
    """User text is text: no control characters (a NUL byte cannot even be sent to PostgreSQL), bounded."""
    if value is None:
        return
    if _CONTROL.search(value):
        raise CorpusError(f"{name}: contains a control character")
    if len(value) > limit:
        raise CorpusError(f"{name}: longer than {limit} characters")


@contextmanager
def _time_bound(connection, sqlite: bool) -> Iterator[None]:  # noqa: ANN001
    """Stop the search after SEARCH_SECONDS: PostgreSQL's statement_timeout for this transaction, a
    progress handler on SQLite (checked every few thousand virtual-machine steps)."""
    if sqlite:
        raw = connection.connection.driver_connection
        deadline = time.monotonic() + SEARCH_SECONDS
        raw.set_progress_handler(lambda: int(time.monotonic() > deadline), PROGRESS_STEPS)
    else:
        connection.execute(text(f"SET LOCAL statement_timeout = {max(1, int(SEARCH_SECONDS * 1000))}"))
    try:
        yield
    except OperationalError as error:
        if "interrupted" in str(error.orig) or "statement timeout" in str(error.orig) or "canceling statement" in str(error.orig):
            raise CorpusError(
                f"search: took longer than {SEARCH_SECONDS:g} s and was stopped; use fewer or rarer words"
            ) from None
        raise
    finally:
        if sqlite:
            raw.set_progress_handler(None, 0)
        else:
            connection.rollback()


def _search_sqlite(connection, query: str, tagged: list[str], where: list[str], params: dict) -> list:  # noqa: ANN001
    words = fts5_query(query)
    if not words:
        raise CorpusError("search: give at least one word to search for")
    # the user's words in the text columns; the filters as tag words, intersected inside the index
    # a tag is one index word, quoted as an FTS5 string (a quote inside doubled): the user's text never becomes syntax
    filtered = "".join(' AND tags : "' + t.replace('"', '""') + '"' for t in tagged)
    match = "{item rationale} : (" + words + ")" + filtered
    params = {**params, "match": match, "in_item": "{item} : (" + words + ")"}
    filters = "".join(f" AND {w}" for w in where)
    window = WINDOW
    while True:
        params["window"] = window
        floor, seen = connection.execute(
            text(
                "SELECT min(rowid), count(*) FROM (SELECT rowid FROM corpus_items_fts WHERE corpus_items_fts MATCH :match "
                "ORDER BY rowid DESC LIMIT :window)"
            ),
            params,
        ).one()
        params["floor"] = floor or 0
        if seen < window and not tagged:
            # few matches, no filter words: bm25 (its document frequencies cost a pass over each word's postings)
            ranking = "bm25(corpus_items_fts, 4.0, 1.0)"
        else:
            # a common query, or filter words (each a long posting list): bm25 would read all of them;
            # rank by where the words occur (the item itself before the rationale only), newest first
            ranking = (
                "-(corpus_items_fts.rowid IN (SELECT rowid FROM corpus_items_fts WHERE corpus_items_fts MATCH :in_item "
                "AND rowid >= :floor))"
            )
        ranked = connection.execute(
            text(
                f"SELECT corpus_items_fts.rowid, {ranking} AS score FROM corpus_items_fts "
                "JOIN corpus_items i ON i.id = corpus_items_fts.rowid "
                f"WHERE corpus_items_fts MATCH :match AND corpus_items_fts.rowid >= :floor{filters} "
                "ORDER BY score, corpus_items_fts.rowid DESC LIMIT :limit"
            ),
            params,
        ).all()
        if len(ranked) >= params["limit"] or seen < window:
            break
        window *= 8
    if not ranked:
        return []
    # snippets only for the hits shown: making one costs more than ranking a match
    order = {row[0]: position for position, row in enumerate(ranked)}
    scores = dict(ranked)
    details = connection.execute(
        text(
            "SELECT i.id, l.case_number, l.decision_date, i.item, i.kind, i.generic, i.drug_class, i.outcome, 0, "
            "snippet(corpus_items_fts, 1, '[', ']', '…', 14) FROM corpus_items_fts "
            "JOIN corpus_items i ON i.id = corpus_items_fts.rowid JOIN corpus_letters l ON l.id = i.letter_id "
            "WHERE corpus_items_fts MATCH :match AND corpus_items_fts.rowid IN :ids"
        ).bindparams(bindparam("ids", expanding=True)),
        {"match": match, "ids": list(scores)},
    ).all()
    rows = [(*row[:8], scores[row[0]], row[9]) for row in details]
    return sorted(rows, key=lambda row: order[row[0]])


def _search_postgres(connection, query: str, where: list[str], params: dict) -> list:  # noqa: ANN001
    if not _WORD.search(query):
        raise CorpusError("search: give at least one word to search for")
    params = {**params, "q": query}
    return connection.execute(
        text(
            "SELECT h.id, l.case_number, l.decision_date, h.item, h.kind, h.generic, h.drug_class, h.outcome, h.score, "
            "ts_headline('english', coalesce(h.rationale, ''), h.tsq, 'StartSel=[,StopSel=],MaxWords=28,MinWords=10') "
            "FROM (SELECT i.*, q.tsq, ts_rank(i.search, q.tsq) AS score "
            "      FROM corpus_items i, websearch_to_tsquery('english', :q) AS q(tsq) "
            "      WHERE i.search @@ q.tsq " + "".join(f" AND {w}" for w in where) + " ORDER BY score DESC LIMIT :limit) h "
            "JOIN corpus_letters l ON l.id = h.letter_id ORDER BY h.score DESC"
        ),
        params,
    ).all()


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))
