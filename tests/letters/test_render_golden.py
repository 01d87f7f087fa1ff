"""Golden letters: each Determination in golden_render/*.json renders to the reviewed files beside it.

A change of wording or layout shows as a diff here. The HTML files hold the letter without its
stylesheet (letter.css is inlined in every letter; it is not repeated in each golden file). After reviewing the new letters by eye, rewrite
the files with `IMR_UPDATE_GOLDEN=1 python -m pytest tests/letters/test_render_golden.py`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from imr.model import Determination
from imr.letters.render import render_letter

GOLDEN = Path(__file__).parent / "golden_render"
INPUTS = sorted(GOLDEN.glob("*.json"))
UPDATE = os.environ.get("IMR_UPDATE_GOLDEN") == "1"
STYLE = re.compile(r"<style>\n.*?</style>", re.DOTALL)


def without_stylesheet(page: str) -> str:
    stripped, count = STYLE.subn("<style>/* letter.css */</style>", page)
    assert count == 1, "an HTML letter carries exactly one inlined stylesheet"
    return stripped


def cases() -> list[tuple[Path, str, bool]]:
    found = []
    for source in INPUTS:
        draft = source.stem.startswith("engine-")
        for fmt in ("text", "html"):
            found.append((source, fmt, draft))
    return found


@pytest.mark.parametrize(("source", "fmt", "draft"), cases(), ids=lambda v: v.stem if isinstance(v, Path) else str(v))
def test_letter_matches_its_golden_file(source: Path, fmt: str, draft: bool) -> None:
    d = Determination.model_validate_json(source.read_text(encoding="utf-8"))
    rendered = render_letter(d, fmt, draft=draft, organization="MAXIMUS Federal Services").decode("utf-8")  # type: ignore[arg-type]
    if fmt == "html":
        rendered = without_stylesheet(rendered)
    golden = source.with_suffix(".txt" if fmt == "text" else ".html")
    if UPDATE:
        golden.write_text(rendered, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden.name}: review the letter, then run with IMR_UPDATE_GOLDEN=1"
    assert rendered == golden.read_text(encoding="utf-8")


def test_every_golden_file_has_its_input() -> None:
    inputs = {p.stem for p in INPUTS}
    outputs = {p.stem for p in GOLDEN.glob("*.txt")} | {p.stem for p in GOLDEN.glob("*.html")}
    assert inputs and outputs == inputs
