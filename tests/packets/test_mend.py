"""OCR slips in the values of scanned forms: mended into known words, outvoted by the other copies,
and never a change to a value that was read right."""

from __future__ import annotations

import pytest

from imr.packets import forms
from imr.packets.intake import Votes, consensus
from imr.packets.mend import Mender
from imr.packets.synth.generator import make_packet


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        (
            "CA MTUS ACOEM Practice Guidelines, 2nd Edition. (2004), Chapter 12, Low Back Compiaints",
            "CA MTUS ACOEM Practice Guidelines, 2nd Edition (2004), Chapter 12, Low Back Complaints",
        ),
        (
            "CA MTUS Chroni\u00a2 Pain Medical Treatment \u2018Guidelines, Opioids, criteria for use",
            "CA MTUS Chronic Pain Medical Treatment Guidelines, Opioids, criteria for use",
        ),
        (
            "CA MTUS. Chronic Pain Medical. Treatment Guidelines, Physical medicine",
            "CA MTUS Chronic Pain Medical Treatment Guidelines, Physical medicine",
        ),
        ("CA MTUS ACOEM Practice Guidelines, - 2nd Edition (2004)", "CA MTUS ACOEM Practice Guidelines, 2nd Edition (2004)"),
        ("[umbar epidural steroid injection at L4-L5", "Lumbar epidural steroid injection at L4-L5"),
        ("MRI of the [umbar spine", "MRI of the lumbar spine"),
        ("Physical therapy'2x6 for the lumbar spine", "Physical therapy 2x6 for the lumbar spine"),
        ("Oxycodone 10mg. #120", "Oxycodone 10mg #120"),
        ("Synvise injection series to the left knee", "Synvisc injection series to the left knee"),
        ("Left kn\u00e9e arthroscopy", "Left knee arthroscopy"),
        ("Cervical epidural steroid injection at C5-C6\u00e9", "Cervical epidural steroid injection at C5-C6"),
        # a closing parenthesis read as "!"; a short word its guideline phrase's neighbours name
        (
            "Official Disability Guidelines (ODG!, Low Back, Surgical assistant",
            "Official Disability Guidelines (ODG), Low Back, Surgical assistant",
        ),
        (
            "CA MTUS Chronic Pain Medical Treatment Guidelines, NSAIDs, GI symptoms and cardiovascular tisk",
            "CA MTUS Chronic Pain Medical Treatment Guidelines, NSAIDs, GI symptoms and cardiovascular risk",
        ),
    ],
)
def test_ocr_slips_in_a_value_are_mended_into_known_words(read: str, meant: str) -> None:
    assert Mender([]).mend(read) == meant


def test_numbers_abbreviations_and_compounds_are_left_as_read() -> None:
    mender = Mender([])
    for value in (
        "Oxycodone 10mg #12O",  # a misread quantity stays misread: never turned into another number
        "Post-operative physical therapy 12 sessions",  # not "Postoperative"
        "Flurbiprofen 20%/Lidocame 5% cream",  # not "Lidocane", a misspelling the drug lexicon lists
        "ACOEM Practice Guidelines, 2nd Ed. (2004), p. 300",
        "NSAIDs, cardiovascular tisk",  # a short word has too many neighbours (risk, disk, task) without its phrase
        "Diagnosis (M54.5), low back pain",
        "Knee flexion 0-90\u00b0 brace",  # a degree sign is no letter
    ):
        assert mender.mend(value) == value


def test_a_word_the_packet_spells_often_is_taken_as_right() -> None:
    value = "Hinged knee brace purchase"  # "hinged" and "purchase" are in no vocabulary
    assert Mender([]).mend("Hinqed knee brace purchese") == "Hinqed knee brace purchese"
    assert Mender([value] * 3).mend("Hinqed knee brace purchese") == value


def test_values_read_right_are_never_changed() -> None:
    """Every disputed item, authorization and guideline of many generated packets goes through unchanged."""
    mender = Mender([])
    for seed in range(300):
        for request in make_packet(seed).case["requests"]:
            for value in request.values():
                if value:
                    assert mender.mend(value) == value


def test_joined_words_are_outvoted_and_a_shorter_run_does_not_win() -> None:
    copies = [
        "1. MRI of the leftknee NON-CERTIFIED",
        "Diagnosis M23.2 MRI of the left knee 73721",
        "TREATMENT IN DISPUTE\n1. MRI of the left knee",
    ]
    assert consensus("MRI of the leftknee", Votes(copies), scanned=True) == "MRI of the left knee"
    wrapped = [
        "Modified to: Physical therapy 6 sessions for the cervical spine",
        "UR authorized Physical\ntherapy 6 sessions for the cervical spine",
        "and therapy 6 sessions for the cervical spine",
    ]
    text = "Physical therapy 6 sessions for the cervical spine"
    assert consensus(text, Votes(wrapped), scanned=True) == text


def test_a_table_row_numbered_as_ocr_reads_a_one() -> None:
    table = (
        "REQUESTED TREATMENT DETERMINATION\n"
        "|. Synvisc injection series to the left knee NON-CERTIFIED\n"
        "Guideline: CA MTUS ACOEM Practice Guidelines, 2nd Edition (2004), Chapter 13, Knee Complaints\n"
        "t. Urine drug screen CERTIFIED\n"
        "[. Flurbiprofen 20% /Lidocaine 5% cream 180gm NON-CERTIFIED\n"
        "Guideline: CA MTUS Chronic Pain Medical Treatment Guidelines, Drug testing\n"
    )
    assert [(i.text, i.decision) for i in forms.ur_items(table)] == [
        ("Synvisc injection series to the left knee", "non-certified"),
        ("Urine drug screen", "certified"),
        ("Flurbiprofen 20% /Lidocaine 5% cream 180gm", "non-certified"),
    ]


def test_a_decision_word_read_with_one_slip_still_decides_its_row() -> None:
    table = (
        "REQUESTED TREATMENT DETERMINATION\n"
        "1. EMG/NCV of the bilateral lower extremities CERTIFIED\n"
        "2. Assistant surgeon for lumbar microdiscectomy NON-CERTIFILED\n"
        "Guideline: Official Disability Guidelines (ODG), Low Back, Surgical assistant\n"
        "3. Urine drug screen DEN!ED\n"
    )
    assert [(i.text, i.decision) for i in forms.ur_items(forms.decision_slips(table))] == [
        ("EMG/NCV of the bilateral lower extremities", "certified"),
        ("Assistant surgeon for lumbar microdiscectomy", "non-certified"),
        ("Urine drug screen", "non-certified"),
    ]
    assert len(forms.ur_items(table)) == 1  # as read, the slipped rows are no rows
    prose = "The requesi for MRI of the cervical spine is non-certifled. The request for Urine drug screen is certified."
    assert [(i.text, i.decision) for i in forms.ur_items(forms.decision_slips(prose))] == [
        ("MRI of the cervical spine", "non-certified"),
        ("Urine drug screen", "certified"),
    ]
    # words that are no slip of a decision: another ending, letters only
    prose = "The reviewer certifies that the modifier was used; the carrier denies liability."
    assert forms.decision_slips(prose) == prose
