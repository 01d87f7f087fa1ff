"""Any valid case file gets a well-formed recommendation: never a crash, never an unexplained abstain.

Random but valid case files (requests from a wide vocabulary of drugs, services and body parts, or
arbitrary text; records of clinical words and noise; missing, future and inconsistent dates; huge
records) go through `review_case`. Whatever the outcome, a reviewer must be able to read why: an
abstain says what was looked for, a denial for want of documentation says what is missing, and every
decision names the guideline it rests on.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imr.casefile import parse_case
from imr.guidelines import load_rulebook
from imr.review import review_case

REQUEST_HEADS = [
    "Norco 10/325mg #120",
    "Hydrocodone/APAP 5/325 #60",
    "Oxycontin 20mg #60",
    "Tramadol 50mg",
    "Ultram ER 150mg #30",
    "Gabapentin 600mg #90",
    "Lyrica 75mg",
    "Cyclobenzaprine 7.5mg #90",
    "Soma 350mg",
    "Xanax 0.5mg #60",
    "Ambien 10mg #30",
    "Omeprazole 20mg #60",
    "Naproxen sodium 550mg #60",
    "Celebrex 200mg",
    "Lidoderm 5% patch #30",
    "Terocin lotion",
    "Flurbiprofen 20%/Lidocaine 5% cream 180gm",
    "Duloxetine 60mg",
    "Fioricet #30",
    "Sentra PM #60",
    "Ondansetron 8mg ODT",
    "MRI",
    "MRI without contrast",
    "CT scan",
    "X-rays 3 views",
    "Bone scan",
    "EMG/NCV",
    "NCS",
    "Physical therapy",
    "Post-op physical therapy",
    "Chiropractic",
    "Acupuncture",
    "Massage therapy",
    "Aquatic therapy",
    "TENS unit",
    "Interferential unit",
    "H-wave unit rental",
    "Cold therapy unit",
    "Lumbar brace",
    "Knee brace",
    "Wrist splint",
    "Hospital bed",
    "Epidural steroid injection L4-5",
    "Trigger point injections",
    "Facet injection",
    "Knee cortisone injection",
    "Synvisc injection",
    "PRP injection",
    "Right knee arthroscopy",
    "L4-5 microdiscectomy",
    "Carpal tunnel release",
    "Rotator cuff repair",
    "Assistant surgeon",
    "Pre-operative medical clearance",
    "Functional capacity evaluation",
    "Psychological evaluation",
    "Pain management consultation",
    "Functional restoration program",
    "Sleep study",
    "Urine drug screen",
    "Home health care 4 hours a day",
    "Gym membership",
    "Transportation to appointments",
    "Genetic testing",
]
REQUEST_TAILS = [
    "",
    " lumbar spine",
    " cervical spine",
    " of the right knee",
    " left shoulder",
    " bilateral upper extremities",
    " bilateral lower extremities",
    " right wrist",
    " 2x6",
    " 3 x 4",
    " 12 sessions",
    " x 6",
    " 1-2 times per week for 4 weeks",
    " #30 with 2 refills",
    " 30 day trial",
    " purchase",
    " rental",
    " retrospective DOS 3/4/2015",
    " q6h prn",
    " BID",
]
REQUESTS = st.one_of(
    st.builds(lambda h, t: (h + t).strip(), st.sampled_from(REQUEST_HEADS), st.sampled_from(REQUEST_TAILS)),
    st.text(min_size=1, max_size=40).filter(lambda s: s.strip()),
)
RECORD_WORDS = st.sampled_from(
    [
        "Low back pain",
        "radiating to the left leg",
        "7/10",
        "4/10 with medication",
        "8/10 without",
        "numbness",
        "4/5",
        "weakness",
        "decreased sensation L5 dermatome",
        "positive straight leg raise",
        "reflexes symmetric",
        "no",
        "denies",
        "side effects",
        "constipation",
        "urine drug screen consistent",
        "CURES reviewed",
        "opioid agreement",
        "functional improvement",
        "returned to modified duty",
        "temporarily totally disabled",
        "12 sessions of physical therapy",
        "completed 6 acupuncture visits",
        "status post arthroscopy on 03/02/2016",
        "MRI dated 01/05/2015 showed protrusion",
        "failed conservative care",
        "NSAIDs",
        "home exercise program",
        "would consider surgery",
        "cauda equina",
        "history of ulcer",
        "suspected fracture",
        "rule out tumor",
        "Plan:",
        "Assessment:",
        "Medications:",
        "since 2013",
        "for 6 months",
        "continue",
        "start",
        "refill",
        "taper",
        "50% relief",
        "anxiety",
        "insomnia",
        "depression",
        "\n",
        "\n\n",
        ".",
        ",",
        ";",
        "(",
        ")",
        "İ",
        "—",
        "2030",
        "12/31/2031",
    ]
)
RECORD_TEXT = st.lists(st.one_of(RECORD_WORDS, st.text(max_size=10)), min_size=1, max_size=60).map(" ".join).filter(str.strip)
DATES = st.one_of(st.none(), st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2035, 12, 31)))
RECORDS = st.lists(
    st.fixed_dictionaries(
        {
            "date": DATES,
            "kind": st.sampled_from([None, "progress note", "clinical case summary", "operative report"]),
            "text": RECORD_TEXT,
        }
    ),
    max_size=3,
)


def _case_data(
    requests: list[str], records: list[dict], injury: dt.date | None, decision: dt.date | None, age: int | None, huge: bool
) -> dict:
    if huge and records:
        # a long record (tens of thousands of characters) must still be read, not refused
        records[0] = dict(records[0], text=(records[0]["text"] + "\n") * 150)
    return {
        "injury_date": injury,
        "ur_decision_date": decision,
        "worker": {"age": age},
        "requests": [{"text": r} for r in requests],
        "records": records,
    }


def _check(issue) -> None:
    if issue.outcome is None:
        assert issue.abstain_reason, f"{issue.item.text!r}: abstain without a reason"
        return
    assert issue.reviewer_basis, f"{issue.item.text!r}: decided without a guideline"
    assert issue.rationale and any(c.source in issue.rationale for c in issue.reviewer_basis), (
        f"{issue.item.text!r}: the rationale names no guideline it cites"
    )
    unmet = [c for c in issue.criteria or [] if c.status != "met"]
    if issue.outcome == "Upheld" and unmet:
        assert issue.missing, f"{issue.item.text!r}: upheld on unmet criteria without saying what is missing"
    assert issue.confidence is not None and 0 < issue.confidence <= 1


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    requests=st.lists(REQUESTS, min_size=1, max_size=3),
    records=RECORDS,
    injury=DATES,
    decision=DATES,
    age=st.one_of(st.none(), st.integers(min_value=16, max_value=90)),
    huge=st.booleans(),
)
def test_any_valid_case_gets_an_explained_recommendation(requests, records, injury, decision, age, huge):
    case = parse_case(_case_data(requests, records, injury, decision, age, huge))
    determination = review_case(case, rulebook=load_rulebook())
    assert len(determination.issues) == len(requests)
    for issue in determination.issues:
        _check(issue)


def test_a_decision_date_past_the_last_known_mtus_action_is_decided_with_a_stated_uncertainty():
    # the latest editions in force are used; the recommendation says later changes may apply
    case = parse_case({"ur_decision_date": "2031-05-01", "injury_date": "2032-01-01", "requests": [{"text": "MRI lumbar spine"}]})
    issue = review_case(case).issues[0]
    _check(issue)
    assert issue.outcome == "Upheld"
    assert [c.source for c in issue.reviewer_basis] == ["MTUS (ACOEM Practice Guidelines) Low Back Disorders, 2020"]
    assert any("later changes may apply" in m and "2031" in m for m in issue.missing)


def test_no_records_and_no_dates_still_decide_saying_what_is_missing():
    case = parse_case({"requests": [{"text": "MRI lumbar spine"}]})
    issue = review_case(case).issues[0]
    _check(issue)
    assert issue.outcome == "Upheld" and issue.missing  # nothing documented: the indication is missing
