"""Redaction for publication, measured on real letters with planted identifiers."""

from __future__ import annotations

import datetime as dt

import pytest

from imr.cases.intake import PartyIn
from imr.cases.redaction import redactor_for
from imr.cases.redaction_check import measure
from imr.model import Determination


@pytest.mark.parametrize("identities", ["development", "heldout"])
def test_recall_on_letters_with_planted_identifiers(seed_letters, identities) -> None:
    reports = measure([p.read_text() for p in seed_letters], seed=11, rounds=8, identities=identities)
    listed, unlisted = reports["listed"], reports["unlisted"]
    assert sum(listed.planted.values()) > 200
    for kind in ("name", "address", "phone", "ssn", "date of birth", "claim number", "organization"):
        assert listed.recall(kind) >= 0.98, (kind, listed.leaked)
    assert unlisted.recall() >= 0.8, unlisted.leaked
    assert listed.words_kept >= 0.99  # the letter itself survives


def test_a_determination_keeps_its_decision_and_loses_the_identifiers() -> None:
    parties = [
        PartyIn(role="injured_worker", name="Maria L. Garcia", date_of_birth=dt.date(1964, 3, 14)),
        PartyIn(role="requesting_provider", name="Dr. Samuel Okafor"),
    ]
    d = Determination.model_validate(
        {
            "case": {
                "case_number": "CM17-0000001",
                "date_of_injury": "2013-05-02",
                "summary": "Ms. Garcia (DOB 03/14/1964) saw Dr. Okafor; call 559-555-0142.",
            },
            "issues": [
                {
                    "item": {"text": "Alprazolam 0.5mg #60", "kind": "drug", "generic": "alprazolam"},
                    "outcome": "Upheld",
                    "rationale": "Dr. Okafor documents no functional improvement.",
                    "reviewer_basis": [
                        {
                            "source": "MTUS Chronic Pain Medical Treatment Guidelines",
                            "mtus": True,
                            "sections": ["Benzodiazepines"],
                            "pages": [24],
                        }
                    ],
                }
            ],
        }
    )
    redactor = redactor_for(parties)
    redacted = redactor.determination(d)
    assert redacted.case.summary == "Ms. [injured worker] (DOB [date of birth]) saw Dr. [provider]; call [phone]."
    assert redacted.issues[0].rationale == "Dr. [provider] documents no functional improvement."
    assert redacted.case.case_number == "CM17-0000001" and redacted.case.date_of_injury == dt.date(2013, 5, 2)
    assert redacted.issues[0].item == d.issues[0].item and redacted.issues[0].reviewer_basis == d.issues[0].reviewer_basis
    assert redactor.counts["[provider]"] == 2


def test_a_name_with_a_degree_is_removed_and_the_letter_wording_is_not() -> None:
    redactor = redactor_for([])
    text = "Per Rosario Castillo, M.D., the patient improved. The Expert Reviewer, MD, is Board Certified in Internal Medicine."
    assert (
        redactor.text(text)
        == "Per [name], M.D., the patient improved. The Expert Reviewer, MD, is Board Certified in Internal Medicine."
    )
