"""Extraction on realistic inputs: a case file of dated progress notes, and the case summaries of the
published fixture letters (parsed with imr.letters)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from imr.casefile import parse_case
from imr.clinical import ClinicalRecord, extract_facts, extract_text_facts

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "letters"

PROGRESS_NOTE_1 = """PROGRESS REPORT (PR-2)

Subjective: The patient returns for low back pain radiating down the left leg to the foot. She rates her
pain 8/10 without medications and 5/10 with medications. She has been taking Norco 10/325 mg one
tablet every 6 hours as needed since 2014. She denies side effects. She signed an opioid agreement.
Past medical history: hypertension, peptic ulcer disease.

Objective: Decreased sensation in the left L5 dermatome. Strength 4/5 in the left extensor hallucis
longus. Straight leg raise is positive on the left. Reflexes are 2+ and symmetric.

Diagnostic studies: MRI of the lumbar spine dated 03/12/2015 revealed an L4-5 disc protrusion with left
foraminal narrowing.

Assessment: Lumbar radiculopathy.

Plan: Continue Norco. Urine drug screen today. She has completed 12 sessions of physical therapy without
lasting benefit. Request lumbar epidural steroid injection at L4-5. Work status: modified duty.
"""

PROGRESS_NOTE_2 = """Follow-up visit.
The patient reports that Norco allows her to walk longer and do her household chores. Urine drug screen
from the last visit was consistent with prescribed medications. CURES report reviewed and appropriate.
Medications: Norco 10/325 mg every 6 hours #120, naproxen 550 mg twice daily, omeprazole 20 mg daily.
She is not a surgical candidate at this time and does not wish to consider surgery.
"""


@pytest.fixture(scope="module")
def record() -> ClinicalRecord:
    case = parse_case(
        {
            "injury_date": "2014-02-01",
            "worker": {"age": 58, "sex": "female"},
            "requests": [{"text": "Norco 10/325mg #120"}],
            "records": [
                {"date": "2015-05-04", "kind": "progress note", "text": PROGRESS_NOTE_1},
                {"date": "2015-06-01", "kind": "progress note", "text": PROGRESS_NOTE_2},
            ],
        }
    )
    return extract_facts(case)


def test_every_fact_points_at_its_exact_text(record):
    notes = [PROGRESS_NOTE_1, PROGRESS_NOTE_2]
    for fact in record.facts:
        if fact.record_index is None:
            continue
        assert notes[fact.record_index][fact.start : fact.end] == fact.text
        assert fact.record_date == [dt.date(2015, 5, 4), dt.date(2015, 6, 1)][fact.record_index]


def test_the_opioid_four_as_are_documented(record):
    assert record.has("pain_reduction")
    assert [f.value for f in record.of_kind("pain_reduction")] == [38]  # (8 - 5) / 8
    assert record.of_kind("side_effect")[0].negated
    assert record.has("opioid_agreement")
    assert [f.value for f in record.of_kind("drug_screen") if f.value] == ["consistent"]
    assert record.of_kind("cures", "consistent")
    assert [f.attributes.get("therapy") for f in record.of_kind("functional_improvement", asserted=True)] == [
        "hydrocodone/acetaminophen"
    ]


def test_how_long_norco_has_been_taken(record):
    assert record.use_duration_days("hydrocodone/acetaminophen") == (dt.date(2015, 6, 1) - dt.date(2014, 1, 1)).days
    latest = [f for f in record.medications("hydrocodone") if f.record_index == 1][-1]
    assert latest.attributes["days_supply"] == 30


def test_sections_change_the_reading(record):
    ulcer = record.of_kind("gi_risk", "ulcer_or_bleeding")
    assert ulcer and ulcer[0].historical and ulcer[0].attributes["section"] == "past_history"
    assert record.has("cardiovascular_risk")
    numbness = record.of_kind("neuro_deficit", "numbness")[0]
    assert numbness.attributes["objective"] and numbness.attributes["distribution"] == "left L5 dermatome"
    assert record.of_kind("neuro_deficit", "reflex")[0].negated  # 2+ and symmetric is normal
    assert record.has("neuro_deficit", "positive_slr")
    assert record.has("gi_risk", "multiple_nsaids") is False  # naproxen alone


def test_therapy_imaging_and_work(record):
    sessions = record.of_kind("prior_sessions")
    assert [(f.value, f.attributes["therapy"]) for f in sessions] == [(12, "physical therapy")]
    mri = record.of_kind("imaging_done", "mri")[0]
    assert mri.attributes["date"] == dt.date(2015, 3, 12) and mri.attributes["body_part"] == "lumbar spine"
    assert record.has("work_status", "modified_duty")
    assert record.of_kind("surgery_considered") and not record.has("surgery_considered")


def test_the_record_serialises_to_json(record):
    data = record.model_dump(mode="json")
    mri = next(f for f in data["facts"] if f["kind"] == "imaging_done")
    assert mri["attributes"]["date"] == "2015-03-12" and mri["record_date"] == "2015-05-04"
    assert ClinicalRecord.model_validate_json(record.model_dump_json()).facts[0].text == record.facts[0].text


def test_phase_from_injury_to_latest_record(record):
    assert record.latest_date == dt.date(2015, 6, 1)
    assert record.phase == "chronic"


def test_since_the_injury_is_the_injury_date():
    case = parse_case(
        {
            "injury_date": "2013-05-02",
            "requests": [{"text": "Xanax 0.5mg #30"}],
            "records": [{"date": "2016-01-04", "text": "She has been on Xanax since the injury for anxiety."}],
        }
    )
    record = extract_facts(case)
    assert record.medications("alprazolam")[0].attributes["started"] == dt.date(2013, 5, 2)
    assert record.use_duration_days("alprazolam") == (dt.date(2016, 1, 4) - dt.date(2013, 5, 2)).days


def test_a_case_summary_has_no_record_index_and_dates_from_its_sentences():
    summary = (
        "The injured worker is a 48 year old male who sustained an industrial injury on 10-13-16. "
        "In a progress note dated 11/01/2016, pain was rated 6-8 on a 10-point scale. "
        "There was palpable spasm. On 11-3-16, utilization review determined the MRI was not medically necessary."
    )
    case = parse_case({"requests": [{"text": "MRI"}], "records": [{"kind": "clinical case summary", "text": summary}]})
    record = extract_facts(case)
    score = record.of_kind("pain_score")[0]
    assert score.record_index is None and score.record_date is None
    assert score.attributes["date"] == dt.date(2016, 11, 1)
    spasm = record.of_kind("indication.spasm")[0]
    assert spasm.attributes["date"] == dt.date(2016, 11, 1)  # carried from the note's sentence
    assert record.latest_date == dt.date(2016, 11, 3)


def _letters() -> list[Path]:
    return sorted((FIXTURES / "dwc").glob("*.pdf")) + sorted((FIXTURES / "seed").glob("*.txt"))


@pytest.fixture(scope="module")
def letter_facts() -> dict[str, tuple[str, list]]:
    from imr.letters.parse import parse_letter

    out = {}
    for path in _letters():
        summary = parse_letter(path).case.summary or ""
        out[path.stem] = (summary, extract_text_facts(summary))
    return out


def test_every_fixture_summary_yields_well_formed_facts(letter_facts):
    assert len(letter_facts) == 43
    for name, (summary, facts) in letter_facts.items():
        assert facts, name
        for fact in facts:
            assert summary[fact.start : fact.end] == fact.text, (name, fact)
            assert fact.record_index is None


def test_known_facts_of_published_summaries(letter_facts):
    def kinds(name: str) -> set[tuple[str, object, bool]]:
        return {(f.kind, f.value, f.negated) for f in letter_facts[name][1]}

    seed = kinds("000_dbd4fcf4c551b1e8")
    assert ("red_flag", "bowel_bladder", False) in seed
    assert ("drug_screen", "inconsistent", False) in seed
    assert ("pain_reduction", 50, False) in seed
    assert ("functional_improvement", None, True) in kinds("CM16-0232182")  # "without ... functional improvement"
    assert ("work_status", "not_working", False) in kinds("CM16-0235991")
    assert ("red_flag", "fracture", True) in kinds("CM16-0235991")  # "No compression fractures."
    assert ("medication", "tramadol", False) in kinds("CM17-0021126")  # "UR denied a request for" is no negation


def test_requests_are_not_documented_care(letter_facts):
    facts = letter_facts["CM17-0018054"][1]
    assert all(f.hypothetical for f in facts if f.kind == "imaging_done")


PR2 = """PRIMARY TREATING PHYSICIAN'S PROGRESS REPORT (PR-2)

SUBJECTIVE:
Patient presents for follow up of neck and low back pain. Pain: 6/10 with meds, 9/10 without. She reports
increased ability to do housework with medications. Denies constipation or sedation. Sleep is poor due to pain.

CURRENT MEDICATIONS:
1. Norco 10/325 mg, 1 tab PO q6h PRN pain, #120
2. Xanax 0.5mg 1 po qhs #30
3. Cyclobenzaprine 7.5 mg TID PRN spasm

OBJECTIVE:
Spurling's negative bilaterally. SLR positive on the right at 45 degrees.
Sensation decreased over the right L5 dermatome. DTRs 1+ at the right ankle. Motor: 5-/5 right EHL.

ASSESSMENT:
1. Lumbar radiculopathy
2. Anxiety secondary to chronic pain

PLAN:
Continue Norco. Last UDS 11/2015 consistent. Request MRI lumbar spine to evaluate for disc herniation.
Patient would consider surgery. Patient is temporarily totally disabled through 03/30/2016.
"""


def test_a_typed_progress_note_with_headings_and_a_medication_list():
    facts = extract_text_facts(PR2, record_date=dt.date(2016, 2, 14))

    def found(kind: str, value: object = None) -> list:
        return [f for f in facts if f.kind == kind and (value is None or f.value == value)]

    scores = found("pain_score")
    assert [(f.value, "with_medication" in f.attributes) for f in scores] == [(6.0, True), (9.0, False)]
    assert scores[1].attributes["without_medication"]
    listed = [f for f in found("medication") if f.attributes.get("section") == "medications"]
    assert {f.value: f.attributes.get("days_supply") for f in listed} == {
        "hydrocodone/acetaminophen": 30,
        "alprazolam": 30,
        "cyclobenzaprine": None,
    }
    assert found("indication.spasm")[0].attributes["drug"] == "cyclobenzaprine"
    assert found("indication.insomnia")
    assert {f.value for f in found("side_effect")} == {"constipation", "sedation"}
    assert all(f.negated for f in found("side_effect"))
    numbness = found("neuro_deficit", "numbness")[0]
    assert numbness.attributes["objective"] and numbness.attributes["distribution"] == "right L5 dermatome"
    assert found("neuro_deficit", "weakness")[0].attributes["grade"] == "5-/5"
    assert found("neuro_deficit", "positive_spurling")[0].negated
    assert [f.value for f in found("diagnosis")] == ["lumbar radiculopathy", "anxiety secondary to chronic pain"]
    assert found("drug_screen", "consistent")[0].attributes["date"] == dt.date(2015, 11, 1)
    assert found("imaging_done", "mri")[0].hypothetical
    assert found("surgery_considered") and not found("surgery_considered")[0].negated
    assert found("work_status", "temporarily_totally_disabled")
