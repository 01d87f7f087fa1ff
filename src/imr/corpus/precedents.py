"""Precedents: for a disputed item under review, the most similar published decisions and their outcomes.

Candidates come from structural matches first (data/precedents.yaml: the same drug, then the same class;
the same procedure on the same body part, then looser), ranked within each by full-text similarity of
the case facts; the final score mixes the structural weight with word overlap of case summaries and
request wording, so it reads the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy import bindparam, text

from imr.corpus.extract import procedure
from imr.corpus.search import _date
from imr.corpus.store import CorpusError, CorpusStore, corpus_store
from imr.items import understand_item
from imr.model import Determination, DisputedItem, GuidelineCitation, Precedent

DATA = Path(__file__).parent / "data" / "precedents.yaml"
_WORD = re.compile(r"[a-z][a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Tier:
    name: str
    weight: float
    needs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Settings:
    tiers: tuple[Tier, ...]
    text_floor: float
    summary_share: float
    query_terms: int
    pool_per_result: int
    match_budget: int
    stopwords: frozenset[str]


@cache
def settings() -> Settings:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    return Settings(
        tiers=tuple(Tier(t["name"], float(t["weight"]), tuple(t["needs"])) for t in data["tiers"]),
        text_floor=float(data["text_floor"]),
        summary_share=float(data["summary_share"]),
        query_terms=int(data["query_terms"]),
        pool_per_result=int(data["pool_per_result"]),
        match_budget=int(data["match_budget"]),
        stopwords=frozenset(data["stopwords"].split()),
    )


def words(value: str | None) -> list[str]:
    stop = settings().stopwords
    return [w for w in _WORD.findall((value or "").lower()) if w not in stop and len(w) > 2]


@cache
def _porter():  # noqa: ANN202
    import snowballstemmer

    # the original Porter algorithm: the stems SQLite's FTS5 'porter' tokenizer stores
    return snowballstemmer.stemmer("porter")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    # letters share most of their words: the pure-Python stemmer runs once per word, not per use
    return _porter().stemWord(word)


def stems(value: str | None) -> list[str]:
    """Porter stems of the telling words, so 'radiating' meets 'radiates' and the index's vocabulary."""
    return [stem(word) for word in words(value)]


def _overlap(query: Counter, candidate: set[str], idf: dict[str, float]) -> float:
    """Share of the query's (idf-weighted) words that the candidate also uses."""
    total = sum(idf.get(w, 1.0) for w in query)
    if not total:
        return 0.0
    return sum(idf.get(w, 1.0) for w in query if w in candidate) / total


def _distinctive(store: CorpusStore, connection, terms: list[str], count: int, budget: int) -> list[str]:  # noqa: ANN001
    """The query words that the fewest letters use (but some do), while together they stay within `budget` letters."""
    unique = list(dict.fromkeys(terms))
    if store.is_sqlite and unique:
        # fts5vocab holds the index's Porter stems with the number of letters using each
        stemmed = {word: stem(word) for word in unique}
        rows = connection.execute(
            text("SELECT term, doc FROM corpus_letters_vocab WHERE term IN :terms").bindparams(
                bindparam("terms", expanding=True)
            ),
            {"terms": sorted(set(stemmed.values()))},
        ).all()
        frequency = dict(rows)
        known = [w for w in unique if stemmed[w] in frequency]  # a word no letter uses cannot find one
        chosen: list[str] = []
        spent = 0
        for word in sorted(known, key=lambda w: (frequency[stemmed[w]], -len(w))):
            cost = frequency[stemmed[word]]
            # no word at all rather than one used by more letters than the budget: the tier's newest
            # decisions, re-scored below on the same words, are then the pool
            if len(chosen) >= count or spent + cost > budget:
                break
            chosen.append(word)
            spent += cost
        return chosen
    counts = Counter(terms)
    return sorted(unique, key=lambda w: (-counts[w], -len(w)))[:count]


def _tier_condition(tier: Tier, item: DisputedItem, item_procedure: str | None) -> tuple[str, dict[str, Any]] | None:
    values = {
        "generic": item.generic,
        "drug_class": item.drug_class,
        "procedure": item_procedure,
        "body_part": item.body_part,
        "kind": item.kind if item.kind != "other" else None,
        "text": item.text if words(item.text) else None,
    }
    if any(not values[need] for need in tier.needs):
        return None
    clauses: list[str] = []
    params: dict[str, Any] = {}
    for need in tier.needs:
        if need == "text":
            continue
        if need == "body_part":
            # equality, so the (procedure | kind, body part) indexes answer "newest first" without a sort;
            # an item naming several body parts is matched on its first
            clauses.append("i.body_part = :body_part")
            params["body_part"] = str(values["body_part"]).split(",")[0].strip()
        else:
            clauses.append(f"i.{need} = :{need}")
            params[need] = values[need]
    return " AND ".join(clauses) or "1 = 1", params


_SELECT = "i.id, i.item, i.outcome, i.reviewer_basis, l.case_number, l.decision_date, l.summary"


def _pool(
    store: CorpusStore,
    connection,
    where: str,
    params: dict,
    match_terms: list[str],
    item_terms: list[str],
    size: int,
    text_tier: bool,
) -> list[tuple]:  # noqa: ANN001
    """Up to `size` decided candidates of one tier: best full-text matches first, then the most recent."""
    base = f"i.outcome IS NOT NULL AND {where}"
    params = {**params, "size": size}
    terms = item_terms if text_tier else match_terms
    rows: list[tuple] = []
    if terms and store.is_sqlite:
        fts, join = ("corpus_items_fts", "i.id") if text_tier else ("corpus_letters_fts", "i.letter_id")
        query = " OR ".join(f'"{t}"' for t in terms)
        params["match"] = f"{{item}} : ({query})" if text_tier else query
        rows = list(
            connection.execute(
                text(
                    f"SELECT {_SELECT} FROM {fts} JOIN corpus_items i ON {join} = {fts}.rowid "
                    f"JOIN corpus_letters l ON l.id = i.letter_id WHERE {fts} MATCH :match AND {base} "
                    f"ORDER BY bm25({fts}) LIMIT :size"
                ),
                params,
            ).all()
        )
    elif terms:
        params["tsq"] = " | ".join(terms)
        vector = "i.search" if text_tier else "l.search"
        rows = list(
            connection.execute(
                text(
                    f"SELECT {_SELECT} FROM corpus_items i JOIN corpus_letters l ON l.id = i.letter_id, "
                    f"to_tsquery('english', :tsq) q WHERE {vector} @@ q AND {base} ORDER BY ts_rank({vector}, q) DESC LIMIT :size"
                ),
                params,
            ).all()
        )
    if len(rows) < size and not text_tier:
        # the same drug or procedure with different wording is still a precedent: fill from the rest
        rows += connection.execute(
            text(
                f"SELECT {_SELECT} FROM corpus_items i JOIN corpus_letters l ON l.id = i.letter_id "
                f"WHERE {base} ORDER BY i.id DESC LIMIT :size"
            ),
            params,
        ).all()
    return rows


def find_precedents(
    item: DisputedItem,
    summary: str | None = None,
    limit: int = 5,
    *,
    exclude_case: str | None = None,
    store: CorpusStore | None = None,
) -> list[Precedent]:
    """The `limit` published decisions most like this item (and case summary), most similar first."""
    store = store or CorpusStore()
    config = settings()
    item_procedure = procedure(item)
    summary_words = words(summary)
    item_words = words(item.text)
    pool_size = max(limit, 1) * config.pool_per_result
    scored: dict[int, tuple[float, tuple]] = {}
    with store.engine.connect() as connection:
        match_terms = _distinctive(store, connection, summary_words, config.query_terms, config.match_budget)
        item_terms = list(dict.fromkeys(item_words))[: config.query_terms]
        pooled: list[tuple[Tier, tuple]] = []
        for tier in config.tiers:
            condition = _tier_condition(tier, item, item_procedure)
            if condition is None:
                continue
            rows = _pool(store, connection, *condition, match_terms, item_terms, pool_size, "text" in tier.needs)
            pooled.extend((tier, row) for row in rows)
            if len({row[0] for _, row in pooled}) >= pool_size:
                break
    if not pooled:
        return []
    # idf within the pool: words every candidate shares do not make one candidate closer than another
    summaries = {row[0]: set(stems(row[6])) for _, row in pooled}
    frequency = Counter(w for doc in summaries.values() for w in doc)
    idf = {w: math.log(1 + len(summaries) / n) for w, n in frequency.items()}
    summary_query = Counter(stems(summary))
    item_query = Counter(stems(item.text))
    for tier, row in pooled:
        if exclude_case and row[4] == exclude_case:
            continue
        document = summaries[row[0]]
        # within a drug tier the drug already matched: brand or strength wording says nothing more
        drug_tier = "generic" in tier.needs or "drug_class" in tier.needs
        wording = 0.0 if drug_tier else _overlap(item_query, set(stems(row[1])), {})
        if summary_query and drug_tier:
            similar = _overlap(summary_query, document, idf)
        elif summary_query:
            similar = config.summary_share * _overlap(summary_query, document, idf) + (1 - config.summary_share) * wording
        else:
            similar = wording
        score = tier.weight * (config.text_floor + (1 - config.text_floor) * similar)
        if row[0] not in scored or scored[row[0]][0] < score:
            scored[row[0]] = (score, row)
    best = sorted(scored.values(), key=lambda pair: (-pair[0], pair[1][0]))[:limit]
    return [
        Precedent(
            case_number=row[4],
            item=row[1],
            outcome=row[2],
            decision_date=_date(row[5]),
            similarity=round(score, 3),
            reviewer_basis=[GuidelineCitation.model_validate(c) for c in json.loads(row[3] or "[]")],
        )
        for score, row in best
    ]


def compare_with_precedents(precedents: list[Precedent], recommendation: str | None) -> str:
    """One line for the reviewer: how the precedents went and whether the recommendation agrees."""
    if not precedents:
        return "No similar published decision in the corpus."
    upheld = sum(1 for p in precedents if p.outcome == "Upheld")
    line = f"{upheld} of {len(precedents)} similar published decisions were upheld, {len(precedents) - upheld} overturned"
    if recommendation in ("Upheld", "Overturned"):
        agreeing = upheld if recommendation == "Upheld" else len(precedents) - upheld
        line += f"; the recommendation ({recommendation}) agrees with {agreeing} of them"
    return line + "."


def understood(text_: str, **overrides: str | None) -> DisputedItem:
    """A request's wording as a DisputedItem (via the items package when present), with explicit overrides."""
    item = understand_item(text_)
    fields = {key: value for key, value in overrides.items() if value}
    if fields.get("generic"):
        fields["generic"] = fields["generic"].lower()
        fields.setdefault("kind", "drug")
    if not fields:
        return item
    try:
        return DisputedItem.model_validate({**item.model_dump(), **fields})
    except ValidationError as error:
        first = error.errors()[0]
        raise CorpusError(f"precedents: --{'-'.join(map(str, first['loc']))}: {first['msg']}") from None


def attach_precedents(
    determination: Determination, summary: str | None = None, limit: int = 5, *, store: CorpusStore | None = None
) -> Determination:
    """Set `precedents` on every decision of an engine Determination (a copy; the input is left alone).

    `summary` defaults to the determination's own case summary; the case itself is never its own precedent.
    """
    store = store or corpus_store()
    facts = summary if summary is not None else determination.case.summary
    result = determination.model_copy(deep=True)
    for issue in result.issues:
        issue.precedents = find_precedents(issue.item, facts, limit, exclude_case=result.case.case_number, store=store)
    return result
