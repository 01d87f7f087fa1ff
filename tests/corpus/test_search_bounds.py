"""Corpus search treats user text as text: quotes and NUL bytes in any field are a clean 400 or no hit,
never a 500; queries are bounded in length and in time (on SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from imr.corpus import search as search_module
from imr.corpus.ingest import ingest
from imr.corpus.search import search
from imr.corpus.store import CorpusError, CorpusStore
from imr.web.api.corpus import corpus, router

from .conftest import known_corpus, write_letters


@pytest.fixture
def client(corpus_url: str, tmp_path: Path) -> TestClient:
    write_letters(tmp_path / "letters", known_corpus())
    ingest([tmp_path / "letters"], url=corpus_url, workers=1)
    app = FastAPI()
    app.include_router(router, prefix="/api")
    app.dependency_overrides[corpus] = lambda: CorpusStore(corpus_url)
    return TestClient(app)


@pytest.mark.parametrize(
    "params",
    [
        {"q": "alprazolam", "kind": 'drug" OR "x'},
        {"q": "alprazolam", "drug_class": 'benzo"diazepine'},
        {"q": "alprazolam", "drug_class": "'; DROP TABLE corpus_items; --"},
        {"q": 'alprazolam"', "kind": "drug"},
        {"q": "alprazolam", "drug": 'xan"ax'},
    ],
)
def test_quotes_in_any_field_are_text(client: TestClient, params: dict) -> None:
    answer = client.get("/api/corpus/search", params=params)
    assert answer.status_code in (200, 400), answer.text
    if answer.status_code == 200:
        assert all("alprazolam" in hit["item"].lower() or hit["generic"] == "alprazolam" for hit in answer.json())
    assert client.get("/api/corpus/search", params={"q": "alprazolam"}).json()  # the corpus is intact


@pytest.mark.parametrize("field", ["q", "kind", "drug_class", "drug"])
def test_a_nul_byte_is_a_clean_400(client: TestClient, field: str) -> None:
    params = {"q": "alprazolam", field: "alpra\x00zolam"}
    answer = client.get("/api/corpus/search", params=params)
    assert answer.status_code == 400 and "control character" in answer.json()["detail"]


def test_an_overlong_query_is_refused(client: TestClient) -> None:
    answer = client.get("/api/corpus/search", params={"q": "pain " * 700})
    assert answer.status_code == 400 and "longer than 500 characters" in answer.json()["detail"]


def test_a_search_that_runs_too_long_is_stopped(corpus_url: str, tmp_path: Path, monkeypatch) -> None:
    write_letters(tmp_path / "letters", known_corpus())
    ingest([tmp_path / "letters"], url=corpus_url, workers=1)
    store = CorpusStore(corpus_url)
    if store.is_sqlite:
        monkeypatch.setattr(search_module, "SEARCH_SECONDS", 0.0)  # over time at the first look at the clock
        monkeypatch.setattr(search_module, "PROGRESS_STEPS", 1)
    else:
        from sqlalchemy import text

        monkeypatch.setattr(search_module, "SEARCH_SECONDS", 0.2)
        monkeypatch.setattr(
            search_module,
            "_search_postgres",  # a statement that would run for a minute
            lambda connection, *args: connection.execute(text("SELECT pg_sleep(60)")).all(),
        )
    with pytest.raises(CorpusError, match="and was stopped"):
        search("alprazolam", store=store)
    monkeypatch.undo()
    assert search("alprazolam", store=store)  # the connection is usable again
