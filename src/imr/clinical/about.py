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
from imr.memo import pattern as _kept_pattern

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
# gains a sentence credits to one treatment: "After acupuncture her function has improved; she walks
# farther and has returned to modified work" -- every gain in it is the acupuncture's
_GAINS = frozenset({"functional_improvement", "pain_reduction"})
# the treatment a sentence opens with: "After physical therapy ...", "Since the chiropractic trial, ..."
_LEAD_TREATMENT = _kept_pattern(
    r"^\W*(?:after|since|with|following|from)\s+(?:the\s+|her\s+|his\s+|their\s+)?(?:\d+\s+|six\s+|several\s+)?"
    r"(?:sessions?\s+of\s+|visits?\s+of\s+|courses?\s+of\s+)?(?P<treatment>[a-z][a-z -]{2,40}?)\s*(?:,|;|\b(?:her|his|their|she|he|they|the patient|function)\b)",
    re.IGNORECASE,
)


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


def gains_of_one_treatment(facts: list[Any], sentence: str) -> list[Any]:
    """A sentence's facts with its gains credited to the treatment the sentence names for them: the one
    an earlier gain in it is about, else the one the sentence opens with ("After acupuncture ...").
    A gain whose own words name a treatment keeps it."""
    lead = _LEAD_TREATMENT.match(sentence)
    subject = canonical_therapy(lead.group("treatment").strip().lower()) if lead else None
    credited = []
    for fact in facts:
        if fact.kind in _GAINS:
            if fact.about:
                subject = fact.about
            elif subject:
                fact = fact.model_copy(update={"about": subject})
        credited.append(fact)
    return credited
