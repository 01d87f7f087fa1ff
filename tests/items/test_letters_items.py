"""Every disputed item of the real published letters is understood: a kind, a procedure or a drug."""

from __future__ import annotations

from collections import Counter

import pytest

from imr.items import procedure_of, understand_item
from imr.letters.parse import parse_letter


@pytest.fixture(scope="module")
def published_items(dwc_letters, seed_letters) -> list[str]:
    return [issue.item.text for path in [*dwc_letters, *seed_letters] for issue in parse_letter(path).issues]


def test_every_item_of_the_published_letters_is_recognised(published_items):
    assert len(published_items) >= 96
    for text in published_items:
        item = understand_item(text)
        if item.kind == "drug":
            assert item.generic and item.drug_class, text
        else:
            assert procedure_of(text) is not None, text


def test_the_published_items_fall_into_the_expected_kinds(published_items):
    kinds = Counter(understand_item(text).kind for text in published_items)
    # The sample letters: mostly imaging, physical medicine and drugs, a few of everything else.
    assert kinds["imaging"] >= 25 and kinds["drug"] >= 20 and kinds["physical medicine"] >= 20
    assert kinds["other"] <= 6
