"""The fuzz harness (benchmarks/fuzz.py) on a couple of hundred mutated letters, PDFs, case files and packets:
no crash (only imr's one-line refusals), no run over the time limit (15 s here: a test shares its
machine; the benchmark itself reports runs over 5 s)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_two_hundred_mutated_inputs_give_no_crash_and_no_slow_run(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "fuzz.py"),
            "--n",
            "200",
            "--seed",
            "7",
            "--limit",
            "15",
            "--kill-after",
            "60",
            "--out",
            str(tmp_path / "kept"),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert report["inputs"] == 200 and set(report["by_kind"]) == {"letter", "case", "pdf", "packet", "packet-pdf"}
    assert report["crashes"] == 0, report["crash_examples"]
    assert report["timeouts"] == 0 and report["runs_over_limit"] == 0, report["slow_examples"]
    assert 0 < report["refused_with_imr_error"] < 200  # mutations do break letters, and not all of them
    assert report["peak_memory_mb"] < 2048
