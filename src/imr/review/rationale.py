"""Rationale wording: turns the engine's checks into the reviewer's prose (templates/rationale.j2, data/wording.yaml)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from imr.guidelines.language import QuantityTest
from imr.memo import data_yaml
from imr.model import DisputedItem, GuidelineCitation

if TYPE_CHECKING:
    from imr.casefile import CaseFile, Request
    from imr.guidelines import RuleBook
    from imr.review.engine import ItemReview

_HERE = Path(__file__).parent


@lru_cache(maxsize=1)
def phrases() -> dict[str, Any]:
    return data_yaml((_HERE / "data" / "wording.yaml"))


@lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_HERE / "templates")),
        autoescape=False,  # plain text, never HTML
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def render(template: str, **values: Any) -> str:
    return _environment().get_template(template).render(**values).strip()


def us_date(day: dt.date | None) -> str:
    return day.strftime("%m/%d/%Y") if day else ""


def pages_text(pages: list[int]) -> str:
    if not pages:
        return ""
    if len(pages) == 1:
        return f"page {pages[0]}"
    ordered = sorted(pages)
    if ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"pages {ordered[0]}-{ordered[-1]}"
    return "pages " + ", ".join(str(p) for p in ordered)


def cite(citation: GuidelineCitation) -> str:
    where = ", ".join(citation.sections)
    pages = pages_text(citation.pages)
    detail = f"{where} ({pages})" if where and pages else where or pages
    return f"The {citation.source}, {detail}," if detail else f"The {citation.source}"


def where_of(evidence: Any, case: CaseFile) -> str:
    words = phrases()["where"]
    index = evidence.record_index
    record = case.records[index] if index is not None and 0 <= index < len(case.records) else None
    kind = (record.kind if record is not None else None) or words["default_kind"]
    if index is None or kind.lower() == "clinical case summary":
        day = getattr(evidence, "record_date", None)
        return words["summary_dated"].format(date=us_date(day)) if day else words["summary"]
    day = evidence.record_date or (record.date if record is not None else None)
    return words["dated"].format(kind=kind, date=us_date(day)) if day else words["undated"].format(kind=kind)


def quote_of(evidence: Any, case: CaseFile) -> str:
    """The record's sentence around the evidence span (the span alone when the record is not at hand)."""
    from imr.review.medication_use import sentence_of

    index = evidence.record_index
    if index is None:  # a finding of the letter's summary: the case's summary record holds its text
        index = next((i for i, r in enumerate(case.records) if (r.kind or "").lower() == "clinical case summary"), None)
    if index is not None and 0 <= index < len(case.records):
        sentence = sentence_of(case.records[index].text, evidence.start, evidence.end)
        if sentence:
            return sentence
    return evidence.text


def _quote(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def findings(review: ItemReview, case: CaseFile) -> list[str]:
    words = phrases()["finding"]
    missing_of = {(r.id, c.id): c.missing for r in review.rules for c in r.criteria}
    tests_of = {(r.id, c.id): c.test for r in review.rules for c in r.criteria}
    lines: list[str] = []
    for check in review.checks:
        label = check.label[0].lower() + check.label[1:] if check.label else check.label
        if check.status == "contradicted":
            label += _number_note(tests_of.get((check.rule, check.criterion)), review.quantities)
        if check.status == "not documented":
            lines.append(words["not documented"].format(missing=missing_of.get((check.rule, check.criterion), label)))
            # name what was found but does not count, so the requester sees why it was not enough
            for aside in check.set_aside[:1]:
                lines.append(
                    words["set_aside"].format(where=where_of(aside, case), quote=_quote(aside.text), reason=aside.reason)
                )
        elif check.met_by == "silence":
            lines.append(words["met_by_silence"].format(label=label, basis=_clause(check.basis or "").rstrip(".")))
        elif check.evidence:
            first = check.evidence[0]
            lines.append(
                words[check.status].format(where=where_of(first, case), quote=_quote(quote_of(first, case)), label=label)
            )
        elif check.status == "contradicted":
            lines.append(words["contradicted_no_quote"].format(label=label))
    return lines


def _number_note(test: Any, quantities: dict[str, Any]) -> str:
    """The number the record gives for a quantity criterion it fails, e.g. ' (by the record, 160 mg ...)'."""
    names = phrases()["quantity_names"]
    parts = [test, *getattr(test, "any", ()), *getattr(test, "all", ())]
    for part in parts:
        if isinstance(part, QuantityTest) and part.quantity in names and quantities.get(part.quantity) is not None:
            return names[part.quantity].format(value=quantities[part.quantity])
    return ""


def _ingredient_lines(review: ItemReview) -> list[str]:
    words = phrases()
    lines = []
    for ingredient, rules in review.ingredients:
        if any(r.recommendation == "not recommended" for r in rules):
            lines.append(words["ingredient_not_recommended"].format(ingredient=ingredient))
    return lines


def _clause(statement: str) -> str:
    """A rule's statement as the clause after "states that" (lower-case start, unless an acronym)."""
    text = " ".join(statement.split())
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        text = text[0].lower() + text[1:]
    return text


def rationale(review: ItemReview, book: RuleBook, case: CaseFile, on: dt.date | None, from_summary: bool) -> str | None:
    if review.outcome is None:
        return None
    verbs = phrases()["verbs"]
    guidelines = []
    for rule in review.rules:
        guidelines.append(
            {"cite": cite(book.citation(rule, on)), "verb": verbs[rule.recommendation], "statement": _clause(rule.statement)}
        )
    # the Medical Evidence Search Sequence: the step the recommendation rests on, and why not a higher one
    steps = [(book.edition(r, on) or book.sources[r.source]).step for r in review.rules]
    non_mtus = min(steps) if steps and min(steps) > 1 else 0
    return render(
        "rationale.j2",
        no_guideline=review.no_guideline,
        item=review.item.text.rstrip("."),
        outcome=review.outcome,
        follows=review.follows,
        guidelines=guidelines,
        non_mtus=non_mtus,
        ingredients=_ingredient_lines(review),
        findings=[] if review.follows else findings(review, case),
        not_recommended=any(r.recommendation == "not recommended" for r in review.rules),
        from_summary=from_summary,
    )


def search_sequence_citation() -> GuidelineCitation:
    """What a decision rests on when no guideline addresses the request: the search sequence itself."""
    return GuidelineCitation.model_validate(phrases()["search_sequence_citation"])


def no_guideline_missing(item: DisputedItem) -> str:
    return phrases()["no_guideline_missing"].format(text=item.text.rstrip("."))


def summary_caveat() -> str:
    return phrases()["summary_caveat"]


def follows_caveat(primary: str, outcome: str | None) -> str:
    key = "follows_caveat" if outcome == "Upheld" else "follows_necessary_caveat"
    return phrases()[key].format(primary=primary)


def date_caveat() -> str:
    return phrases()["date_caveat"]


def unknown_drug(item: DisputedItem) -> str:
    return phrases()["unknown_drug"].format(text=item.text)


def no_rule(item: DisputedItem, form: str | None, on: dt.date | None, procedure: str | None = None) -> str:
    looked = ", ".join(
        f"{k} {v}"
        for k, v in (
            ("kind", item.kind),
            ("drug", item.generic),
            ("class", item.drug_class),
            ("form", form),
            ("procedure", procedure),
            ("body part", item.body_part),
        )
        if v
    )
    what = f'"{item.text}"'
    return phrases()["no_rule"].format(date=us_date(on) or "the review date", what=what, looked=looked)


def ur_basis(request: Request) -> list[GuidelineCitation]:
    """The claims administrator's basis as the case file states it (free text kept as the source)."""
    if not request.ur_basis:
        return []
    text = request.ur_basis.strip()
    return [GuidelineCitation(source=text, mtus="non-mtus" not in text.lower() and "mtus" in text.lower())]
