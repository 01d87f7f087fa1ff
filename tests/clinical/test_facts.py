"""Each fact kind on short sentences written the way progress notes and case summaries write them."""

import datetime as dt

import pytest

from imr.clinical import Fact, extract_text_facts


def facts_of(text: str, kind: str) -> list[Fact]:
    """Facts of one kind found in the text read as a case summary."""
    return [f for f in extract_text_facts(text) if f.kind == kind]


def one(text: str, kind: str) -> Fact:
    found = facts_of(text, kind)
    assert len(found) == 1, f"expected one {kind} in {text!r}, got {[(f.value, f.text) for f in found]}"
    return found[0]


# ---------------------------------------------------------------- medications


def test_medication_with_dose_frequency_and_days_supply():
    fact = one("Norco 10/325 mg one tablet every 6 hours #120 was refilled.", "medication")
    assert fact.value == "hydrocodone/acetaminophen"
    assert fact.attributes["drug_class"] == "opioid"
    assert fact.attributes["dose"] == "10/325 mg"
    assert fact.attributes["per_day"] == 4
    assert fact.attributes["quantity"] == 120
    assert fact.attributes["days_supply"] == 30
    assert fact.attributes["continuing"] is True
    assert fact.text.startswith("Norco")


def test_how_long_a_drug_has_been_taken():
    since = one("She has been on Xanax since 2013 for anxiety.", "medication")
    assert since.attributes["started"] == dt.date(2013, 1, 1)
    months = one("He has taken cyclobenzaprine for over 2 months.", "medication")
    assert months.attributes["duration_days"] == 60
    assert one("Xanax was prescribed as far back as 03/2014.", "medication").attributes["started"] == dt.date(2014, 3, 1)
    assert one("Records show Soma use dating back to 2012.", "medication").attributes["started"] == dt.date(2012, 1, 1)
    started = one("Gabapentin was started on 03/02/2015.", "medication")
    assert started.attributes["started"] == dt.date(2015, 3, 2)


def test_started_weeks_ago_or_since_the_injury():
    assert one("Tramadol ER 150 mg daily was started 3 weeks ago.", "medication").attributes["duration_days"] == 21
    assert one("She has taken Norco since the industrial injury.", "medication").attributes["since_injury"] is True


def test_a_duration_belongs_to_its_own_drug():
    facts = facts_of("Naproxen 550 mg twice daily, and Soma 350 mg for 3 weeks.", "medication")
    by_drug = {f.value: f for f in facts}
    assert "duration_days" not in by_drug["naproxen"].attributes
    assert by_drug["carisoprodol"].attributes["duration_days"] == 21
    assert by_drug["naproxen"].attributes["per_day"] == 2


def test_a_drug_to_be_started_is_not_a_drug_taken():
    planned = one("The physician will start a trial of gabapentin 300 mg at bedtime.", "medication")
    assert planned.hypothetical and planned.attributes["planned"]
    assert not one("Continue Norco 10/325 mg as prescribed.", "medication").hypothetical
    assert not one("Current request is for a refill of Xanax 0.25 mg #30.", "medication").hypothetical


def test_allergic_to_a_drug_is_not_taking_it():
    assert facts_of("He is allergic to codeine.", "medication") == []


def test_pain_without_medication_is_not_a_negated_score():
    scores = facts_of("Pain with medications is 3/10 and without medications is 8/10.", "pain_score")
    assert [(f.value, f.negated) for f in scores] == [(3.0, False), (8.0, False)]


def test_a_normal_study_is_a_study_done():
    fact = one("Electrodiagnostic studies dated 2/2/2016 were normal.", "imaging_done")
    assert not fact.negated and fact.attributes["finding"] == "normal"
    assert one("The diagnostic studies to date have not been included.", "imaging_done").negated


def test_allergies_are_not_medications():
    text = "Allergies: codeine, penicillin.\nMedications: tramadol 50 mg daily."
    assert [f.value for f in facts_of(text, "medication")] == ["tramadol"]


# ---------------------------------------------------------------- pain


def test_pain_scores_and_the_relief_they_show():
    facts = extract = facts_of("Pain is 8/10 without medications and 4/10 with medications.", "pain_score")
    assert [(f.value, "without_medication" in f.attributes) for f in facts] == [(8.0, True), (4.0, False)]
    assert facts[1].attributes["with_medication"] is True
    reduction = one("Pain is 8/10 without medications and 4/10 with medications.", "pain_reduction")
    assert reduction.value == 50
    assert extract


@pytest.mark.parametrize(
    "text, value",
    [
        ("The pain was rated 6-8 on a 10-point scale.", 7.0),
        ("She rates her pain as 7/10 on a VAS.", 7.0),
        ("Pain levels were rated 2-5 out of 10 on a visual analog scale.", 3.5),
        ("The injured worker rated pain an 8 out of 10.", 8.0),
        ("He complained of hip pain rated at a 7.", 7.0),
    ],
)
def test_pain_score_forms(text, value):
    assert one(text, "pain_score").value == value


def test_relief_written_with_an_arrow():
    assert one("VAS 8/10 -> 2/10 after medication.", "pain_reduction").value == 75


def test_relief_from_scores_before_and_after():
    fact = one("With Norco her pain decreases from 8/10 to 4/10.", "pain_reduction")
    assert (fact.value, fact.attributes["before"], fact.attributes["after"]) == (50, 8.0, 4.0)
    assert facts_of("Pain was 4/10 last month and 8/10 today.", "pain_reduction") == []


def test_percent_relief_and_its_therapy():
    fact = one("An epidural steroid injection gave 50% relief for 2 weeks.", "pain_reduction")
    assert fact.value == 50
    assert fact.attributes["therapy"] == "epidural steroid injection"
    assert fact.attributes["duration_days"] == 14


def test_a_date_is_not_a_pain_score():
    assert facts_of("She was seen on 10/10/2015 for a 5 minute visit.", "pain_score") == []


# ---------------------------------------------------------------- functional improvement and the 4 A's


@pytest.mark.parametrize(
    "text, negated",
    [
        ("With the medication she is able to walk longer and do household chores.", False),
        ("He reports improved ADLs with Norco.", False),
        ("Her walking tolerance has increased since starting physical therapy.", False),
        ("There was no functional improvement after 12 sessions.", True),
        ("The medication was continued without documented functional benefit.", True),
        ("Function has not improved with therapy.", True),
        ("Therapy did not result in objective functional improvement.", True),
    ],
)
def test_functional_improvement_documented_or_absent(text, negated):
    facts = facts_of(text, "functional_improvement")
    assert facts, text
    assert all(f.negated == negated for f in facts), [(f.text, f.negated) for f in facts]


def test_range_of_motion_gains_are_not_functional_improvement():
    assert facts_of("After therapy she has improved range of motion of the shoulder.", "functional_improvement") == []


def test_side_effects_and_their_denial():
    assert one("She denies side effects from the medication.", "side_effect").negated
    reported = [f for f in facts_of("Norco causes constipation.", "side_effect")]
    assert reported and not reported[0].negated and reported[0].value == "constipation"
    assert facts_of("She complains of nausea after the car accident.", "side_effect") == []


def test_drug_screens_and_aberrant_behaviour():
    assert one("A urine drug screen on 02/06/14 was consistent with prescribed medications.", "drug_screen").value == "consistent"
    fact = one("The urine drug screen was positive for THC.", "drug_screen")
    assert fact.value == "inconsistent" and fact.attributes["substances"] == ["thc"]
    assert one("There is no documentation of a urine drug screen.", "drug_screen").negated
    assert one("No aberrant drug behavior was noted.", "aberrant_behavior").negated
    assert not one("She requested early refills.", "aberrant_behavior").negated
    assert not one("She signed an opioid agreement.", "opioid_agreement").negated
    assert one("The CURES report was consistent.", "cures").value == "consistent"


# ---------------------------------------------------------------- indications and risk


@pytest.mark.parametrize(
    "text, kind",
    [
        ("She takes Xanax for anxiety.", "indication.anxiety"),
        ("He reports panic attacks.", "indication.panic"),
        ("He has difficulty sleeping.", "indication.insomnia"),
        ("Diagnoses include major depressive disorder.", "indication.depression"),
        ("Burning pain in the feet consistent with neuropathy.", "indication.neuropathic_pain"),
        ("Pain radiates down the left leg.", "indication.radiculopathy"),
        ("Palpable paraspinal spasm was noted.", "indication.spasm"),
        ("She had an acute exacerbation of low back pain.", "indication.acute_exacerbation"),
        ("Spasticity from a spinal cord injury.", "indication.spasticity"),
        ("X-rays showed osteoarthritis of the knee.", "indication.osteoarthritis"),
    ],
)
def test_indications(text, kind):
    found = facts_of(text, kind)
    assert found and not found[0].negated


def test_an_indication_names_the_drug_it_is_given_for():
    assert one("She takes Xanax 0.25 mg for anxiety.", "indication.anxiety").attributes["drug"] == "alprazolam"
    assert "drug" not in one("She reports anxiety.", "indication.anxiety").attributes


def test_a_missing_rule_file_is_a_one_line_error():
    from imr.clinical.rules import ClinicalDataError, load_data
    from imr.errors import ImrError

    with pytest.raises(ClinicalDataError, match="clinical/data/nonexistent.yaml: cannot read") as raised:
        load_data("nonexistent.yaml")
    assert isinstance(raised.value, ImrError)


def test_gi_and_cardiovascular_risk():
    assert one("She has a history of a bleeding ulcer.", "gi_risk").value == "ulcer_or_bleeding"
    assert one("He takes warfarin.", "gi_risk").value == "anticoagulant"
    assert one("The injured worker is a 72 year old male.", "gi_risk").value == "age_over_65"
    assert facts_of("The injured worker is a 43 year old female.", "gi_risk") == []
    assert one("There are no GI risk factors.", "gi_risk").negated
    assert one("Past history includes hypertension.", "cardiovascular_risk")
    multiple = facts_of("Medications: naproxen 550 mg twice daily and meloxicam 15 mg daily.", "gi_risk")
    assert [f.value for f in multiple] == ["multiple_nsaids"]
    assert facts_of("She has tried and failed ibuprofen and naproxen.", "gi_risk") == []


def test_steroid_injections_are_not_systemic_steroids():
    assert facts_of("She had an epidural steroid injection.", "gi_risk") == []


@pytest.mark.parametrize(
    "text, value, negated",
    [
        ("She has had several episodes of urinary incontinence.", "bowel_bladder", False),
        ("No signs of cauda equina syndrome.", "cauda_equina", True),
        ("X-rays showed no compression fracture.", "fracture", True),
        ("There is no evidence of any red flag conditions.", "unspecified", True),
        ("History of breast cancer.", "tumor", False),
        ("Progressive neurologic deficit in the left leg.", "progressive_neurological_deficit", False),
    ],
)
def test_red_flags(text, value, negated):
    fact = one(text, "red_flag")
    assert (fact.value, fact.negated) == (value, negated)


def test_a_red_flag_says_where():
    fact = one("X-rays showed an L1 compression fracture of the lumbar spine.", "red_flag")
    assert fact.text == "compression fracture" and fact.attributes["body_part"] == "lumbar spine"
    assert one("Osteoarthritis of the right knee.", "indication.osteoarthritis").attributes["body_part"] == "knee"
    listed = one("Diagnoses: tendonitis of the right elbow, and insomnia.", "indication.insomnia")
    assert "body_part" not in listed.attributes


# ---------------------------------------------------------------- neurological examination


def test_objective_deficits_with_grade_and_distribution():
    facts = facts_of("Examination revealed decreased sensation in the L5 dermatome and 4/5 strength of the EHL.", "neuro_deficit")
    by_value = {f.value: f for f in facts}
    assert by_value["numbness"].attributes["distribution"] == "L5 dermatome"
    assert by_value["numbness"].attributes["objective"] is True
    assert by_value["weakness"].attributes["grade"] == "4/5"


def test_complaints_are_not_objective_findings():
    fact = one("She complains of numbness in the right hand.", "neuro_deficit")
    assert fact.attributes["objective"] is False
    assert fact.attributes["distribution"] == "right hand"


def test_normal_examination_documents_absence():
    facts = facts_of("Motor strength is 5/5, sensation is intact and straight leg raise is negative.", "neuro_deficit")
    assert {f.value for f in facts} == {"weakness", "numbness", "positive_slr"}
    assert all(f.negated for f in facts)
    assert not one("Straight leg raise was positive on the left.", "neuro_deficit").negated
    assert one("Spurling's test was positive.", "neuro_deficit").value == "positive_spurling"


# ---------------------------------------------------------------- therapy, imaging, surgery, work


@pytest.mark.parametrize(
    "text, count, therapy",
    [
        ("She has completed 12 sessions of physical therapy.", 12, "physical therapy"),
        ("He had 6 acupuncture visits.", 6, "acupuncture"),
        ("Treatment has included at least 4 sessions of physical therapy.", 4, "physical therapy"),
        ("She attended twelve chiropractic treatments.", 12, "chiropractic"),
    ],
)
def test_prior_sessions(text, count, therapy):
    fact = one(text, "prior_sessions")
    assert (fact.value, fact.attributes["therapy"], fact.hypothetical) == (count, therapy, False)


def test_requested_sessions_are_not_prior_sessions():
    assert facts_of("A request was submitted for 6 sessions of acupuncture.", "prior_sessions") == []
    assert one("A request was submitted for 6 sessions of acupuncture.", "requested_sessions").hypothetical
    assert facts_of("Chiropractic treatment was requested on 11-16-16.", "prior_sessions") == []
    fact = one(
        "The request for authorization (received on 11-23-2016) shows that the following treatments were "
        "requested: MRI of the neck and 6 sessions of acupuncture.",
        "requested_sessions",
    )
    assert fact.hypothetical and fact.attributes["status"] == "requested"
    authorized = one(
        "Utilization review modified the request, authorizing 10 sessions of physical therapy.", "requested_sessions"
    )
    assert authorized.hypothetical and authorized.attributes["status"] == "authorized"
    assert (
        one("Utilization review non-certified 6 sessions of acupuncture.", "requested_sessions").attributes["status"]
        == "requested"
    )


def test_not_having_returned_to_work_is_a_work_status_not_failed_treatment():
    assert facts_of("Per the progress report, the worker has not returned to work.", "functional_improvement") == []
    assert one("She returned to work full duty after therapy.", "functional_improvement").asserted


def test_conservative_care_failed_and_how_long():
    facts = facts_of("She failed conservative treatment including physical therapy and NSAIDs for 3 months.", "conservative_care")
    assert {f.value for f in facts} >= {"physical therapy", "unspecified"}
    therapy = next(f for f in facts if f.value == "physical therapy")
    assert therapy.attributes["failed"] is True and therapy.attributes["duration_days"] == 90


def test_care_presupposed_by_a_request_for_more_or_a_therapy_note():
    more = one("The treatment plan included additional physical therapy for the hip.", "conservative_care")
    assert more.value == "physical therapy" and more.attributes["implied_by"] == "additional"
    note = one("A physical therapy initial examination performed on 11/2/2016 documented hip pain.", "conservative_care")
    assert note.attributes["implied_by"] == "therapy record"
    assert facts_of("The physician recommended physical therapy.", "conservative_care") == []


def test_care_in_the_plan_is_not_care_tried():
    assert facts_of("The treatment plan on 11-23-2016 includes a referral to physical therapy.", "conservative_care") == []
    assert facts_of("Treatment to date has included physical therapy; the plan includes acupuncture.", "conservative_care")


def test_care_listed_as_treatment_to_date():
    facts = facts_of(
        "Treatments and evaluation to date have included Pamelor, Robaxin, and physical therapy.", "conservative_care"
    )
    assert {f.value for f in facts} == {"medication", "physical therapy"}
    notes = one("The medical records included 7 physical therapy reports dated 11-08-2016 to 11-30-2016.", "prior_sessions")
    assert (notes.value, notes.attributes["therapy"]) == (7, "physical therapy")
    assert facts_of("The records included 3 progress notes from the orthopedist.", "prior_sessions") == []


def test_first_line_tried():
    fact = one("She tried and failed NSAIDs.", "first_line_tried")
    assert fact.value == "nsaid" and fact.attributes["failed"]


def test_imaging_done_with_body_part_date_and_finding():
    fact = one("MRI of the lumbar spine dated 03/15/2014 revealed an L4-5 disc protrusion.", "imaging_done")
    assert fact.value == "mri"
    assert fact.attributes["body_part"] == "lumbar spine"
    assert fact.attributes["date"] == dt.date(2014, 3, 15)
    assert fact.attributes["finding"].startswith("an L4-5 disc protrusion")
    assert not fact.hypothetical


def test_imaging_listed_as_diagnostics_to_date_was_done():
    facts = facts_of(
        "The treatment and diagnostic testing to date has included: physical therapy, x-rays and medications.", "imaging_done"
    )
    assert {f.value for f in facts} == {"unspecified", "x-ray"}
    assert all(f.attributes["status"] == "done" and not f.hypothetical for f in facts)
    assert not one("Treatment to date has included modified work duties and diagnostic imaging.", "imaging_done").hypothetical


def test_requested_imaging_is_not_imaging_done():
    fact = one("The treatment plan included MRI of the right shoulder to rule out rotator cuff tear.", "imaging_done")
    assert fact.hypothetical and fact.attributes["status"] == "planned"


def test_surgery_done_planned_and_absent():
    done = one("She is status post right knee arthroscopy on 05/12/2014.", "surgery")
    assert (done.value, done.attributes["status"], done.attributes["body_part"]) == ("arthroscopy", "done", "knee")
    assert done.attributes["date"] == dt.date(2014, 5, 12)
    planned = one("Lumbar fusion is scheduled for next month.", "surgery")
    assert planned.attributes["status"] == "planned" and planned.hypothetical
    assert one("She has had no spine surgery.", "surgery").negated


def test_surgery_considered():
    assert not one("He would consider surgery if the MRI shows a tear.", "surgery_considered").negated
    assert one("He is not a surgical candidate.", "surgery_considered").negated
    assert one("She declines surgical intervention at this time.", "surgery_considered").negated
    assert one("He does not want surgery.", "surgery_considered").negated


def test_a_date_ahead_of_the_visit_dates_nothing():
    fact = one("On 02/14/2016 she was placed on temporary total disability through 03/30/2016.", "work_status")
    assert fact.attributes["date"] == dt.date(2016, 2, 14)


@pytest.mark.parametrize(
    "text, value",
    [
        ("He is working full duty.", "full_duty"),
        ("She remains on modified duty.", "modified_duty"),
        ("The injured worker is temporarily totally disabled.", "temporarily_totally_disabled"),
        ("The injured worker has not returned to work.", "not_working"),
    ],
)
def test_work_status(text, value):
    facts = [f for f in facts_of(text, "work_status") if not f.negated]
    assert [f.value for f in facts] == [value]


def test_home_exercise_and_taper():
    assert not one("She continues her home exercise program.", "home_exercise").negated
    fact = one("The plan is to taper Norco by 10% per month.", "taper_plan")
    assert fact.attributes["drug"] == "hydrocodone/acetaminophen"


def test_diagnoses_are_listed_one_by_one():
    facts = facts_of("Diagnoses include thoracic radiculopathy, facet syndrome, and sacroiliitis.", "diagnosis")
    assert [f.value for f in facts] == ["thoracic radiculopathy", "facet syndrome", "sacroiliitis"]


def test_a_topical_nsaid_in_percent_is_not_a_second_oral_nsaid():
    from imr.casefile import parse_case
    from imr.clinical import extract_facts

    text = "The treating provider requested naproxen 500 mg #60 and flurbiprofen 10% dextromethorphan 5% lidocaine 5% 120 g."
    facts = extract_facts(parse_case({"records": [{"date": "2017-01-20", "text": text}], "requests": [{"text": "x"}]})).facts
    assert not [f for f in facts if f.kind == "gi_risk" and f.value == "multiple_nsaids"]
    both = "She takes naproxen 500 mg twice a day and ibuprofen 800 mg as needed."
    facts = extract_facts(parse_case({"records": [{"date": "2017-01-20", "text": both}], "requests": [{"text": "x"}]})).facts
    assert [f for f in facts if f.kind == "gi_risk" and f.value == "multiple_nsaids"]


def test_an_imaging_report_keeps_what_it_reported():
    from imr.casefile import parse_case
    from imr.clinical import extract_facts

    text = "An MRI of the lumbar spine on 01/18/2017 reported a left foraminal disc protrusion contacting the exiting left L5 nerve root."
    (mri,) = [
        f
        for f in extract_facts(parse_case({"records": [{"date": "2017-01-20", "text": text}], "requests": [{"text": "x"}]})).facts
        if f.kind == "imaging_done"
    ]
    assert "contacting the exiting left L5 nerve root" in mri.attributes["finding"]
