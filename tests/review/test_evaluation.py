"""`imr eval` figures on the real fixture letters: counts that add up, the baseline beside each figure."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from imr.review import evaluate
from imr.review.evaluation import format_table
from tests.paths import DWC_LETTERS, SEED_LETTERS

LETTERS = SEED_LETTERS + DWC_LETTERS[:8]


@pytest.fixture(scope="module")
def report():
    return evaluate(LETTERS)


def test_every_item_of_every_letter_is_judged(report):
    from imr.letters.parse import parse_letter

    expected = sum(len(parse_letter(p).issues) for p in LETTERS)
    assert len(report.results) + 0 == expected
    assert not report.unreadable


def test_figures_add_up_and_show_the_always_upheld_baseline(report):
    overall = report.to_json()["overall"]
    assert overall["items"] == overall["decided"] + overall["abstains"]
    published_upheld = sum(r.published == "Upheld" for r in report.results)
    assert overall["baseline_agree"] == published_upheld
    confusion = report.confusion()
    assert sum(sum(row.values()) for row in confusion.values()) == len(report.results)
    over = report.overturned()
    assert over["published"] == over["caught"] + over["missed"] + over["abstained"]
    for group in report.to_json()["by_kind"].values():
        assert "baseline_agreement" in group
    assert sum(g["items"] for g in report.to_json()["by_chapter"].values()) == len(report.results)


def test_table_names_misses_and_abstains(report):
    table = format_table(report)
    assert "upheld%" in table and "prec%" in table and "recall%" in table and "Calibration" in table and "Confusion" in table
    for miss in report.misses():
        assert miss.item[:40] in table


def test_cli_eval_json():
    run = subprocess.run(
        [sys.executable, "-m", "imr", "eval", str(SEED_LETTERS[0]), "--json"], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["overall"]["items"] == 1
    assert set(data) >= {
        "overall",
        "by_kind",
        "by_chapter",
        "by_confidence",
        "by_half",
        "confusion",
        "overturned",
        "abstains",
        "misses",
    }
    assert {"overturned_precision", "overturned_recall", "abstain_rate", "mean_confidence", "baseline_agreement"} <= set(
        data["overall"]
    )


def test_precision_recall_and_halves_are_counted_from_the_items():
    from imr.review.evaluation import EvalReport, ItemResult

    def item(published, engine, half, confidence=0.7):
        return ItemResult(
            letter="l",
            case_number="c",
            item="x",
            kind="imaging",
            chapter="c",
            published=published,
            engine=engine,
            confidence=confidence,
            published_sources=[],
            engine_sources=[],
            published_pages=[],
            engine_pages=[],
            same_chapter=None,
            pages_overlap=None,
            half=half,
        )

    report = EvalReport(
        results=[
            item("Overturned", "Overturned", "validation"),
            item("Upheld", "Overturned", "validation"),
            item("Overturned", "Upheld", "development"),
            item("Upheld", "Upheld", "development"),
            item("Upheld", None, "development", None),
        ]
    )
    overall = report.overall().as_dict()
    assert (overall["overturned_precision"], overall["overturned_recall"]) == (0.5, 0.5)
    assert overall["abstain_rate"] == 0.2 and overall["baseline_agreement"] == 0.6 and overall["agreement"] == 0.4
    halves = report.to_json()["by_half"]
    assert halves["validation"]["items"] == 2 and halves["development"]["abstains"] == 1


def test_cli_eval_looks_in_subfolders(tmp_path):
    """`imr eval FOLDER` takes the letters of its subfolders too (a corpus is often filed by year)."""
    import shutil

    (tmp_path / "2016").mkdir()
    (tmp_path / "2017" / "march").mkdir(parents=True)
    shutil.copy(SEED_LETTERS[0], tmp_path / SEED_LETTERS[0].name)
    shutil.copy(SEED_LETTERS[1], tmp_path / "2016" / SEED_LETTERS[1].name)
    shutil.copy(SEED_LETTERS[2], tmp_path / "2017" / "march" / SEED_LETTERS[2].name)
    (tmp_path / "2017" / "notes.md").write_text("not a letter")
    run = subprocess.run(
        [sys.executable, "-m", "imr", "eval", str(tmp_path), "--json"], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr
    from imr.letters.parse import parse_letter

    assert json.loads(run.stdout)["overall"]["items"] == sum(len(parse_letter(p).issues) for p in SEED_LETTERS[:3])
