"""Record text is protected health information: extraction logs none of it, even at DEBUG."""

from __future__ import annotations

import logging

import pytest

from imr.clinical import extract_text_facts

RECORD = "Ms. Zebulonia Quaxworth takes Norco 10/325 mg for pain rated 7/10 and denies side effects."


def test_extraction_logs_no_record_text(caplog):
    caplog.set_level(logging.DEBUG)
    assert extract_text_facts(RECORD)
    assert "Quaxworth" not in caplog.text and "Norco" not in caplog.text


@pytest.mark.slow
def test_the_medspacy_reference_logs_no_record_text(caplog):
    from loguru import logger

    from imr.clinical.medspacy_context import assess_many

    captured: list[str] = []
    sink = logger.add(captured.append, level="TRACE")
    caplog.set_level(logging.DEBUG)
    try:
        start = RECORD.index("side effects")
        assert assess_many(RECORD, [(start, start + len("side effects"), "side_effect")])[0]["negated"]
    finally:
        logger.remove(sink)
    logged = caplog.text + "".join(captured)
    assert "Quaxworth" not in logged
