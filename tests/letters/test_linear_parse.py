"""The letter parser stays linear on hostile letters: a long run of dots in a dispute title, a long
word in an item title (80 KB once took ~30 s)."""

from __future__ import annotations

from tests.paths import SEED_LETTERS
from tests.timing import assert_linear

SETUP = """
from pathlib import Path
from imr.errors import ImrError
from imr.letters.parse import parse_letter_text
def parse(text):
    try:
        return parse_letter_text(text)
    except ImrError:
        return None
"""
DISPUTE = "tests/fixtures/letters/synthetic/issue-at-dispute.txt"


def test_a_dispute_title_with_a_megabyte_of_dots() -> None:
    setup = (
        SETUP
        + f"text = Path({DISPUTE!r}).read_text().replace('medically necessary?', 'medically necessary' + '.' * SIZE + ' x?', 1)\n"
    )
    assert_linear(setup, "assert parse(text) is not None")


def test_an_item_title_with_a_long_word() -> None:
    letter = str(SEED_LETTERS[1])
    setup = SETUP + (
        f"text = Path({letter!r}).read_text().replace('Xanax 1mg QTY: 60.00: Upheld', "
        "'Xanax ' + 'a' * SIZE + ' 1mg QTY: 60.00: Upheld', 1)\n"
    )
    assert_linear(setup, "assert parse(text) is not None", small=20_000, large=200_000, bound=30)
