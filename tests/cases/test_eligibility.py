"""Eligibility screening (8 CCR 9792.10.2-.3) and statutory deadlines."""

from __future__ import annotations

import datetime as dt

from imr.cases.deadlines import compute_deadline
from imr.cases.eligibility import Application, CaseOnFile, screen_application

D = dt.date


def application(**changes) -> Application:
    base = dict(
        case_number="CM17-0000010",
        received=D(2017, 1, 20),
        ur_decision_date=D(2016, 12, 28),
        ur_served=None,
        ur_basis="medical necessity",
        liability_disputed=False,
        claim_number="GSC-2013-558812",
        items=("Alprazolam 0.5mg #60",),
    )
    return Application(**{**base, **changes})


def test_a_timely_application_on_a_medical_necessity_decision_is_eligible() -> None:
    decision = screen_application(application(), [])
    assert decision.eligible and decision.reason is None
    assert decision.application_due == D(2017, 2, 1)  # 28 Dec + 5 days mail service + 30 days


def test_the_last_timely_day_and_the_day_after() -> None:
    assert screen_application(application(received=D(2017, 2, 1)), []).eligible
    late = screen_application(application(received=D(2017, 2, 2)), [])
    assert not late.eligible
    assert "received 2017-02-02, more than 30 days after service" in late.reason and "due by 2017-02-01" in late.reason


def test_a_stated_date_of_service_replaces_the_mail_allowance() -> None:
    decision = screen_application(application(ur_served=D(2016, 12, 28), received=D(2017, 1, 28)), [])
    assert not decision.eligible and "due by 2017-01-27" in decision.reason


def test_without_a_ur_decision_there_is_nothing_to_review() -> None:
    decision = screen_application(application(ur_decision_date=None), [])
    assert not decision.eligible and "no utilization review decision" in decision.reason


def test_a_liability_dispute_goes_to_the_wcab() -> None:
    for changes in ({"liability_disputed": True}, {"ur_basis": "liability"}):
        decision = screen_application(application(**changes), [])
        assert not decision.eligible and "liability for the claim" in decision.reason


def test_a_decision_not_on_medical_necessity_is_ineligible() -> None:
    decision = screen_application(application(ur_basis="incomplete request for authorization"), [])
    assert not decision.eligible and "not a decision on medical necessity" in decision.reason


def test_the_same_claim_ur_decision_and_item_is_a_duplicate() -> None:
    earlier = CaseOnFile("CM17-0000001", "GSC 2013 558812", D(2016, 12, 28), ("ALPRAZOLAM 0.5MG #60", "MRI"))
    decision = screen_application(application(), [earlier])
    assert not decision.eligible and "duplicate of case CM17-0000001" in decision.reason
    # another UR decision on the same claim is a new dispute
    assert screen_application(application(ur_decision_date=D(2017, 1, 5)), [earlier]).eligible
    # so is another item under the same UR decision
    assert screen_application(application(items=("Physical therapy x6",)), [earlier]).eligible


def test_only_the_employee_or_their_representative_may_apply() -> None:
    refused = screen_application(application(applicant="claims_administrator"), [])
    assert not refused.eligible and "filed by the claims administrator" in refused.reason
    assert screen_application(application(applicant="attorney"), []).eligible


def test_every_reason_is_stated() -> None:
    decision = screen_application(application(received=D(2017, 6, 1), liability_disputed=True), [])
    assert len(decision.reasons) == 2


def deadline(expedited=False, complete=None, decided=None, open_=True, today=D(2017, 1, 15)):
    return compute_deadline(
        expedited=expedited,
        received=D(2017, 1, 10),
        records_complete_on=complete,
        decided_on=decided,
        still_open=open_,
        today=today,
    )


def test_regular_and_expedited_clocks() -> None:
    regular, expedited = deadline(), deadline(expedited=True, today=D(2017, 1, 12))
    assert (regular.determination_due, regular.records_due, regular.days_left, regular.status) == (
        D(2017, 2, 9),
        D(2017, 1, 25),
        25,
        "on track",
    )
    assert (expedited.determination_due, expedited.records_due, expedited.days_left, expedited.status) == (
        D(2017, 1, 13),
        D(2017, 1, 11),
        1,
        "at risk",
    )
    assert expedited.records_overdue


def test_the_clock_starts_when_the_records_arrive() -> None:
    provisional, complete = deadline(), deadline(complete=D(2017, 1, 20))
    assert provisional.provisional and not complete.provisional
    assert complete.determination_due == D(2017, 2, 19)


def test_overdue_met_and_missed() -> None:
    assert deadline(today=D(2017, 2, 10)).status == "overdue"
    assert deadline(today=D(2017, 2, 10)).days_left == -1
    assert deadline(decided=D(2017, 2, 9)).status == "met"
    assert deadline(decided=D(2017, 2, 10)).status == "missed"
    assert deadline(open_=False).status == "closed"


def test_no_case_younger_than_the_quiet_period_can_be_due() -> None:
    from imr.cases.deadlines import quiet_days

    for expedited in (False, True):
        quiet = quiet_days(expedited)
        listed_at = []
        for age in range(0, 40):
            d = compute_deadline(
                expedited=expedited,
                received=D(2017, 1, 10),
                records_complete_on=None,
                decided_on=None,
                still_open=True,
                today=D(2017, 1, 10) + dt.timedelta(days=age),
            )
            if d.status in ("overdue", "at risk") or d.records_overdue:
                listed_at.append(age)
        assert min(listed_at) == quiet  # never earlier (the due list's filter is safe), and no later (it is tight)
