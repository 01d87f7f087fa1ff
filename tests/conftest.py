"""Shared fixtures: the real published letters the project is measured on."""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.paths import DWC_LETTERS, SEED_LETTERS


@pytest.fixture(scope="session")
def seed_letters() -> list[Path]:
    return SEED_LETTERS


@pytest.fixture(scope="session")
def dwc_letters() -> list[Path]:
    return DWC_LETTERS


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test reads or writes the user's ~/.imr: each gets a data folder of its own (a test may still
    point IMR_DATA_DIR or IMR_DATABASE_URL elsewhere itself)."""
    from imr.settings import get_settings

    monkeypatch.setenv("IMR_DATA_DIR", str(tmp_path_factory.mktemp("imr-data")))
    monkeypatch.delenv("IMR_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


# ---------------------------------------------------------------- tests never rewrite tracked files

ROOT = Path(__file__).parents[1]
_BEFORE = pytest.StashKey[dict[str, str]]()


def _changed_tracked_files() -> dict[str, str] | None:
    """Tracked files that differ from the last commit, each with a hash of what it holds now (None
    outside a git work tree)."""
    try:
        listed = subprocess.run(
            ["git", "-C", str(ROOT), "diff", "--name-only", "-z", "HEAD"], capture_output=True, check=True, timeout=60
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    changed = {}
    for name in filter(None, listed.decode("utf-8", "replace").split("\0")):
        path = ROOT / name
        changed[name] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "deleted"
    return changed


def _checks_tracked_files(config: pytest.Config) -> bool:
    # the controller of a parallel run checks once; IMR_UPDATE_GOLDEN=1 is the one way to rewrite them
    return not hasattr(config, "workerinput") and os.environ.get("IMR_UPDATE_GOLDEN") != "1"


def pytest_sessionstart(session: pytest.Session) -> None:
    if _checks_tracked_files(session.config) and (before := _changed_tracked_files()) is not None:
        session.config.stash[_BEFORE] = before


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when a test changed a tracked file (a golden file, a screenshot of the docs):
    tests write to temporary folders; goldens and screenshots change only with IMR_UPDATE_GOLDEN=1."""
    before = session.config.stash.get(_BEFORE, None)
    after = _changed_tracked_files() if before is not None else None
    if before is None or after is None:
        return
    rewritten = sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
    if rewritten:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = (
            f"tests changed tracked files (write to tmp_path; IMR_UPDATE_GOLDEN=1 to update goldens): {', '.join(rewritten)}"
        )
        if reporter is not None:
            reporter.ensure_newline()
            reporter.write_line(message, red=True, bold=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
