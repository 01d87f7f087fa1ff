"""Clinical extraction stays linear on hostile record text (a run of spaces once took 42 s for 3,000)."""

from __future__ import annotations

from tests.timing import assert_linear


def test_a_diagnosis_list_with_a_megabyte_of_spaces() -> None:
    assert_linear(
        "from imr.clinical import extract_text_facts\nextract_text_facts('warm up')\n"
        "text = 'Diagnoses include lumbar strain' + ' ' * SIZE + 'x, cervical strain'",
        "extract_text_facts(text)",
    )
