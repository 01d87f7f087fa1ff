"""`imr letter parse` as a user runs it (a real process: exit codes and stderr are part of the contract)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from imr.model import Determination

LETTERS = Path(__file__).parent.parent / "fixtures" / "letters"
SEED = sorted((LETTERS / "seed").glob("*.txt"))
A_PDF = LETTERS / "dwc" / "CM16-0213037.pdf"


def imr(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "imr", "letter", "parse", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},
    )


def test_json_for_one_file_is_exactly_the_determination() -> None:
    run = imr(A_PDF, "--json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert set(data) == set(Determination.model_fields)
    assert Determination.model_validate(data).case.case_number == "CM16-0213037"


def test_jsonl_streams_every_letter_in_the_order_given_and_goes_on_after_a_failure(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(A_PDF.read_bytes()[:900])
    run = imr(A_PDF, broken, LETTERS / "seed", "--jsonl")
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert [line["source"] for line in lines] == [str(A_PDF), str(broken), *map(str, SEED)]
    assert "error" in lines[1] and str(broken) in lines[1]["error"]
    assert all("error" not in line and line["issues"] for i, line in enumerate(lines) if i != 1)
    assert run.returncode == 2
    assert "1 of 5 letters could not be read" in run.stderr and "Traceback" not in run.stderr


def test_a_bad_single_letter_is_one_line_on_stderr_and_exit_code_2(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    run = imr(empty, "--json")
    assert run.returncode == 2
    assert run.stderr.strip() == f"imr: error: {empty}: empty file"
    assert run.stdout == ""


def test_table_lists_each_letter_with_its_outcomes() -> None:
    run = imr(SEED[2])
    assert run.returncode == 0, run.stderr
    assert "Norco 10/325mg" in run.stdout and "Final Determination Letters" in run.stdout


def test_a_folder_is_read_for_its_letters_and_the_other_files_are_skipped(tmp_path: Path) -> None:
    """A folder of letters often holds notes and earlier outputs too: they are skipped and counted."""
    import shutil

    (tmp_path / "2016").mkdir()
    shutil.copy(SEED[0], tmp_path / SEED[0].name)
    shutil.copy(A_PDF, tmp_path / "2016" / A_PDF.name)
    (tmp_path / "README.md").write_text("Letters received in 2016.")
    (tmp_path / "2016" / "parsed.json").write_text("{}")
    (tmp_path / "2016" / "scan.png").write_bytes(b"\x89PNG\r\n")
    run = imr(tmp_path, "--jsonl")
    assert run.returncode == 0, run.stderr
    assert [json.loads(line)["source"] for line in run.stdout.splitlines()] == sorted(
        [str(tmp_path / "2016" / A_PDF.name), str(tmp_path / SEED[0].name)]
    )
    assert run.stderr == "imr: skipped 3 files that are not letters (.txt or .pdf)\n"
