"""The drug lexicon: brand, generic, misspelling, compound, kit and medical food names -> what they are.

Owns `data/drugs.yaml` (facts: generic, class, DEA schedule, form, ingredients) and the lookups the
letter parser, the review engine and the corpus use:

- `lookup_drug(name)`: one name (brand, generic, misspelling, product) -> `DrugEntry` or None;
- `find_drugs(text)`: every drug named in a text, with offsets;
- `topical(entry)`: the entry as a topical preparation (an oral NSAID applied to the skin is a topical
  NSAID; any other systemic drug in a cream is a topical analgesic under the MTUS topical rules);
- `compound(entries)`: several ingredients in one preparation -> one compound entry;
- `lookup_generic(generic)`, `drug_classes()`, `lexicon()`: the tables themselves.

Classes are the names the review rules match (see the header of data/drugs.yaml); schedules are the
federal DEA schedules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from imr.drugs.lexicon import (
    DrugEntry,
    DrugLexiconError,
    DrugMention,
    Lexicon,
    load_lexicon,
    most_restrictive,
    tokens_of,
)

__all__ = [
    "DrugEntry",
    "DrugLexiconError",
    "DrugMention",
    "compound",
    "drug_classes",
    "find_drugs",
    "lexicon",
    "lookup_drug",
    "lookup_generic",
    "topical",
]

_LEXICON: Lexicon = load_lexicon()


def lexicon() -> Lexicon:
    return _LEXICON


def lookup_drug(name: str, *, fuzzy: bool = True) -> DrugEntry | None:
    """What a drug name means; a name one typing slip from a single known name is a misspelling of it."""
    if not name or not name.strip():
        return None
    entry = _LEXICON.exact(name)
    if entry is None and fuzzy:
        entry = _LEXICON.fuzzy(name)
    if entry is not None and not (entry.form or "").startswith(("topical", "transdermal")):
        if _LEXICON.topical_forms.intersection(tokens_of(name)):
            entry = topical(entry)
    return entry


def lookup_generic(generic: str) -> DrugEntry | None:
    """The lexicon's entry for a generic name as written in `DrugEntry.generic` (first listed form)."""
    return _LEXICON.by_generic.get(generic.lower())


def find_drugs(text: str, *, fuzzy: bool = False) -> list[DrugMention]:
    """Every drug name in `text`, left to right, longest name first at each position.

    Misspellings listed in the lexicon are always found; `fuzzy=True` also finds one-slip misspellings
    of long names (slower, and only safe on text known to be about drugs).
    """
    return _LEXICON.find(text, fuzzy=fuzzy)


def topical(entry: DrugEntry) -> DrugEntry:
    """The entry as applied to the skin (cream, gel, patch, lotion, ointment)."""
    topical_class = _LEXICON.topical_classes.get(entry.drug_class, "topical analgesic")
    form = entry.form if (entry.form or "").startswith("topical") else "topical"
    return replace(entry, drug_class=topical_class, form=form)


def compound(entries: Iterable[DrugEntry], *, name: str | None = None, is_topical: bool = True) -> DrugEntry:
    """One compounded preparation of several ingredients: generics joined by '/', in the order written.

    A topical compound of more than one active drug is a 'topical analgesic' (the MTUS judges it by
    its least supported ingredient); one ingredient keeps that ingredient's (topical) class.
    """
    ingredients: list[str] = []
    sources = list(entries)
    for entry in sources:
        for ingredient in entry.ingredients or (entry.generic,):
            if ingredient not in ingredients:
                ingredients.append(ingredient)
    if not sources:
        raise ValueError("a compound needs at least one ingredient")
    if len(sources) == 1 and len(ingredients) <= len(sources[0].ingredients or (1,)):
        single = topical(sources[0]) if is_topical else sources[0]
        return replace(single, name=name or single.name)
    classes = {e.drug_class for e in sources}
    drug_class = "topical analgesic" if is_topical else (classes.pop() if len(classes) == 1 else "other")
    return DrugEntry(
        name=name or "/".join(ingredients),
        generic="/".join(ingredients),
        drug_class=drug_class,
        schedule=most_restrictive(e.schedule for e in sources),
        form="topical" if is_topical else None,
        ingredients=tuple(ingredients),
        kind="compound",
    )


def drug_classes() -> set[str]:
    """Every class name the lexicon uses (the review rules may match only these)."""
    return {e.drug_class for e in _LEXICON.entries.values()}
