"""Clinical facts from the medical record: what the guideline rules are checked against.

Owns record text -> `ClinicalRecord` (a list of `Fact`s, each with its exact span, record, date and
ConText attributes), the rule files in clinical/data/ (targets, ConText modifiers, section titles,
vocabularies) and the phase helper. The fact vocabulary is the contract of docs/design.md
("Clinical facts").

    from imr.clinical import extract_facts
    record = extract_facts(case)
    record.has("functional_improvement")          # documented as present (not negated, not hypothetical)
    record.of_kind("indication.")                 # every indication, with its span
    record.use_duration_days("alprazolam")        # how long the drug has been taken, from the evidence
    fact_kinds()["exam_sign"]                     # the values a kind may take (None: open), for rule loaders
"""

from imr.clinical.catalogue import fact_kinds
from imr.clinical.model import ClinicalRecord, Fact, Phase, phase_of
from imr.clinical.pipeline import extract_facts, extract_text_facts
from imr.clinical.rules import ClinicalDataError

__all__ = [
    "ClinicalDataError",
    "ClinicalRecord",
    "Fact",
    "Phase",
    "extract_facts",
    "extract_text_facts",
    "fact_kinds",
    "phase_of",
]
