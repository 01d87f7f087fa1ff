"""A sentence met again (a note copied forward, a repeated list line) is read once per case: the facts
it gives where it stands again are those a fresh reading gives there."""

from __future__ import annotations

import datetime as dt

from imr.casefile import Record
from imr.clinical.finders import _scanner
from imr.clinical.matching import _literal_starts
from imr.clinical.pipeline import _record_facts
from imr.items.vocabulary import pattern_starts

NOTE = """Subjective: Low back pain radiating to the left leg, 8/10 without medications and 5/10 with them.
She has taken Norco 10/325 mg every 6 hours since 2014. She denies side effects.
Objective: Straight leg raise is positive on the left. Strength 4/5 in the left extensor hallucis longus.
Right knee: McMurray test positive. Tenderness over the medial joint line.
Medications: Norco 10/325 mg every 6 hours #120, naproxen 550 mg twice daily.
Plan: Continue Norco. Request 6 sessions of physical therapy. Urine drug screen on 03/02/2016 was consistent.
"""


class _Forgetful(dict):
    """Readings never kept: every sentence is read afresh."""

    def __setitem__(self, key: object, value: object) -> None:
        pass


def _dumped(facts: list) -> list[str]:
    return [fact.model_dump_json() for fact in facts]


# the same sentences after another body part and under another note's date: their facts take the
# site and the date the record carries to them
CARRIED = """Progress note dated 03/02/2016. Right knee pain since a fall. Pain is 7/10. Positive McMurray.

Left shoulder pain since a fall. Pain is 7/10. Positive McMurray.

Progress note dated 04/05/2016. Left shoulder pain since a fall. Pain is 7/10. Positive McMurray.
"""


def test_a_copied_forward_note_gives_the_facts_a_fresh_reading_gives():
    # the same note four times over, once under another heading: the same sentences in other places,
    # after other sentences (another carried site and date), in other records
    text = NOTE + "\n\n" + NOTE.replace("Right knee:", "Left shoulder:") + "\n\n" + NOTE + NOTE + "\n\n" + CARRIED
    readings: dict = {}
    for index, date in enumerate((dt.date(2016, 3, 14), dt.date(2016, 4, 11))):
        record = Record(text=text, date=date, kind="progress note")
        once, latest_once = _record_facts(record, index, readings)
        afresh, latest_afresh = _record_facts(record, index, _Forgetful())
        assert _dumped(once) == _dumped(afresh)
        assert latest_once == latest_afresh
    assert readings  # the readings were kept, and used for the second record


def test_plain_word_patterns_start_as_the_pattern_parser_says():
    found = 0
    for source in _scanner()._sources:
        spaced = source.replace(r"\s+", " ").replace(r"\s*", " ?")
        starts = _literal_starts(spaced)
        if starts is not None:
            found += 1
            assert starts == pattern_starts(spaced), source
    assert found > 100
