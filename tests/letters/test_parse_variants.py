"""Letters nobody has seen: the variant letters of tests/fixtures/letters/variants/ (our own text in
the published layouts, varied the way real letters vary) read as their YAML files say a person
reads them. The YAML is written by the variants' generator from what it chose to print, never from
the parser's output.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from imr.letters.parse import parse_letter, parse_letter_text

VARIANTS = Path(__file__).parent.parent / "fixtures" / "letters" / "variants"
LETTERS = sorted(p for p in VARIANTS.iterdir() if p.name.startswith("variant-") and p.suffix in (".txt", ".pdf"))


def plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def differences(letter: Path) -> list[str]:
    expected = yaml.safe_load(letter.with_suffix(".yaml").read_text(encoding="utf-8"))
    got = parse_letter(letter)
    wrong: list[str] = []
    case = got.case.model_dump(mode="json")
    for key, value in expected["case"].items():
        if plain(case.get(key)) != value:
            wrong.append(f"case.{key}: {case.get(key)!r} != {value!r}")
    reviewer = got.reviewer.model_dump(mode="json")
    for key, value in expected["reviewer"].items():
        if reviewer.get(key) != value:
            wrong.append(f"reviewer.{key}: {reviewer.get(key)!r} != {value!r}")
    if len(got.issues) != len(expected["issues"]):
        wrong.append(f"{len(got.issues)} issues != {len(expected['issues'])}: {[i.item.text for i in got.issues]}")
        return wrong
    for number, (issue, want) in enumerate(zip(got.issues, expected["issues"]), start=1):
        for key in ("text", "original_request", "authorized"):
            if want.get(key) != getattr(issue.item, key):
                wrong.append(f"item {number} {key}: {getattr(issue.item, key)!r} != {want.get(key)!r}")
        if issue.outcome != want["outcome"]:
            wrong.append(f"item {number} outcome: {issue.outcome} != {want['outcome']}")
        # A citation lists only what its reader states: a source not written down is not compared.
        basis = [
            {key: c.model_dump(mode="json")[key] for key in cited}
            for c, cited in zip(issue.reviewer_basis, want["reviewer_basis"])
        ]
        if len(issue.reviewer_basis) != len(want["reviewer_basis"]) or basis != want["reviewer_basis"]:
            wrong.append(f"item {number} reviewer basis: {basis} != {want['reviewer_basis']}")
        if not (issue.rationale or "").startswith(want["rationale_starts"]):
            wrong.append(f"item {number} rationale: {(issue.rationale or '')[:60]!r}")
    return wrong


def test_there_are_variants_of_every_kind() -> None:
    assert len([p for p in LETTERS if p.suffix == ".txt"]) >= 50
    assert len([p for p in LETTERS if p.suffix == ".pdf"]) >= 5


@pytest.mark.parametrize("letter", LETTERS, ids=lambda p: p.name)
def test_variant_reads_as_a_person_reads_it(letter: Path) -> None:
    assert differences(letter) == []


def as_html(text: str) -> str:
    """The letter as a saved web page prints it: a paragraph per printed line, the header as a table."""
    rows, body = [], []
    for line in (line for line in text.splitlines() if line.strip()):
        if line.startswith(("Case Number:", "Date Assigned:", "Decision Date:", "Priority:")) and not body:
            rows.append(f"<tr><td>{html.escape(line)}</td></tr>")
        else:
            body.append(f"<p>{html.escape(line)}</p>")
    return f"<!DOCTYPE html><html><head><style>p {{ margin: 0 }}</style></head><body><table>{''.join(rows)}</table>{''.join(body)}</body></html>"


TEXT_LETTERS = [p for p in LETTERS if p.suffix == ".txt"]


@pytest.mark.parametrize("letter", TEXT_LETTERS[::4], ids=lambda p: p.name)
def test_variant_as_a_web_page_reads_the_same(letter: Path, tmp_path: Path) -> None:
    page = tmp_path / "letter.html"
    page.write_text(as_html(letter.read_text(encoding="utf-8")), encoding="utf-8")
    page.with_suffix(".yaml").write_text(letter.with_suffix(".yaml").read_text(encoding="utf-8"), encoding="utf-8")
    assert differences(page) == []


REAL = Path(__file__).parent.parent / "fixtures" / "letters"
REAL_LETTERS = sorted([*(REAL / "dwc").glob("*.pdf"), *(REAL / "seed").glob("*.txt")])


@pytest.mark.parametrize("letter", REAL_LETTERS, ids=lambda p: p.name)
def test_real_letter_set_in_a_narrower_column_reads_as_its_golden_file(letter: Path) -> None:
    """Every real letter with half its lines broken at a random space (a narrower column, another
    PDF library's line breaks) reads as its golden file, summary and rationales included."""
    from imr.letters._pdf import pdf_text
    from tests.letters.test_parse_golden import golden_path, stated

    text = pdf_text(letter.read_bytes(), source=letter.name) if letter.suffix == ".pdf" else letter.read_text(encoding="utf-8")
    rng = random.Random(letter.name)
    lines: list[str] = []
    for line in text.splitlines():
        words = line.split(" ")
        if len(words) > 4 and rng.random() < 0.5:
            cut = rng.randint(1, len(words) - 1)
            lines += [" ".join(words[:cut]), " ".join(words[cut:])]
        else:
            lines.append(line)
    golden = json.loads(golden_path(letter).read_text(encoding="utf-8"))
    assert stated(parse_letter_text("\n".join(lines)).to_json_dict()) == stated(golden)
