"""`imr cases|reviewers|users`: refusals are one line and exit 2; the due check fails a scheduled job."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import yaml
from imr.examples import EXAMPLE_SERVICE

EXAMPLES = EXAMPLE_SERVICE


def imr(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "IMR_DATA_DIR": str(tmp_path / "data")}
    env.pop("IMR_DATABASE_URL", None)
    return subprocess.run(["imr", *args], cwd=EXAMPLES, env=env, input=stdin, capture_output=True, text=True, timeout=120)


def test_refusals_are_one_line_with_exit_2(tmp_path: Path) -> None:
    assert imr(tmp_path, "cases", "import", "case.yaml").returncode == 0
    for args, message in [
        (("cases", "show", "CM99-0000000"), "imr: error: no case CM99-0000000\n"),
        (("cases", "assign", "CM26-0000001"), "imr: error: case CM26-0000001: cannot assign while received (allowed from: records_complete, assigned)\n"),
        (("cases", "import", "case.yaml"), "imr: error: case CM26-0000001 is already on file\n"),
        (("cases", "import", "reviewers.yaml"), "imr: error: reviewers.yaml: expected a mapping of case fields, got list\n"),
    ]:
        result = imr(tmp_path, *args)
        assert (result.returncode, result.stderr) == (2, message)
    result = imr(tmp_path, "users", "add", "eve", "--role", "overlord", "--password-stdin", stdin="a long enough password\n")
    assert result.returncode == 2 and "unknown role 'overlord'" in result.stderr and "Traceback" not in result.stderr


def test_due_check_fails_when_a_case_is_overdue(tmp_path: Path) -> None:
    assert imr(tmp_path, "cases", "due", "--check").returncode == 0  # nothing on file
    # the bundled example is current work; a copy received a year earlier is long overdue whatever today is
    case = yaml.safe_load((EXAMPLES / "case.yaml").read_text())
    case.update(received="2025-11-17", ur_decision_date="2025-11-04")
    case["ur_decision"]["date"] = "2025-11-04"
    shutil.copytree(EXAMPLES / "records", tmp_path / "records")
    (tmp_path / "old-case.yaml").write_text(yaml.safe_dump(case, sort_keys=False))
    assert imr(tmp_path, "cases", "import", str(tmp_path / "old-case.yaml")).returncode == 0
    result = imr(tmp_path, "cases", "due", "--check")
    assert result.returncode == 1 and "CM26-0000001" in result.stdout and "overdue" in result.stdout
