"""Reading a disputed item: kind, canonical procedure, drug fields and service fields."""

from __future__ import annotations

import datetime as dt

import pytest

from imr.items import (
    body_part_names,
    canonical_body_part,
    canonical_procedure,
    procedure_kind,
    procedure_names,
    procedure_of,
    understand_item,
)
from imr.items.vocabulary import ItemError, ItemVocabularyError, _alternation
from imr.model import ITEM_KINDS, DisputedItem


def fields(text: str) -> dict:
    return understand_item(text).model_dump(exclude_none=True, exclude={"text"})


def assert_reads(text: str, procedure: str | None, expected: dict) -> None:
    got = fields(text)
    assert procedure_of(text) == procedure, (text, got)
    for key, value in expected.items():
        assert got.get(key) == value, (text, key, got)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Xanax 0.25mg #30 with 2 refills.",
            dict(
                kind="drug",
                brand="Xanax",
                generic="alprazolam",
                drug_class="benzodiazepine",
                strength="0.25",
                unit="mg",
                quantity=30,
                refills=2,
            ),
        ),
        (
            "Xanax 1mg QTY: 60.00",
            dict(kind="drug", brand="Xanax", generic="alprazolam", strength="1", unit="mg", quantity=60, refills=0),
        ),
        ("Alprazolam 1m #80", dict(kind="drug", generic="alprazolam", strength="1", unit="mg", quantity=80)),
        (
            "Norco 10/325mg quantity 120",
            dict(
                kind="drug",
                brand="Norco",
                generic="hydrocodone/acetaminophen",
                drug_class="opioid",
                strength="10/325",
                unit="mg",
                quantity=120,
            ),
        ),
        ("Norco 7.5-325mg #112", dict(generic="hydrocodone/acetaminophen", strength="7.5/325", quantity=112)),
        ("Hydrocodone 10/325 #90", dict(generic="hydrocodone/acetaminophen", strength="10/325", quantity=90)),
        ("Baclofen 100mg #3", dict(kind="drug", generic="baclofen", drug_class="muscle relaxant", strength="100", quantity=3)),
        (
            "Ketoprofen 20% in cream base 240g",
            dict(kind="drug", generic="ketoprofen", drug_class="topical nsaid", strength="20", unit="%", quantity=240),
        ),
        ("Cyclobenzaprine 5% in cream base 240g", dict(generic="cyclobenzaprine", drug_class="topical analgesic", quantity=240)),
        ("Deprizine (unknown quantity)", dict(kind="drug", brand="Deprizine", generic="ranitidine", drug_class="h2 blocker")),
        (
            "Bupropion HCL 150mg #90",
            dict(kind="drug", generic="bupropion", drug_class="antidepressant", strength="150", quantity=90),
        ),
        (
            "Pantoprazole 40mg, one by mouth, twice a day #60 with one refill",
            dict(generic="pantoprazole", quantity=60, refills=1),
        ),
        (
            "Tramadol (Ultram) 50mg take 1 tab orally every 4-6 hours as needed for moderate to severe pain #30",
            dict(kind="drug", brand="Ultram", generic="tramadol", strength="50", quantity=30),
        ),
        (
            "Flurbiprofen 20%/Lidocaine 5% cream 180gm",
            dict(
                kind="drug",
                generic="flurbiprofen/lidocaine",
                drug_class="topical analgesic",
                strength="20/5",
                unit="%",
                quantity=180,
            ),
        ),
        (
            "Lidoderm 5% patch #30",
            dict(kind="drug", generic="lidocaine", drug_class="lidocaine", strength="5", unit="%", quantity=30),
        ),
        ("Flexiril 10mg #60", dict(kind="drug", generic="cyclobenzaprine", drug_class="muscle relaxant", quantity=60)),
        ("Request for Tylenol #3 #60", dict(kind="drug", generic="codeine/acetaminophen", quantity=60)),
        ("Prospective request for 1 prescription of Norco 10/325mg #90", dict(kind="drug", brand="Norco", quantity=90)),
        (
            "Retrospective request for Flurbiprofen/Lidocaine cream (DOS 1/21/14)",
            dict(
                kind="drug",
                generic="flurbiprofen/lidocaine",
                drug_class="topical analgesic",
                date_of_service=dt.date(2014, 1, 21),
            ),
        ),
        (
            "Compound cream: Gabapentin 10%, Amitriptyline 10%, Bupivacaine 5%",
            dict(kind="drug", generic="gabapentin/amitriptyline/bupivacaine", drug_class="topical analgesic", strength="10/10/5"),
        ),
        ("Theramine #120", dict(kind="drug", drug_class="medical food", quantity=120)),
        ("Voltaren 1% gel 100g with 2 refills", dict(generic="diclofenac", drug_class="topical nsaid", quantity=100, refills=2)),
        ("Topical compound (unspecified)", dict(kind="drug", drug_class="topical analgesic")),
        (
            "Norco 10/325 #90 and Soma 350mg #60",
            dict(brand="Norco", generic="hydrocodone/acetaminophen", strength="10/325", quantity=90),
        ),
        ("Cyclobenzaprine 10mg #30, also taking Norco", dict(brand=None, generic="cyclobenzaprine", strength="10", quantity=30)),
        (
            "Gabapentin 10%/Lidocaine 5%/Tramadol 15% 180 grams",
            dict(generic="gabapentin/lidocaine/tramadol", drug_class="topical analgesic", strength="10/5/15", quantity=180),
        ),
        ("Norco 10-325 90 count", dict(generic="hydrocodone/acetaminophen", strength="10/325", quantity=90)),
        ("Tramadol 50mg 1 tab every 4-6 hours", dict(generic="tramadol", strength="50", unit="mg")),
        ("Duragesic 25 mcg/hour #10", dict(generic="fentanyl", strength="25", unit="mcg/hr", quantity=10)),
        ("Tylenol with Codeine #3 #60", dict(generic="codeine/acetaminophen", quantity=60)),
        ("Vitamin D 50,000 IU #12", dict(kind="drug", strength="50000", unit="IU", quantity=12)),
        ("Fentanyl 25mcg/hr patch #10", dict(kind="drug", generic="fentanyl", drug_class="opioid", strength="25", unit="mcg/hr")),
    ],
)
def test_drug_requests(text, expected):
    got = fields(text)
    for key, value in expected.items():
        assert got.get(key) == value, (text, key, got)


@pytest.mark.parametrize(
    ("text", "procedure", "expected"),
    [
        ("MRI of the right shoulder without contrast", "mri", dict(kind="imaging", body_part="shoulder", laterality="right")),
        ("MRI of neck and right hand without contrast", "mri", dict(body_part="cervical spine, hand", laterality="right")),
        (
            "EMG (electromyography)/NCV (nerve conduction velocity) of the bilateral upper extremities",
            "emg/ncv",
            dict(kind="electrodiagnostic", body_part="upper extremity", laterality="bilateral"),
        ),
        ("NCV bilateral lower extremities QTY: 2", "ncv", dict(quantity=2, laterality="bilateral")),
        (
            "Acupuncture 3 times a week for 2 weeks, neck, right hand and head",
            "acupuncture",
            dict(
                kind="physical medicine",
                sessions=6,
                frequency="3 times a week",
                duration="2 weeks",
                body_part="cervical spine, hand, head",
                laterality="right",
            ),
        ),
        (
            "Four sessions of physical therapy two times a week times 2 weeks",
            "physical therapy",
            dict(sessions=4, frequency="2 times a week", duration="2 weeks"),
        ),
        (
            "Chirophysio therapy two times a week for four weeks for the right elbow and right knee",
            "chiropractic",
            dict(sessions=8, body_part="elbow, knee", laterality="right"),
        ),
        ("Acupuncture therapy sessions lumbar spine #6", "acupuncture", dict(sessions=6, body_part="lumbar spine")),
        (
            "Initial acupuncture, 1 to 2 times per week for 4 weeks, for the neck",
            "acupuncture",
            dict(sessions=8, frequency="1 to 2 times a week", duration="4 weeks"),
        ),
        ("TENS unit", "tens", dict(kind="physical medicine")),
        ("Lumbar support", "lumbar support", dict(kind="durable medical equipment", body_part="lumbar spine")),
        ("Cervical pillow", "cervical pillow", dict(kind="durable medical equipment", body_part="cervical spine")),
        ("Wrist braces #2", "brace", dict(kind="durable medical equipment", quantity=2, body_part="wrist")),
        ("Functional capacity evaluation (FCE)", "functional capacity evaluation", dict(kind="evaluation or consultation")),
        ("MARS MRI scan of right hip", "mars mri", dict(kind="imaging", body_part="hip")),
        ("MR Arthrogram of the right shoulder", "arthrogram", dict(kind="imaging")),
        (
            "Referral to chiropractor for evaluation of low back pain and left groin pain, twice a week for 3 weeks",
            "chiropractic",
            dict(kind="physical medicine", sessions=6, frequency="2 times a week", duration="3 weeks"),
        ),
        (
            "Retrospective DOS 10/12/16 urine drug screen",
            "urine drug screen",
            dict(kind="other", date_of_service=dt.date(2016, 10, 12)),
        ),
        ("Assistant surgeon", "assistant surgeon", dict(kind="peri-operative service")),
        ("PA assist", "assistant surgeon", dict(kind="peri-operative service")),
        ("Pre-operative clearance", "preoperative clearance", dict(kind="peri-operative service")),
        (
            "Post-op physical therapy 12 sessions",
            "postoperative physical therapy",
            dict(kind="peri-operative service", sessions=12),
        ),
        ("Cold therapy unit 7 day rental", "cold therapy unit", dict(duration="7 days", rental_or_purchase="rental")),
        (
            "Right knee arthroscopy with partial meniscectomy",
            "meniscectomy",
            dict(kind="surgery", body_part="knee", laterality="right"),
        ),
        (
            "Lumbar epidural steroid injection L4-5",
            "epidural steroid injection",
            dict(kind="injection", body_part="lumbar spine"),
        ),
        (
            "Retrospective injection 5cc of lidocaine hcl 1percent and 1cc of dexamethasone 120mg to the right knee",
            "corticosteroid injection",
            dict(kind="injection", body_part="knee"),
        ),
        ("PT/OT 18 sessions left hand, right lower leg", "physical therapy", dict(sessions=18, body_part="hand, lower leg")),
        ("Gym membership", "gym membership", dict(kind="other")),
    ],
)
def test_service_requests(text, procedure, expected):
    assert_reads(text, procedure, expected)


@pytest.mark.parametrize(
    ("text", "procedure", "expected"),
    [
        ("PT 2x/week x 6 weeks lumbar", "physical therapy", dict(sessions=12, frequency="2 times a week", duration="6 weeks")),
        ("Physical therapy 2x4 for the low back", "physical therapy", dict(sessions=8, body_part="lumbar spine")),
        ("Physical therapy 3 x 4 weeks", "physical therapy", dict(sessions=12, frequency="3 times a week", duration="4 weeks")),
        ("PT 2-3x/wk x 4-6 wks", "physical therapy", dict(sessions=18, frequency="2 to 3 times a week", duration="4 to 6 weeks")),
        ("Chiropractic 1-2x/week for 6 weeks", "chiropractic", dict(sessions=12, frequency="1 to 2 times a week")),
        ("Lt knee MRI w/o contrast", "mri", dict(body_part="knee", laterality="left")),
        ("Cervical ESI C5-6", "epidural steroid injection", dict(body_part="cervical spine")),
        ("Home H-wave device purchase", "h-wave", dict(rental_or_purchase="purchase")),
        ("EMG/NCS BLE", "emg/ncv", dict(body_part="lower extremity", laterality="bilateral")),
        (
            "Retro: Toradol 60mg IM injection DOS 3/4/2015",
            "intramuscular injection",
            dict(kind="injection", date_of_service=dt.date(2015, 3, 4)),
        ),
        ("Chiropractic manipulation twice weekly for 6 weeks, low back", "chiropractic", dict(sessions=12)),
        ("Physical therapy following right carpal tunnel release, 8 visits", "postoperative physical therapy", dict(sessions=8)),
        ("MRI of the right knee status post arthroscopy", "mri", dict(kind="imaging")),
        ("Orthopedic consultation for possible knee surgery", "consultation", dict(kind="evaluation or consultation")),
        (
            "Left shoulder arthroscopic subacromial decompression and rotator cuff repair",
            "rotator cuff repair",
            dict(kind="surgery", laterality="left"),
        ),
        ("Anterior cervical discectomy and fusion C5-6 and C6-7", "fusion", dict(kind="surgery", body_part="cervical spine")),
        ("Bilateral L4-5 medial branch blocks", "medial branch block", dict(laterality="bilateral")),
        ("Front wheeled walker", "walker", dict(kind="durable medical equipment")),
        ("Psychological evaluation", "psychological evaluation", dict(kind="evaluation or consultation")),
        ("Interferential unit 30 day trial rental", "interferential unit", dict(duration="30 days", rental_or_purchase="rental")),
        ("Home health aide 4 hours a day", "home health", dict(kind="other")),
        (
            "Home health care 4 hours per day, 5 days per week for 6 weeks",
            "home health",
            dict(frequency="5 times a week", duration="6 weeks"),
        ),
        ("Left total knee arthroplasty with 3 day inpatient stay", "arthroplasty", dict(kind="surgery", laterality="left")),
        ("Assistant surgeon for right knee arthroscopy", "assistant surgeon", dict(kind="peri-operative service")),
        (
            "Diagnostic medial branch blocks at bilateral L3, L4 and L5",
            "medial branch block",
            dict(body_part="lumbar spine", laterality="bilateral"),
        ),
        (
            "Post-operative physical therapy 3x4 for the right shoulder",
            "postoperative physical therapy",
            dict(sessions=12, body_part="shoulder"),
        ),
        ("Bilateral knee injections with Synvisc", "viscosupplementation", dict(kind="injection", laterality="bilateral")),
        ("Hot and cold packs", "heat/cold therapy", dict(kind="physical medicine")),
        (
            "Interferential current stimulator (ICS) rental x 1 month",
            "interferential unit",
            dict(duration="1 month", rental_or_purchase="rental"),
        ),
        ("Ketorolac 60mg IM injection", "intramuscular injection", dict(kind="injection")),
        ("Urine toxicology screen", "urine drug screen", dict(kind="other")),
        ("Vitamin D level", "lab tests", dict(kind="other")),
        ("Gabapentin 300mg #90, EMG and NCV pending", None, dict(kind="drug", generic="gabapentin")),
        ("Physcial therapy 2 times a week for 4 weeks", "physical therapy", dict(sessions=8)),
        ("Monthly follow-up visits for 6 months", "follow-up visit", dict(sessions=6, frequency="1 time a month")),
        ("Pain management follow up visits x 6", "follow-up visit", dict(sessions=6)),
        ("Chiropratic treatment x 6", "chiropractic", dict(sessions=6)),
        ("MRI of the shouler", "mri", dict(body_part="shoulder")),
        ("Lumbar epidurl steroid injecton", "epidural steroid injection", dict(body_part="lumbar spine")),
        ("Wheelchiar purchase", "wheelchair", dict(rental_or_purchase="purchase")),
    ],
)
def test_unseen_wording(text, procedure, expected):
    assert_reads(text, procedure, expected)


def test_procedure_of_takes_an_item_or_its_text_and_is_none_for_drugs():
    item = understand_item("MRI of the lumbar spine")
    assert procedure_of(item) == procedure_of(item.text) == "mri"
    assert procedure_of(DisputedItem(text="Norco 10/325mg #90")) is None


def test_the_text_is_kept_as_written():
    text = "  Xanax 0.25mg #30 with 2 refills.  "
    assert understand_item(text).text == text.strip()


def test_unrecognised_requests_are_kind_other_without_a_procedure():
    item = understand_item("Something entirely unknown")
    assert item.kind == "other" and procedure_of(item) is None


def test_every_procedure_has_a_known_kind_and_is_listed_once():
    names = procedure_names()
    assert len(names) == len(set(names)) >= 100
    assert all(procedure_kind(n) in ITEM_KINDS for n in names)
    for required in (
        "mri",
        "ct",
        "x-ray",
        "emg/ncv",
        "physical therapy",
        "acupuncture",
        "chiropractic",
        "tens",
        "epidural steroid injection",
        "assistant surgeon",
        "functional capacity evaluation",
        "urine drug screen",
    ):
        assert required in names
    assert {"cervical spine", "thoracic spine", "lumbar spine", "shoulder", "knee", "hand", "head"} <= set(body_part_names())


def test_a_vocabulary_pattern_with_a_capturing_group_is_refused():
    with pytest.raises(ItemVocabularyError, match="procedures.yaml 'x'"):
        _alternation(["(bad)"], where="procedures.yaml 'x'")
    with pytest.raises(ItemVocabularyError, match="bad pattern"):
        _alternation(["(?:unclosed"], where="procedures.yaml 'x'")


def test_synonyms_of_procedures_and_body_parts_name_the_canonical_one():
    assert canonical_procedure("tens unit") == "tens"
    assert canonical_procedure("post-operative physical therapy") == "postoperative physical therapy"
    assert canonical_procedure("continuous-flow cryotherapy") == "cold therapy unit"
    assert canonical_procedure("wrist splint") == "brace"
    assert canonical_procedure("mri") == "mri"
    assert canonical_procedure("no such thing") is None
    assert canonical_body_part("low back") == "lumbar spine"
    assert canonical_body_part("neck") == "cervical spine"
    assert canonical_body_part("thumb") == "thumb"  # a finer part of the hand (one anatomy)
    assert canonical_body_part("neck and low back") is None


def test_an_item_that_is_not_text_is_refused_with_a_message():
    with pytest.raises(ItemError, match="must be text"):
        understand_item(None)  # type: ignore[arg-type]
    with pytest.raises(ItemError, match="procedure_of"):
        procedure_of(42)  # type: ignore[arg-type]
