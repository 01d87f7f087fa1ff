"""A test run never rewrites a tracked file (issue 15): the session fails when one did."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).parent


def _git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True, timeout=60)


def _project_with(tmp_path: Path, test: str) -> Path:
    """A small git work tree with this suite's conftest and one test; what it tracks is committed."""
    (tmp_path / "tests").mkdir()
    for name in ("__init__.py", "conftest.py", "paths.py"):
        shutil.copy(TESTS / name, tmp_path / "tests" / name)
    (tmp_path / "tests" / "test_probe.py").write_text(test)
    (tmp_path / "golden.txt").write_text("the reviewed output\n")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "fixture")
    return tmp_path


def _pytest(folder: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), *sys.path]), **env}
    environment.pop("IMR_UPDATE_GOLDEN", None)
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_probe.py"],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


REWRITES = """
from pathlib import Path

def test_rewrites_the_golden_file():
    golden = Path(__file__).parents[1] / "golden.txt"
    golden.write_text("whatever this run produced\\n")
"""


def test_a_test_that_rewrites_a_tracked_file_fails_the_run(tmp_path: Path) -> None:
    run = _pytest(_project_with(tmp_path, REWRITES))
    assert run.returncode == 1, run.stdout
    assert "tests changed tracked files" in run.stdout and "golden.txt" in run.stdout


def test_updating_goldens_is_asked_for(tmp_path: Path) -> None:
    run = _pytest(_project_with(tmp_path, REWRITES), IMR_UPDATE_GOLDEN="1")
    assert run.returncode == 0, run.stdout
