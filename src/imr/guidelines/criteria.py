"""The criteria evaluator: one typed guideline test against a case's facts -> met / not documented / contradicted.

Before a test reads a fact it anchors it to the disputed item: a fact counts only when it is about the
requested body part and side (`imr.model.anatomy.site_relation`), inside the test's time window,
current unless history counts, and about the requested treatment when it names one. Every fact set
aside keeps its reason ("other body part (thumb)", "2014-03-02: outside the 365-day window", "about
acupuncture"), so the reviewer sees both what counted and what did not.

A test never guesses: what the record does not mention is "not documented"; what it states against
the criterion (a negated finding, a number past the limit) is "contradicted". Silence is "met" only
where the rule says the guideline puts it so (`silence: met` / `if_unknown: met`, each with a basis),
and the result says so (`by = "silence"`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from functools import cache

from imr.guidelines.language import (
    Absent,
    AllOf,
    AnyFinding,
    AnyOf,
    Documented,
    FirstCourse,
    FactScope,
    Finding,
    ItemField,
    Not,
    OnDrug,
    PhaseTest,
    QuantityTest,
    RequestMentions,
    Test,
    _FactFilters,
    fact_catalogue,
)
from imr.model.anatomy import Site, site_relation

Status = Literal["met", "not documented", "contradicted"]
MET: Status = "met"
NOT_DOCUMENTED: Status = "not documented"
CONTRADICTED: Status = "contradicted"
MetBy = Literal["evidence", "stated absence", "silence"]


class FactLike(Protocol):
    kind: str
    value: Any
    text: str
    negated: bool
    hypothetical: bool
    historical: bool
    possible: bool
    family: bool
    site: Site | None
    about: str | None
    attributes: Mapping[str, Any]
    record_index: int | None
    record_date: dt.date | None

    @property
    def date(self) -> dt.date | None: ...


@dataclass
class CaseContext:
    """What the tests read: the case's facts, derived numbers, the item under review and its anchors."""

    facts: Sequence[FactLike]
    quantities: Mapping[str, float | None] = field(default_factory=dict)
    quantity_evidence: Mapping[str, Sequence[FactLike]] = field(default_factory=dict)
    item: Mapping[str, Any] = field(default_factory=dict)
    phase: str | None = None
    request_text: str = ""
    requested_generics: frozenset[str] = frozenset()
    requested_classes: frozenset[str] = frozenset()
    # medication facts showing use before this request (the engine drops new starts and requests);
    # None: every medication fact counts
    current_medications: Sequence[FactLike] | None = None
    # the anchors: where the request is, the date the guideline edition is chosen by, what it treats
    sites: tuple[Site, ...] = ()
    basis_date: dt.date | None = None
    injury_date: dt.date | None = None
    treatments: frozenset[str] = frozenset()
    # records that report others' reading of the case (the UR determination, the IMR application)
    foreign_records: frozenset[int] = frozenset()
    # a diagnostic request (imaging, a nerve study, a consultation) is made to confirm what is suspected
    diagnostic: bool = False


@dataclass
class TestResult:
    status: Status
    evidence: list[FactLike] = field(default_factory=list)
    set_aside: list[tuple[FactLike, str]] = field(default_factory=list)
    by: MetBy | None = None


def _kind_matches(fact_kind: str, wanted: str) -> bool:
    # "indication" matches every "indication.<name>"; a dotted kind matches only itself
    return fact_kind == wanted or fact_kind.startswith(wanted + ".")


def _mentions(fact: FactLike, words: Sequence[str]) -> bool:
    # the value, the text, the site and the descriptive attributes are searched, so a rule can ask for
    # "a diagnosis of meniscal tear" or "an MRI of the knee" without a fact vocabulary per body part
    attributes = fact.attributes or {}
    site = getattr(fact, "site", None)
    parts = (
        fact.value,
        fact.text,
        getattr(fact, "about", None),
        site.part if site else None,
        site.detail if site else None,
        *(attributes.get(k) for k in ("body_part", "finding", "procedure", "therapy")),
    )
    haystack = " ".join(str(p) for p in parts if p is not None).lower()
    return any(str(word).lower() in haystack for word in words)


def _about_treatment(about: str, ctx: CaseContext) -> bool:
    catalogue = fact_catalogue()
    name = about.lower()
    if name in ("medication", "medications", "medicine"):
        return bool(ctx.requested_generics or ctx.requested_classes)
    wanted = {course for t in ctx.treatments for course in catalogue.courses_of(t)}
    parts = {p for p in name.split("/") if p}
    return bool(catalogue.courses_of(name) & wanted) or bool(parts & ctx.requested_generics) or name in ctx.requested_classes


def out_of_scope(fact: FactLike, scope: FactScope, ctx: CaseContext) -> str | None:
    """Why a fact does not count for this item under this scope; None when it does."""
    if getattr(fact, "family", False):
        return "about another person"
    if fact.record_index in ctx.foreign_records or (fact.attributes or {}).get("utilization_review"):
        return "reported by utilization review, not by the treating record"
    if scope.site == "item" and ctx.sites:
        site = getattr(fact, "site", None)
        reasons = [site_relation(wanted, site, referral=scope.referral) for wanted in ctx.sites]
        if all(reasons):
            return reasons[0]
        side = (fact.attributes or {}).get("side") if site is None else None
        if side in ("left", "right") and all(w.side in ("left", "right") and w.side != side for w in ctx.sites):
            return f"other side ({side})"
    # a history of cancer stays a red flag however long ago: its time is not held against it
    lasting = str(fact.value) in scope.history_counts_for
    if scope.history == "excluded" and getattr(fact, "historical", False) and not lasting:
        return "past history, not a current finding"
    when = None if lasting else fact.date
    if scope.before_injury == "excluded" and when is not None and ctx.injury_date is not None and when < ctx.injury_date:
        return f"{when.isoformat()}: before this injury ({ctx.injury_date.isoformat()})"
    if scope.within_days is not None and when is not None and ctx.basis_date is not None:
        if (ctx.basis_date - when).days > scope.within_days:
            return f"{when.isoformat()}: more than {scope.within_days} days before {ctx.basis_date.isoformat()}"
    about = getattr(fact, "about", None)
    if scope.about == "item" and about and (ctx.treatments or ctx.requested_generics) and not _about_treatment(about, ctx):
        return f"about {about}, not the requested treatment"
    return None


def _candidates(ctx: CaseContext, kind: str, test: _FactFilters) -> list[FactLike]:
    found = []
    for fact in ctx.facts:
        if not _kind_matches(fact.kind, kind):
            continue
        # a planned surgery is hypothetical, yet a test that names a status ("planned") asks for exactly it
        if getattr(fact, "hypothetical", False) and test.status is None:
            continue
        if test.value is not None and str(fact.value).lower() != str(test.value).lower():
            continue
        if test.drug_class is not None and str(fact.attributes.get("drug_class") or "").lower() != test.drug_class.lower():
            continue
        if test.mentions and not _mentions(fact, test.mentions):
            continue
        if test.status is not None and str(fact.attributes.get("status") or "").lower() != test.status.lower():
            continue
        if test.objective is not None and bool((fact.attributes or {}).get("objective")) != test.objective:
            continue
        if test.since_decision and (fact.date is None or ctx.basis_date is None or fact.date < ctx.basis_date):
            continue
        found.append(fact)
    return found


def anchored(ctx: CaseContext, kind: str, test: _FactFilters) -> tuple[list[FactLike], list[tuple[FactLike, str]]]:
    """The facts of a kind that count for this item, and those set aside with their reasons."""
    scope = test.scope_of(kind)
    kept: list[FactLike] = []
    set_aside: list[tuple[FactLike, str]] = []
    for fact in _candidates(ctx, kind, test):
        reason = out_of_scope(fact, scope, ctx)
        if (
            reason is None
            and getattr(fact, "possible", False)
            and not fact.negated
            and scope.possible != "counts"
            and not ctx.diagnostic
        ):
            reason = "stated as possible, not confirmed"
        if reason is None:
            kept.append(fact)
        else:
            set_aside.append((fact, reason))
    return kept, set_aside


def _finding(ctx: CaseContext, kind: str, test: _FactFilters) -> TestResult:
    kept, aside = anchored(ctx, kind, test)
    # a study whose finding is the absence of a lesion ("MRI showed no tear") is evidence against a
    # finding test; an absent test ("no earlier MRI") still sees it as a study done
    present = [f for f in kept if not f.negated and not (f.attributes or {}).get("normal")]
    resolved = _resolved_later(present, kept)
    if resolved:
        aside = aside + resolved
        present = [f for f in present if all(f is not r for r, _ in resolved)]
    unmatched = _side_not_shown(ctx, kind, test, present)
    if unmatched:
        reason = f"{unmatched} side only; the request is for both sides"
        return TestResult(NOT_DOCUMENTED, [], aside + [(f, reason) for f in present])
    if present:
        return TestResult(MET, present, aside, "evidence")
    if kept:
        return TestResult(CONTRADICTED, kept, aside)
    return TestResult(NOT_DOCUMENTED, [], aside)


def _resolved_later(present: Sequence[FactLike], kept: Sequence[FactLike]) -> list[tuple[FactLike, str]]:
    """Findings that a later, dated examination states are gone ("no evidence of infection" on the latest
    visit after a diagnosis of infection): the latest statement is the current one."""
    denials = [(f.date, str(f.value).lower()) for f in kept if f.negated and f.date is not None]
    out: list[tuple[FactLike, str]] = []
    for fact in present:
        since = fact.date
        later = [when for when, value in denials if value == str(fact.value).lower() and (since is None or since < when)]
        if later:
            out.append((fact, f"no longer present: the record of {max(later).isoformat()} states its absence"))
    return out


def _side_not_shown(ctx: CaseContext, kind: str, test: _FactFilters, present: Sequence[FactLike]) -> str | None:
    """For a diagnostic request of both sides, the one side all the symptoms and findings are on; None
    when both sides are covered, a finding states no side, or the request is not of both sides.

    Each side of such a study needs its own indication. An examination finding on one side with
    complaints on the other is enough (the study is what localizes them), so the sides are read from
    the findings of the kind whether examined or complained of."""
    if not present or not ctx.diagnostic or not test.scope_of(kind).referral:
        return None
    if not any(site.side == "bilateral" for site in ctx.sites):
        return None
    pool = present
    if test.objective is not None:
        pool = [f for f in anchored(ctx, kind, test.model_copy(update={"objective": None}))[0] if not f.negated]
    sides = {site.side if (site := getattr(f, "site", None)) else None for f in pool}
    if None in sides or "bilateral" in sides or {"left", "right"} <= sides:
        return None
    return next(iter(sides))


def _absent(ctx: CaseContext, test: Absent) -> TestResult:
    kept, aside = anchored(ctx, test.absent, test)
    present = [f for f in kept if not f.negated]
    if present:
        return TestResult(CONTRADICTED, present, aside)
    if kept:
        return TestResult(MET, kept, aside, "stated absence")
    if test.silence == "met":
        return TestResult(MET, [], aside, "silence")
    return TestResult(NOT_DOCUMENTED, [], aside)


def _is_requested_drug(fact: FactLike, ctx: CaseContext, by_class: bool) -> bool:
    generic = str(fact.value or "").lower()
    parts = set(generic.split("/")) | {generic}
    if parts & ctx.requested_generics:
        return True
    if by_class:
        drug_class = str(fact.attributes.get("drug_class") or "").lower()
        return bool(drug_class) and drug_class in ctx.requested_classes
    return False


def _combine_all(results: list[TestResult]) -> TestResult:
    aside = [a for r in results for a in r.set_aside]
    if any(r.status == CONTRADICTED for r in results):
        return TestResult(CONTRADICTED, [e for r in results if r.status == CONTRADICTED for e in r.evidence], aside)
    evidence = [e for r in results for e in r.evidence]
    if any(r.status == NOT_DOCUMENTED for r in results):
        return TestResult(NOT_DOCUMENTED, evidence, aside)
    return TestResult(MET, evidence, aside, _weakest(r.by for r in results))


def _weakest(ways: Any) -> MetBy:
    ways = set(ways)
    for way in ("silence", "stated absence"):
        if way in ways:
            return way  # type: ignore[return-value]
    return "evidence"


def _combine_any(results: list[TestResult]) -> TestResult:
    aside = [a for r in results for a in r.set_aside]
    met = [r for r in results if r.status == MET]
    if met:
        # evidence beats silence: report the strongest way the criterion is met
        best = min(met, key=lambda r: ("evidence", "stated absence", "silence").index(r.by or "evidence"))
        return TestResult(MET, [e for r in met for e in r.evidence], aside, best.by)
    if results and all(r.status == CONTRADICTED for r in results):
        return TestResult(CONTRADICTED, [e for r in results for e in r.evidence], aside)
    return TestResult(NOT_DOCUMENTED, [e for r in results for e in r.evidence], aside)


@cache
def _first_course_tests(test: FirstCourse) -> AllOf:
    return test.as_tests()


def evaluate(test: Test, ctx: CaseContext) -> TestResult:
    """Evaluate one typed test (already validated by the loader)."""
    if isinstance(test, AllOf):
        return _combine_all([evaluate(t, ctx) for t in test.all])
    if isinstance(test, AnyOf):
        return _combine_any([evaluate(t, ctx) for t in test.any])
    if isinstance(test, FirstCourse):
        return evaluate(_first_course_tests(test), ctx)
    if isinstance(test, Not):
        inner = evaluate(test.not_, ctx)
        flipped = {MET: CONTRADICTED, CONTRADICTED: MET, NOT_DOCUMENTED: NOT_DOCUMENTED}[inner.status]
        return TestResult(flipped, inner.evidence, inner.set_aside, "evidence" if flipped == MET else None)
    if isinstance(test, Finding):
        return _finding(ctx, test.finding, test)
    if isinstance(test, AnyFinding):
        return _combine_any([_finding(ctx, kind, Finding(finding=kind)) for kind in test.any_finding])
    if isinstance(test, Absent):
        return _absent(ctx, test)
    if isinstance(test, Documented):
        kept, aside = anchored(ctx, test.documented, test)
        return TestResult(MET, kept, aside, "evidence") if kept else TestResult(NOT_DOCUMENTED, [], aside)
    if isinstance(test, QuantityTest):
        return _quantity(test, ctx)
    if isinstance(test, ItemField):
        value = ctx.item.get(test.item)
        if value is None:
            return TestResult(NOT_DOCUMENTED)
        allowed = {str(v).lower() for v in test.in_}
        return TestResult(MET, by="evidence") if str(value).lower() in allowed else TestResult(CONTRADICTED)
    if isinstance(test, PhaseTest):
        if ctx.phase is None:
            return TestResult(NOT_DOCUMENTED)
        return TestResult(MET, by="evidence") if ctx.phase in test.phase else TestResult(CONTRADICTED)
    if isinstance(test, OnDrug):
        by_class = test.on_drug == "class"
        pool = (
            ctx.current_medications if ctx.current_medications is not None else [f for f in ctx.facts if f.kind == "medication"]
        )
        taking = [f for f in pool if not f.negated and _is_requested_drug(f, ctx, by_class)]
        return TestResult(MET, taking, by="evidence") if taking else TestResult(CONTRADICTED)
    if isinstance(test, RequestMentions):
        text = ctx.request_text.lower()
        if any(w.lower() in text for w in test.request_mentions):
            return TestResult(MET, by="evidence")
        return TestResult(CONTRADICTED)
    raise TypeError(f"unknown test {test!r}")


def _quantity(test: QuantityTest, ctx: CaseContext) -> TestResult:
    value = ctx.quantities.get(test.quantity)
    evidence = list(ctx.quantity_evidence.get(test.quantity, ()))
    if value is None:
        if test.if_unknown == "met":
            return TestResult(MET, evidence, by="silence")
        return TestResult(NOT_DOCUMENTED, evidence)
    ok = (test.at_most is None or value <= test.at_most) and (test.at_least is None or value >= test.at_least)
    return TestResult(MET, evidence, by="evidence") if ok else TestResult(CONTRADICTED, evidence)
