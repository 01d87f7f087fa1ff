"""Two reviewers signing the same case at the same moment, on two real connections."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from imr.casefile import load_case
from imr.cases import Actor, service
from imr.cases.errors import EditConflict, StepRefused
from imr.model import Determination
from imr.examples import EXAMPLE_SERVICE

EXAMPLES = EXAMPLE_SERVICE


def _panel_case(database, admin, example_reviewers) -> tuple[int, list[Actor]]:
    """A case with a panel of two reviewers (both independent and qualified), review started."""
    case = load_case(EXAMPLES / "case.yaml").model_copy(update={"parties": []})
    with database.transaction() as session:
        case_id = service.import_case(session, admin, case).id
        service.decide_eligibility(session, admin, case_id)
        service.complete_records(session, admin, case_id, on=dt.date(2026, 11, 27))
        service.assign(session, admin, case_id, reviewer_id=example_reviewers["Dr. Helen Park"])
        service.assign(session, admin, case_id, reviewer_id=example_reviewers["Dr. Omar Haddad"], add=True)
    reviewers = [
        Actor(f"reviewer{i}", "reviewer", example_reviewers[n]) for i, n in enumerate(["Dr. Helen Park", "Dr. Omar Haddad"])
    ]
    with database.transaction() as session:
        draft = service.start_review(session, reviewers[0], case_id)
        d = Determination.model_validate(draft.content)
        issues = [i.model_copy(update={"outcome": "Upheld", "rationale": "Not supported by the MTUS."}) for i in d.issues]
        service.save_draft(session, reviewers[0], case_id, d.model_copy(update={"issues": issues}))
    return case_id, reviewers


def test_two_reviewers_sign_at_once_one_wins_the_other_is_told(database, admin, example_reviewers) -> None:
    case_id, reviewers = _panel_case(database, admin, example_reviewers)
    both_loaded = threading.Barrier(2, timeout=30)
    results: dict[str, object] = {}

    def sign_as(reviewer: Actor) -> None:
        try:
            with database.transaction() as session:
                case = service.load_case(session, reviewer, case_id)
                version = case.version
                if database.engine.dialect.name == "postgresql":
                    both_loaded.wait()  # both hold the same version before either writes
                results[reviewer.username] = service.sign(session, reviewer, case_id, expected_version=version).number
        except (EditConflict, StepRefused) as refusal:
            results[reviewer.username] = refusal

    threads = [threading.Thread(target=sign_as, args=(r,)) for r in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    winners = [name for name, result in results.items() if result == 1]
    losers = [result for result in results.values() if isinstance(result, Exception)]
    assert len(winners) == 1 and len(losers) == 1, results
    if database.engine.dialect.name == "postgresql":
        # PostgreSQL runs both transactions at once: the optimistic lock catches the second writer.
        assert isinstance(losers[0], EditConflict) and "changed by someone else" in str(losers[0])
    with database.transaction() as session:
        case = service.load_case(session, admin, case_id)
        assert case.state == "signed"
        assert [(v.number, v.status) for v in case.determinations] == [(1, "signed")]
        signed = case.determinations[0]
        assert signed.signed_by == winners[0] and service.verify_signed(signed)
        assert all(i["rationale"] == "Not supported by the MTUS." for i in signed.content["issues"])


def test_a_stale_version_is_a_conflict_not_an_overwrite(database, admin, example_reviewers) -> None:
    case_id, reviewers = _panel_case(database, admin, example_reviewers)
    with database.transaction() as session:
        stale = service.load_case(session, admin, case_id).version
        draft = service.latest_version(service.load_case(session, reviewers[1], case_id))
        service.save_draft(session, reviewers[1], case_id, Determination.model_validate(draft.content))
    with database.transaction() as session, pytest.raises(EditConflict, match=f"changed since version {stale}"):
        service.sign(session, reviewers[0], case_id, expected_version=stale)
