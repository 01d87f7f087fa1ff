"""Full-text search of the stored decisions, on SQLite FTS5 and PostgreSQL full text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from imr.corpus.ingest import ingest
from imr.corpus.search import fts5_query, search
from imr.corpus.store import CorpusError, CorpusStore

from .conftest import known_corpus, write_letters


@pytest.fixture
def store(corpus_url: str, tmp_path: Path) -> CorpusStore:
    write_letters(tmp_path / "letters", known_corpus())
    ingest([tmp_path / "letters"], url=corpus_url, workers=1)
    return CorpusStore(corpus_url)


def test_ranked_hits_match_item_text_and_rationale(store: CorpusStore) -> None:
    hits = search("benzodiazepine long-term", store=store)
    assert {hit.case_number for hit in hits} == {"CM15-0000001", "CM16-0000002"}
    assert all(hit.generic == "alprazolam" and hit.outcome == "Upheld" for hit in hits)
    assert all(hit.score > 0 for hit in hits)
    # the item's own words weigh more than a mention in a rationale
    top = search("alprazolam", store=store)[0]
    assert "alprazolam" in top.item.lower()
    assert "[" in search("meprobamate", store=store)[0].snippet


def test_filters_narrow_the_hits(store: CorpusStore) -> None:
    assert [h.case_number for h in search("alprazolam", outcome="overturned", store=store)] == ["CM17-0000004"]
    assert {h.case_number for h in search("alprazolam", year=2016, store=store)} == {"CM16-0000002"}
    assert [h.item for h in search("recommended", drug_class="muscle relaxant", store=store)] == ["Soma 350mg #120"]
    assert [h.item for h in search("imaging", kind="imaging", store=store)] == ["MRI of the lumbar spine"]
    assert search("gabapentin", drug="alprazolam", store=store) == []
    with pytest.raises(CorpusError, match="Upheld or Overturned"):
        search("pain", outcome="maybe", store=store)


def test_query_syntax_never_leaks_into_fts5() -> None:
    assert fts5_query('MRI "lumbar spine" AND (NEAR') == '"MRI" "lumbar spine" "AND" "NEAR"'
    assert fts5_query("*** ---") == ""


def test_search_command(store: CorpusStore, tmp_path: Path) -> None:
    env = {**os.environ, "IMR_DATABASE_URL": store.url, "IMR_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "imr", "corpus", "search", "neuropathic", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert [hit["case_number"] for hit in json.loads(result.stdout)] == ["CM16-0000003"]
    empty = subprocess.run(
        [sys.executable, "-m", "imr", "corpus", "search", "??"], capture_output=True, text=True, env=env, timeout=120
    )
    assert empty.returncode == 2 and "at least one word" in empty.stderr


def test_common_queries_rank_item_matches_first_within_the_window(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    import imr.corpus.search as search_module

    from .conftest import decision, letter

    letters = [
        letter(
            "CM16-0000011",
            dt.date(2016, 1, 5),
            ["Family Practice"],
            "Chronic neck pain.",
            [
                decision(
                    "Norco 10/325mg #60",
                    "Upheld",
                    kind="drug",
                    generic="hydrocodone/acetaminophen",
                    drug_class="opioid",
                    rationale="Opioid use without documented functional improvement is not supported.",
                )
            ],
        ),
        letter(
            "CM16-0000012",
            dt.date(2016, 2, 5),
            ["Family Practice"],
            "Chronic low back pain.",
            [
                decision(
                    "Physical therapy 8 sessions",
                    "Overturned",
                    kind="physical medicine",
                    rationale="Prior therapy produced functional improvement, so more sessions are supported.",
                )
            ],
        ),
        letter(
            "CM16-0000013",
            dt.date(2016, 3, 5),
            ["Family Practice"],
            "Chronic pain syndrome.",
            [
                decision(
                    "Functional restoration program evaluation",
                    "Upheld",
                    kind="evaluation or consultation",
                    rationale="Not all criteria for the program are documented.",
                )
            ],
        ),
    ]
    write_letters(tmp_path / "letters", letters)
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    ingest([tmp_path / "letters"], url=url, workers=1)
    store = CorpusStore(url)
    monkeypatch.setattr(search_module, "WINDOW", 3)  # three matches fill the window: a "common" query
    hits = search("functional", limit=3, store=store)
    # the word in the item itself first, then rationale-only matches, newest first
    assert [h.case_number for h in hits] == ["CM16-0000013", "CM16-0000012", "CM16-0000011"]
    assert hits[0].score > hits[1].score == hits[2].score
    # with a filter the window is ranked the same way, the filter applied inside the index
    assert [h.case_number for h in search("functional", outcome="Upheld", limit=3, store=store)] == [
        "CM16-0000013",
        "CM16-0000011",
    ]
