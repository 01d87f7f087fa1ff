"""`imr cases import` from an untrusted case file: aliases refused, documents only from the case file's folder."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from imr.examples import EXAMPLE_SERVICE
from tests.test_input_files import BILLION_LAUGHS

CASE = yaml.safe_load((EXAMPLE_SERVICE / "case.yaml").read_text())


def imr(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "IMR_DATA_DIR": str(tmp_path / "data")}
    env.pop("IMR_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "imr", *args], env=env, capture_output=True, text=True, timeout=120)


def case_folder(tmp_path: Path, document: str) -> Path:
    """A case folder whose case file names `document` as its one record; the case file's path."""
    folder = tmp_path / "intake" / "case"
    folder.mkdir(parents=True)
    (folder / "note.txt").write_text("Progress note. Alprazolam 0.5 mg twice daily since 2014.\n")
    case = {**CASE, "documents": [{"path": document, "kind": "progress note"}]}
    path = folder / "case.yaml"
    path.write_text(yaml.safe_dump(case, sort_keys=False))
    return path


def test_a_billion_laughs_case_file_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(BILLION_LAUGHS)
    started = time.perf_counter()
    result = imr(tmp_path, "cases", "import", str(path))
    assert time.perf_counter() - started < 30
    assert result.returncode == 2, result.stderr
    assert (
        result.stderr
        == f"imr: error: {path}: YAML anchors and aliases (&name, *name) are not accepted at line 1; write the value out\n"
    )


@pytest.mark.parametrize("document", ["../secret_key", "../../data/secret_key", "/etc/hostname", "sub/../../secret_key"])
def test_documents_outside_the_case_folder_are_refused(tmp_path: Path, document: str) -> None:
    (tmp_path / "intake" / "secret_key").parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / "intake" / "secret_key").write_text("not for the case")
    path = case_folder(tmp_path, document)
    result = imr(tmp_path, "cases", "import", str(path))
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"imr: error: {path}: documents[0].path: {document!r} ") and result.stderr.count("\n") == 1
    assert "CM26-0000001" not in imr(tmp_path, "cases", "list").stdout  # nothing filed


def test_a_link_leading_out_of_the_case_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("not for the case")
    path = case_folder(tmp_path, "linked.txt")
    (path.parent / "linked.txt").symlink_to(tmp_path / "secret_key")
    result = imr(tmp_path, "cases", "import", str(path))
    assert result.returncode == 2 and "documents[0].path: 'linked.txt' leads outside the case file's folder" in result.stderr


def test_documents_inside_the_case_folder_are_filed(tmp_path: Path) -> None:
    path = case_folder(tmp_path, "note.txt")
    result = imr(tmp_path, "cases", "import", str(path))
    assert result.returncode == 0, result.stderr
    assert "1 document(s)" in result.stdout
