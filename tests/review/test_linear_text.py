"""Reviewing a 1 MB record takes seconds, and ten times the record about ten times as long (the
sentence around each medication mention was once found by rescanning the record: 58 s for 1.1 MB)."""

from __future__ import annotations

from tests.timing import assert_linear

SETUP = """
from imr.casefile import parse_case
from imr.review import review_case
def case(text):
    return parse_case({"received": "2017-01-10", "ur_decision_date": "2016-12-28", "requests": [{"text": "Norco 10/325 mg #60"}],
                       "records": [{"date": "2016-12-12", "text": text}]})
review_case(case("warm up"))
unit = UNIT
record = (unit * (SIZE // len(unit) + 1))[:SIZE]
"""


def test_a_record_full_of_medication_mentions() -> None:
    assert_linear(
        SETUP.replace("UNIT", repr("She has taken Norco 10/325 mg twice daily since 2012; start gabapentin. ")),
        "review_case(case(record))",
        bound=90,
    )


def test_a_record_of_one_long_sentence() -> None:
    assert_linear(
        SETUP.replace("UNIT", repr("taking Norco 10/325 mg and tramadol with relief ")), "review_case(case(record))", bound=90
    )
