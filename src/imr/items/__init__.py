"""Item understanding: a disputed item's text -> kind, canonical procedure, drug or service fields.

Owns the vocabularies in `data/` (procedures.yaml: canonical procedure names, kinds and synonyms;
body_parts.yaml: canonical body parts and laterality words; request_words.yaml: numbers, periods,
topical and prefix words) and the reading of a request line:

- `understand_item(text) -> DisputedItem` (partial authorization is the caller's business);
- `procedure_of(item_or_text) -> str | None`: the canonical procedure rules match;
- `body_parts_of(text)`, `laterality_of(text)`: the body-part reading alone;
- `sites_of(item_or_text)`, `site_of(...)`: where the request is, as `imr.model.anatomy.Site` (part,
  detail such as 'L4-5' or 'medial meniscus', side);
- `procedure_names()`, `body_part_names()`: every name rules may use;
- `canonical_procedure(name)`, `canonical_body_part(name)`: any synonym ('tens unit', 'post-operative
  physical therapy', 'low back') -> the canonical name, for rule loaders that accept synonyms.

The field conventions (strength, quantity, frequency, sessions...) are documented in `understand.py`.
"""

from __future__ import annotations

from imr.items.understand import body_parts_of, laterality_of, procedure_of, site_of, sites_of, understand_item
from imr.items.vocabulary import BODY_PARTS, PROCEDURE_BY_NAME, ItemError, ItemVocabularyError

__all__ = [
    "ItemError",
    "ItemVocabularyError",
    "body_part_names",
    "canonical_body_part",
    "canonical_procedure",
    "body_parts_of",
    "laterality_of",
    "procedure_kind",
    "procedure_names",
    "procedure_of",
    "site_of",
    "sites_of",
    "understand_item",
]


def procedure_names() -> list[str]:
    """Every canonical procedure name, in priority order (the names rules may match)."""
    return list(PROCEDURE_BY_NAME)


def procedure_kind(name: str) -> str | None:
    """The item kind of a canonical procedure, None for an unknown name."""
    procedure = PROCEDURE_BY_NAME.get(name)
    return procedure.kind if procedure else None


def body_part_names() -> list[str]:
    """Every canonical body-part name."""
    return list(BODY_PARTS)


def canonical_procedure(name: str) -> str | None:
    """The canonical procedure a name or synonym means ('tens unit' -> 'tens'); None if none."""
    if name.lower() in PROCEDURE_BY_NAME:
        return name.lower()
    return procedure_of(name)


def canonical_body_part(name: str) -> str | None:
    """The canonical body part a name or synonym means ('low back' -> 'lumbar spine'); None if none."""
    parts = body_parts_of(name)
    return parts[0] if len(parts) == 1 else None
