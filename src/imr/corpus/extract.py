"""From a parsed letter to the rows the corpus stores: the letter, one row per decision, its facets.

Runs in the ingest workers, so the single writer only writes. Guideline sources are stored as the
letter writes them (whitespace tidied); a page facet names its source, since page 24 of one guideline
is not page 24 of another.
"""

from __future__ import annotations

import json
import re
import zlib

from imr.corpus.store import ParsedItem, ParsedLetter
from imr.errors import ImrError
from imr.items import procedure_of
from imr.model import Determination, DisputedItem, GuidelineCitation

_SPACE = re.compile(r"\s+")


def tidy(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def procedure(item: DisputedItem) -> str | None:
    try:
        return procedure_of(item)
    except ImrError:  # a request the vocabulary cannot read must not lose the letter
        return None


_SLUG = str.maketrans({character: "_" for character in " -/.,()&'"})


def tag(name: str, value: object) -> str:
    """One filter value as one index word, e.g. tag('class', 'muscle relaxant') == 'class_muscle_relaxant'.

    Must match the SQL of migration corpus_0003, which tags the rows stored before it.
    """
    return f"{name}_{str(value).lower().translate(_SLUG)}"


def tags(outcome: str | None, kind: str, drug_class: str | None, year: int | None) -> str:
    found = [
        tag(name, value) for name, value in (("outcome", outcome), ("kind", kind), ("class", drug_class), ("year", year)) if value
    ]
    return " ".join(found)


def citation_facets(citations: list[GuidelineCitation]) -> list[tuple[str, str]]:
    facets: list[tuple[str, str]] = []
    for citation in citations:
        source = tidy(citation.source)[:200]
        if not source:
            continue
        facets.append(("source", source))
        facets.extend(("section", f"{source} § {tidy(section)}"[:300]) for section in citation.sections if tidy(section))
        facets.extend(("page", f"{source} p. {page}") for page in citation.pages)
    return list(dict.fromkeys(facets))


def to_rows(determination: Determination, content_hash: str, origin: str) -> ParsedLetter:
    case = determination.case
    year = case.decision_date.year if case.decision_date else None
    specialties = [tidy(s) for s in determination.reviewer.specialties if tidy(s)]
    # level 1: a third of the time of the default for a few per cent more bytes, and ingest is CPU-bound
    document = zlib.compress(determination.model_dump_json().encode("utf-8"), 1)
    values = (
        case.case_number,
        case.decision_date,
        year,
        case.date_of_injury,
        case.ur_denial_date,
        case.priority,
        case.age,
        case.sex,
        "; ".join(specialties) or None,
        case.summary,
        "; ".join(case.diagnoses) or None,
        document,
    )
    letter = ParsedLetter(content_hash=content_hash, origin=origin, values=values)
    for position, issue in enumerate(determination.issues):
        item = issue.item
        basis = json.dumps([c.model_dump(mode="json") for c in issue.reviewer_basis]) if issue.reviewer_basis else None
        facets = [("specialty", s) for s in specialties] + citation_facets(issue.reviewer_basis)
        letter.items.append(
            ParsedItem(
                values=(
                    position,
                    item.text,
                    item.kind,
                    item.generic,
                    item.drug_class,
                    procedure(item),
                    item.body_part,
                    issue.outcome,
                    year,
                    issue.rationale,
                    basis,
                    tags(issue.outcome, item.kind, item.drug_class, year),
                ),
                facets=facets,
                upheld=None if issue.outcome is None else issue.outcome == "Upheld",
            )
        )
    return letter


def from_document(document: bytes) -> Determination:
    """The stored Determination of a letter row."""
    return Determination.model_validate_json(zlib.decompress(document))
