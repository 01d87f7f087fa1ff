"""Documents inside one PDF: where each starts and ends, its kind, date of service and author."""

from __future__ import annotations

from pathlib import Path

import pytest

from imr.packets.pages import Page, read_pages
from imr.packets.split import split_pages, title_kind
from tests.packets.conftest import TYPED, truth_of
from tests.timing import assert_linear


@pytest.mark.parametrize("pdf", TYPED, ids=lambda p: p.stem)
def test_documents_match_the_ground_truth(pdf: Path) -> None:
    found = split_pages(list(read_pages(pdf)))
    expected = truth_of(pdf)["documents"]
    assert [(d.kind, d.page_numbers) for d in found] == [(d["kind"], d["pages"]) for d in expected]
    assert [d.date.isoformat() if d.date else None for d in found] == [d["date"] for d in expected]
    assert [d.author for d in found] == [d["author"] for d in expected]


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        ("RIVERSIDE SPINE CENTER\nPRIMARY TREATING PHYSICIAN'S PROGRESS REPORT (PR-2)", "progress_report"),
        ("ELECTRODIAGNOSTIC CONSULTATION\nEMG / Nerve Conduction Studies", "electrodiagnostic_report"),
        ("Orthopedic Consultation\nDate: 3/4/2016", "consultation"),
        ("NOTICE OF UTILIZATION REVIEW DETERMINATION", "ur_determination"),
        ("DWC Form RFA", "rfa"),
        ("MRI of the lumbar spine without contrast", "imaging_report"),
        ("URINE DRUG SCREEN REPORT", "drug_screen"),
        ("Facsimile cover sheet", "other"),
        ("Request for Authorization for Medical Treatment (DWC Form RFA)", "rfa"),
        ("DOCTOR'S FIRST REPORT OF OCCUPATIONAL INJURY OR ILLNESS", "progress_report"),
        ("Utilization Review Notice of Decision", "ur_determination"),
        ("CT scan of the lumbar spine", "imaging_report"),
        ("Physical Therapy Initial Evaluation", "therapy_note"),
    ],
)
def test_titles_name_the_kind(head: str, kind: str) -> None:
    assert title_kind(head + "\nPatient: A B") == kind


def test_a_title_deep_in_the_body_does_not_open_a_document() -> None:
    body = "\n".join(["Plan: continue"] * 20 + ["PROGRESS NOTE"])
    assert title_kind(body) is None


def test_a_continuation_page_with_a_title_stays_in_its_document() -> None:
    first = Page("p.pdf", 1, "OPERATIVE REPORT\nDATE OF SURGERY: 02/05/2016\nPage 1 of 2", "text")
    second = Page("p.pdf", 2, "OPERATIVE REPORT\nclosed in layers.\nLaura Sato, MD\nPage 2 of 2", "text")
    documents = split_pages([first, second])
    assert [(d.kind, d.page_numbers) for d in documents] == [("operative_report", [1, 2])]
    assert documents[0].author == "Laura Sato, MD"
    assert documents[0].page_offsets == [0, len(first.text) + 1]


def test_a_speck_beside_a_scanned_title_is_ignored() -> None:
    assert title_kind("PACIFIC PAIN AND REHABILITATION\nPROGRESS NOTE ©\nPatient: A B") == "progress_report"


def test_a_long_run_of_marks_in_a_page_head_is_read_in_linear_time() -> None:
    # a page of a test packet with a run of dots and a word after it in its first line: the trim of
    # marks at a title's end was retried at every dot (100,000 dots took 60 s)
    setup = (
        "from imr.packets.pages import read_pages\nfrom imr.packets.split import split_pages\n"
        f"from pathlib import Path\npage = next(read_pages(Path({str(TYPED[0])!r}), ocr=False))\n"
        "line, rest = page.text.split('\\n', 1)\n"
        "page = page.__class__(page.file, 1, line + ' ' + '. ' * (SIZE // 2) + 'x\\n' + rest, 'text')"
    )
    assert_linear(setup, "assert split_pages([page])", small=20_000, large=200_000, bound=10)


def test_a_long_run_of_blank_lines_is_read_in_linear_time() -> None:
    # "continued" at a line's start was allowed any white space before it, newlines too: the pattern
    # was retried at every line of a run of blank lines (100,000 took 120 s)
    setup = (
        "from imr.packets.pages import read_pages\nfrom imr.packets.split import split_pages\n"
        f"from pathlib import Path\npages = list(read_pages(Path({str(TYPED[1])!r}), ocr=False))\n"
        "pages[1] = pages[1].__class__(pages[1].file, 2, pages[1].text + '\\n' * SIZE + 'x', 'text')"
    )
    assert_linear(setup, "assert split_pages(pages)", small=20_000, large=200_000, bound=10)
