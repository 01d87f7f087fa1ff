"""Wordings real letters use that the fixture letters do not show, each made by changing one thing in
a real seed letter: the parser must read the changed letter as a person reads it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from imr.letters.parse import parse_letter_text
from imr.letters._citations import parse_basis

SEED = sorted((Path(__file__).parent.parent / "fixtures" / "letters" / "seed").glob("*.txt"))[0]
TEXT = "\n".join(line for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip())
TITLE = "Xanax 0.25mg #30 with 2 refills.:  Upheld"
CREDENTIALS = (
    "reviewer is Board Certified in Physical Medicine and Rehabilitation, has a subspecialty in Pain \n"
    "Medicine and is licensed to practice in Texas."
)


def test_the_seed_letter_reads_as_before_the_change() -> None:
    d = parse_letter_text(TEXT)
    assert [i.item.text for i in d.issues] == ["Xanax 0.25mg #30 with 2 refills"]
    assert d.reviewer.licensure_states == ["Texas"] and d.case.age == 43


def test_an_enumerated_item_keeps_its_request_only() -> None:
    d = parse_letter_text(TEXT.replace(TITLE, "1. " + TITLE))
    assert d.issues[0].item.text == "Xanax 0.25mg #30 with 2 refills"


def test_a_title_wrapped_after_a_prescription_abbreviation_is_whole() -> None:
    d = parse_letter_text(TEXT.replace(TITLE, "Xanax 0.25mg 1 tab p.o.\nq.h.s. #30 with 2 refills: Upheld"))
    assert d.issues[0].item.text == "Xanax 0.25mg 1 tab p.o. q.h.s. #30 with 2 refills"


def test_a_title_wrapped_after_its_own_label_is_whole() -> None:
    d = parse_letter_text(TEXT.replace(TITLE, "Associated surgical service:\nAssistant surgeon: Upheld"))
    assert d.issues[0].item.text == "Associated surgical service: Assistant surgeon"


def test_page_footers_with_the_case_number_are_not_prose() -> None:
    text = TEXT.replace("Decision rationale: The request", "CM15-0123456 Page 2 of 3\nDecision rationale: The request")
    assert "Page 2" not in (parse_letter_text(text).issues[0].rationale or "")


def test_credentials_of_a_licensed_profession() -> None:
    text = TEXT.replace(CREDENTIALS, "reviewer is a Licensed Acupuncturist and is licensed to practice in California and Oregon.")
    d = parse_letter_text(text)
    assert d.reviewer.specialties == ["Acupuncturist"]
    assert d.reviewer.licensure_states == ["California", "Oregon"]


def test_credential_lines_run_together() -> None:
    # As the later letters print them, at the end of the section, here run together on one line.
    text = TEXT.replace(CREDENTIALS, "reviewer has the credentials below.").replace(
        "\nCLINICAL CASE SUMMARY",
        "\nState(s) of Licensure: Texas, New York Certification(s)/Specialty: Anesthesiology, Pain\nMedicine\nCLINICAL CASE SUMMARY",
    )
    d = parse_letter_text(text)
    assert d.reviewer.licensure_states == ["Texas", "New York"]
    assert d.reviewer.specialties == ["Anesthesiology", "Pain Medicine"]


def test_ages_and_injury_dates_in_other_wordings() -> None:
    text = TEXT.replace(
        "is a 43 year old female who had a work-related injury on 12/10/11",
        "is a female, age 43, with a date of injury (DOI) 2011-12-10",
    )
    case = parse_letter_text(text).case
    assert (case.age, case.sex, case.date_of_injury) == (43, "female", dt.date(2011, 12, 10))


def test_summary_on_the_intro_line_is_kept() -> None:
    text = TEXT.replace(
        "including all medical records: \nThe injured worker", "including all medical records: The injured worker"
    )
    text = text.replace("including all medical records:\nThe injured worker", "including all medical records: The injured worker")
    d = parse_letter_text(text)
    assert (d.case.summary or "").startswith("The injured worker is a 43 year old female")


def test_odg_chapter_then_topic_and_a_non_mtus_source_after_mtus_chapters() -> None:
    [odg] = parse_basis("Decision based on Non-MTUS Citation Official Disability Guidelines (ODG) Pain (Chronic) Acupuncture.")
    assert odg.sections == ["Pain (Chronic)", "Acupuncture"]
    mtus, other = parse_basis(
        "Decision based on MTUS Shoulder Complaints 2004, Section(s): Surgical Considerations, and "
        "Non-MTUS Official Disability Guidelines (ODG) Shoulder, Surgery for impingement syndrome."
    )
    assert (mtus.source, mtus.sections) == ("MTUS Shoulder Complaints 2004", ["Surgical Considerations"])
    assert (other.source, other.mtus, other.sections) == (
        "Official Disability Guidelines (ODG)",
        False,
        ["Shoulder", "Surgery for impingement syndrome"],
    )
