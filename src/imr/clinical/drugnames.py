"""Drug names in record text, from the drug lexicon (imr.drugs): where each is named and what it is.

The lexicon knows brands, generics, misspellings it has seen, compounds and medical foods; the
clinical pipeline needs only the span, the generic name and the class. Fuzzy matching stays off:
record text is not all about drugs, and a one-letter slip of an ordinary word is not a drug.
"""

from __future__ import annotations

from dataclasses import dataclass

from imr.drugs import find_drugs


@dataclass(frozen=True, slots=True)
class DrugName:
    start: int
    end: int
    generic: str
    drug_class: str | None


def find_drug_names(text: str) -> list[DrugName]:
    """Drug names in the text, in order, without overlaps."""
    return [
        DrugName(m.start, m.end, m.entry.generic.lower(), m.entry.drug_class)
        for m in sorted(find_drugs(text), key=lambda m: m.start)
    ]
