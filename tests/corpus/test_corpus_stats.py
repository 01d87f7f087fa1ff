"""The statistics and charts on a small corpus whose every count is worked out by hand (conftest.known_corpus)."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from imr.corpus.charts import draw, html_report, save_charts
from imr.corpus.ingest import ingest
from imr.corpus.stats import corpus_stats, dimensions
from imr.corpus.store import CorpusStore

from .conftest import CHRONIC_PAIN, known_corpus, write_letters


@pytest.fixture
def known_store(corpus_url: str, tmp_path: Path) -> CorpusStore:
    write_letters(tmp_path / "letters", known_corpus())
    report = ingest([tmp_path / "letters"], url=corpus_url, workers=1)
    assert (report.stored, report.items, report.failed) == (4, 7, 0)
    return CorpusStore(corpus_url)


def table(stats, name: str) -> dict[str, tuple[int, int, int]]:
    return {row.value: (row.decisions, row.upheld, row.overturned) for row in stats.breakdowns[name]}


def test_breakdowns_count_decisions_and_outcomes(known_store: CorpusStore) -> None:
    stats = corpus_stats(store=known_store)
    assert stats.letters == 4
    assert (stats.overall.decisions, stats.overall.upheld, stats.overall.overturned) == (7, 4, 3)
    assert table(stats, "drug") == {"alprazolam": (3, 2, 1), "carisoprodol": (1, 1, 0), "gabapentin": (1, 0, 1)}
    assert table(stats, "drug_class") == {
        "benzodiazepine": (3, 2, 1),
        "muscle relaxant": (1, 1, 0),
        "anti-epilepsy drug": (1, 0, 1),
    }
    assert table(stats, "kind") == {"drug": (5, 3, 2), "imaging": (1, 0, 1), "physical medicine": (1, 1, 0)}
    assert table(stats, "year") == {"2015": (2, 1, 1), "2016": (4, 3, 1), "2017": (1, 0, 1)}
    # a decision counts once for each specialty of its reviewer
    assert table(stats, "specialty") == {
        "Family Practice": (5, 3, 2),
        "Occupational Medicine": (2, 2, 0),
        "Orthopedic Surgery": (2, 1, 1),
    }
    pages = table(stats, "page")
    assert pages[f"{CHRONIC_PAIN} p. 24"] == (3, 2, 1)
    assert pages[f"{CHRONIC_PAIN} p. 18"] == pages[f"{CHRONIC_PAIN} p. 19"] == (1, 0, 1)
    assert table(stats, "source")[CHRONIC_PAIN] == (5, 3, 2)
    assert table(stats, "section")["MTUS Low Back Complaints 2004 § Special Studies"] == (1, 0, 1)


def test_rows_are_ordered_by_volume_and_years_by_time(known_store: CorpusStore) -> None:
    stats = corpus_stats(store=known_store)
    assert stats.breakdowns["drug"][0].value == "alprazolam"
    assert stats.breakdowns["drug"][0].uphold_rate == pytest.approx(2 / 3, abs=1e-4)
    assert [row.value for row in stats.breakdowns["year"]] == ["2015", "2016", "2017"]
    assert len(corpus_stats(store=known_store, only=["drug"], limit=1).breakdowns["drug"]) == 1


def test_bar_chart_draws_the_counts(known_store: CorpusStore) -> None:
    stats = corpus_stats(store=known_store)
    figure = draw(dimensions()["drug"], stats.breakdowns["drug"])
    volume, rate = figure.axes
    labels = [label.get_text() for label in volume.get_yticklabels()]
    widths = [patch.get_width() for patch in volume.patches]
    # upheld bars first, then overturned bars, both bottom-up (largest drug at the top)
    by_label = {label: (widths[i], widths[i + len(labels)]) for i, label in enumerate(labels)}
    assert by_label == {"alprazolam": (2, 1), "carisoprodol": (1, 0), "gabapentin": (0, 1)}
    overturned = {label: patch.get_width() for label, patch in zip(labels, rate.patches)}
    assert overturned["alprazolam"] == pytest.approx(100 / 3)
    assert overturned["gabapentin"] == pytest.approx(100)


def test_png_charts_and_html_report(known_store: CorpusStore, tmp_path: Path) -> None:
    stats = corpus_stats(store=known_store)
    charts = save_charts(stats, tmp_path / "charts")
    assert {chart.name for chart in charts} == set(dimensions())
    for chart in charts:
        header = chart.path.read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", header[16:24])
        assert width >= 600 and height >= 200
    page = html_report(stats, charts, tmp_path / "charts" / "report.html").read_text()
    assert page.count("data:image/png;base64,") == len(charts)
    assert "Orthopedic Surgery" in page and "57.1%" in page  # 4 of 7 upheld


def test_stats_command_json_and_charts(known_store: CorpusStore, tmp_path: Path) -> None:
    env = {"IMR_DATABASE_URL": known_store.url, "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "imr", "corpus", "stats", "--json", "--charts", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    drugs = {row["value"]: row for row in data["breakdowns"]["drug"]["rows"]}
    assert drugs["alprazolam"]["decisions"] == 3 and drugs["alprazolam"]["uphold_rate"] == pytest.approx(0.6667)
    assert (tmp_path / "out" / "report.html").exists()
    unknown = subprocess.run(
        [sys.executable, "-m", "imr", "corpus", "stats", "--by", "colour"], capture_output=True, text=True, env=env, timeout=120
    )
    assert unknown.returncode == 2 and "unknown breakdown" in unknown.stderr and "Traceback" not in unknown.stderr


def test_the_spellings_of_one_guideline_are_counted_once(corpus_url: str, tmp_path: Path) -> None:
    import datetime as dt

    from .conftest import cite, decision, letter

    modern = "MTUS (ACOEM Practice Guidelines) Low Back Disorders, 2020"
    letters = [
        letter(
            "CM22-0000001",
            dt.date(2022, 3, 2),
            ["Family Practice"],
            "Low back pain with radiculopathy.",
            [
                decision(
                    "Lumbar epidural steroid injection",
                    "Upheld",
                    kind="injection",
                    basis=[cite(modern, sections=["Epidural Steroid Injections"])],
                )
            ],
        ),
        letter(
            "CM22-0000002",
            dt.date(2022, 5, 9),
            ["Family Practice"],
            "Low back pain with radiculopathy.",
            [
                decision(
                    "MRI of the lumbar spine",
                    "Overturned",
                    kind="imaging",
                    basis=[cite("MTUS Low Back Disorders 2020", sections=["Epidural Steroid Injections"])],
                )
            ],
        ),
    ]
    write_letters(tmp_path / "letters", letters)
    ingest([tmp_path / "letters"], url=corpus_url, workers=1)
    stats = corpus_stats(store=CorpusStore(corpus_url))
    assert table(stats, "source") == {modern: (2, 1, 1)}
    assert table(stats, "section") == {f"{modern} § Epidural Steroid Injections": (2, 1, 1)}
