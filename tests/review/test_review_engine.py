"""The review engine on case files: cited recommendations, the record's own facts, honest abstains."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from imr.casefile import load_case, parse_case
from imr.guidelines import load_rulebook
from imr.guidelines.loader import DATA_DIR
import imr.review.engine as review_engine
from imr.review import review_case

EXAMPLES = Path(__file__).parents[2] / "src" / "imr" / "examples" / "cases"


def case(requests, text, *, date="2015-04-10", ur="2015-04-20", injury="2011-12-10", age=43, records=None):
    return parse_case(
        {
            "injury_date": injury,
            "ur_decision_date": ur,
            "worker": {"age": age, "sex": "female"},
            "requests": [r if isinstance(r, dict) else {"text": r} for r in requests],
            "records": records or [{"date": date, "kind": "progress note", "text": text}],
        }
    )


def test_long_term_benzodiazepine_is_upheld_under_the_guideline_in_force_in_2026():
    d = review_case(load_case(EXAMPLES / "benzodiazepine-alprazolam.yaml"))
    (issue,) = d.issues
    assert issue.outcome == "Upheld"
    (basis,) = issue.reviewer_basis
    assert basis.mtus and basis.source == "MTUS (ACOEM Practice Guidelines) Chronic Pain Guideline, 2017"
    assert basis.sections == ["Benzodiazepines"] and basis.pages == []
    assert "MTUS Drug Formulary (MTUS Drug List v13" in issue.rationale
    # decided after the last MTUS action imr knows of, and after a Chronic Pain update was heard: both said
    assert any("later changes may apply" in m for m in issue.missing)
    assert any("Chronic Pain Guideline" in m for m in issue.missing)


def test_a_met_criterion_cites_the_dated_record_that_meets_it():
    (issue,) = review_case(load_case(EXAMPLES / "opioid-norco.yaml")).issues
    assert issue.outcome == "Overturned"
    assert "10/08/2026" in issue.rationale or "09/10/2026" in issue.rationale


def test_evidence_spans_point_into_the_record_text():
    c = load_case(EXAMPLES / "opioid-norco.yaml")
    (issue,) = review_case(c).issues
    assert issue.outcome == "Overturned"
    assert issue.evidence
    for e in issue.evidence:
        assert c.records[e.record_index].text[e.start : e.end] == e.text
        assert e.record_date == c.records[e.record_index].date


def test_unknown_drug_is_an_explained_abstain_not_a_crash():
    d = review_case(case(["Zorbiflam 20mg #30"], "Pain 6/10. Plan: Zorbiflam 20 mg daily."))
    (issue,) = d.issues
    assert issue.outcome is None
    assert "Zorbiflam" in issue.abstain_reason and "drug" in issue.abstain_reason
    assert issue.confidence == 0.0


def test_item_no_guideline_covers_is_an_explained_abstain():
    d = review_case(case(["Acoustic levitation session x1"], "Low back pain 5/10."))
    (issue,) = d.issues
    assert issue.outcome is None
    assert "No guideline rule" in issue.abstain_reason and "Acoustic levitation" in issue.abstain_reason


def test_edition_follows_the_ur_decision_date():
    record = (
        "She has taken Norco 10/325 mg three times a day since 2012. Pain is 8/10 without medication and 4/10 "
        "with medication. She is able to walk longer. She denies side effects. "
        "A urine drug screen on {screened} was consistent with her prescribed medications."
    )
    early = review_case(case(["Norco 10/325mg #90"], record.format(screened="01/15/2015"))).issues[0]
    late_record = record.format(screened="10/15/2016")
    late = review_case(case(["Norco 10/325mg #90"], late_record, date="2016-11-01", ur="2016-11-20")).issues[0]
    assert {c.source for c in early.reviewer_basis} == {"MTUS Chronic Pain Medical Treatment Guidelines"}
    assert {c.source for c in late.reviewer_basis} == {"MTUS Opioids Treatment 2016"}
    assert early.outcome == late.outcome == "Overturned"
    # the same screen 22 months before the later UR decision no longer shows current monitoring
    stale = review_case(
        case(["Norco 10/325mg #90"], record.format(screened="01/15/2015"), date="2016-11-01", ur="2016-11-20")
    ).issues[0]
    assert stale.outcome == "Upheld"
    (monitoring,) = [c for c in stale.criteria if c.criterion == "monitoring"]
    assert monitoring.status == "not documented"
    assert monitoring.set_aside[0].reason == "2015-01-15: more than 365 days before 2016-11-20"


def test_odg_is_cited_as_non_mtus_only_where_the_mtus_is_silent():
    (issue,) = review_case(case(["Ambien 10mg #30 refill"], "Insomnia from pain. He has taken Ambien nightly since 2012.")).issues
    assert issue.outcome == "Upheld"
    assert [c.mtus for c in issue.reviewer_basis] == [False]
    assert "non-MTUS" in issue.rationale
    (benzo,) = review_case(case(["Temazepam 15mg #30"], "Insomnia. Taking temazepam since 2014.")).issues
    assert all(c.mtus for c in benzo.reviewer_basis)


def test_a_compound_with_one_not_recommended_ingredient_is_not_recommended():
    (issue,) = review_case(
        case(
            ["Compound cream: ketoprofen 10%, lidocaine 5%, 120gm"],
            "Burning neuropathic pain in the right foot. Gabapentin failed.",
        )
    ).issues
    assert issue.outcome == "Upheld"
    assert "ketoprofen" in issue.rationale


def test_confidence_is_the_calibrated_agreement_of_the_decision_path():
    import yaml

    from imr.review.engine import decision_path, review_items

    table = yaml.safe_load((Path(review_engine.__file__).parent / "data" / "confidence.yaml").read_text())["paths"]
    undocumented = case(["Diazepam 5mg #14, one tablet twice a day"], "Low back pain. Plan: start diazepam 5 mg twice a day.")
    contradicted = case(["Xanax 0.25mg #30"], "Anxiety. She has taken Xanax 0.25 mg daily since 2013.")
    for c, path in ((undocumented, "not documented"), (contradicted, "contradicted")):
        (notes,) = review_items(c, load_rulebook())
        assert decision_path(notes) == path
        (issue,) = review_case(c).issues
        assert issue.outcome == "Upheld" and issue.confidence == table[path]["confidence"]


# --- engine behaviour independent of the packaged rules: a small rule book of our own ---------------

RULES = """
topic: test services
rules:
  - id: test.knee-surgery
    source: mtus-cpmtg-2009
    section: Surgery
    applies_to: {kinds: [surgery]}
    recommendation: conditional
    statement: knee surgery needs failed conservative care.
    criteria:
      - {id: pt, label: Physical therapy failed, test: {finding: conservative_care}, missing: failed conservative care}
  - id: test.assistant
    source: mtus-cpmtg-2009
    section: Assistant surgeon
    applies_to: {procedures: [assistant surgeon]}
    recommendation: recommended
    statement: an assistant is appropriate when the surgery is.
    follows_primary: true
  - id: test.therapy
    source: mtus-cpmtg-2009
    section: Physical medicine
    applies_to: {procedures: [physical therapy]}
    recommendation: conditional
    statement: at most ten visits in all.
    criteria:
      - {id: ten, label: Ten visits in all, test: {quantity: total_sessions, at_most: 10}, missing: a course of ten visits or fewer}
"""


@pytest.fixture()
def small_book(tmp_path):
    root = tmp_path / "book"
    shutil.copytree(DATA_DIR / "sources", root / "sources")
    (root / "rules").mkdir()
    (root / "rules" / "services.yaml").write_text(RULES, encoding="utf-8")
    return load_rulebook(root)


def test_assistant_surgeon_follows_an_upheld_surgery(small_book):
    c = case(["Right knee arthroscopy", "Assistant surgeon"], "Right knee pain 5/10 with medial joint line tenderness.")
    surgery, assistant = review_case(c, rulebook=small_book).issues
    assert surgery.outcome == "Upheld"
    assert assistant.outcome == "Upheld"
    assert "Right knee arthroscopy" in assistant.rationale
    assert any("primary procedure" in m for m in assistant.missing)


def test_assistant_surgeon_is_judged_on_its_own_when_the_surgery_is_supported(small_book):
    c = case(
        ["Right knee arthroscopy", "Assistant surgeon"],
        "Right knee pain 5/10. Physical therapy for three months failed to help.",
    )
    surgery, assistant = review_case(c, rulebook=small_book).issues
    assert surgery.outcome == "Overturned"
    assert assistant.outcome == "Overturned"


def test_partial_authorization_counts_what_was_authorized(small_book):
    text = "Low back pain 5/10. No prior physical therapy."
    remaining = {
        "text": "Physical therapy 6 sessions",
        "original_request": "Physical therapy 12 sessions",
        "authorized": "Physical therapy 6 sessions",
    }
    alone = review_case(case(["Physical therapy 6 sessions"], text), rulebook=small_book).issues[0]
    partly = review_case(case([remaining], text), rulebook=small_book).issues[0]
    assert alone.outcome == "Overturned"
    assert partly.outcome == "Upheld"
    assert partly.item.authorized == "Physical therapy 6 sessions"


def test_no_date_anywhere_uses_the_latest_mtus_edition_and_says_so():
    c = parse_case({"requests": [{"text": "Xanax 1mg #60"}], "records": [{"text": "Anxiety. She has taken Xanax since 2013."}]})
    (issue,) = review_case(c).issues
    assert issue.outcome == "Upheld"
    assert any("date of the UR decision" in m for m in issue.missing)


def test_review_is_deterministic_and_json_round_trips():
    c = load_case(EXAMPLES / "surgery-with-assistant.yaml")
    first, second = review_case(c).to_json_dict(), review_case(c).to_json_dict()
    assert first == second
    assert first["issues"][0]["criteria"] and "confidence" in first["issues"][0]
    assert dt.date.fromisoformat(first["case"]["ur_denial_date"]) == c.ur_decision_date


def test_a_peri_operative_service_no_rule_covers_follows_an_upheld_surgery(small_book):
    c = case(["Right knee arthroscopy", "Post-op cold therapy unit rental 7 days"], "Right knee pain 5/10.")
    surgery, cold = review_case(c, rulebook=small_book).issues
    assert surgery.outcome == "Upheld"
    assert cold.outcome == "Upheld" and cold.abstain_reason is None
    assert "Right knee arthroscopy" in cold.rationale
    supported = case(
        ["Right knee arthroscopy", "Post-op cold therapy unit rental 7 days"],
        "Right knee pain 5/10. Physical therapy for three months failed to help.",
    )
    surgery, cold = review_case(supported, rulebook=small_book).issues
    assert surgery.outcome == "Overturned"
    # judged on its own: no rule covers it, so no guideline supports it, and the letter says so
    assert cold.outcome == "Upheld" and cold.abstain_reason is None
    assert "No guideline rule" in cold.rationale and "9792.21.1" in cold.rationale
    assert any("no guideline in this rulebook addresses it" in m for m in cold.missing)
    assert [(c.source, c.sections) for c in cold.reviewer_basis] == [("8 CCR 9792.21.1", ["Medical Evidence Search Sequence"])]
