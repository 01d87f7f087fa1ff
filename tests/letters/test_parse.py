"""The letter parser on real published letters: what a reader of the letter would write down."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from imr.letters.parse import parse_letter, parse_letter_text
from imr.letters._citations import expand_pages, parse_basis
from imr.letters._fields import age_and_sex, parse_date
from imr.letters._pdf import pdf_text

LETTERS = Path(__file__).parent.parent / "fixtures" / "letters"
SEED = sorted((LETTERS / "seed").glob("*.txt"))
DWC = sorted((LETTERS / "dwc").glob("*.pdf"))
SYNTHETIC = LETTERS / "synthetic"


@pytest.fixture(scope="module")
def dwc_parsed() -> dict[str, object]:
    return {path.stem: parse_letter(path) for path in DWC}


def test_the_40_dwc_letters_hold_96_items_83_upheld_13_overturned(dwc_parsed: dict) -> None:
    outcomes = [issue.outcome for d in dwc_parsed.values() for issue in d.issues]
    assert (len(outcomes), outcomes.count("Upheld"), outcomes.count("Overturned")) == (96, 83, 13)


def test_dwc_header_is_read_for_every_letter(dwc_parsed: dict) -> None:
    for name, d in dwc_parsed.items():
        case = d.case
        assert case.case_number == name
        assert case.priority == "Standard"
        assert None not in (
            case.date_assigned,
            case.date_of_injury,
            case.decision_date,
            case.ur_denial_date,
            case.application_received,
        )
        # The published timeline: injury, UR denial, application, assignment, decision.
        assert case.date_of_injury <= case.ur_denial_date <= case.application_received <= case.date_assigned < case.decision_date


def test_dwc_header_values_of_one_letter(dwc_parsed: dict) -> None:
    case = dwc_parsed["CM16-0213037"].case
    assert (case.date_assigned, case.date_of_injury, case.decision_date, case.ur_denial_date, case.application_received) == (
        dt.date(2016, 11, 9),
        dt.date(2016, 10, 13),
        dt.date(2016, 12, 9),
        dt.date(2016, 11, 3),
        dt.date(2016, 11, 3),
    )


HEADER_ORDERS = {
    # pdfplumber puts the application date on the "Priority" row and "Received:" after it.
    "row, value before label": "Case Number: CM16-0213037\nDate Assigned: 11/09/2016 Date of Injury: 10/13/2016\n"
    "Decision Date: 12/09/2016 UR Denial Date: 11/03/2016\nPriority: Standard Application 11/03/2016\nReceived:\n",
    # A column-by-column extraction: the left column's labels, then the right column, values last.
    "column by column": "Case Number:\nDate Assigned:\nDecision Date:\nPriority:\nCM16-0213037\n11/09/2016\n12/09/2016\nStandard\n"
    "Date of Injury:\nUR Denial Date:\nApplication Received:\n10/13/2016\n11/03/2016\n11/03/2016\n",
}


@pytest.mark.parametrize("order", HEADER_ORDERS)
def test_header_reads_the_same_whatever_order_the_columns_come_out_in(order: str) -> None:
    text = pdf_text((LETTERS / "dwc" / "CM16-0213037.pdf").read_bytes(), source="test")
    body = text[text.index("HOW THE IMR FINAL DETERMINATION WAS MADE") :]
    reference = parse_letter(LETTERS / "dwc" / "CM16-0213037.pdf")
    reordered = parse_letter_text(HEADER_ORDERS[order] + body)
    assert reordered.case == reference.case


def test_date_of_injury_comes_from_the_summary_when_there_is_no_header() -> None:
    assert [parse_letter(p).case.date_of_injury for p in SEED] == [
        dt.date(2011, 12, 10),
        dt.date(2010, 1, 6),
        dt.date(2005, 6, 9),
    ]


def test_age_sex_diagnoses_and_medications_from_the_summary() -> None:
    case = parse_letter(SEED[0]).case
    assert (case.age, case.sex) == (43, "female")
    assert case.medications == ["Percocet", "Soma", "Xanax", "Benadryl", "Tylenol"]
    assert case.diagnoses == [
        "thoracic radiculopathy",
        "dysmic disorder",
        "facet syndrome",
        "myofascial pain syndrome",
        "sacroiliitis",
    ]
    assert parse_letter(SEED[1]).case.diagnoses == ["lumbar degenerative disc disease", "lumbar radiculitis"]


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("The injured worker is a 43 year old female who", (43, "female")),
        ("The injured worker is a 50-year-old female, who", (50, "female")),
        ("This case involves a now 39-year-old male with", (39, "male")),
        ("The applicant is a 28-year-old woman who", (28, "female")),
        ("The worker hurt his back. He was seen; his pain", (None, "male")),
    ],
)
def test_age_and_sex_phrasings(phrase: str, expected: tuple) -> None:
    assert age_and_sex(phrase) == expected


@pytest.mark.parametrize(
    ("written", "date"),
    [
        ("12/10/11", dt.date(2011, 12, 10)),
        ("January 6, 2010", dt.date(2010, 1, 6)),
        ("10-13-16", dt.date(2016, 10, 13)),
        ("06/09/2005", dt.date(2005, 6, 9)),
        ("3/4/98", dt.date(1998, 3, 4)),
        ("Sept. 2, 2014", dt.date(2014, 9, 2)),
        ("13/45/2016", None),
    ],
)
def test_dates_as_letters_write_them(written: str, date: dt.date | None) -> None:
    assert parse_date(written) == date


def test_reviewer_credentials_in_the_sentence_style() -> None:
    reviewer = parse_letter(SEED[0]).reviewer
    assert reviewer.licensure_states == ["Texas"]
    assert reviewer.specialties == ["Physical Medicine and Rehabilitation"]
    assert reviewer.board_certified is True
    assert reviewer.subspecialty == "Pain Medicine"


def test_reviewer_credentials_in_the_list_style_with_a_wrapped_line(tmp_path: Path) -> None:
    assert parse_letter(SEED[2]).reviewer.specialties == ["Physical Medicine & Rehabilitation", "Pain Management"]
    wrapped = SEED[2].read_text().replace("Rehabilitation, Pain Management", "Rehabilitation, Pain \n\nManagement")
    assert parse_letter_text(wrapped).reviewer.specialties == ["Physical Medicine & Rehabilitation", "Pain Management"]
    reviewer = parse_letter(LETTERS / "dwc" / "CM16-0213037.pdf").reviewer
    assert (reviewer.licensure_states, reviewer.specialties, reviewer.board_certified) == (
        ["California", "North Carolina"],
        ["Family Practice"],
        None,
    )


def test_items_outcomes_and_rationales_of_a_seed_letter() -> None:
    d = parse_letter(SEED[2])
    assert [(i.item.text, i.outcome) for i in d.issues] == [
        ("Norco 10/325mg quantity 120", "Overturned"),
        ("Xanax 1mg quantity 30", "Upheld"),
    ]
    assert d.issues[0].rationale.startswith("Regarding the request for Norco (hydrocodone/acetaminophen), California")
    assert d.issues[0].rationale.endswith("is medically necessary.")
    assert "anti-depressant" in d.issues[1].rationale  # a word broken at a line end is joined again


def test_partial_authorization_keeps_the_remaining_portion_as_the_item() -> None:
    item = parse_letter(LETTERS / "dwc" / "CM16-0233904.pdf").issues[0].item
    assert (item.text, item.original_request, item.authorized) == (
        "Baclofen 100mg #3",
        "Baclofen 100mg #30",
        "Baclofen 100mg #27",
    )
    items = parse_letter(LETTERS / "dwc" / "CM16-0243453.pdf").issues
    assert [i.item.text for i in items][2:] == [
        "Chirophysio therapy two times a week for four weeks for the right elbow and right knee",
        "Chirophysio therapy for the cervical spine, thoracic spine, and lumbar spine, 2 sessions",
    ]
    assert items[3].item.original_request.endswith("two times a week for four weeks (8 sessions)")


def test_items_wrapped_over_lines_are_joined(dwc_parsed: dict) -> None:
    items = [i.item.text for i in dwc_parsed["CM16-0235991"].issues]
    assert items[1] == "EMG (electromyography)/NCV (nerve conduction velocity) of the bilateral upper extremities"


def test_pdf_or_text_is_decided_by_content_not_name(tmp_path: Path) -> None:
    pdf_named_txt = tmp_path / "letter.txt"
    shutil.copy(LETTERS / "dwc" / "CM16-0213037.pdf", pdf_named_txt)
    text_named_pdf = tmp_path / "letter.pdf"
    shutil.copy(SEED[0], text_named_pdf)
    assert parse_letter(pdf_named_txt) == parse_letter(LETTERS / "dwc" / "CM16-0213037.pdf")
    assert parse_letter(text_named_pdf) == parse_letter(SEED[0])


def test_windows_line_ends_and_missing_blank_lines_read_the_same() -> None:
    text = SEED[1].read_text()
    assert parse_letter_text(text.replace("\n", "\r\n")) == parse_letter(SEED[1])
    assert parse_letter_text(text.replace("\n\n", "\n")) == parse_letter(SEED[1])


# --- citations ------------------------------------------------------------------------------------


def cite(text: str) -> list[tuple]:
    return [(c.source, c.mtus, c.sections, c.pages) for c in parse_basis(text)]


def test_citation_seed_style_one_guideline() -> None:
    assert cite("Decision based on MTUS Chronic Pain Treatment Guidelines Benzodiazepines Page(s): 24.") == [
        ("MTUS Chronic Pain Treatment Guidelines", True, ["Benzodiazepines"], [24])
    ]


def test_citation_seed_style_several_guidelines_in_one_line() -> None:
    text = (
        "Decision based on MTUS ACOEM Chapter 15 Stress Related Conditions Page(s): 388, 402, Chronic Pain Treatment "
        "Guidelines Benzodiazepines, Muscle relaxants (for pain), Weaning of Medications Page(s): 24, 66, 124."
    )
    assert cite(text) == [
        ("MTUS ACOEM Chapter 15 Stress Related Conditions", True, [], [388, 402]),
        (
            "MTUS Chronic Pain Treatment Guidelines",
            True,
            ["Benzodiazepines", "Muscle relaxants (for pain)", "Weaning of Medications"],
            [24, 66, 124],
        ),
    ]


def test_citation_page_ranges_are_expanded() -> None:
    assert expand_pages("29, 63-5, 124") == (29, 63, 64, 65, 124)
    assert cite(
        "Decision based on MTUS Chronic Pain Treatment Guidelines 8 C.C.R. 9792.20 - 9792.26 MTUS (Effective July 18, 2009) Page(s): 44, 47, 75-79, 120 of 127."
    ) == [
        (
            "MTUS Chronic Pain Treatment Guidelines 8 C.C.R. 9792.20 - 9792.26 MTUS (Effective July 18, 2009)",
            True,
            [],
            [44, 47, 75, 76, 77, 78, 79, 120],
        )
    ]


def test_citation_chapter_style_two_mtus_chapters() -> None:
    text = (
        "Decision based on MTUS Neck and Upper Back Complaints 2004, Section(s): Special Studies, and Chronic Pain "
        "Medical Treatment 2016, Section(s): Electro-diagnostic testing (EMG/NCS)."
    )
    assert cite(text) == [
        ("MTUS Neck and Upper Back Complaints 2004", True, ["Special Studies"], []),
        ("MTUS Chronic Pain Medical Treatment 2016", True, ["Electro-diagnostic testing (EMG/NCS)"], []),
    ]


def test_citation_chapter_titles_and_sections_with_commas_inside() -> None:
    text = (
        "Decision based on MTUS Neck and Upper Back Complaints 2004, Section(s): Special Studies, and Forearm, Wrist, "
        "and Hand Complaints 2004, Section(s): Special Studies. Decision based on MTUS Chronic Pain Medical Treatment "
        "2016, Section(s): NSAIDs, GI symptoms & cardiovascular risk, Proton Pump Inhibitors (PPIs)."
    )
    assert cite(text) == [
        ("MTUS Neck and Upper Back Complaints 2004", True, ["Special Studies"], []),
        ("MTUS Forearm, Wrist, and Hand Complaints 2004", True, ["Special Studies"], []),
        (
            "MTUS Chronic Pain Medical Treatment 2016",
            True,
            ["NSAIDs, GI symptoms & cardiovascular risk", "Proton Pump Inhibitors (PPIs)"],
            [],
        ),
    ]


def test_citation_non_mtus() -> None:
    text = (
        "The Expert Reviewer based their decision on recommendation(s) outside of the MTUS Guidelines. "
        "Decision based on Non-MTUS Citation Official Disability Guidelines (ODG) Head, CT."
    )
    assert cite(text) == [("Official Disability Guidelines (ODG)", False, ["Head", "CT"], [])]


def test_citation_none_cited_is_an_empty_list(dwc_parsed: dict) -> None:
    assert cite("The Expert Reviewer did not cite any medical evidence for its decision.") == []
    pa_assist = dwc_parsed["CM17-0002892"].issues[1]
    assert (pa_assist.item.text, pa_assist.claims_administrator_basis, pa_assist.reviewer_basis) == ("PA assist", [], [])


def test_claims_administrator_and_reviewer_bases_are_kept_apart() -> None:
    issue = parse_letter(SEED[0]).issues[0]
    assert [c.pages for c in issue.claims_administrator_basis] == [[]]
    assert [c.pages for c in issue.reviewer_basis] == [[24]]


# --- older layouts (synthetic letters) ------------------------------------------------------------


def test_2013_layout_numbered_decisions() -> None:
    d = parse_letter(SYNTHETIC / "documents-reviewed-2013.txt")
    assert d.case.case_number == "CM13-0099901"
    assert (d.case.decision_date, d.case.ur_denial_date, d.case.date_of_injury) == (
        dt.date(2013, 10, 21),
        dt.date(2013, 8, 29),
        dt.date(2011, 3, 14),
    )
    assert [(i.item.text, i.outcome) for i in d.issues] == [
        ("Norco 10/325mg #90", "Upheld"),
        ("8 sessions of physical therapy for the lumbar spine", "Overturned"),
    ]
    # "found the guideline used by the Claims Administrator appropriate": the reviewer relied on it too.
    assert d.issues[0].reviewer_basis == d.issues[0].claims_administrator_basis
    assert d.issues[0].reviewer_basis[0].pages == [78, 79, 80]
    assert d.issues[1].claims_administrator_basis[0].mtus is False
    assert (d.reviewer.board_certified, d.reviewer.specialties, d.reviewer.licensure_states) == (
        True,
        ["Occupational Medicine"],
        ["California"],
    )


def test_issue_at_dispute_layout() -> None:
    d = parse_letter(SYNTHETIC / "issue-at-dispute.txt")
    assert [(i.item.text, i.outcome) for i in d.issues] == [("MRI of the left knee without contrast", "Upheld")]
    assert d.issues[0].reviewer_basis[0].pages == [341, 342, 343]
    assert d.reviewer.licensure_states == ["Oregon", "Washington"]
    assert (d.case.age, d.case.sex, d.case.case_number) == (41, "female", "CM13-0088802")


@pytest.mark.parametrize("library", ["pypdf", "pdfplumber"])
def test_text_extracted_by_other_pdf_libraries_reads_the_same(library: str) -> None:
    """Each library orders the two-column header its own way; the letter must read the same."""
    module = pytest.importorskip(library)
    for path in DWC[:3]:
        if library == "pypdf":
            text = "\n".join(page.extract_text() for page in module.PdfReader(path).pages)
        else:
            with module.open(path) as pdf:
                text = "\n".join(page.extract_text() or "" for page in pdf.pages)
        theirs, ours = parse_letter_text(text), parse_letter(path)
        assert theirs.case.model_dump(exclude={"summary"}) == ours.case.model_dump(exclude={"summary"})
        assert [(i.item.text, i.outcome) for i in theirs.issues] == [(i.item.text, i.outcome) for i in ours.issues]


def test_an_empty_header_value_stays_unknown() -> None:
    text = pdf_text((LETTERS / "dwc" / "CM16-0213037.pdf").read_bytes(), source="test")
    blanked = text.replace("Date Assigned: 11/09/2016", "Date Assigned:")
    case = parse_letter_text(blanked).case
    assert (case.date_assigned, case.date_of_injury, case.decision_date) == (None, dt.date(2016, 10, 13), dt.date(2016, 12, 9))


def test_an_empty_licensure_line_gives_no_states() -> None:
    text = SEED[1].read_text().replace("State(s) of Licensure: California", "State(s) of Licensure: ")
    reviewer = parse_letter_text(text).reviewer
    assert (reviewer.licensure_states, reviewer.specialties) == ([], ["Preventive Medicine", "Occupational Medicine"])


def test_pages_after_the_sections_of_a_dated_chapter() -> None:
    assert cite("Decision based on MTUS Knee Complaints 2004, Section(s): Surgical Considerations, Page(s): 343-345, 347.") == [
        ("MTUS Knee Complaints 2004", True, ["Surgical Considerations"], [343, 344, 345, 347])
    ]


def test_the_reviewer_basis_of_another_review_organization() -> None:
    text = SEED[2].read_text().replace("MAXIMUS guideline:", "Golden State Review Services guideline:")
    assert [i.reviewer_basis for i in parse_letter_text(text).issues] == [i.reviewer_basis for i in parse_letter(SEED[2]).issues]


def test_short_2013_notice_with_numbered_determinations() -> None:
    d = parse_letter(SYNTHETIC / "notice-2013.txt")
    # "notmedically": the extraction lost a space; still a denial upheld.
    assert [(i.item.text, i.outcome) for i in d.issues] == [
        ("20 day work hardening program", "Upheld"),
        ("one follow-up visit with the orthopedic surgeon", "Overturned"),
    ]
    assert d.case.summary.startswith("This is a synthetic case.")  # the disclaimer is not the summary
    assert (d.case.date_of_injury, d.case.age, d.case.diagnoses) == (
        dt.date(2012, 5, 17),
        36,
        ["right shoulder strain", "right biceps tendinitis"],
    )
    assert (d.reviewer.licensure_states, d.reviewer.board_certified) == (["Arizona"], True)


def test_a_letter_saved_as_a_web_page_reads_like_its_text(tmp_path: Path) -> None:
    import html

    text = pdf_text((LETTERS / "dwc" / "CM16-0243453.pdf").read_bytes(), source="test")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    header, body = lines[:6], lines[6:]
    page = (
        "<!DOCTYPE html>\n<html><head><title>IMR</title><style>p { margin: 0 }</style></head><body>\n<table>"
        + "".join(f"<tr><td>{html.escape(line)}</td></tr>" for line in header)
        + "</table>\n"
        + "\n".join(f"<p>{html.escape(line)}</p>" for line in body)
        + "\n</body></html>"
    )
    (tmp_path / "letter.htm").write_text(page, encoding="utf-8")
    assert parse_letter(tmp_path / "letter.htm") == parse_letter(LETTERS / "dwc" / "CM16-0243453.pdf")


def test_a_utf16_text_file_reads_like_its_utf8_original(tmp_path: Path) -> None:
    (tmp_path / "letter.txt").write_text(SEED[2].read_text(), encoding="utf-16")
    assert parse_letter(tmp_path / "letter.txt") == parse_letter(SEED[2])
