"""The indexed vocabulary matcher finds exactly what one plain union of the synonyms finds."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from imr.items.vocabulary import _AFTER, _BEFORE, BODY_PART_PATTERN, PROCEDURE_PATTERN, WordStartMatcher

REQUESTS = [
    "MRI of the right shoulder without contrast",
    "EMG/NCV of the bilateral upper extremities",
    "Acupuncture 3 times a week for 2 weeks, neck, right hand and head",
    "Post-op physical therapy 12 sessions",
    "Right knee arthroscopy with partial meniscectomy",
    "Lumbar epidural steroid injection L4-5",
    "Cold therapy unit 7 day rental",
    "Referral to chiropractor for evaluation of low back pain",
    "Retrospective DOS 10/12/16 urine drug screen",
    "Hot and cold packs",
    "TENS unit, daily trial, #30",
    "L4-5 posterior lumbar interbody fusion with 3 day inpatient stay",
    "r knee",
    "x-rays of c-spine",
]


def reference(matcher: WordStartMatcher) -> re.Pattern[str]:
    return re.compile(_BEFORE + "(?:" + "|".join(matcher._branches) + ")" + _AFTER)


def same_matches(matcher: WordStartMatcher, text: str) -> None:
    low = text.lower()
    expected = [(m.lastgroup, m.start(), m.end()) for m in reference(matcher).finditer(low)]
    assert list(matcher.finditer(low)) == expected, text


def test_indexed_matching_equals_the_plain_union_on_requests():
    for text in REQUESTS:
        same_matches(PROCEDURE_PATTERN, text)
        same_matches(BODY_PART_PATTERN, text)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(" ".join(REQUESTS).lower().split() + ["/", "-", ",", "2x4", "#6", "pt", "ot"]), max_size=12))
def test_indexed_matching_equals_the_plain_union_on_shuffled_words(words):
    text = " ".join(words)
    same_matches(PROCEDURE_PATTERN, text)
    same_matches(BODY_PART_PATTERN, text)


def test_indexed_matching_is_the_same_before_and_after_a_word_start_gets_its_union():
    from imr.items.vocabulary import _UNION_AFTER, _load_procedures

    matcher = _load_procedures()[1]  # a fresh matcher: every key starts with its branches one by one
    for text in REQUESTS:
        same_matches(matcher, text)
    assert not any(bucket.union for bucket in matcher._buckets.values())
    for _ in range(_UNION_AFTER):
        for text in REQUESTS:
            same_matches(matcher, text)
    assert all(bucket.union for bucket in matcher._buckets.values())
