"""Case file -> Determination: one cited recommendation per disputed item.

For each item: understand the request, pick the guideline rules in force on the UR decision date that
cover it, keep only the strongest evidence rank present (MTUS first), check each criterion against
the record's facts, and decide: a rule that does not recommend the treatment upholds the denial; a
conditional rule overturns it only when every criterion is met. Services that follow a surgery take
the surgery's outcome when the surgery is upheld.

Confidence (0..1) is calibrated, not a feeling: the share of published IMR decisions that agreed
with recommendations reached the same way (not recommended, contradicted, not documented, follows the
surgery, every criterion met by evidence, some met by silence), measured on the development half of
the published letters (data/confidence.yaml), lowered when no date chose the edition or rules disagree.
An abstain (no guideline covers the item) has confidence 0.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from imr.casefile import CaseFile, Request
from imr.guidelines import RuleBook, highest_rank, load_rulebook
from imr.guidelines.criteria import CONTRADICTED, MET, CaseContext, evaluate, out_of_scope
from imr.guidelines.language import fact_catalogue
from imr.guidelines.model import Rule
from imr.guidelines.rulebook import matches
from imr.guidelines.timeline import caveats as timeline_caveats
from imr.items import procedure_of
from imr.items.understand import BODY_PART_PATTERN, body_part_named
from imr.memo import data_yaml
from imr.model import (
    CaseDetails,
    CriterionCheck,
    Determination,
    DisputedItem,
    Evidence,
    GuidelineCitation,
    IssueDecision,
)
from imr.model.anatomy import Site, anatomy, as_side, is_part, site_relation
from imr.review import rationale as wording
from imr.review.formulary import formulary_remark
from imr.review.medication_use import current_use
from imr.review.quantities import derive, vocabulary
from imr.review.summary import draft_summary

SUMMARY_KIND = "clinical case summary"


@dataclass
class ItemReview:
    """The engine's working notes for one item, before they become an IssueDecision."""

    item: DisputedItem
    request: Request
    rules: list[Rule] = field(default_factory=list)
    checks: list[CriterionCheck] = field(default_factory=list)
    outcome: str | None = None
    abstain_reason: str | None = None
    conflict: bool = False
    follows: str | None = None  # the primary surgery's text when the outcome follows it
    no_guideline: str | None = None  # where no rule was found, what was looked for (the outcome is Upheld)
    ingredients: list[tuple[str, list[Rule]]] = field(default_factory=list)
    on: dt.date | None = None  # the date the guideline editions were chosen by
    date_assumed: bool = False  # no date in the case: the latest MTUS edition covering the item was used
    quantities: dict[str, float | None] = field(default_factory=dict)  # the numbers the criteria compared


def _understand(text: str) -> DisputedItem:
    from imr.items import understand_item

    return understand_item(text)


def _lookup(name: str | None) -> Any:
    if not name:
        return None
    from imr.drugs import lookup_drug

    return lookup_drug(name)


def _form(item: DisputedItem) -> str | None:
    if item.kind != "drug":
        return None
    entry = _lookup(item.generic) or _lookup(item.brand)
    form = getattr(entry, "form", None)
    words = vocabulary()
    if form and "topical" in str(form).lower():
        return "topical"
    if (item.drug_class or "").lower() in words["topical_classes"]:
        return "topical"
    text = item.text.lower()
    if any(w in text for w in words["topical_words"]):
        return "topical"
    return str(form).lower() if form else None


def _item_of(request: Request) -> tuple[DisputedItem, DisputedItem | None]:
    item = _understand(request.text)
    updates: dict[str, Any] = {}
    if request.original_request:
        updates["original_request"] = request.original_request
    if request.authorized:
        updates["authorized"] = request.authorized
    if updates:
        item = item.model_copy(update=updates)
    authorized = _understand(request.authorized) if request.authorized else None
    return item, authorized


def record_body_part(case: CaseFile) -> str | None:
    """The body part the latest record is about, when a request names none ("whole body bone scan").

    A reviewer reads an unlocated request against the injured body part the record treats; only a
    part named clearly more often than any other is taken, never a guess between two."""
    if not case.records:
        return None
    latest = max(case.records, key=lambda r: r.date or dt.date.min)
    counts = Counter(body_part_named(m[0]) for m in BODY_PART_PATTERN.finditer(latest.text.lower()))
    ranked = counts.most_common(2)
    if not ranked or (len(ranked) > 1 and ranked[1][1] * 2 > ranked[0][1]):
        return None
    return ranked[0][0]


def _facts(case: CaseFile) -> Any:
    from imr.clinical import extract_facts

    return extract_facts(case)


def sites_of(item: DisputedItem) -> tuple[Site, ...]:
    """Where the request is: each body part it names, with its side (none for a drug or a whole-person service).

    A nerve study tests the nerves along the whole limb: an EMG/NCS "of the elbow" reads the numbness of
    the ring finger, so an electrodiagnostic request reaches the limb the named part belongs to."""
    parts = [p.strip() for p in (item.body_part or "").split(",") if p.strip()]
    if item.kind == "electrodiagnostic":
        book = anatomy()
        limbs = [book.region(p) if is_part(p) and book.region(p) != "spine" else p for p in parts]
        # the roots a limb study looks for live in the spinal region that supplies the limb
        parts = list(dict.fromkeys([*limbs, *(s for limb in limbs if is_part(limb) for s in book.supplying(limb))]))
    return tuple(Site(part=p, side=item.laterality) for p in parts if is_part(p))


def _sided(sites: tuple[Site, ...], case: CaseFile) -> tuple[Site, ...]:
    """A request that names no side ("Shoulder sling") is for the side the records, oldest first, first
    give its part (the injured side): findings on the other side then do not count for it. A part first
    given both sides ("both knees") stays unsided."""
    if not sites or any(s.side for s in sites):
        return sites
    from imr.clinical.sites import side_near

    for record in sorted(case.records, key=lambda r: r.date or dt.date.min):
        low = record.text.lower()
        for group, start, end in BODY_PART_PATTERN.finditer(low):
            if all(site_relation(s, Site(part=body_part_named(group))) for s in sites):
                continue  # another body part
            side = side_near(low, start, end)
            if side == "bilateral":
                return sites
            if side:
                return tuple(Site(part=s.part, detail=s.detail, side=as_side(side)) for s in sites)
    return sites


def _context(
    item: DisputedItem, record: Any, request_text: str, current: list[Any], on: dt.date | None, case: CaseFile
) -> CaseContext:
    generics = {p.strip() for p in (item.generic or "").lower().split("/") if p.strip()}
    if item.generic:
        generics.add(item.generic.lower())
    classes = {item.drug_class.lower()} if item.drug_class else set()
    procedure = _procedure(item)
    return CaseContext(
        facts=list(record.facts) if record is not None else [],
        item=item.model_dump(),
        phase=getattr(record, "phase", None),
        request_text=request_text,
        requested_generics=frozenset(generics),
        requested_classes=frozenset(classes),
        current_medications=current,
        sites=_sided(sites_of(item), case),
        basis_date=on or getattr(record, "latest_date", None),
        injury_date=case.injury_date,
        foreign_records=frozenset(
            i for i, r in enumerate(case.records) if (r.kind or "").lower() in fact_catalogue().not_clinical_evidence
        ),
        treatments=frozenset({procedure}) if procedure else frozenset(),
        diagnostic=item.kind in ("imaging", "electrodiagnostic", "evaluation or consultation"),
    )


def _counts_for(ctx: CaseContext) -> Any:
    catalogue = fact_catalogue()

    def counts(fact: Any) -> bool:
        return catalogue.knows(fact.kind) and out_of_scope(fact, catalogue.scope(fact.kind), ctx) is None

    return counts


def _evidence(facts: list[Any], reasons: list[str] | None = None) -> list[Evidence]:
    seen: set[tuple[Any, ...]] = set()
    out: list[Evidence] = []
    for index, f in enumerate(facts):
        if not getattr(f, "text", ""):
            continue
        key = (f.record_index, f.start, f.end, f.kind)
        if key in seen:
            continue
        seen.add(key)
        stated = (getattr(f, "attributes", None) or {}).get("date")
        # a summary is undated: the date its sentence states is the best date of the finding
        when = f.record_date or (stated if isinstance(stated, dt.date) else None)
        out.append(
            Evidence(
                fact=f.kind,
                text=f.text,
                record_index=f.record_index,
                record_date=when,
                start=f.start,
                end=f.end,
                negated=bool(f.negated),
                reason=reasons[index] if reasons else None,
            )
        )
    return out


def _select_rules(book: RuleBook, item: DisputedItem, on: dt.date | None, ctx: CaseContext, form: str | None) -> list[Rule]:
    candidates = book.applicable(item, on, form=form)
    in_scope = [r for r in candidates if all(evaluate(t, ctx).status == MET for t in r.when)]
    set_aside = {other for r in in_scope for other in r.supersedes}
    return highest_rank(book, [r for r in in_scope if r.id not in set_aside], on)


def _check_rules(book: RuleBook, rules: list[Rule], ctx: CaseContext, on: dt.date | None, case: CaseFile) -> list[CriterionCheck]:
    checks = []
    for rule in rules:
        citation = book.citation(rule, on)
        # a request that names no part is, for a rule about one part, a request for that part
        scoped = replace(ctx, sites=_sided((Site(part=rule.site),), case)) if rule.site and not ctx.sites else ctx
        for criterion in rule.criteria:
            result = evaluate(criterion.test, scoped)
            checks.append(
                CriterionCheck(
                    rule=rule.id,
                    criterion=criterion.id,
                    label=criterion.label,
                    status=result.status,
                    evidence=_evidence(list(result.evidence)),
                    citation=citation,
                    met_by=result.by if result.status == MET else None,
                    basis=_silence_basis(criterion.test) if result.by == "silence" else None,
                    set_aside=_evidence([f for f, _ in result.set_aside], [r for _, r in result.set_aside]),
                )
            )
    return checks


def _silence_basis(test: Any) -> str | None:
    """The basis a rule gives for counting silence as met (the first one in the test)."""
    if getattr(test, "basis", None):
        return str(test.basis)
    for inner in [*getattr(test, "all", ()), *getattr(test, "any", ())]:
        if basis := _silence_basis(inner):
            return basis
    return None


def _decide(rules: list[Rule], checks: list[CriterionCheck]) -> tuple[str, bool]:
    verdicts = {r.recommendation for r in rules}
    conflict = "not recommended" in verdicts and len(verdicts) > 1
    if "not recommended" in verdicts:
        return "Upheld", conflict
    return ("Overturned" if all(c.status == MET for c in checks) else "Upheld"), conflict


def _assumed_date(book: RuleBook, item: DisputedItem, form: str | None) -> dt.date | None:
    """Without any date, judge by the most recent MTUS edition that covers the item (said in `missing`)."""
    procedure = _procedure(item)
    starts = [
        book.sources[e].effective_from
        for rule in book.rules
        if matches(rule, item, form=form, procedure=procedure)
        for e in rule.editions
        if book.sources[e].mtus and book.sources[e].effective_from
    ]
    dated = [d for d in starts if d is not None]
    return max(dated) if dated else None


def _review_ingredients(book: RuleBook, item: DisputedItem, on: dt.date | None, ctx: CaseContext, review: ItemReview) -> None:
    """A compound is judged ingredient by ingredient: one not-recommended ingredient sinks it."""
    for ingredient in [p.strip() for p in (item.generic or "").split("/") if p.strip()]:
        entry = _lookup(ingredient)
        single = item.model_copy(update={"generic": ingredient, "drug_class": getattr(entry, "drug_class", None)})
        rules = _select_rules(book, single, on, ctx, "topical")
        review.ingredients.append((ingredient, rules))


def review_item(book: RuleBook, case: CaseFile, request: Request, record: Any, on: dt.date | None) -> ItemReview:
    item, authorized = _item_of(request)
    # a retrospective request is judged under the guideline in force on its date of service
    on = item.date_of_service or on
    review = ItemReview(item=item, request=request, on=on)
    if item.kind not in ("drug", "other", "evaluation or consultation") and not item.body_part:
        located = record_body_part(case)
        if located:
            item = item.model_copy(update={"body_part": located})
    if item.kind == "drug" and not (item.generic or item.drug_class):
        review.abstain_reason = wording.unknown_drug(item)
        return review
    form = _form(item)
    current = (
        current_use(record.facts, [r.text for r in case.records], record.latest_date, getattr(record, "phase", None))
        if record is not None
        else []
    )
    if on is None:
        on = review.on = _assumed_date(book, item, form)
        review.date_assumed = on is not None
    ctx = _context(item, record, request.text, current, on, case)
    quantities = derive(
        item,
        record=record,
        current=current,
        authorized=authorized,
        injury_date=case.injury_date,
        on=on,
        age=case.worker.age,
        procedure=_procedure(item),
        counts=_counts_for(ctx),
    )
    ctx.quantities, ctx.quantity_evidence = quantities.values, quantities.evidence
    review.quantities = dict(quantities.values)
    rules = _select_rules(book, item, on, ctx, form)
    if form == "topical" and "/" in (item.generic or ""):
        _review_ingredients(book, item, on, ctx, review)
        for _, ingredient_rules in review.ingredients:
            rules += [r for r in ingredient_rules if r not in rules]
        rules = highest_rank(book, rules, on)
    if not rules:
        looked = wording.no_rule(item, form, None if review.date_assumed else on, _procedure(item))
        if _understood(item) and not book.covers_on_another_date(item, on, form=form):
            # the Medical Evidence Search Sequence ends in peer-reviewed evidence: a treatment that no
            # guideline here supports is not shown to be necessary, which is a decision, said as such
            review.outcome, review.no_guideline = "Upheld", looked
        else:
            review.abstain_reason = looked
        return review
    review.rules = rules
    review.checks = _check_rules(book, rules, ctx, on, case)
    review.outcome, review.conflict = _decide(rules, review.checks)
    return review


def _understood(item: DisputedItem) -> bool:
    """A request whose treatment is known (a drug, a named procedure or service); only one that is not
    is left to the reviewer without a recommendation."""
    if item.kind == "drug":
        return bool(item.generic or item.drug_class)
    if item.kind in vocabulary()["sited_kinds"] and not item.body_part:
        return False  # "MRI", "an injection": of what, the request does not say
    return _procedure(item) is not None


def _procedure(item: DisputedItem) -> str | None:
    if item.kind == "drug":
        return None
    return procedure_of(item)


def _follows_primary(review: ItemReview) -> bool:
    # a peri-operative service no rule covers still depends on its surgery
    return any(r.follows_primary for r in review.rules) or (review.item.kind == "peri-operative service" and not review.rules)


def _apply_primary(reviews: list[ItemReview]) -> None:
    """Assistant surgeon, pre-operative clearance, post-operative therapy... follow their surgery."""
    primaries = [r for r in reviews if r.item.kind == "surgery" and not any(x.follows_primary for x in r.rules)]
    for review in reviews:
        if not primaries or not _follows_primary(review):
            continue
        primary = primaries[0]
        if primary.outcome == "Upheld" or (primary.outcome == "Overturned" and _serves_the_surgery(review)):
            review.outcome = primary.outcome
            review.follows = primary.item.text
            review.abstain_reason = review.no_guideline = None


def _serves_the_surgery(review: ItemReview) -> bool:
    """A service every surgery needs (the pre-operative history and physical) that nothing in the record
    argues against; testing, an assistant and equipment are judged on their own criteria."""
    if not any(r.follows_necessary_surgery for r in review.rules):
        return False
    return all(c.status != CONTRADICTED for c in review.checks)


def decision_path(review: ItemReview) -> str | None:
    """How the recommendation was reached: the key of data/confidence.yaml."""
    if review.outcome is None:
        return None
    if review.follows:
        return "follows surgery" if review.outcome == "Upheld" else "follows necessary surgery"
    if review.no_guideline:
        return "no guideline found"
    if any(r.recommendation == "not recommended" for r in review.rules):
        return "not recommended"
    statuses = {c.status for c in review.checks}
    if review.outcome == "Upheld":
        return "contradicted" if CONTRADICTED in statuses else "not documented"
    return "met partly by silence" if any(c.met_by == "silence" for c in review.checks) else "met by evidence"


@lru_cache(maxsize=1)
def _calibration() -> dict[str, Any]:
    path = Path(__file__).parent / "data" / "confidence.yaml"
    return data_yaml(path)


def _confidence(review: ItemReview) -> float:
    """The share of published decisions reached the same way that agree (data/confidence.yaml)."""
    path = decision_path(review)
    if path is None:
        return 0.0
    table = _calibration()
    value = float(table["paths"][path]["confidence"])
    if review.date_assumed:
        value *= table["modifiers"]["date_assumed"]
    if review.conflict:
        value *= table["modifiers"]["conflict"]
    return round(value, 2)


def _missing(review: ItemReview, from_summary: bool) -> list[str]:
    missing: list[str] = []
    if review.follows:
        missing.append(wording.follows_caveat(review.follows, review.outcome))
    if review.no_guideline:
        missing.append(wording.no_guideline_missing(review.item))
    if review.outcome == "Upheld" and not review.follows:
        by_id = {(r.id, c.id): c for r in review.rules for c in r.criteria}
        for check in review.checks:
            if check.status != MET:
                text = by_id[(check.rule, check.criterion)].missing
                if text not in missing:
                    missing.append(text)
    if review.date_assumed and review.outcome is not None:
        missing.append(wording.date_caveat())
    if from_summary:
        missing.append(wording.summary_caveat())
    return missing


def _on_page(evidence: Evidence, case: CaseFile) -> Evidence:
    """The span's file, page and OCR confidence, for a record read from a packet."""
    index = evidence.record_index
    source = case.records[index].source if index is not None and 0 <= index < len(case.records) else None
    if source is None or evidence.start is None:
        return evidence
    page = source.page_at(evidence.start)
    confidence = source.confidence[source.pages.index(page)] if source.confidence else None
    return evidence.model_copy(update={"file": source.file, "page": page, "ocr_confidence": confidence})


def _to_issue(review: ItemReview, book: RuleBook, case: CaseFile, on: dt.date | None, from_summary: bool) -> IssueDecision:
    citations: list[GuidelineCitation] = []
    for rule in review.rules:
        citation = book.citation(rule, on)
        same = next((c for c in citations if c.source == citation.source), None)
        if same is None:
            citations.append(citation)
        else:
            same.sections = same.sections + [s for s in citation.sections if s not in same.sections]
            same.pages = sorted(set(same.pages) | set(citation.pages))
    if review.no_guideline:
        citations.append(wording.search_sequence_citation())
    if any(r.source for r in case.records):
        for check in review.checks:
            check.evidence = [_on_page(e, case) for e in check.evidence]
            check.set_aside = [_on_page(e, case) for e in check.set_aside]
    evidence: list[Evidence] = []
    seen: set[tuple[object, ...]] = set()  # a set, not `in` on the list: a long record has thousands
    for check in review.checks:
        for e in check.evidence:
            key = (e.fact, e.text, e.record_index, e.record_date, e.start, e.end, e.negated)
            if key not in seen:
                seen.add(key)
                evidence.append(e)
    rationale = wording.rationale(review, book, case, on, from_summary)
    formulary = formulary_remark(review.item, on, case, book, review.quantities) if review.outcome else None
    return IssueDecision(
        item=review.item,
        outcome=review.outcome,  # type: ignore[arg-type]
        rationale=f"{rationale}\n\n{formulary.text}" if rationale and formulary else rationale,
        claims_administrator_basis=wording.ur_basis(review.request),
        reviewer_basis=citations,
        evidence=evidence,
        missing=_missing(review, from_summary)
        + (formulary.missing if formulary else [])
        + (timeline_caveats(book, review.rules, on) if review.outcome else []),
        confidence=_confidence(review),
        criteria=review.checks,
        abstain_reason=review.abstain_reason,
    )


def is_from_summary(case: CaseFile) -> bool:
    return bool(case.records) and all((r.kind or "").lower() == SUMMARY_KIND for r in case.records)


def decision_date(case: CaseFile, record: Any) -> dt.date | None:
    """The date that picks the guideline edition: the UR decision, else the latest record, else the
    latest date a summary states (a letter's summary carries its dates inline)."""
    return case.decision_basis_date or getattr(record, "latest_date", None)


def review_items(case: CaseFile, book: RuleBook, record: Any = None) -> list[ItemReview]:
    """The engine's working notes per item (rules chosen, checks, outcome) before they become prose."""
    record = record if record is not None else _facts(case)
    on = decision_date(case, record)
    reviews = [review_item(book, case, request, record, on) for request in case.requests]
    _apply_primary(reviews)
    return reviews


def review_case(case: CaseFile, *, rulebook: RuleBook | None = None, record: Any = None) -> Determination:
    """Recommend an outcome for every disputed item of the case, with the guideline and the record's facts.

    `record` is the case's `ClinicalRecord` when the caller already extracted it; by default the engine
    extracts it. The clinical case summary is drafted from the same facts (or, for a case rebuilt from a
    published letter, is that letter's summary), so every caller's letter has one."""
    return review_case_with_notes(case, rulebook=rulebook, record=record)[0]


def review_case_with_notes(
    case: CaseFile, *, rulebook: RuleBook | None = None, record: Any = None
) -> tuple[Determination, list[ItemReview]]:
    """`review_case` and the engine's working notes per item (rules, checks, decision path)."""
    book = rulebook or load_rulebook()
    from_summary = is_from_summary(case)
    record = record if record is not None else _facts(case)
    reviews = review_items(case, book, record)
    on = reviews[0].on if reviews else case.decision_basis_date
    details = CaseDetails(
        case_number=case.case_number,
        date_of_injury=case.injury_date,
        ur_denial_date=case.ur_decision_date,
        application_received=case.received,
        priority="Expedited" if case.expedited else "Standard",
        age=case.worker.age,
        sex=case.worker.sex,
        summary="\n\n".join(r.text for r in case.records) if from_summary else draft_summary(case, record).text,
    )
    return Determination(case=details, issues=[_to_issue(r, book, case, r.on or on, from_summary) for r in reviews]), reviews
