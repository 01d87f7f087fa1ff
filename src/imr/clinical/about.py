"""What a fact is about: the therapy or drug it concerns ("improved with 6 sessions of acupuncture" is
about acupuncture; "Norco helps her do chores" about hydrocodone/acetaminophen).

Therapies are named by the canonical procedures of items/data/procedures.yaml; drugs by their generic
name. A fact that names no treatment, or only "medications" in general, is about nothing stated (None):
the review engine then weighs it for any request rather than crediting it to the wrong one.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from imr.clinical.rules import load_data
from imr.items.vocabulary import PROCEDURE_BY_NAME

# the attribute each kind names its subject in
_SUBJECT = {
    "conservative_care": "care",
    "prior_sessions": "therapy",
    "requested_sessions": "therapy",
    "functional_improvement": "therapy",
    "pain_reduction": "therapy",
    "side_effect": "drug",
    "taper_plan": "drug",
}
# clinical care names that are no single procedure: the words as written decide ("splint" -> brace)
_GENERAL = frozenset({"medication", "activity modification"})


@lru_cache(maxsize=256)
def canonical_therapy(name: str) -> str | None:
    """A clinical therapy name or the words that named it, as a canonical procedure; None if none."""
    if name in PROCEDURE_BY_NAME:
        return name
    from imr.items.understand import procedure_of  # the request reader: one vocabulary of procedures

    for procedure, words in (load_data("vocabulary.yaml").get("care_procedures") or {}).items():
        if any(re.fullmatch(word, name) for word in words):
            return procedure
    return procedure_of(name)


def about_of(mention: Any, sentence: str) -> str | None:
    """The therapy or drug the mention concerns, when its sentence states one."""
    kind = mention.kind
    attributes = mention.attributes
    if kind.startswith("indication."):
        return attributes.get("drug")
    key = _SUBJECT.get(kind)
    if key is None:
        return None
    if key == "care":
        if mention.value == "medication":
            return attributes.get("drug")
        if mention.value in _GENERAL:  # "thumb splint" is a brace, "rest" is no procedure
            return canonical_therapy(sentence[mention.start : mention.end].lower())
        return canonical_therapy(str(mention.value))
    subject = attributes.get(key)
    if not subject or subject in _GENERAL:
        return None
    return str(subject)  # a canonical procedure, or a drug's generic name
