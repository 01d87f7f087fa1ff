"""Evaluation at scale: the review engine re-decides the stored letters; agreement per drug class and kind.

Each letter goes through the review package's own per-letter scoring (`imr.review.evaluate`: the case
rebuilt from the letter's summary and items, never its outcome), in parallel chunks on the process
pool or a Dask cluster; the corpus adds the per-drug-class breakdown and keeps the report's size flat
(counts, not item lists) however many letters there are.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import bindparam, text

from imr.corpus.extract import from_document
from imr.corpus.parallel import Runner, run_tasks
from imr.corpus.store import CorpusStore, forget_inherited_connections

CHUNK = 100  # letters per evaluation task
NO_CLASS = "(not a drug)"


@dataclass(slots=True)
class ChunkScore:
    results: list[Any] = field(default_factory=list)  # imr.review.evaluation.ItemResult
    classes: list[str] = field(default_factory=list)  # drug class of each result, same order
    unreadable: list[tuple[str, str]] = field(default_factory=list)


@cache
def _rulebook() -> Any:
    from imr.guidelines import load_rulebook

    return load_rulebook()


@cache
def _store(url: str) -> CorpusStore:
    return CorpusStore(url)


def evaluate_chunk(letter_ids: list[int], url: str) -> ChunkScore:
    """Score one chunk of stored letters (a worker task)."""
    from imr.review.evaluation import evaluate

    store = _store(url)
    with store.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT case_number, document FROM corpus_letters WHERE id IN :ids ORDER BY id").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": letter_ids},
        ).all()
    score = ChunkScore()
    for case_number, document in rows:
        letter = from_document(document)
        try:
            report = evaluate([letter], rulebook=_rulebook())
        except Exception as error:  # an engine bug on one letter must not stop a corpus-wide run
            score.unreadable.append((case_number or "letter", f"engine error: {error.__class__.__name__}: {error}"))
            continue
        score.unreadable.extend(report.unreadable)
        # evaluate() scores the letter's items in order, so results line up with its issues
        for issue, result in zip(letter.issues, report.results):
            score.results.append(result)
            score.classes.append(issue.item.drug_class or (NO_CLASS if issue.item.kind != "drug" else "(unknown class)"))
    return score


def _worker_init() -> None:
    forget_inherited_connections()
    _store.cache_clear()


@dataclass(slots=True)
class CorpusEval:
    report: Any  # imr.review.evaluation.EvalReport over every scored item
    classes: list[str]
    letters: int
    seconds: float

    def by_drug_class(self) -> dict[str, Any]:
        from imr.review.evaluation import Figures

        groups: dict[str, Figures] = defaultdict(Figures)
        for result, drug_class in zip(self.report.results, self.classes):
            groups[drug_class].add(result)
        return dict(sorted(groups.items(), key=lambda pair: (-pair[1].items, pair[0])))

    def to_json(self) -> dict[str, Any]:
        report = self.report
        return {
            "letters": self.letters,
            "seconds": round(self.seconds, 2),
            "letters_per_second": round(self.letters / self.seconds, 1) if self.seconds else None,
            "overall": report.overall().as_dict(),
            "by_drug_class": {name: figures.as_dict() for name, figures in self.by_drug_class().items()},
            "by_kind": {name: figures.as_dict() for name, figures in report.grouped("kind").items()},
            "by_chapter": {name: figures.as_dict() for name, figures in report.grouped("chapter").items()},
            "confusion": report.confusion(),
            "overturned": report.overturned(),
            "citations": report.citations(),
            "unreadable": len(report.unreadable),
        }


def evaluate_corpus(
    *,
    store: CorpusStore | None = None,
    limit: int | None = None,
    year: int | None = None,
    workers: int | None = None,
    cluster: str | None = None,
    chunk_size: int = CHUNK,
) -> CorpusEval:
    """Score the engine against every stored letter (or the first `limit`, or one decision year)."""
    from imr.review.evaluation import EvalReport

    store = store or CorpusStore()
    sql = "SELECT id FROM corpus_letters" + (" WHERE decision_year = :year" if year else "") + " ORDER BY id"
    if limit:
        sql += " LIMIT :limit"
    with store.engine.connect() as connection:
        ids = [row[0] for row in connection.execute(text(sql), {"year": year, "limit": limit})]
    started = time.perf_counter()
    merged = EvalReport()
    classes: list[str] = []
    runner = Runner(workers, cluster, initializer=_worker_init)
    try:
        tasks = ((ids[start : start + chunk_size], store.url) for start in range(0, len(ids), chunk_size))
        for score in run_tasks(runner, evaluate_chunk, tasks):
            merged.results.extend(score.results)
            merged.unreadable.extend(score.unreadable)
            classes.extend(score.classes)
    finally:
        runner.close()
    return CorpusEval(report=merged, classes=classes, letters=len(ids), seconds=time.perf_counter() - started)
