"""The command-line example flow of docs/cases.md, run as written (README quotes it)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.docs_flow import docs_flow
from imr.examples import EXAMPLE_SERVICE

DOCS = Path(__file__).parents[2] / "docs"


@pytest.mark.slow
def test_the_cli_flow_in_the_docs_runs(tmp_path: Path) -> None:
    work = tmp_path / "examples"
    shutil.copytree(EXAMPLE_SERVICE, work)
    env = {**os.environ, "IMR_DATA_DIR": str(tmp_path / "data")}
    env.pop("IMR_DATABASE_URL", None)
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", docs_flow("cli")], cwd=work, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert "imported case CM26-0000001" in out and "eligible (application was due by 2026-12-09)" in out
    assert "excluded: Dr. Helen Park (id 1): conflict of interest: employment affiliation with the requesting provider" in out
    assert "assigned Dr. Omar Haddad (id 2)" in out
    assert re.search(r"signed version 1, sha256 [0-9a-f]{64}", out)
    assert (work / "letter.pdf").read_bytes().startswith(b"%PDF")
    published = (work / "published.txt").read_text()
    assert "CM26-0000001" in published
    for identifier in ("Garcia", "Okafor", "Valley Packing", "GSC-2023-558812"):
        assert identifier not in published
    assert "published" in out.split("published version 1")[-1]  # `show` reports the final state
