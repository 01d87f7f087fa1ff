"""Case facts from the forms: the UR determination's items in three layouts, the application, the RFA."""

from __future__ import annotations

import datetime as dt

import pytest

from imr.packets import forms
from imr.packets.intake import remaining_request

TABLE = """NOTICE OF UTILIZATION REVIEW DETERMINATION
Date of Decision: 02/28/2016
REQUESTED TREATMENT DETERMINATION
1. Post-operative physical therapy 12 sessions for the right shoulder MODIFIED
Modified to: Post-operative physical therapy 8 sessions for the right shoulder

Guideline: CA MTUS Postsurgical Treatment Guidelines
2. Urine drug screen NON-CERTIFIED
Guideline: CA MTUS Chronic Pain Medical Treatment Guidelines, Drug
testing
3. Gabapentin 600mg #90 CERTIFIED
Guideline: CA MTUS Chronic Pain Medical Treatment Guidelines, Antiepilepsy drugs
CLINICAL RATIONALE
The submitted records document ongoing complaints.
"""

BLOCKS = """UTILIZATION REVIEW DETERMINATION
Decision date: April 21, 2016
Request #1: Soma 350mg #30
Determination: Non-certified
Guidelines relied upon: CA MTUS Chronic Pain Medical Treatment Guidelines, Muscle
relaxants (for pain)
Rationale: Not supported.
Request #2: Norco 10/325mg #90
Determination: Modified; certified: Norco 10/325mg #45
Guidelines relied upon: CA MTUS Chronic Pain Medical Treatment Guidelines, Opioids
Request #3: Post-operative physical therapy 12 sessions for the right shoulder
Determination: Modified; certified: Post-operative physical therapy 8 sessions for
the right shoulder
Guidelines relied upon: CA MTUS Postsurgical Treatment Guidelines
"""

PROSE = """December 18, 2023
UR DECISION LETTER
This letter is to notify you of the utilization review decision regarding the request for authorization dated 12/12/2023.
The request for Lidoderm 5% patch #30 is certified.
The request for MRI of the left knee is non-
certified. Criteria used: CA MTUS ACOEM Practice Guidelines, 2nd Edition (2004), Chapter 13, Knee Complaints.
"""


def test_table_layout_lists_modified_and_denied_items_with_their_basis() -> None:
    items = forms.ur_items(TABLE)
    assert [(i.text, i.decision) for i in items] == [
        ("Post-operative physical therapy 12 sessions for the right shoulder", "modified"),
        ("Urine drug screen", "non-certified"),
        ("Gabapentin 600mg #90", "certified"),
    ]
    assert items[0].authorized == "Post-operative physical therapy 8 sessions for the right shoulder"
    assert items[0].basis == "CA MTUS Postsurgical Treatment Guidelines"
    assert items[1].basis == "CA MTUS Chronic Pain Medical Treatment Guidelines, Drug testing"
    assert forms.ur_decision_date(TABLE) == dt.date(2016, 2, 28)


def test_block_layout_reads_wrapped_basis_and_partial_certification() -> None:
    items = forms.ur_items(BLOCKS)
    assert items[0].basis == "CA MTUS Chronic Pain Medical Treatment Guidelines, Muscle relaxants (for pain)"
    assert (items[1].decision, items[1].authorized) == ("modified", "Norco 10/325mg #45")
    assert items[2].authorized == "Post-operative physical therapy 8 sessions for the right shoulder"  # wrapped
    assert forms.ur_decision_date(BLOCKS) == dt.date(2016, 4, 21)


def test_block_layout_reads_a_request_number_followed_by_a_semicolon_as_ocr_reads_its_colon() -> None:
    text = BLOCKS.replace("Request #3:", "Request #3;").replace("Request #2:", "Request #2,")
    assert [i.text for i in forms.ur_items(text)] == [i.text for i in forms.ur_items(BLOCKS)]
    assert len(forms.ur_items(BLOCKS.replace("Request #3:", "Request #3 -"))) == 2  # no mark: no request head


def test_prose_layout_mends_a_hyphen_broken_decision() -> None:
    items = forms.ur_items(PROSE)
    assert [(i.text, i.decision) for i in items] == [
        ("Lidoderm 5% patch #30", "certified"),
        ("MRI of the left knee", "non-certified"),
    ]
    assert items[1].basis == "CA MTUS ACOEM Practice Guidelines, 2nd Edition (2004), Chapter 13, Knee Complaints"
    assert forms.ur_decision_date(PROSE) == dt.date(2023, 12, 18)


@pytest.mark.parametrize(
    ("original", "authorized", "remaining"),
    [
        ("Norco 10/325mg #90", "Norco 10/325mg #45", "Norco 10/325mg #45"),
        (
            "Acupuncture 8 sessions for the lumbar spine",
            "Acupuncture 6 sessions for the lumbar spine",
            "Acupuncture 2 sessions for the lumbar spine",
        ),
        (
            "Physical therapy 2x6 for the lumbar spine",
            "Physical therapy 2x3 for the lumbar spine",
            "Physical therapy 2x3 for the lumbar spine",
        ),
        ("Physical therapy 3x4", "Physical therapy 2x6", "Physical therapy 3x4"),  # not comparable: the whole request
    ],
)
def test_what_stays_in_dispute_after_a_partial_certification(original: str, authorized: str, remaining: str) -> None:
    assert remaining_request(original, authorized) == remaining


def test_application_facts() -> None:
    text = (
        "APPLICATION FOR INDEPENDENT MEDICAL REVIEW\nRECEIVED MAY 15 2016\nDate of injury: 11/24/2014\n"
        "Claim number: 99292-30-7056\n[X] Expedited review [ ] Standard review\n"
    )
    assert forms.injury_date(text) == dt.date(2014, 11, 24)
    assert forms.claim_number(text) == "99292-30-7056"
    assert forms.received_date(text) == dt.date(2016, 5, 15)
    assert forms.expedited(text) is True
    assert forms.expedited(text.replace("[X] Expedited", "[ ] Expedited").replace("[ ] Standard", "(x] Standard")) is False


def test_rfa_rows_give_the_requested_services() -> None:
    text = (
        "REQUEST FOR AUTHORIZATION\nRequested Treatment\n"
        "Diagnosis (Required) ICD-Code Service/Good Requested CPT/HCPCS Other Information\n"
        "Lumbar radiculopathy M54.16 Lumbar epidural steroid injection at L4-L5 J3490 see report\n"
        "Lumbar radiculopathy M54.16 Tramadol ER 150mg #30 - \n"
        "Requesting Physician Signature: Ann Lee, MD Date: 01/02/2020\n"
    )
    assert forms.rfa_items(text) == ["Lumbar epidural steroid injection at L4-L5", "Tramadol ER 150mg #30"]


def test_a_stray_ocr_dot_inside_an_item_does_not_end_its_sentence() -> None:
    text = "The request for MRI. of the lumbar spine is non-certified.:Criteria used: ODG, Low Back."
    assert [(i.text, i.decision, i.basis) for i in forms.ur_items(text)] == [
        ("MRI. of the lumbar spine", "non-certified", "ODG, Low Back")
    ]
