"""ConText on short sentences: negation, history, hypothesis, scope and termination."""

import pytest

from imr.clinical.context import assess


def attributes(sentence: str, mention: str, kind: str = "indication.spasm") -> dict[str, bool]:
    start = sentence.index(mention)
    return assess(sentence, start, start + len(mention), kind)


@pytest.mark.parametrize(
    "sentence, mention",
    [
        ("She denies side effects.", "side effects"),
        ("There is no evidence of radiculopathy.", "radiculopathy"),
        ("Without documented functional benefit.", "functional benefit"),
        ("The record lacks documentation of functional improvement.", "functional improvement"),
        ("Spasm was not documented on examination.", "Spasm"),
    ],
)
def test_negation_cues_negate_the_mention(sentence, mention):
    assert attributes(sentence, mention)["negated"]


@pytest.mark.parametrize(
    "sentence, mention",
    [
        ("No red flags, but she has radiculopathy.", "radiculopathy"),
        ("Radiculopathy is present; no spasm.", "Radiculopathy"),
        ("She has no nausea. She reports spasm.", "spasm"),
        ("There was no change in her spasm.", "spasm"),  # "no change" is a pseudo-cue
        ("No fever was reported at the visit on the day when she first had muscle spasm of the back.", "muscle spasm"),
    ],
)
def test_negation_stops_at_terminators_pseudo_cues_and_scope(sentence, mention):
    assert not attributes(sentence, mention)["negated"]


def test_history_and_hypothesis():
    assert (
        attributes("She has a history of peptic ulcer.", "peptic ulcer", "gi_risk")["historical"] is False
    )  # GI history is a current risk
    assert attributes("She has a history of anxiety.", "anxiety", "indication.anxiety")["historical"]
    assert attributes("MRI to rule out rotator cuff tear.", "rotator cuff tear", "diagnosis")["hypothetical"]
    assert attributes("Physical therapy is requested.", "Physical therapy", "prior_sessions")["hypothetical"]
    assert not attributes("She completed physical therapy.", "physical therapy", "prior_sessions")["hypothetical"]


def test_a_cue_inside_the_mention_is_ignored():
    assert not attributes("He has not returned to work.", "has not returned to work", "work_status")["negated"]


def test_family_history_is_flagged():
    assert attributes("Her mother had cancer.", "cancer", "red_flag")["family"]


def test_offsets_hold_when_lower_case_is_longer():
    # "İ".lower() is two characters: the cue "no" must still be found at its own offset
    sentence = "İİİ no spasm."
    assert attributes(sentence, "spasm")["negated"]
