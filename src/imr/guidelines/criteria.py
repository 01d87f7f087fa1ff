"""The criteria evaluator: one guideline test against a case's facts -> met / not documented / contradicted.

The test vocabulary is the one of `docs/design.md` ("Guideline rules as data"). A test never guesses:
what the record does not mention is "not documented"; what it states against the criterion (a negated
finding, a number past the limit) is "contradicted". Facts are read through a small protocol so the
evaluator does not depend on how `imr.clinical` builds them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

Status = Literal["met", "not documented", "contradicted"]
MET: Status = "met"
NOT_DOCUMENTED: Status = "not documented"
CONTRADICTED: Status = "contradicted"

QUANTITIES = frozenset(
    {
        "use_duration_days",
        "days_supply",
        "requested_sessions",
        "authorized_sessions",
        "prior_sessions",
        "total_sessions",
        "weeks_since_injury",
        "weeks_since_surgery",
        "age",
        "pain_reduction_percent",
        "requested_duration_weeks",
        "requested_quantity",
        "morphine_equivalent_mg_per_day",
    }
)
PHASES = frozenset({"acute", "subacute", "chronic"})
TEST_KEYS = frozenset(
    {"fact", "any_fact", "no_fact", "not_denied", "documented", "quantity", "item", "phase", "all", "any", "not", "on_drug", "request_mentions"}
)


class FactLike(Protocol):
    kind: str
    value: Any
    text: str
    negated: bool
    hypothetical: bool
    attributes: Mapping[str, Any]
    record_index: int | None
    record_date: dt.date | None


@dataclass
class CaseContext:
    """What the tests read: the case's facts, derived numbers and the item under review."""

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


@dataclass
class TestResult:
    status: Status
    evidence: list[FactLike] = field(default_factory=list)


def _kind_matches(fact_kind: str, wanted: str) -> bool:
    # "indication" matches every "indication.<name>"; a dotted kind matches only itself
    return fact_kind == wanted or fact_kind.startswith(wanted + ".")


def _mentions(fact: FactLike, words: Sequence[str]) -> bool:
    # the value, the text and the descriptive attributes are searched, so a rule can ask for "a diagnosis
    # of meniscal tear" or "an MRI of the knee" without a fact vocabulary per body part
    attributes = fact.attributes or {}
    parts = (fact.value, fact.text, *(attributes.get(k) for k in ("body_part", "finding", "procedure", "therapy")))
    haystack = " ".join(str(p) for p in parts if p is not None).lower()
    return any(str(word).lower() in haystack for word in words)


def _matching(
    ctx: CaseContext, kind: str, value: Any = None, drug_class: str | None = None, test: Mapping[str, Any] | None = None
) -> list[FactLike]:
    found = []
    mentions = (test or {}).get("mentions")
    status = (test or {}).get("status")
    for fact in ctx.facts:
        # a planned surgery is hypothetical, yet a test that names a status ("planned") asks for exactly it
        if (getattr(fact, "hypothetical", False) and status is None) or not _kind_matches(fact.kind, kind):
            continue
        if value is not None and str(fact.value).lower() != str(value).lower():
            continue
        if drug_class is not None and str(fact.attributes.get("drug_class") or "").lower() != drug_class.lower():
            continue
        if mentions and not _mentions(fact, mentions):
            continue
        if status is not None and str(fact.attributes.get("status") or "").lower() != str(status).lower():
            continue
        found.append(fact)
    return found


def _fact(
    ctx: CaseContext, kind: str, value: Any = None, drug_class: str | None = None, test: Mapping[str, Any] | None = None
) -> TestResult:
    facts = _matching(ctx, kind, value, drug_class, test)
    present = [f for f in facts if not f.negated]
    if present:
        return TestResult(MET, present)
    if facts:
        return TestResult(CONTRADICTED, facts)
    return TestResult(NOT_DOCUMENTED)


def _is_requested_drug(fact: FactLike, ctx: CaseContext, by_class: bool) -> bool:
    generic = str(fact.value or "").lower()
    parts = set(generic.split("/")) | {generic}
    if parts & ctx.requested_generics:
        return True
    if by_class:
        drug_class = str(fact.attributes.get("drug_class") or "").lower()
        return bool(drug_class) and drug_class in ctx.requested_classes
    return False


def evaluate(test: Mapping[str, Any], ctx: CaseContext) -> TestResult:
    """Evaluate one test (already validated by the loader)."""
    if "all" in test:
        results = [evaluate(t, ctx) for t in test["all"]]
        evidence = [e for r in results for e in r.evidence]
        if any(r.status == CONTRADICTED for r in results):
            return TestResult(CONTRADICTED, [e for r in results if r.status == CONTRADICTED for e in r.evidence])
        if any(r.status == NOT_DOCUMENTED for r in results):
            return TestResult(NOT_DOCUMENTED, evidence)
        return TestResult(MET, evidence)
    if "any" in test:
        results = [evaluate(t, ctx) for t in test["any"]]
        met = [r for r in results if r.status == MET]
        if met:
            return TestResult(MET, [e for r in met for e in r.evidence])
        if results and all(r.status == CONTRADICTED for r in results):
            return TestResult(CONTRADICTED, [e for r in results for e in r.evidence])
        return TestResult(NOT_DOCUMENTED, [e for r in results for e in r.evidence])
    if "not" in test:
        inner = evaluate(test["not"], ctx)
        flipped = {MET: CONTRADICTED, CONTRADICTED: MET, NOT_DOCUMENTED: NOT_DOCUMENTED}[inner.status]
        return TestResult(flipped, inner.evidence)
    if "fact" in test:
        return _fact(ctx, test["fact"], test.get("value"), test.get("drug_class"), test)
    if "any_fact" in test:
        return evaluate({"any": [{"fact": k} for k in test["any_fact"]]}, ctx)
    if "no_fact" in test:
        facts = _matching(ctx, test["no_fact"], test.get("value"), test.get("drug_class"), test)
        present = [f for f in facts if not f.negated]
        if present:
            return TestResult(CONTRADICTED, present)
        return TestResult(MET, facts)
    if "not_denied" in test:
        # met unless the record states the opposite ("has not reached maximal medical improvement")
        denied = [f for f in _matching(ctx, test["not_denied"], test.get("value"), test=test) if f.negated]
        return TestResult(CONTRADICTED, denied) if denied else TestResult(MET)
    if "documented" in test:
        # the record addresses the subject either way ("no side effects" documents side effects)
        facts = _matching(ctx, test["documented"], test.get("value"), test=test)
        return TestResult(MET, facts) if facts else TestResult(NOT_DOCUMENTED)
    if "quantity" in test:
        value = ctx.quantities.get(test["quantity"])
        evidence = list(ctx.quantity_evidence.get(test["quantity"], ()))
        if value is None:
            # `if_unknown: met` for a limit the record rarely states and that only matters when exceeded
            return TestResult(MET if test.get("if_unknown") == "met" else NOT_DOCUMENTED, evidence)
        ok = True
        if "at_most" in test:
            ok = ok and value <= test["at_most"]
        if "at_least" in test:
            ok = ok and value >= test["at_least"]
        return TestResult(MET if ok else CONTRADICTED, evidence)
    if "item" in test:
        value = ctx.item.get(test["item"])
        if value is None:
            return TestResult(NOT_DOCUMENTED)
        allowed = {str(v).lower() for v in test["in"]}
        return TestResult(MET if str(value).lower() in allowed else CONTRADICTED)
    if "phase" in test:
        if ctx.phase is None:
            return TestResult(NOT_DOCUMENTED)
        return TestResult(MET if ctx.phase in test["phase"] else CONTRADICTED)
    if "on_drug" in test:
        by_class = test["on_drug"] == "class"
        pool = ctx.current_medications if ctx.current_medications is not None else _matching(ctx, "medication")
        taking = [f for f in pool if not f.negated and _is_requested_drug(f, ctx, by_class)]
        return TestResult(MET, taking) if taking else TestResult(CONTRADICTED)
    if "request_mentions" in test:
        text = ctx.request_text.lower()
        return TestResult(MET if any(w.lower() in text for w in test["request_mentions"]) else CONTRADICTED)
    raise ValueError(f"unknown test {dict(test)!r}")


def check_test(test: Any) -> str | None:
    """Why a test is malformed, or None. The loader names the file and rule around this message."""
    if not isinstance(test, Mapping):
        return f"a test must be a mapping, got {test!r}"
    keys = set(test) & TEST_KEYS
    if len(keys) != 1:
        return f"a test needs exactly one of {', '.join(sorted(TEST_KEYS))}; got {sorted(test)}"
    (key,) = keys
    arg = test[key]
    if key in ("all", "any"):
        if not isinstance(arg, list) or not arg:
            return f"'{key}' needs a non-empty list of tests"
        return next((m for m in (check_test(t) for t in arg) if m), None)
    if key == "not":
        return check_test(arg)
    if key in ("fact", "no_fact", "not_denied", "documented") and not isinstance(arg, str):
        return f"'{key}' needs a fact kind"
    if "mentions" in test and not (
        key in ("fact", "no_fact", "not_denied", "documented") and isinstance(test["mentions"], list) and test["mentions"]
    ):
        return "'mentions' needs a list of words and goes with fact, no_fact, not_denied or documented"
    if key == "any_fact" and not (isinstance(arg, list) and all(isinstance(k, str) for k in arg)):
        return "'any_fact' needs a list of fact kinds"
    if key == "quantity":
        if arg not in QUANTITIES:
            return f"unknown quantity {arg!r} (known: {', '.join(sorted(QUANTITIES))})"
        if "at_most" not in test and "at_least" not in test:
            return f"quantity {arg!r} needs at_most or at_least"
        if test.get("if_unknown", "met") != "met":
            return "'if_unknown' can only be 'met' (a limit that matters only when the record shows it exceeded)"
    if key == "item" and not isinstance(test.get("in"), list):
        return f"item test on {arg!r} needs 'in: [...]'"
    if key == "phase" and not (isinstance(arg, list) and set(arg) <= PHASES):
        return f"'phase' needs a list of {', '.join(sorted(PHASES))}"
    if key == "on_drug" and arg not in ("requested", "class"):
        return "'on_drug' is 'requested' or 'class'"
    if key == "request_mentions" and not (isinstance(arg, list) and arg):
        return "'request_mentions' needs a list of words"
    return None
