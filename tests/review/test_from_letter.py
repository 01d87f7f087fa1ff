"""A case rebuilt from a published letter uses its summary, items and claims-administrator basis only."""

from __future__ import annotations

import json

import pytest

from imr.errors import CaseFileError
from imr.letters.parse import parse_letter
from imr.review import case_from_letter, review_case
from tests.paths import DWC_LETTERS, SEED_LETTERS


@pytest.mark.parametrize("path", SEED_LETTERS + DWC_LETTERS[:6], ids=lambda p: p.name)
def test_case_from_letter_never_carries_outcome_basis_or_rationale(path):
    letter = parse_letter(path)
    case = case_from_letter(letter)
    dumped = json.dumps(case.model_dump(mode="json"))
    assert [r.text for r in case.requests] == [i.item.text for i in letter.issues]
    assert case.records[0].text == letter.case.summary.strip()
    for issue in letter.issues:
        if issue.rationale and len(issue.rationale) > 40:
            assert issue.rationale[:200] not in dumped
        for basis in issue.reviewer_basis:
            if basis not in issue.claims_administrator_basis and basis.pages:
                assert f"Page(s): {', '.join(map(str, basis.pages))}" not in dumped or any(
                    c.pages == basis.pages for c in issue.claims_administrator_basis
                )
    assert '"Upheld"' not in dumped and '"Overturned"' not in dumped


def test_review_from_a_letter_says_it_rests_on_the_summary():
    letter = parse_letter(SEED_LETTERS[0])
    decided = review_case(case_from_letter(letter))
    for issue in decided.issues:
        assert any("clinical case summary" in m for m in issue.missing)
        if issue.outcome:
            assert "clinical case summary" in issue.rationale


def test_a_letter_without_a_summary_is_refused():
    letter = parse_letter(SEED_LETTERS[0])
    letter.case.summary = None
    with pytest.raises(CaseFileError, match="no clinical case summary"):
        case_from_letter(letter)
