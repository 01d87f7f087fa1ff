"""medspaCy's ConText run on the same rules (data/context.yaml): the reference the built-in ConText is
checked against.

imr's pipeline uses `context.py`, a small implementation of the same algorithm, because importing
medspaCy costs about 1.3 s on top of spaCy's 1 s (it pulls in QuickUMLS, NLTK and SciPy), more than
the review engine's whole start-up budget. This module builds medspaCy's ConText once, lazily, on a
blank English tokenizer (no sentencizer: each sentence is its own Doc, so PyRuSH, which logs every
token at DEBUG, is never loaded), so tests and `benchmarks/bench_clinical.py` can measure how far
the two agree on real text.
"""

from __future__ import annotations

import warnings
from functools import lru_cache
from typing import Any

from imr.clinical.rules import load_data

_CATEGORY = {
    "negated": "NEGATED_EXISTENCE",
    "historical": "HISTORICAL",
    "hypothetical": "HYPOTHETICAL",
    "possible": "POSSIBLE",
    "family": "FAMILY",
    "pseudo": "PSEUDO",
    "terminate": "TERMINATE",
}
_DIRECTION = {
    "forward": "FORWARD",
    "backward": "BACKWARD",
    "bidirectional": "BIDIRECTIONAL",
    "pseudo": "PSEUDO",
    "terminate": "TERMINATE",
}
_ATTRIBUTES = {
    "NEGATED_EXISTENCE": {"is_negated": True},
    "HISTORICAL": {"is_historical": True},
    "HYPOTHETICAL": {"is_hypothetical": True},
    "POSSIBLE": {"is_possible": True},
    "FAMILY": {"is_family": True},
}
# span labels are the top-level fact kinds ("indication", not "indication.spasm"): medspaCy's
# allowed/excluded types are exact labels, imr's kinds lists name families
_GROUP = "imr_targets"


def _family(kind: str) -> str:
    return kind.split(".", 1)[0]


@lru_cache(maxsize=1)
def _pipeline() -> tuple[Any, Any]:
    import spacy
    from loguru import logger

    logger.disable("PyRuSH")  # never log record text, whatever medspaCy imports
    from medspacy.context import ConText, ConTextRule
    from spacy.tokens import Span

    if not Span.has_extension("is_possible"):
        Span.set_extension("is_possible", default=False)  # imr's hedge category, beside medspaCy's own

    nlp = spacy.blank("en")
    context = ConText(nlp, rules=None, input_span_type="group", span_group_name=_GROUP, span_attrs=_ATTRIBUTES)
    data = load_data("context.yaml")
    default_scope = data.get("default_max_scope")
    rules = []
    for rule in data["modifiers"]:
        category = rule["category"]
        direction = rule.get("direction", category if category in ("pseudo", "terminate") else "forward")
        for phrase in rule["phrases"]:
            rules.append(
                ConTextRule(
                    literal=str(phrase),
                    category=_CATEGORY[category],
                    direction=_DIRECTION[direction],
                    max_scope=None if category in ("pseudo", "terminate") else rule.get("max_scope", default_scope),
                    allowed_types={_family(k) for k in rule.get("kinds", ())} or None,
                    excluded_types={_family(k) for k in rule.get("except_kinds", ())} or None,
                )
            )
    context.add(rules)
    return nlp, context


def assess_many(sentence: str, targets: list[tuple[int, int, str]]) -> list[dict[str, bool]]:
    """medspaCy's ConText attributes for each (start, end, kind) mention of one sentence."""
    from spacy.tokens import Span

    nlp, context = _pipeline()
    doc = nlp.make_doc(sentence)
    for token in doc:
        token.is_sent_start = token.i == 0
    spans = []
    for start, end, kind in targets:
        span = doc.char_span(start, end, label=_family(kind), alignment_mode="expand")
        spans.append(span if span is not None else Span(doc, 0, 0, label=_family(kind)))
    doc.spans[_GROUP] = [s for s in spans if len(s)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # W036: the rules are phrases, the token matcher is empty
        context(doc)
    return [
        {
            "negated": bool(s._.is_negated),
            "historical": bool(s._.is_historical),
            "hypothetical": bool(s._.is_hypothetical),
            "possible": bool(s._.is_possible),
            "family": bool(s._.is_family),
        }
        for s in spans
    ]


def agreement(texts: list[str]) -> tuple[int, int, list[tuple[str, str, str, dict[str, bool], dict[str, bool]]]]:
    """Compare the built-in ConText with medspaCy's on every fact of the texts: (agreeing, total,
    disagreements as (sentence, mention, kind, built-in, medspaCy))."""
    from imr.clinical.context import assess
    from imr.clinical.pipeline import extract_text_facts
    from imr.clinical.text import split_sentences

    agree, total, different = 0, 0, []
    for text in texts:
        sentences = split_sentences(text)
        for fact in extract_text_facts(text):
            if fact.start is None or fact.end is None:
                continue
            sentence = next((s for s in sentences if s.start <= fact.start and fact.end <= s.end), None)
            if sentence is None:
                continue
            start, end = fact.start - sentence.start, fact.end - sentence.start
            ours = assess(sentence.text, start, end, fact.kind)
            theirs = assess_many(sentence.text, [(start, end, fact.kind)])[0]
            total += 1
            if ours == theirs:
                agree += 1
            else:
                different.append((sentence.text, fact.text, fact.kind, ours, theirs))
    return agree, total, different
