"""Every non-drug MTUS rule says where in the guideline it comes from: pages, or a note saying why not.

A physician reading a rationale must be able to find the guideline text it paraphrases; a rule citing
an ACOEM chapter or the Chronic Pain guidelines without pages has to say what was not verified. The
Acupuncture and Postsurgical guidelines are regulations cited by subsection, and ODG by topic.
"""

from __future__ import annotations

from imr.guidelines import load_rulebook

UNPAGED_SOURCES = ("mtus-acupuncture", "mtus-postsurgical", "mtus-opioids", "odg")


def test_paged_mtus_rules_cite_pages_or_explain():
    book = load_rulebook()
    silent = [
        r.id
        for r in book.rules
        if not r.source.startswith(UNPAGED_SOURCES) and book.sources[r.source].mtus and not r.pages and not r.note
    ]
    assert not silent, f"MTUS rules without pages or a note: {silent}"


def test_postsurgical_rules_say_their_figures_are_unverified():
    book = load_rulebook()
    postsurgical = [r for r in book.rules if r.source == "mtus-postsurgical-2009"]
    assert postsurgical and all(r.note for r in postsurgical)


def test_non_mtus_rules_cite_a_non_mtus_source():
    book = load_rulebook()
    for rule in book.rules:
        if rule.id.startswith("odg."):
            assert not book.sources[rule.source].mtus, rule.id
            assert book.sources[rule.source].rank != "A", rule.id
