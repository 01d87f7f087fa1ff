"""Reviewer screening: independence (LC 139.5), qualification, expertise and workload.

The property tests generate registries in which some reviewers are tied to a party under another
spelling of its name, and check that such a reviewer is never the one assigned.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from imr.cases.screening import Affiliation, ItemNeed, PartyName, ReviewerProfile, choose_reviewer, conflicts, names_match

PARTIES = [
    PartyName("injured_worker", "Maria L. Garcia"),
    PartyName("employer", "Valley Packing Co."),
    PartyName("claims_administrator", "Golden State Claims Services"),
    PartyName("ur_organization", "Coastal Utilization Review LLC"),
    PartyName("requesting_provider", "Dr. Samuel Okafor"),
    PartyName("facility", "Fresno Surgery Center"),
    PartyName("manufacturer", "Purdue Pharma L.P."),
]
UNRELATED = [
    "Sierra Health Partners",
    "Bay Orthopedic Associates",
    "Dr. Anne Whitfield",
    "Pacific Claims Group",
    "Mercy Northside Clinic",
]
ITEMS = [ItemNeed("Norco 10/325mg #120", "drug", "opioid"), ItemNeed("MRI lumbar spine", "imaging")]


def qualified(reviewer_id: int, affiliations=(), specialties=("pain medicine",), load=0, **changes) -> ReviewerProfile:
    base = dict(
        id=reviewer_id,
        name=f"Dr. Reviewer {reviewer_id}",
        specialties=tuple(specialties),
        board_certifications=("ABPMR",),
        license_states=("CA",),
        years_in_practice=10,
        active_practice_hours=30,
        affiliations=tuple(affiliations),
        open_cases=load,
    )
    return ReviewerProfile(**{**base, **changes})


def _values(tree, key: str) -> list[str]:
    """Every string value of `key` anywhere in a parsed YAML tree."""
    if isinstance(tree, dict):
        return [v for k, v in tree.items() if k == key and isinstance(v, str)] + [
            x for v in tree.values() for x in _values(v, key)
        ]
    if isinstance(tree, list):
        return [x for v in tree for x in _values(v, key)]
    return []


def respell(name: str, style: int) -> str:
    """Another way a registry might write the same name."""
    return [name, name.upper(), name.replace(".", ""), f"{name}, Inc.", f"  {name.lower()} ", name.replace("Dr. ", "")][style]


def test_every_kind_of_party_is_screened_and_the_reason_names_it() -> None:
    for party in PARTIES:
        reviewer = qualified(1, [Affiliation(respell(party.name, 3), "financial")])
        reasons = conflicts(reviewer, PARTIES)
        assert len(reasons) == 1 and party.name in reasons[0] and "financial affiliation" in reasons[0]


def test_the_reviewer_who_is_a_party_is_conflicted() -> None:
    reviewer = qualified(1, name="Samuel Okafor, MD")
    assert conflicts(reviewer, PARTIES) == ["conflict of interest: the reviewer is the requesting provider (Dr. Samuel Okafor)"]


def test_different_names_do_not_match() -> None:
    assert not names_match("Valley Packing Co.", "Valley Health Partners")
    assert not names_match("Dr. Samuel Okafor", "Dr. Samuel Okoro")
    assert names_match("Acme", "ACME Foods, Inc.")


def test_exclusions_say_why_and_workload_is_balanced() -> None:
    registry = [
        qualified(1, load=0, years_in_practice=3),
        qualified(2, load=5),
        qualified(3, load=2),
        qualified(4, load=0, specialties=("psychiatry",)),
        qualified(5, load=0, affiliations=[Affiliation("Golden State Claims Services", "employment")]),
        qualified(6, load=0, active_practice_hours=10, license_restricted=True),
    ]
    decision = choose_reviewer(registry, ITEMS, PARTIES)
    assert decision.chosen.id == 3
    assert decision.excluded[1] == ["3 years in practice (at least 5 required)"]
    assert "no expertise in 'Norco 10/325mg #120'" in decision.excluded[4][0]
    assert "employment affiliation with the claims administrator" in decision.excluded[5][0]
    assert decision.excluded[6] == ["license is restricted", "10 hours a week in active practice (at least 24 required)"]
    assert set(decision.excluded) == {1, 4, 5, 6}


def test_a_psychotherapy_request_needs_a_mental_health_reviewer() -> None:
    therapy = [ItemNeed("Cognitive behavioral therapy x6", "other", procedure="psychotherapy")]
    decision = choose_reviewer([qualified(1), qualified(2, specialties=("psychology",), load=3)], therapy, PARTIES)
    assert decision.chosen.id == 2


affiliation = st.one_of(
    # a tie to a party (it matters only if that party is in the generated case)
    st.builds(
        lambda p, style, rel: (Affiliation(respell(p.name, style), rel), p),
        st.sampled_from(PARTIES),
        st.integers(0, 5),
        st.sampled_from(["employment", "financial", "familial", "professional"]),
    ),
    st.builds(lambda n: (Affiliation(n), None), st.sampled_from(UNRELATED)),
)
reviewer_specs = st.lists(st.tuples(st.lists(affiliation, max_size=3), st.integers(0, 20)), min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(reviewer_specs, st.lists(st.sampled_from(PARTIES), min_size=1, max_size=len(PARTIES), unique=True))
def test_a_conflicted_reviewer_is_never_assigned(specs, parties) -> None:
    registry = [qualified(n, [a for a, _ in ties], load=load) for n, (ties, load) in enumerate(specs)]
    # the oracle knows which party each affiliation was spelled from; no name matching involved
    tied = {n for n, (ties, _) in enumerate(specs) if any(party in parties for _, party in ties)}
    decision = choose_reviewer(registry, ITEMS, parties)
    assert tied <= set(decision.excluded)
    if decision.chosen is not None:
        assert decision.chosen.id not in tied
        free = [r for r in registry if r.id not in decision.excluded]
        assert decision.chosen.open_cases == min(r.open_cases for r in free)
    else:
        assert all(r.id in decision.excluded for r in registry)
    # and no false alarm: a reviewer tied only to outsiders is never excluded
    assert not (set(decision.excluded) - tied)


def test_the_specialty_table_speaks_the_item_and_drug_vocabularies() -> None:
    import yaml

    from imr.cases.data import load
    from imr.model import ITEM_KINDS

    root = Path(__file__).parents[2] / "src" / "imr"
    procedures = set(_values(yaml.safe_load((root / "items" / "data" / "procedures.yaml").read_text())["procedures"], "name"))
    drugs = yaml.safe_load((root / "drugs" / "data" / "drugs.yaml").read_text())
    classes = set(_values(drugs, "drug_class") + _values(drugs, "class"))
    table = load("specialties")
    assert set(table["by_procedure"]) <= procedures, set(table["by_procedure"]) - procedures
    assert set(table["by_drug_class"]) <= classes, set(table["by_drug_class"]) - classes
    assert set(table["by_kind"]) == set(ITEM_KINDS)


def test_real_requests_get_the_expected_specialty() -> None:
    from imr.cases.screening import specialties_for
    from imr.items import procedure_of, understand_item

    def need(text: str) -> set[str]:
        item = understand_item(text)
        return specialties_for(ItemNeed(text, item.kind, item.drug_class, procedure_of(item)))

    assert "psychology" in need("Psychotherapy x 6 sessions") and "orthopedic surgery" not in need("Psychotherapy x 6 sessions")
    assert "psychiatry" in need("Cymbalta 60mg #30")
    assert "orthopedic surgery" in need("Right knee arthroscopy with partial meniscectomy")
    assert "chiropractic" in need("Chiropractic treatment 2x4 lumbar spine")
