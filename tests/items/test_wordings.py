"""Request wordings the item reader has not been tuned on (tests/items/wordings.yaml, written in the
style of UR decisions): each reads as a physician would read it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from imr.items import procedure_of, understand_item

WORDINGS: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "wordings.yaml").read_text(encoding="utf-8"))


def misread(entry: dict[str, Any]) -> list[str]:
    item = understand_item(entry["text"])
    wrong = []
    for key, want in entry.items():
        if key == "text":
            continue
        got: Any = procedure_of(item) if key == "procedure" else getattr(item, key)
        if isinstance(want, dt.date) or isinstance(got, (int, float)) and not isinstance(got, bool):
            pass
        if got != want:
            wrong.append(f"{key}: {got!r} != {want!r}")
    return wrong


def test_enough_wordings() -> None:
    assert len(WORDINGS) >= 150


@pytest.mark.parametrize("entry", WORDINGS, ids=[w["text"][:50] for w in WORDINGS])
def test_wording_reads_as_a_reviewer_reads_it(entry: dict[str, Any]) -> None:
    assert misread(entry) == [], entry["text"]
