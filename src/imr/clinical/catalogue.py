"""Every fact kind the clinical pipeline states, with the values it may take: what a rule may ask for.

Read from the same data files the finders read (targets, vocabularies, exam signs), so a rule loader
can refuse a kind or a value no finder ever produces ("red_flag: fractured" would silently match
nothing). A kind whose values are open (a drug's generic name, a number, a diagnosis as written) maps
to None.
"""

from __future__ import annotations

from functools import lru_cache

from imr.clinical.rules import load_data

# kinds whose value is open: a generic drug name, a number, words as written, or no value at all
_OPEN = (
    "medication",
    "pain_score",
    "pain_reduction",
    "prior_sessions",
    "requested_sessions",
    "diagnosis",
    "functional_improvement",
    "side_effect",
    "aberrant_behavior",
    "opioid_agreement",
    "cardiovascular_risk",
    "surgery_considered",
    "home_exercise",
    "taper_plan",
)
_SCREEN_VALUES = frozenset({"consistent", "inconsistent", None})


@lru_cache(maxsize=1)
def fact_kinds() -> dict[str, frozenset[object] | None]:
    """{kind: the values it may take, or None when open}."""
    kinds: dict[str, set[object] | None] = {kind: None for kind in _OPEN}
    for target in load_data("targets.yaml")["targets"]:
        kind = target["kind"]
        if kind in _OPEN or kind.startswith("indication."):
            kinds.setdefault(kind, None)
            continue
        values = kinds.setdefault(kind, set())
        if values is not None:
            values.add(target.get("value"))
    vocabulary = load_data("vocabulary.yaml")
    for kind, group, extra in (
        ("conservative_care", "therapies", {"unspecified"}),
        ("imaging_done", "imaging", set()),
        ("surgery", "surgeries", set()),
        ("neuro_deficit", "neuro", set(vocabulary["neuro_normal"])),
        ("first_line_tried", "first_line", set()),
    ):
        values = kinds.setdefault(kind, set())
        assert values is not None
        values.update(vocabulary[group], extra)
    neuro = kinds["neuro_deficit"]
    assert neuro is not None
    neuro.add("weakness")  # graded strength ("4/5") is read by number, not by phrase
    kinds["exam_sign"] = set(load_data("exam_signs.yaml")["signs"])
    gi = kinds.setdefault("gi_risk", set())
    assert gi is not None
    gi.update({"age_over_65", "multiple_nsaids"})
    kinds["drug_screen"] = set(_SCREEN_VALUES)
    kinds["cures"] = set(_SCREEN_VALUES)
    return {kind: (frozenset(values) if values is not None else None) for kind, values in kinds.items()}
