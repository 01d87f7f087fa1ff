"""Corpus test fixtures: a small corpus whose every count the tests know, and a database per backend.

The storage tests run on SQLite and, when it is reachable, on PostgreSQL (127.0.0.1:5432, database
`test`), each PostgreSQL test in a schema of its own that is dropped afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from imr.cases.testing import fresh_database_url, postgres_url
from imr.model import CaseDetails, Determination, DisputedItem, GuidelineCitation, IssueDecision, ReviewerCredentials

CHRONIC_PAIN = "MTUS Chronic Pain Medical Treatment Guidelines"
LOW_BACK = "MTUS Low Back Complaints 2004"


def cite(source: str, *, pages: list[int] = (), sections: list[str] = (), mtus: bool = True) -> GuidelineCitation:
    return GuidelineCitation(source=source, mtus=mtus, pages=list(pages), sections=list(sections))


def decision(
    text: str,
    outcome: str,
    *,
    kind: str,
    generic: str | None = None,
    drug_class: str | None = None,
    body_part: str | None = None,
    basis: list[GuidelineCitation] = (),
    rationale: str = "",
) -> IssueDecision:
    item = DisputedItem(text=text, kind=kind, generic=generic, drug_class=drug_class, body_part=body_part)
    return IssueDecision(item=item, outcome=outcome, rationale=rationale or None, reviewer_basis=list(basis))


def letter(number: str, decided: dt.date, specialties: list[str], summary: str, issues: list[IssueDecision]) -> Determination:
    return Determination(
        case=CaseDetails(
            case_number=number, decision_date=decided, summary=summary, age=50, sex="female", date_of_injury=dt.date(2012, 5, 1)
        ),
        reviewer=ReviewerCredentials(licensure_states=["California"], specialties=specialties),
        issues=issues,
    )


def known_corpus() -> list[Determination]:
    """Four letters, seven decisions. The counts the tests expect are worked out in test_corpus_stats."""
    return [
        letter(
            "CM15-0000001",
            dt.date(2015, 3, 2),
            ["Family Practice"],
            "The injured worker has chronic low back pain with anxiety and takes Xanax nightly for sleep.",
            [
                decision(
                    "Xanax 1mg #60",
                    "Upheld",
                    kind="drug",
                    generic="alprazolam",
                    drug_class="benzodiazepine",
                    basis=[cite(CHRONIC_PAIN, pages=[24], sections=["Benzodiazepines"])],
                    rationale="Benzodiazepines are not recommended for long-term use; dependence is a risk.",
                ),
                decision(
                    "MRI of the lumbar spine",
                    "Overturned",
                    kind="imaging",
                    body_part="lumbar spine",
                    basis=[cite(LOW_BACK, sections=["Special Studies"])],
                    rationale="Progressive neurologic deficit with foot drop and a red flag warrants imaging.",
                ),
            ],
        ),
        letter(
            "CM16-0000002",
            dt.date(2016, 6, 9),
            ["Family Practice", "Occupational Medicine"],
            "Low back pain with muscle spasm after lifting; on alprazolam and carisoprodol for months.",
            [
                decision(
                    "Alprazolam 0.5mg #30",
                    "Upheld",
                    kind="drug",
                    generic="alprazolam",
                    drug_class="benzodiazepine",
                    basis=[cite(CHRONIC_PAIN, pages=[24], sections=["Benzodiazepines"])],
                    rationale="Long-term benzodiazepine use is not supported by the guideline.",
                ),
                decision(
                    "Soma 350mg #120",
                    "Upheld",
                    kind="drug",
                    generic="carisoprodol",
                    drug_class="muscle relaxant",
                    basis=[cite(CHRONIC_PAIN, pages=[29], sections=["Carisoprodol"])],
                    rationale="Carisoprodol is not recommended; it is metabolized to meprobamate.",
                ),
            ],
        ),
        letter(
            "CM16-0000003",
            dt.date(2016, 11, 20),
            ["Orthopedic Surgery"],
            "Cervical radiculopathy with numbness in the right hand; neuropathic pain documented.",
            [
                decision(
                    "Gabapentin 600mg #90",
                    "Overturned",
                    kind="drug",
                    generic="gabapentin",
                    drug_class="anti-epilepsy drug",
                    basis=[cite(CHRONIC_PAIN, pages=[18, 19], sections=["Anti-epilepsy drugs"])],
                    rationale="Neuropathic pain with a 50% reduction in pain supports gabapentin.",
                ),
                decision(
                    "Physical therapy 12 sessions for the neck",
                    "Upheld",
                    kind="physical medicine",
                    body_part="cervical spine",
                    rationale="Twelve sessions exceed the recommended number without functional improvement.",
                ),
            ],
        ),
        letter(
            "CM17-0000004",
            dt.date(2017, 1, 15),
            ["Family Practice"],
            "Panic disorder documented by psychiatry; short course of alprazolam requested while an SSRI starts.",
            [
                decision(
                    "Alprazolam 0.25mg #14",
                    "Overturned",
                    kind="drug",
                    generic="alprazolam",
                    drug_class="benzodiazepine",
                    basis=[cite(CHRONIC_PAIN, pages=[24], sections=["Benzodiazepines"])],
                    rationale="A two-week course for panic disorder while an antidepressant starts is within the guideline.",
                )
            ],
        ),
    ]


def write_letters(folder: Path, determinations: list[Determination]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, determination in enumerate(determinations):
        path = folder / f"{index:06d}.json"
        path.write_text(determination.model_dump_json(), encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def corpus_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty corpus database on each backend (the case service's throw-away databases)."""
    if request.param == "postgresql" and postgres_url() is None:
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    with fresh_database_url(request.param, tmp_path) as url:
        try:
            yield url
        finally:
            from imr.corpus.store import close_engines

            close_engines()  # pooled connections would keep the schema from being dropped
