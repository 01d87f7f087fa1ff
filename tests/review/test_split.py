"""The development/validation split of the published letters is the fixed rule, applied to every file."""

from __future__ import annotations

from imr.review.split import half_of
from tests.paths import LETTERS


def test_every_letter_sits_in_the_half_the_fixed_rule_gives():
    halves = {half: sorted((LETTERS / "eval" / half).glob("*.pdf")) for half in ("development", "validation")}
    assert len(halves["development"]) == 57 and len(halves["validation"]) == 60
    for half, files in halves.items():
        for path in files:
            assert half_of(path.stem) == half, path.name


def test_the_rule_is_sha256_of_the_case_number():
    assert half_of("CM16-0213037") == "development"
    assert half_of(" CM16-0228949 ") == "validation"
