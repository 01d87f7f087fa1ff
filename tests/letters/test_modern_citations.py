"""Citations of the MTUS in force since December 2017: rendered in the modern form and read back, and the
spellings of one guideline named once."""

from __future__ import annotations

import datetime as dt

import pytest

from imr.letters._citations import parse_basis
from imr.letters.guideline_names import guideline_name
from imr.letters.parse import parse_letter_text
from imr.letters.render import render_letter
from imr.model import CaseDetails, Determination, DisputedItem, GuidelineCitation, IssueDecision, ReviewerCredentials

LOW_BACK_2020 = "MTUS (ACOEM Practice Guidelines) Low Back Disorders, 2020"
CHRONIC_PAIN_2017 = "MTUS (ACOEM Practice Guidelines) Chronic Pain Guideline, 2017"
HAND_2023 = "MTUS (ACOEM Practice Guidelines) Hand, Wrist, and Forearm Disorders, 2023"


@pytest.mark.parametrize(
    ("basis", "expected"),
    [
        (
            "Decision based on MTUS (ACOEM Practice Guidelines) Low Back Disorders, 2020, Section(s): Injection Therapies - Epidural Steroid Injections.",
            [(LOW_BACK_2020, True, ["Injection Therapies - Epidural Steroid Injections"])],
        ),
        (
            "Decision based on MTUS (ACOEM Practice Guidelines) Hand, Wrist, and Forearm Disorders, 2023, Section(s): Carpal Tunnel Syndrome - Surgical Release, "
            "and MTUS (ACOEM Practice Guidelines) Chronic Pain Guideline, 2017, Section(s): Exercise and Physical Therapy, Manipulation.",
            [
                (HAND_2023, True, ["Carpal Tunnel Syndrome - Surgical Release"]),
                (CHRONIC_PAIN_2017, True, ["Exercise and Physical Therapy", "Manipulation"]),
            ],
        ),
        (
            "Decision based on ACOEM Practice Guidelines, Chronic Pain Guideline, 2017.",
            [("ACOEM Practice Guidelines, Chronic Pain Guideline, 2017", False, [])],
        ),
        (
            "Decision based on MTUS (ACOEM Practice Guidelines) Opioids Guideline, 2017, and Acupuncture Treatment 2007.",
            [
                ("MTUS (ACOEM Practice Guidelines) Opioids Guideline, 2017", True, []),
                ("MTUS Acupuncture Treatment 2007", True, []),
            ],
        ),
        # the older forms still read as before
        (
            "Decision based on MTUS Low Back Complaints 2004, Section(s): Special Studies.",
            [("MTUS Low Back Complaints 2004", True, ["Special Studies"])],
        ),
    ],
)
def test_modern_citations_are_read_as_one_source_each(basis, expected):
    assert [(c.source, c.mtus, c.sections) for c in parse_basis(basis)] == expected


def _determination(basis: list[GuidelineCitation]) -> Determination:
    return Determination(
        case=CaseDetails(
            case_number="CM26-0123456",
            decision_date=dt.date(2026, 11, 30),
            ur_denial_date=dt.date(2026, 10, 20),
            date_of_injury=dt.date(2025, 3, 1),
            summary="Chronic low back pain with radiculopathy.",
            age=44,
            sex="male",
        ),
        reviewer=ReviewerCredentials(licensure_states=["California"], specialties=["Physical Medicine & Rehabilitation"]),
        issues=[
            IssueDecision(
                item=DisputedItem(text="Lumbar epidural steroid injection at L5-S1", kind="injection"),
                outcome="Upheld",
                rationale="The request is not medically necessary.",
                reviewer_basis=basis,
            )
        ],
    )


@pytest.mark.parametrize("layout", ["seed", "case-number"])
def test_a_letter_citing_modern_guidelines_reads_back_the_same_sources(layout):
    basis = [
        GuidelineCitation(source=LOW_BACK_2020, mtus=True, sections=["Injection Therapies - Epidural Steroid Injections"]),
        GuidelineCitation(source=CHRONIC_PAIN_2017, mtus=True, sections=["Exercise and Physical Therapy"]),
    ]
    text = render_letter(_determination(basis), "text", layout=layout, organization="MAXIMUS Federal Services").decode("utf-8")
    assert (
        "MTUS (ACOEM Practice Guidelines) Low Back Disorders, 2020, Section(s): Injection Therapies - Epidural Steroid Injections"
        in " ".join(text.split())
    )
    assert "and MTUS (ACOEM Practice Guidelines) Chronic Pain Guideline, 2017" in " ".join(text.split())
    read = parse_letter_text(text).issues[0].reviewer_basis
    assert [(c.source, c.mtus, c.sections) for c in read] == [(c.source, c.mtus, c.sections) for c in basis]


@pytest.mark.parametrize(
    ("spelling", "name"),
    [
        ("MTUS Low Back Disorders 2019", "MTUS (ACOEM Practice Guidelines) Low Back Disorders, 2019"),
        ("MTUS ACOEM Low Back Disorders, 2019", "MTUS (ACOEM Practice Guidelines) Low Back Disorders, 2019"),
        (
            "MTUS Hand, Wrist and Forearm Disorders 2019",
            "MTUS (ACOEM Practice Guidelines) Hand, Wrist, and Forearm Disorders, 2019",
        ),
        ("ACOEM Practice Guidelines, Chronic Pain, 2017", "ACOEM Practice Guidelines, Chronic Pain Guideline, 2017"),
        ("MTUS Chronic Pain Treatment Guidelines", "MTUS Chronic Pain Medical Treatment Guidelines"),
        ("ODG", "Official Disability Guidelines (ODG)"),
        # two editions stay two guidelines
        ("MTUS Low Back Disorders 2016", "MTUS (ACOEM Practice Guidelines) Low Back Disorders, 2016"),
        ("MTUS Low Back Complaints 2004", "MTUS Low Back Complaints 2004"),
    ],
)
def test_spellings_of_one_guideline_get_one_name(spelling, name):
    assert guideline_name(spelling) == name
