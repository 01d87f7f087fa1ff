"""Bulk ingest: idempotent by content, failures reported not fatal, archives, a killed run resumed exactly, Dask."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from imr.corpus.ingest import ingest
from imr.corpus.sources import SourceError
from imr.corpus.store import CorpusStore
from imr.model import Determination

from .conftest import known_corpus, write_letters


def variants(count: int) -> list[Determination]:
    """`count` distinct letters (distinct case numbers) cycling through the known corpus."""
    base = known_corpus()
    letters = []
    for index in range(count):
        letter = base[index % len(base)].model_copy(deep=True)
        letter.case.case_number = f"CM16-{index:07d}"
        letters.append(letter)
    return letters


def test_ingest_is_idempotent_and_reports_failures(corpus_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "letters"
    write_letters(folder, variants(30))
    (folder / "nested").mkdir()
    write_letters(folder / "nested", variants(2))  # same content as two letters above: held once
    (folder / "broken.json").write_text('{"case": {"age": "old"}}')
    (folder / "notes.md").write_text("not a letter, not counted")
    first = ingest([folder], url=corpus_url, workers=2, batch_size=7, chunk_size=4, report_path=tmp_path / "failures.csv")
    assert (first.seen, first.stored, first.already_held, first.failed) == (33, 30, 2, 1)
    assert first.items == sum(len(d.issues) for d in variants(30))
    rows = list(csv.DictReader((tmp_path / "failures.csv").open()))
    assert [row["origin"] for row in rows] == [str(folder / "broken.json")]
    assert "not a Determination JSON" in rows[0]["reason"]
    again = ingest([folder], url=corpus_url, workers=2)
    assert (again.stored, again.already_held, again.failed) == (0, 32, 1)
    counts = CorpusStore(corpus_url).counts()
    assert counts == {"letters": 30, "items": first.items, "failures": 1}


def test_zip_archives_and_stored_letters_round_trip(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    letters = variants(12)
    archive = tmp_path / "letters.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for index, letter in enumerate(letters):
            handle.writestr(f"2016/{index}.json", letter.model_dump_json())
        handle.writestr("__MACOSX/._0.json", "debris")
    report = ingest([archive], url=url, workers=1)
    assert (report.seen, report.stored, report.failed) == (12, 12, 0)
    from imr.corpus.extract import from_document

    with sqlite3.connect(tmp_path / "c.sqlite3") as db:
        origin, document = db.execute("SELECT origin, document FROM corpus_letters WHERE case_number = 'CM16-0000005'").fetchone()
    assert origin == f"{archive}!2016/5.json"
    assert from_document(document) == letters[5]


def test_missing_path_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        ingest([tmp_path / "nowhere"], url=f"sqlite:///{tmp_path / 'c.sqlite3'}")


def _long_ingest(tmp_path: Path, total: int = 15000) -> tuple[int, list[Determination], Path, dict, list[str]]:
    """An archive big enough to interrupt half way, and the command that ingests it in small batches."""
    letters = variants(total)
    archive = tmp_path / "letters.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for index, letter in enumerate(letters):
            handle.writestr(f"{index:06d}.json", letter.model_dump_json())
    db = tmp_path / "c.sqlite3"
    env = {**os.environ, "IMR_DATABASE_URL": f"sqlite:///{db}", "IMR_DATA_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "imr", "corpus", "ingest", str(archive), "--batch", "100", "--workers", "1"]
    return total, letters, db, env, command


def _count(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as connection:
            return connection.execute("SELECT count(*) FROM corpus_letters").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


@pytest.mark.slow
def test_killed_ingest_resumes_with_exact_counts(tmp_path: Path) -> None:
    total, letters, db, env, command = _long_ingest(tmp_path)
    command = [*command, "--json"]
    run = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while _count(db) < total // 5 and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert run.poll() is None, "the ingest finished before it could be killed"
        os.killpg(run.pid, signal.SIGKILL)  # the writer and its workers, mid-batch
    finally:
        run.wait(timeout=30)
    stored_before = _count(db)
    assert 0 < stored_before < total
    resumed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    with sqlite3.connect(db) as connection:
        letters_held, distinct, items = connection.execute(
            "SELECT count(*), count(DISTINCT case_number), (SELECT count(*) FROM corpus_items) FROM corpus_letters"
        ).fetchone()
        indexed = connection.execute(
            "SELECT count(*) FROM corpus_items_fts WHERE corpus_items_fts MATCH 'alprazolam'"
        ).fetchone()[0]
    assert letters_held == distinct == total
    assert items == sum(len(letter.issues) for letter in letters)
    assert indexed == sum(
        1 for letter in letters for issue in letter.issues if "alprazolam" in (issue.item.text + (issue.rationale or "")).lower()
    )


@pytest.mark.slow
def test_ingest_on_a_dask_cluster(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    write_letters(tmp_path / "letters", variants(40))
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        report = ingest([tmp_path / "letters"], url=url, cluster=cluster.scheduler_address, chunk_size=5)
    assert (report.seen, report.stored, report.failed) == (40, 40, 0)
    assert CorpusStore(url).counts()["items"] == sum(len(d.issues) for d in variants(40))


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_and_the_next_run_finishes(tmp_path: Path) -> None:
    total, letters, db, env, command = _long_ingest(tmp_path)
    run = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    while _count(db) < total // 5 and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert run.poll() is None, "the ingest finished before it could be interrupted"
    os.killpg(run.pid, signal.SIGINT)  # what a terminal sends to the whole job on Ctrl-C
    out, err = run.communicate(timeout=60)
    assert run.returncode == 130, err
    assert "interrupted" in out and "Traceback" not in err and "internal error" not in err
    time.sleep(1)
    with pytest.raises(ProcessLookupError):  # no worker process of the run is left behind
        os.killpg(run.pid, 0)
    assert 0 < _count(db) < total
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    assert _count(db) == total
    assert CorpusStore(f"sqlite:///{db}").counts()["items"] == sum(len(letter.issues) for letter in letters)


def test_ctrl_c_while_starting_is_one_line_and_exit_130(tmp_path: Path) -> None:
    # enough letters that the run is still going at 1.5 s (a signal during interpreter shutdown is no test)
    write_letters(tmp_path / "letters", variants(200))
    env = {**os.environ, "IMR_DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite3'}", "IMR_DATA_DIR": str(tmp_path)}
    for delay in (0.8, 1.5):  # while the commands are imported, and while the corpus opens
        run = subprocess.Popen(
            [sys.executable, "-m", "imr", "corpus", "ingest", str(tmp_path / "letters"), "--workers", "2"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        time.sleep(delay)
        os.killpg(run.pid, signal.SIGINT)
        out, err = run.communicate(timeout=60)
        # 0: it finished first; -SIGINT: the signal came while Python was shutting down after the work
        # (Python restores the default handler then): no output, nothing half done
        assert run.returncode in (0, 130, -signal.SIGINT), err
        assert "Traceback" not in err and "internal error" not in err
        if run.returncode == 130:
            assert "interrupted" in out + err and len(err.strip().splitlines()) <= 1
        time.sleep(0.5)
        with pytest.raises(ProcessLookupError):
            os.killpg(run.pid, 0)
