"""The built-in ConText against medspaCy's ConText on the same rules, over the fixture letters'
case summaries: the two must agree on nearly every fact. (Known differences, where imr's reading is
the intended one: a cue inside the mention itself — "is not working" is the not-working status, not
its negation — and pseudo-cues taking precedence over the cue they overlap, as in NegEx.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from imr.clinical.context import assess

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "letters"

pytestmark = pytest.mark.slow  # imports medspaCy (a few seconds)


def test_medspacy_agrees_with_the_builtin_context_on_short_sentences():
    from imr.clinical.medspacy_context import assess_many

    for sentence, mention, kind in [
        ("She denies side effects.", "side effects", "side_effect"),
        ("No red flags, but she has radiculopathy.", "radiculopathy", "indication.radiculopathy"),
        ("MRI to rule out rotator cuff tear.", "rotator cuff tear", "diagnosis"),
        ("Her mother had cancer.", "cancer", "red_flag"),
        ("She has a history of anxiety.", "anxiety", "indication.anxiety"),
    ]:
        start = sentence.index(mention)
        ours = assess(sentence, start, start + len(mention), kind)
        assert assess_many(sentence, [(start, start + len(mention), kind)])[0] == ours, sentence


def test_medspacy_agrees_on_the_published_summaries():
    from imr.clinical.medspacy_context import agreement
    from imr.letters.parse import parse_letter

    paths = sorted((FIXTURES / "dwc").glob("*.pdf")) + sorted((FIXTURES / "seed").glob("*.txt"))
    agree, total, _ = agreement([parse_letter(p).case.summary or "" for p in paths])
    assert total > 500
    assert agree / total >= 0.95
