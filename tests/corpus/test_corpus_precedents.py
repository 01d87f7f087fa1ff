"""Precedents: the closest published decisions for an item under review, on both backends."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from imr.corpus.ingest import ingest
from imr.corpus.precedents import attach_precedents, compare_with_precedents, find_precedents
from imr.corpus.store import CorpusStore
from imr.model import DisputedItem

from .conftest import known_corpus, write_letters


@pytest.fixture
def store(corpus_url: str, tmp_path: Path) -> CorpusStore:
    write_letters(tmp_path / "letters", known_corpus())
    ingest([tmp_path / "letters"], url=corpus_url, workers=1)
    return CorpusStore(corpus_url)


XANAX = DisputedItem(text="Xanax 0.5mg #30", kind="drug", generic="alprazolam", drug_class="benzodiazepine")


def test_same_drug_ranked_by_similar_case_facts(store: CorpusStore) -> None:
    panic = find_precedents(XANAX, "Panic attacks confirmed by the psychiatrist; an SSRI was just started.", store=store)
    assert panic[0].case_number == "CM17-0000004" and panic[0].outcome == "Overturned"
    assert panic[0].reviewer_basis[0].pages == [24]
    assert panic[0].similarity > panic[1].similarity
    spasm = find_precedents(XANAX, "Muscle spasm in the low back after lifting, on carisoprodol for months.", store=store)
    assert spasm[0].case_number == "CM16-0000002" and spasm[0].outcome == "Upheld"
    # only decisions about the same drug come before decisions about other drugs
    assert {p.item for p in panic[:3]} <= {"Xanax 1mg #60", "Alprazolam 0.5mg #30", "Alprazolam 0.25mg #14"}


def test_class_match_when_the_drug_is_new_to_the_corpus(store: CorpusStore) -> None:
    lorazepam = DisputedItem(text="Ativan 1mg #30", kind="drug", generic="lorazepam", drug_class="benzodiazepine")
    found = find_precedents(lorazepam, None, limit=10, store=store)
    assert {p.item for p in found} == {"Xanax 1mg #60", "Alprazolam 0.5mg #30", "Alprazolam 0.25mg #14"}
    assert all(p.similarity < 1 for p in found)


def test_services_match_by_wording_and_exclude_the_case_itself(store: CorpusStore) -> None:
    mri = DisputedItem(text="MRI lumbar spine without contrast", kind="imaging", body_part="lumbar spine")
    found = find_precedents(mri, "Foot drop and progressive weakness.", store=store)
    assert found[0].item == "MRI of the lumbar spine" and found[0].outcome == "Overturned"
    assert all(p.case_number != "CM15-0000001" for p in find_precedents(mri, None, exclude_case="CM15-0000001", store=store))


def test_compare_with_precedents_says_how_many_agree(store: CorpusStore) -> None:
    found = find_precedents(XANAX, None, limit=3, store=store)
    assert compare_with_precedents(found, "Upheld") == (
        "2 of 3 similar published decisions were upheld, 1 overturned; the recommendation (Upheld) agrees with 2 of them."
    )
    assert compare_with_precedents([], None) == "No similar published decision in the corpus."


def test_precedents_command(store: CorpusStore, tmp_path: Path) -> None:
    env = {**os.environ, "IMR_DATABASE_URL": store.url, "IMR_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "imr",
            "corpus",
            "precedents",
            "Soma 350mg #60",
            "--generic",
            "carisoprodol",
            "--class",
            "muscle relaxant",
            "--kind",
            "drug",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found[0]["item"] == "Soma 350mg #120" and found[0]["outcome"] == "Upheld"


def test_attach_precedents_to_an_engine_determination(store: CorpusStore) -> None:
    from imr.model import CaseDetails, Determination, IssueDecision

    draft = Determination(
        case=CaseDetails(case_number="CM17-0000004", summary="Panic disorder; an SSRI was started last week."),
        issues=[IssueDecision(item=XANAX, outcome="Upheld")],
    )
    attached = attach_precedents(draft, store=store)
    assert draft.issues[0].precedents is None  # the input is left alone
    found = attached.issues[0].precedents
    assert found and all(p.case_number != "CM17-0000004" for p in found)  # never its own precedent
    assert {p.item for p in found} <= {"Xanax 1mg #60", "Alprazolam 0.5mg #30"}
    assert "precedents" in attached.issues[0].model_dump(mode="json", exclude_none=True)
