"""Every fixture letter parses to its golden file (tests/letters/golden/<letter>.json).

The golden files were checked by reading each letter field by field; a difference here is a change
in what the parser reads. Fields the parser reads itself (header, summary facts, credentials, item
wording, outcomes, citations, rationales) and the item fields `imr.items.understand_item` derives
(kind, drug and service fields) are compared in separate tests, so a change in the item reader shows
as such. Regenerate with `python -m pytest tests/letters --update-golden` and review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from imr.letters.parse import parse_letter

LETTERS = Path(__file__).parent.parent / "fixtures" / "letters"
GOLDEN = Path(__file__).parent / "golden"
FIXTURES = sorted(
    [*(LETTERS / "seed").glob("*.txt"), *(LETTERS / "dwc").glob("*.pdf"), *(LETTERS / "synthetic").glob("[!c]*.txt")]
)
STATED_ITEM_FIELDS = ("text", "original_request", "authorized")


def golden_path(letter: Path) -> Path:
    return GOLDEN / f"{letter.parent.name}-{letter.stem}.json"


def stated(data: dict[str, Any]) -> dict[str, Any]:
    data = json.loads(json.dumps(data))
    for issue in data["issues"]:
        issue["item"] = {key: issue["item"][key] for key in STATED_ITEM_FIELDS}
    return data


def derived(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [{k: v for k, v in issue["item"].items() if k not in STATED_ITEM_FIELDS} for issue in data["issues"]]


@pytest.fixture(scope="module")
def parsed(update_golden: bool) -> dict[Path, dict[str, Any]]:
    results = {letter: parse_letter(letter).to_json_dict() for letter in FIXTURES}
    if update_golden:
        GOLDEN.mkdir(exist_ok=True)
        for letter, data in results.items():
            golden_path(letter).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return results


def test_there_is_a_golden_file_for_every_fixture_letter() -> None:
    assert len(FIXTURES) == 46
    missing = [letter.name for letter in FIXTURES if not golden_path(letter).exists()]
    assert not missing, f"no golden file for {missing}: run with --update-golden and review"


@pytest.mark.parametrize("letter", FIXTURES, ids=lambda p: p.name)
def test_letter_reads_as_its_golden_file(letter: Path, parsed: dict[Path, dict[str, Any]]) -> None:
    golden = json.loads(golden_path(letter).read_text(encoding="utf-8"))
    assert stated(parsed[letter]) == stated(golden)


@pytest.mark.parametrize("letter", FIXTURES, ids=lambda p: p.name)
def test_item_fields_match_the_golden_file(letter: Path, parsed: dict[Path, dict[str, Any]]) -> None:
    golden = json.loads(golden_path(letter).read_text(encoding="utf-8"))
    assert derived(parsed[letter]) == derived(golden), "the item reader's output changed: review, then --update-golden"
