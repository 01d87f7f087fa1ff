"""Any text is a record: extraction never fails and every span points at the text it quotes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from imr.clinical import extract_text_facts

# words the finders react to, mixed with arbitrary text, so that the random records reach them
WORDS = st.sampled_from(
    [
        "Norco",
        "10/325",
        "mg",
        "#120",
        "q6h",
        "pain",
        "7/10",
        "6-8",
        "out of 10",
        "without",
        "with",
        "medications",
        "no",
        "denies",
        "side effects",
        "MRI",
        "of the",
        "lumbar spine",
        "dated",
        "03/12/2015",
        "11-3-16",
        "revealed",
        "12",
        "sessions",
        "physical therapy",
        "status post",
        "fusion",
        "4/5",
        "strength",
        "L5",
        "dermatome",
        "positive",
        "straight leg raise",
        "history of",
        "ulcer",
        "urine drug screen",
        "consistent",
        "THC",
        "Dr.",
        "ASSESSMENT:",
        "Plan:",
        "\n",
        "\n\n",
        ".",
        ",",
        ";",
        "(",
        ")",
        "İstanbul",
        "ß",
        "—",
        "50%",
        "relief",
        "since",
        "2013",
    ]
)
RECORDS = st.lists(st.one_of(WORDS, st.text(max_size=12)), max_size=80).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(RECORDS)
def test_any_text_gives_well_formed_facts(text):
    for fact in extract_text_facts(text):
        assert fact.start is not None and fact.end is not None
        assert 0 <= fact.start < fact.end <= len(text)
        assert text[fact.start : fact.end] == fact.text


def test_empty_and_blank_records():
    assert extract_text_facts("") == []
    assert extract_text_facts(" \n\n \t") == []
