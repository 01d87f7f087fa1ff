"""`imr demo` — the README's first command — runs the whole flow on the bundled data."""

import os
import subprocess
import sys
from pathlib import Path

import yaml

from imr.examples import EXAMPLE_SERVICE


def test_demo_runs_every_stage_and_writes_its_outputs(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMR_")}
    result = subprocess.run(
        [sys.executable, "-m", "imr", "demo", "--dir", str(folder)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for stage in ("1. Letters", "2. Review engine", "3. Evaluation", "4. Case service", "5. Decision corpus"):
        assert stage in result.stdout
    assert (folder / "final-determination-letter.pdf").read_bytes().startswith(b"%PDF")
    assert (folder / "draft-letter.pdf").read_bytes().startswith(b"%PDF")
    assert (folder / "corpus-charts" / "report.html").is_file()
    published = (folder / "published-redacted.txt").read_text()
    worker = next(
        p for p in yaml.safe_load((EXAMPLE_SERVICE / "case.yaml").read_text())["parties"] if p["role"] == "injured_worker"
    )
    assert "IMR ISSUES, DECISIONS AND RATIONALES" in published
    assert worker["name"] not in published and worker["name"].split()[-1] not in published
    assert "Traceback" not in result.stderr


def test_demo_refuses_a_folder_it_did_not_make(tmp_path: Path) -> None:
    folder = tmp_path / "my-documents"
    folder.mkdir()
    (folder / "thesis.txt").write_text("years of work")
    result = subprocess.run(
        [sys.executable, "-m", "imr", "demo", "--dir", str(folder)], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert result.returncode == 2
    assert (
        result.stderr
        == f"imr: error: {folder}: folder is not empty and was not made by imr demo; give --dir a new or empty folder\n"
    )
    assert (folder / "thesis.txt").read_text() == "years of work" and sorted(p.name for p in folder.iterdir()) == ["thesis.txt"]


def test_demo_empties_only_its_own_folder(tmp_path: Path) -> None:
    from imr.cli.demo import MARKER, prepare_folder

    empty = tmp_path / "empty"
    empty.mkdir()
    prepare_folder(empty)  # an empty folder is taken, and marked as the demo's
    (empty / "imr.sqlite3").write_text("an earlier run")
    prepare_folder(empty)  # the demo's own folder is emptied for the next run
    assert sorted(p.name for p in empty.iterdir()) == [MARKER]
    new = tmp_path / "a" / "new"
    prepare_folder(new)
    assert (new / MARKER).is_file()
