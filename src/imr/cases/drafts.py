"""Drafts compared: what a reviewer changed from the engine's draft, what a refreshed engine draft
changed from the one before (records filed since), and the reviewer's decisions carried into it."""

from __future__ import annotations

from dataclasses import dataclass, field

from imr.model import Determination, Evidence, IssueDecision


def item_changes(mine: IssueDecision, engine: IssueDecision) -> list[str]:
    """What the reviewer changed on one item from the engine's draft: outcome, rationale, citations."""
    changed = []
    if mine.outcome != engine.outcome:
        changed.append(f"outcome (engine: {engine.outcome or 'no recommendation'})")
    if (mine.rationale or "").strip() != (engine.rationale or "").strip():
        changed.append("rationale")
    if [c.model_dump() for c in mine.reviewer_basis] != [c.model_dump() for c in engine.reviewer_basis]:
        changed.append("citations")
    return changed


def evidence_key(evidence: Evidence) -> tuple[object, ...]:
    """A finding's identity across drafts: records are only ever appended, so an index and offsets
    name the same text in both."""
    return (evidence.fact, evidence.record_index, evidence.start, evidence.end, evidence.negated)


def _evidence(issue: IssueDecision) -> list[Evidence]:
    found = list(issue.evidence or [])
    for check in issue.criteria or []:
        found.extend(check.evidence)
    return found


@dataclass
class ItemRefresh:
    """One item's changes between two engine drafts."""

    outcome: tuple[str | None, str | None] | None = None  # (before, after) when it changed
    criteria: list[tuple[str, str, str]] = field(default_factory=list)  # (label, before, after)
    new_evidence: list[Evidence] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.outcome or self.criteria or self.new_evidence)


def refresh_changes(before: Determination, after: Determination) -> list[ItemRefresh]:
    """Per item, what the engine's new draft says that its earlier draft did not."""
    changes = []
    for old, new in zip(before.issues, after.issues):
        refresh = ItemRefresh()
        if old.outcome != new.outcome:
            refresh.outcome = (old.outcome, new.outcome)
        earlier = {(c.rule, c.criterion): c.status for c in old.criteria or []}
        for check in new.criteria or []:
            status = earlier.get((check.rule, check.criterion))
            if status is not None and status != check.status:
                refresh.criteria.append((check.label, status, check.status))
        seen = {evidence_key(e) for e in _evidence(old)}
        for evidence in _evidence(new):
            key = evidence_key(evidence)
            if key not in seen:
                seen.add(key)
                refresh.new_evidence.append(evidence)
        changes.append(refresh)
    return changes


def _decided(issue: IssueDecision) -> bool:
    return bool(issue.outcome or (issue.rationale or "").strip() or issue.reviewer_basis)


def carry_decisions(draft: Determination, engine_before: Determination | None, engine_after: Determination) -> Determination:
    """The engine's new draft with the reviewer's own decisions kept: an item's outcome, rationale and
    citations where the reviewer had changed them from the earlier engine draft (or decided them on a
    draft the engine could not make), and the case summary likewise. What the engine found (checklist, evidence) is the new."""
    issues = []
    for n, new in enumerate(engine_after.issues):
        mine = draft.issues[n] if n < len(draft.issues) else None
        before = engine_before.issues[n] if engine_before is not None and n < len(engine_before.issues) else None
        if mine is not None and (item_changes(mine, before) if before is not None else _decided(mine)):
            new = new.model_copy(
                update={"outcome": mine.outcome, "rationale": mine.rationale, "reviewer_basis": mine.reviewer_basis}
            )
        issues.append(new)
    details = engine_after.case
    summary_before = engine_before.case.summary if engine_before is not None else None
    if draft.case.summary != summary_before:
        details = details.model_copy(update={"summary": draft.case.summary})
    return engine_after.model_copy(update={"issues": issues, "case": details})
