"""Sentences, sections and dates as records write them."""

import datetime as dt

import pytest

from imr.clinical.text import find_dates, split_sentences


def texts(record: str) -> list[str]:
    return [s.text for s in split_sentences(record)]


def test_abbreviations_do_not_end_a_sentence():
    assert texts("Seen by Dr. Smith today. Norco 1 tab b.i.d. Pain is better.") == [
        "Seen by Dr. Smith today.",
        "Norco 1 tab b.i.d. Pain is better.",
    ]


def test_pdf_lines_wrapped_with_a_blank_line_after_each_stay_one_sentence():
    record = "The injured worker reports pain\n\nradiating down both legs. She has\n\nno bowel complaints.\n\nPain is 7/10.\n\nShe walks daily.\n\n"
    assert [" ".join(t.split()) for t in texts(record)] == [
        "The injured worker reports pain radiating down both legs.",
        "She has no bowel complaints.",
        "Pain is 7/10.",
        "She walks daily.",
    ]


def test_headings_and_bullets_start_sentences_and_name_sections():
    record = "Past medical history: hypertension\nMedications:\n- Norco 10/325\n- Xanax 0.5 mg\nPlan: MRI of the knee"
    sentences = split_sentences(record)
    assert [(s.text, s.section) for s in sentences if not s.text.endswith(":")] == [
        ("hypertension", "past_history"),
        ("- Norco 10/325", "medications"),
        ("- Xanax 0.5 mg", "medications"),
        ("MRI of the knee", "plan"),
    ]


def test_offsets_point_into_the_record():
    record = "  First one.   Second one.\n\nThird."
    for sentence in split_sentences(record):
        assert record[sentence.start : sentence.end] == sentence.text


@pytest.mark.parametrize(
    "text, date, precision",
    [
        ("dated 04/10/2015", dt.date(2015, 4, 10), "day"),
        ("On 11-3-16, utilization review", dt.date(2016, 11, 3), "day"),
        ("on 2016-12-01", dt.date(2016, 12, 1), "day"),
        ("seen March 5, 2014", dt.date(2014, 3, 5), "day"),
        ("since January 2014", dt.date(2014, 1, 1), "month"),
        ("last UDS 11/2015", dt.date(2015, 11, 1), "month"),
    ],
)
def test_dates_as_records_write_them(text, date, precision):
    (found,) = find_dates(text)
    assert (found.date, found.precision) == (date, precision)


def test_not_dates():
    assert find_dates("Norco 10/325 mg, pain 7/10, 13/45/2016, L4-5") == []
