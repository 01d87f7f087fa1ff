"""Drug names in record text: imr.drugs.find_drugs when that package provides it, else a short local list.

The clinical pipeline needs only where a drug is named and what it is (generic, class); the drug
lexicon engineer's `imr.drugs` is the authority and is used as soon as it offers `find_drugs`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

from imr.clinical.rules import load_data


@dataclass(frozen=True, slots=True)
class DrugName:
    start: int
    end: int
    generic: str
    drug_class: str | None


@lru_cache(maxsize=1)
def _lexicon_finder() -> Callable[[str], Any] | None:
    try:
        from imr import drugs
    except ImportError:
        return None
    return getattr(drugs, "find_drugs", None)


@lru_cache(maxsize=1)
def _fallback() -> tuple[re.Pattern[str], dict[str, tuple[str, str]]]:
    table = {name.lower(): (generic, drug_class) for name, (generic, drug_class) in load_data("drugs_fallback.yaml")["drugs"].items()}
    names = "|".join(re.escape(n) for n in sorted(table, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{names})(?![\w-])", re.IGNORECASE), table


def _field(mention: Any, *names: str) -> Any:
    for name in names:
        value = getattr(mention, name, None)
        if value is not None:
            return value
        entry = getattr(mention, "entry", None)
        if entry is not None and getattr(entry, name, None) is not None:
            return getattr(entry, name)
    return None


def find_drug_names(text: str) -> list[DrugName]:
    """Drug names in the text, in order, without overlaps."""
    finder = _lexicon_finder()
    found: list[DrugName] = []
    if finder is not None:
        for mention in finder(text):
            start, end = _field(mention, "start"), _field(mention, "end")
            generic = _field(mention, "generic")
            if isinstance(start, int) and isinstance(end, int) and generic:
                found.append(DrugName(start, end, str(generic).lower(), _field(mention, "drug_class")))
        return sorted(found, key=lambda d: d.start)
    pattern, table = _fallback()
    for match in pattern.finditer(text):
        generic, drug_class = table[match.group().lower()]
        found.append(DrugName(match.start(), match.end(), generic, drug_class))
    return found
