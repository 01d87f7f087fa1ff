"""One-slip corrections of procedure and body-part words, and only of those."""

from __future__ import annotations

import pytest

from imr.items.spelling import body_part_words, corrected, correction


@pytest.mark.parametrize(
    ("wrong", "right"),
    [
        ("physcial", "physical"),
        ("chiropratic", "chiropractic"),
        ("shouler", "shoulder"),
        ("cervial", "cervical"),
        ("electromyograpy", "electromyography"),
        ("injecton", "injection"),
        ("ultrasond", "ultrasound"),
        ("arthroscopey", "arthroscopy"),
        ("wheelchiar", "wheelchair"),
    ],
)
def test_misspelled_vocabulary_words_are_corrected(wrong, right):
    assert correction(wrong) == right


def test_known_short_and_ordinary_request_words_are_left_alone():
    for word in (
        "therapy",
        "shoulder",
        "lumbar",
        "weeks",
        "months",
        "request",
        "retrospective",
        "prescription",
        "sessions",
        "knew",
        "tens",
    ):
        assert correction(word) is None, word
    assert corrected("mri of the lumbar spine") is None


def test_body_part_corrections_use_body_part_words_only():
    assert body_part_words().correction("shouler") == "shoulder"
    assert body_part_words().correction("tablet") is None
