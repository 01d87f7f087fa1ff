"""The MTUS timeline: the edition in force is chosen by the date, on both sides of every effective date,
and a date after the last known action is decided with a stated uncertainty."""

from __future__ import annotations

import datetime as dt

import pytest

from imr.casefile import parse_case
from imr.guidelines import load_rulebook
from imr.guidelines.timeline import caveats, check_timeline, editions_in_force, load_timeline
from imr.review import review_case

DAY = dt.timedelta(days=1)


@pytest.fixture(scope="module")
def book():
    return load_rulebook()


def test_the_timeline_names_only_known_editions_on_their_own_dates(book):
    check_timeline(load_timeline(), book.sources)


def test_each_chapter_has_no_gap_and_no_overlap_from_december_2017(book):
    # one edition a day for every single-edition chapter (mental health has modules that add up)
    chapters = {
        s.chapter
        for s in book.sources.values()
        if s.id.startswith("mtus-acoem-") and "mental-health" not in s.id and "stress" not in s.id
    }
    for chapter in chapters:
        editions = sorted(
            (
                s
                for s in book.sources.values()
                if s.chapter == chapter and s.effective_from and s.effective_from >= dt.date(2017, 12, 1)
            ),
            key=lambda s: s.effective_from,
        )
        if not editions:
            continue
        for before, after in zip(editions, editions[1:]):
            assert before.effective_to == after.effective_from - DAY, f"{chapter}: {before.id} -> {after.id}"
        assert editions[-1].effective_to is None, f"{chapter}: the latest edition must still be in force"


def _order_cases():
    timeline = load_timeline()
    return [
        pytest.param(order, edition, id=f"{order.effective}-{edition}") for order in timeline.orders for edition in order.editions
    ]


@pytest.mark.parametrize(("order", "edition"), _order_cases())
def test_an_edition_is_in_force_from_its_order_and_not_the_day_before(book, order, edition):
    source = book.sources[edition]
    assert source.in_force(order.effective)
    assert not source.in_force(order.effective - DAY)
    chapter = source.chapter or source.title
    assert source in editions_in_force(book, chapter, order.effective)
    assert source not in editions_in_force(book, chapter, order.effective - DAY)


def _lumbar_mri_case(ur_date: str, request: str = "MRI of the lumbar spine") -> dict:
    return {
        "injury_date": "2017-06-01",
        "ur_decision_date": ur_date,
        "requests": [{"text": request}],
        "records": [
            {
                "date": ur_date,
                "text": "Low back pain. New saddle anesthesia and urinary retention; cauda equina syndrome is suspected.",
            }
        ],
    }


@pytest.mark.parametrize(
    ("ur_date", "cited"),
    [
        ("2017-11-30", "MTUS Low Back Complaints 2004"),
        ("2017-12-01", "MTUS (ACOEM Practice Guidelines) Low Back Disorders, 2016"),
        ("2019-08-10", "MTUS (ACOEM Practice Guidelines) Low Back Disorders, 2016"),
        ("2019-08-11", "MTUS (ACOEM Practice Guidelines) Low Back Disorders, 2019"),
        ("2021-11-22", "MTUS (ACOEM Practice Guidelines) Low Back Disorders, 2019"),
        ("2021-11-23", "MTUS (ACOEM Practice Guidelines) Low Back Disorders, 2020"),
        ("2026-11-20", "MTUS (ACOEM Practice Guidelines) Low Back Disorders, 2020"),
    ],
)
def test_a_lumbar_mri_cites_the_low_back_guideline_in_force_on_the_ur_date(ur_date, cited):
    issue = review_case(parse_case(_lumbar_mri_case(ur_date))).issues[0]
    assert issue.outcome == "Overturned", issue.rationale
    assert [c.source for c in issue.reviewer_basis] == [cited]


def test_a_retrospective_request_is_judged_under_the_guideline_of_its_date_of_service():
    case = _lumbar_mri_case("2020-01-15", "Retrospective MRI of the lumbar spine, DOS 11/15/2017")
    issue = review_case(parse_case(case)).issues[0]
    assert [c.source for c in issue.reviewer_basis] == ["MTUS Low Back Complaints 2004"]


def test_a_decision_after_the_last_known_action_states_the_uncertainty():
    last = load_timeline().last_known_action
    later = review_case(parse_case(_lumbar_mri_case((last + 30 * DAY).isoformat()))).issues[0]
    assert any(f"no MTUS update after {last:%B %-d, %Y} is encoded" in m for m in later.missing)
    earlier = review_case(parse_case(_lumbar_mri_case((last - 30 * DAY).isoformat()))).issues[0]
    assert not any("is encoded" in m for m in earlier.missing)


def test_a_pending_chronic_pain_update_is_named_only_from_its_hearing(book):
    rule = next(r for r in book.rules if "mtus-acoem-chronic-pain-2017" in r.editions)
    assert any("Chronic Pain Guideline" in c for c in caveats(book, [rule], dt.date(2025, 3, 14)))
    assert not any("Chronic Pain Guideline" in c for c in caveats(book, [rule], dt.date(2025, 3, 13)))


def test_an_edition_whose_version_date_is_unknown_says_so(book):
    shoulder_2023 = book.sources["mtus-acoem-shoulder-2023"]
    assert shoulder_2023.version_known is False
    rule = next(r for r in book.rules if "mtus-acoem-shoulder-2023" in r.editions)
    assert any("version date" in c and "Shoulder Disorders, 2023" in c for c in caveats(book, [rule], dt.date(2024, 1, 10)))
    assert not any("version date" in c for c in caveats(book, [rule], dt.date(2023, 8, 9)))


def test_every_modern_rule_states_whether_it_was_verified_and_what_is_unchecked():
    from pathlib import Path

    import yaml

    from imr.guidelines.loader import DATA_DIR

    for path in sorted((DATA_DIR / "rules" / "mtus-acoem-2017").glob("*.yaml")):
        for rule in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]:
            assert isinstance(rule.get("verified"), bool), f"{path.name}: {rule['id']} has no verified: true|false"
            assert rule.get("note"), f"{path.name}: {rule['id']} needs a note saying what is unchecked"
    cases = Path(__file__).parent / "cases" / "mtus-acoem-2017"
    assert sorted(p.name for p in cases.glob("*.yaml")) == sorted(
        p.name for p in (DATA_DIR / "rules" / "mtus-acoem-2017").glob("*.yaml")
    )


def test_a_misspelled_verified_field_is_an_error(tmp_path):
    import shutil

    from imr.errors import GuidelineError
    from imr.guidelines.loader import DATA_DIR, load_rules, load_sources

    shutil.copytree(DATA_DIR / "sources", tmp_path / "sources")
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "x.yaml").write_text(
        "topic: x\nrules:\n  - id: x.one\n    source: odg\n    section: S\n    applies_to: {kinds: [drug]}\n"
        "    recommendation: not recommended\n    statement: s\n    verifed: true\n",
        encoding="utf-8",
    )
    with pytest.raises(GuidelineError, match="verifed"):
        load_rules(tmp_path / "rules", load_sources(tmp_path / "sources"))


def test_every_modern_flip_case_has_a_well_formed_must_not_flip_block():
    # the blocks are run by the scoped runner of issue 12; here their shape is held
    from pathlib import Path

    import yaml

    for path in sorted((Path(__file__).parent / "cases" / "mtus-acoem-2017").glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            if "flip" not in case:
                continue
            blocks = case.get("must_not_flip")
            assert blocks, f"{path.name}: {case['name']} has a flip pair but no must_not_flip block"
            for block in blocks:
                assert set(block) == {"change", "add", "outcome"} and block["outcome"] == "Upheld", (
                    f"{path.name}: {case['name']}: {block}"
                )
