"""Documents inside one PDF: where each starts and ends, its kind, date of service and author."""

from __future__ import annotations

from pathlib import Path

import pytest

from imr.packets.pages import Page, read_pages
from imr.packets.split import split_pages, title_kind
from tests.packets.conftest import TYPED, truth_of


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
