"""The decision corpus: published Final Determinations in bulk - ingest, search, statistics, precedents, evaluation.

Owns its tables and Alembic history (corpus/migrations, version table `alembic_version_corpus`) in the
case service's database. Public API (loaded on first use, so importing the package stays cheap):
`ingest`, `search`, `corpus_stats`, `find_precedents`, `compare_with_precedents`, `attach_precedents`, `evaluate_corpus`,
`CorpusStore`, `corpus_store`. See docs/corpus.md.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_LAZY = {
    "ingest": "imr.corpus.ingest",
    "IngestReport": "imr.corpus.ingest",
    "search": "imr.corpus.search",
    "SearchHit": "imr.corpus.search",
    "corpus_stats": "imr.corpus.stats",
    "CorpusStats": "imr.corpus.stats",
    "find_precedents": "imr.corpus.precedents",
    "compare_with_precedents": "imr.corpus.precedents",
    "attach_precedents": "imr.corpus.precedents",
    "evaluate_corpus": "imr.corpus.evaluate",
    "CorpusStore": "imr.corpus.store",
    "CorpusError": "imr.corpus.store",
    "corpus_store": "imr.corpus.store",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(name)


__all__ = sorted(_LAZY)
