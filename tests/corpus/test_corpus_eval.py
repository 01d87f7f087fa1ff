"""Evaluation at scale: the parallel corpus run scores exactly what the review package scores letter by letter."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from imr.corpus.evaluate import evaluate_corpus
from imr.corpus.ingest import ingest
from imr.corpus.store import CorpusStore

from .conftest import known_corpus, write_letters

items = pytest.importorskip("imr.items")
if not hasattr(items, "understand_item"):
    pytest.skip("the review engine needs imr.items.understand_item, not landed yet", allow_module_level=True)
from imr.review.evaluation import evaluate  # noqa: E402


@pytest.fixture
def store(tmp_path: Path) -> CorpusStore:
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    write_letters(tmp_path / "letters", known_corpus())
    ingest([tmp_path / "letters"], url=url, workers=1)
    return CorpusStore(url)


def _per_class(report, letters) -> dict[str, tuple[int, int]]:
    classes = [issue.item.drug_class or "(not a drug)" for letter in letters for issue in letter.issues]
    counts: Counter = Counter()
    agree: Counter = Counter()
    for result, drug_class in zip(report.results, classes, strict=True):
        counts[drug_class] += 1
        agree[drug_class] += result.agrees
    return {name: (counts[name], agree[name]) for name in counts}


def test_parallel_corpus_eval_matches_letter_by_letter_scoring(store: CorpusStore) -> None:
    letters = known_corpus()
    expected = evaluate(letters)
    scored = evaluate_corpus(store=store, workers=2, chunk_size=1)
    data = scored.to_json()
    assert data["letters"] == 4 and data["overall"]["items"] == 7
    assert data["overall"] == expected.overall().as_dict()
    assert {k: (v["items"], v["agree"]) for k, v in data["by_drug_class"].items()} == _per_class(expected, letters)
    assert data["by_drug_class"]["benzodiazepine"]["items"] == 3
    assert data["confusion"] == expected.confusion()


@pytest.mark.slow
def test_corpus_eval_on_a_dask_cluster(store: CorpusStore) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        scored = evaluate_corpus(store=store, cluster=cluster.scheduler_address, chunk_size=2)
    assert scored.to_json()["overall"] == evaluate(known_corpus()).overall().as_dict()


def test_eval_command_reports_per_drug_class(store: CorpusStore, tmp_path: Path) -> None:
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "IMR_DATABASE_URL": store.url, "IMR_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "imr", "corpus", "eval", "--limit", "2", "--workers", "1", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    # the first two letters hold four decisions: three drugs (two benzodiazepines, one muscle relaxant) and an MRI
    assert data["letters"] == 2 and data["overall"]["items"] == 4
    assert {name: figures["items"] for name, figures in data["by_drug_class"].items()} == {
        "benzodiazepine": 2,
        "muscle relaxant": 1,
        "(not a drug)": 1,
    }
