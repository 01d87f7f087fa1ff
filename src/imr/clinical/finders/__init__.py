"""The fact finders: each reads one sentence and proposes mentions (kind, value, span, details).

One module per subject. The phrase finder reads data/targets.yaml; the others read the vocabularies
of data/vocabulary.yaml and the cue words of data/cues.yaml, and handle what a phrase list cannot:
numbers (pain 6-8/10, 12 sessions, 4+/5 strength), drugs with dose and frequency, imaging and surgery
with their body part, date and status. Whether a mention is negated, historical or hypothetical is
decided afterwards by ConText (context.py) unless a finder states it (a normal examination finding is
an explicit negation of the deficit).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from imr.clinical.context import find_cues, shifted
from imr.clinical.drugnames import DrugName, find_drug_names
from imr.clinical.finders.base import Cue, Mention, SentenceView, VOCABULARY_GROUPS, vocabulary_patterns, without_overlaps
from imr.clinical.finders.care import conservative_care_mentions, first_line_mentions
from imr.clinical.finders.diagnoses import age_mentions, diagnosis_mentions
from imr.clinical.finders.imaging import imaging_mentions
from imr.clinical.finders.medications import medication_mentions
from imr.clinical.finders.neuro import neuro_mentions
from imr.clinical.finders.pain import pain_mentions, relief_mentions
from imr.clinical.finders.phrases import phrase_mentions, phrase_targets
from imr.clinical.finders.screens import screen_mentions
from imr.clinical.finders.sessions import session_mentions
from imr.clinical.finders.surgery import surgery_mentions
from imr.clinical.matching import find_all, lower_text
from imr.clinical.text import DateMention, Sentence, find_dates

__all__ = ["FINDERS", "Cue", "Mention", "RecordIndex", "SentenceView", "mentions_in", "sentence_view"]


FINDERS: tuple[Callable[[SentenceView], list[Mention]], ...] = (
    phrase_mentions,
    medication_mentions,
    pain_mentions,
    relief_mentions,
    session_mentions,
    imaging_mentions,
    surgery_mentions,
    neuro_mentions,
    conservative_care_mentions,
    first_line_mentions,
    screen_mentions,
    diagnosis_mentions,
    age_mentions,
)


class RecordIndex:
    """What the finders look up, found once over a whole record and handed out per sentence: running
    each pattern once per record instead of once per sentence is most of extraction's speed."""

    def __init__(self, text: str) -> None:
        lower = lower_text(text)
        self.drugs = find_drug_names(text)
        self.dates = find_dates(text)
        self.cues = find_cues(text)
        self.targets = [
            (m.start(), m.end(), target) for target in phrase_targets() for pattern in target.patterns for m in find_all(pattern, lower)
        ]
        vocabulary = vocabulary_patterns()
        self.vocabulary = {
            group: without_overlaps([(m.start(), m.end(), name) for name, pattern in vocabulary[group] for m in find_all(pattern, lower)])
            for group in VOCABULARY_GROUPS
        }

    def view(self, sentence: Sentence) -> SentenceView:
        lo, hi = sentence.start, sentence.end

        def inside(start: int, end: int) -> bool:
            return lo <= start and end <= hi

        return SentenceView(
            sentence,
            drugs=[DrugName(d.start - lo, d.end - lo, d.generic, d.drug_class) for d in self.drugs if inside(d.start, d.end)],
            dates=[DateMention(d.start - lo, d.end - lo, d.date, d.precision) for d in self.dates if inside(d.start, d.end)],
            vocabulary={
                group: [(s - lo, e - lo, name) for s, e, name in hits if inside(s, e)] for group, hits in self.vocabulary.items()
            },
            targets=[(s - lo, e - lo, t) for s, e, t in self.targets if inside(s, e)],
            cues=shifted(self.cues, lo, hi),
            record_has_drugs=bool(self.drugs),
        )


def sentence_view(sentence: Sentence) -> SentenceView:
    """A sentence on its own (tests and tools); the pipeline uses RecordIndex.view."""
    return RecordIndex(sentence.text).view(Sentence(0, len(sentence.text), sentence.text, sentence.section))


def mentions_in(view: SentenceView) -> Iterator[Mention]:
    for finder in FINDERS:
        yield from finder(view)
