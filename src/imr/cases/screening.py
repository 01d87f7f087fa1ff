"""Reviewer screening and assignment: qualification, independence (LC 139.5), expertise, workload.

Pure functions over plain profiles so the rule "a conflicted reviewer is never assigned" can be
tested by itself. Every excluded reviewer gets the reasons why; the chosen one is the least loaded
of those left (ties by registry id, so the choice is reproducible).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


from imr.cases import data
from imr.cases.intake import party_roles, person_affixes


def _reviewer_rules() -> dict[str, Any]:
    return data.load("reviewers")


def _specialty_map() -> dict[str, dict[str, list[str]]]:
    return data.load("specialties")


@dataclass(frozen=True)
class Affiliation:
    """A reviewer's declared tie to an organization or person (employment, financial, familial, professional)."""

    name: str
    relation: str = "professional"


@dataclass(frozen=True)
class ReviewerProfile:
    id: int
    name: str
    specialties: tuple[str, ...]
    board_certifications: tuple[str, ...] = ()
    license_states: tuple[str, ...] = ()
    license_restricted: bool = False
    disciplinary_history: bool = False
    years_in_practice: int = 0
    active_practice_hours: float = 0
    affiliations: tuple[Affiliation, ...] = ()
    active: bool = True
    open_cases: int = 0


@dataclass(frozen=True)
class PartyName:
    role: str
    name: str


@dataclass(frozen=True)
class ItemNeed:
    """What a disputed item asks of its reviewer's expertise."""

    text: str
    kind: str = "other"
    drug_class: str | None = None
    procedure: str | None = None


@dataclass
class AssignmentDecision:
    chosen: ReviewerProfile | None
    excluded: dict[int, list[str]] = field(default_factory=dict)
    considered: list[ReviewerProfile] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        names = {r.id: r.name for r in self.considered}
        return {
            "chosen": {"id": self.chosen.id, "name": self.chosen.name, "open_cases": self.chosen.open_cases}
            if self.chosen
            else None,
            "excluded": [{"id": rid, "name": names.get(rid), "reasons": reasons} for rid, reasons in self.excluded.items()],
        }


def _tokens(name: str, drop: list[str]) -> tuple[str, ...]:
    words = re.findall(r"[a-z0-9]+", name.lower().replace("&", " and "))
    dropped = {w for phrase in drop for w in phrase.split()}
    kept = tuple(w for w in words if w not in dropped)
    return kept or tuple(words)


def normal_name(name: str) -> tuple[str, ...]:
    """A name reduced for comparison: case, punctuation, honorifics, degrees and company suffixes removed."""
    rules = _reviewer_rules()
    return _tokens(name, rules["organization_suffixes"] + sorted(person_affixes()))


def names_match(a: str, b: str) -> bool:
    """Same entity: equal after normalisation, or one name's words all contained, in order, in the other
    ("Acme" / "Acme Foods"; "Dr. Jane Roe" / "Jane A. Roe"). Deliberately generous: a false alarm costs a
    reassignment, a missed conflict voids the determination (LC 4610.6(h))."""
    ta, tb = normal_name(a), normal_name(b)
    if not ta or not tb:
        return False
    if ta == tb:
        return True
    short, long = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    if len(short) < 2 and len(long) > 1:
        # A single word ("Acme") matches a longer name only when that name starts with it.
        return long[0] == short[0] and len(short[0]) > 3
    it = iter(long)
    return all(word in it for word in short)


def conflicts(reviewer: ReviewerProfile, parties: list[PartyName]) -> list[str]:
    """Why this reviewer is not independent of the parties (empty when independent)."""
    roles = party_roles()
    reasons: list[str] = []
    for party in parties:
        label = roles.get(party.role, {}).get("label", party.role)
        if names_match(reviewer.name, party.name):
            reasons.append(f"conflict of interest: the reviewer is {label} ({party.name})")
            continue
        for tie in reviewer.affiliations:
            if names_match(tie.name, party.name):
                reasons.append(f"conflict of interest: {tie.relation} affiliation with {label} ({party.name})")
                break
    return reasons


def qualification_problems(reviewer: ReviewerProfile) -> list[str]:
    """Why this reviewer may not review any case now (licensure, practice, certification)."""
    need = _reviewer_rules()["requirements"]
    problems: list[str] = []
    if not reviewer.active:
        problems.append("not active in the registry")
    if not reviewer.license_states:
        problems.append("no license on file")
    if reviewer.license_restricted:
        problems.append("license is restricted")
    if reviewer.disciplinary_history:
        problems.append("has a disciplinary history")
    if need["board_certified"] and not reviewer.board_certifications:
        problems.append("not board certified")
    if reviewer.years_in_practice < need["min_years_in_practice"]:
        problems.append(f"{reviewer.years_in_practice} years in practice (at least {need['min_years_in_practice']} required)")
    if reviewer.active_practice_hours < need["min_active_practice_hours"]:
        problems.append(
            f"{reviewer.active_practice_hours:g} hours a week in active practice (at least {need['min_active_practice_hours']} required)"
        )
    return problems


def specialties_for(item: ItemNeed) -> set[str]:
    """The specialties with expertise in this item: by procedure, else drug class, else kind."""
    table = _specialty_map()
    if item.procedure and item.procedure in table["by_procedure"]:
        return set(table["by_procedure"][item.procedure])
    if item.drug_class and item.drug_class in table["by_drug_class"]:
        return set(table["by_drug_class"][item.drug_class])
    return set(table["by_kind"].get(item.kind, table["by_kind"]["other"]))


def expertise_gaps(reviewer: ReviewerProfile, items: list[ItemNeed]) -> list[str]:
    theirs = {s.lower() for s in reviewer.specialties}
    return [
        f"no expertise in {item.text!r} (needs one of: {', '.join(sorted(specialties_for(item)))})"
        for item in items
        if not theirs & specialties_for(item)
    ]


def screen(reviewer: ReviewerProfile, items: list[ItemNeed], parties: list[PartyName]) -> list[str]:
    """Every reason this reviewer may not take this case (empty: may take it)."""
    return conflicts(reviewer, parties) + qualification_problems(reviewer) + expertise_gaps(reviewer, items)


def choose_reviewer(candidates: list[ReviewerProfile], items: list[ItemNeed], parties: list[PartyName]) -> AssignmentDecision:
    """The least loaded reviewer who passes every screen; the others with their reasons."""
    decision = AssignmentDecision(chosen=None, considered=list(candidates))
    fit: list[ReviewerProfile] = []
    for reviewer in candidates:
        reasons = screen(reviewer, items, parties)
        if reasons:
            decision.excluded[reviewer.id] = reasons
        else:
            fit.append(reviewer)
    if fit:
        decision.chosen = min(fit, key=lambda r: (r.open_cases, r.id))
    return decision
