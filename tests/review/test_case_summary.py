"""The drafted clinical case summary: every sentence from the records can be traced to its source."""

from __future__ import annotations

from pathlib import Path

import pytest

from imr.casefile import load_case
from imr.review.summary import draft_summary

EXAMPLES = sorted((Path(__file__).parents[2] / "src" / "imr" / "examples" / "cases").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_record_sentence_quotes_its_source(path):
    case = load_case(path)
    draft = draft_summary(case)
    traced = [s for s in draft.sentences if s.record_index is not None]
    assert traced, "the summary quotes nothing from the records"
    for sentence in traced:
        source = " ".join(case.records[sentence.record_index].text[sentence.start : sentence.end].split())
        assert source.rstrip(".") in sentence.text
        assert str(case.records[sentence.record_index].date.strftime("%m/%d/%Y")) in sentence.text
    assert draft.text.startswith("The injured worker is a")
    assert case.requests[-1].text.rstrip(".") in draft.text


def test_summary_reports_the_worker_and_the_latest_record():
    case = load_case(EXAMPLES[0])
    text = draft_summary(case).text
    assert f"{case.worker.age} year old {case.worker.sex}" in text
    latest = max(r.date for r in case.records)
    assert latest.strftime("%m/%d/%Y") in text
