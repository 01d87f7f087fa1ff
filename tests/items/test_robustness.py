"""Any text at all is read without an error, and the result is a valid DisputedItem."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from imr.items import procedure_kind, procedure_of, understand_item
from imr.model import DisputedItem

WORDS = (
    "MRI",
    "x",
    "#",
    "QTY:",
    "12",
    "1/2",
    "10/325mg",
    "0.5%",
    "twice",
    "a",
    "week",
    "for",
    "weeks",
    "DOS",
    "13/45/16",
    "02/30/2016",
    "Norco",
    "Flexiril",
    "cream",
    "left",
    "right",
    "bilateral",
    "PT",
    "2x4",
    "sessions",
    "refills",
    "one",
    "retro",
    "L4-5",
    "rental",
    "purchase",
    "injection",
    "with",
    "-",
    "(",
    ")",
    ",",
    "50,000",
    "IU",
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=14).map(" ".join))
def test_request_like_text_is_read_without_error(text):
    item = understand_item(text)
    DisputedItem.model_validate(item.model_dump())  # every field has its model type
    procedure = procedure_of(text)
    if procedure is not None:
        assert procedure_kind(procedure) is not None
        assert item.kind != "drug"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120))
def test_arbitrary_text_is_read_without_error(text):
    item = understand_item(text)
    assert item.text == text.strip()
    DisputedItem.model_validate(item.model_dump())
