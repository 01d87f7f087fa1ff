"""`imr review --precedents`: every item carries the closest published decisions from the corpus."""

import json
import os
import subprocess
import sys
from pathlib import Path

from imr.examples import EXAMPLE_CASES
from tests.paths import DWC_LETTERS


def _imr(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("IMR_")}, "IMR_DATA_DIR": str(data)}
    return subprocess.run([sys.executable, "-m", "imr", *args], capture_output=True, text=True, timeout=300, env=env)


def test_review_brings_published_precedents_of_the_same_procedure(tmp_path: Path) -> None:
    assert _imr("corpus", "ingest", *map(str, DWC_LETTERS), data=tmp_path).returncode == 0
    result = _imr("review", str(EXAMPLE_CASES / "imaging-lumbar-mri.yaml"), "--json", "--precedents", data=tmp_path)
    assert result.returncode == 0, result.stderr
    (issue,) = json.loads(result.stdout)["issues"]
    assert issue["precedents"], "no precedent found for a lumbar MRI among 40 published letters"
    assert all("mri" in p["item"].lower() for p in issue["precedents"][:3])
    assert {p["outcome"] for p in issue["precedents"]} <= {"Upheld", "Overturned"}


def test_without_the_flag_the_review_json_has_no_precedents(tmp_path: Path) -> None:
    result = _imr("review", str(EXAMPLE_CASES / "imaging-lumbar-mri.yaml"), "--json", data=tmp_path)
    assert "precedents" not in json.loads(result.stdout)["issues"][0]
