"""Phrase targets (data/targets.yaml): functional improvement, side effects, aberrant behaviour, the
opioid agreement, indications, GI and cardiovascular risk, red flags, work status, surgery considered,
home exercise, taper plans, conservative care named as such."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from imr.clinical.finders.base import Cue, Mention, SentenceView, body_part_of, drug_near, lookup, nearest, placed
from imr.clinical.matching import alternatives
from imr.clinical.rules import load_data


@dataclass(frozen=True, slots=True)
class PhraseTarget:
    kind: str
    value: Any
    patterns: tuple[str, ...]  # sources, compiled by the record scanner when first tried
    negated: bool
    near_medication: bool
    drop_if_negated: bool


@lru_cache(maxsize=1)
def phrase_targets() -> tuple[PhraseTarget, ...]:
    return tuple(
        PhraseTarget(
            kind=entry["kind"],
            value=entry.get("value"),
            patterns=tuple(alternatives([p]) for p in entry["patterns"]),
            negated=bool(entry.get("negated")),
            near_medication=bool(entry.get("near_medication")),
            drop_if_negated=bool(entry.get("drop_if_negated")),
        )
        for entry in load_data("targets.yaml")["targets"]
    )


_SIDE_EFFECT_WORDS = Cue("side_effect_context")
# in a record that names medications, "Denies constipation or sedation." reviews side effects
_DENIES = Cue("denies")


_WHERE_KINDS = {
    "red_flag",
    "indication.radiculopathy",
    "indication.spasm",
    "indication.osteoarthritis",
    "indication.inflammation",
    "indication.neuropathic_pain",
    "indication.acute_exacerbation",
}


def phrase_mentions(view: SentenceView) -> list[Mention]:
    text = view.text
    found: dict[str, list[tuple[int, int, PhraseTarget]]] = {}
    for start, end, target in view.targets:
        if target.near_medication and not (
            view.drugs or _SIDE_EFFECT_WORDS.search(text) or (view.record_has_drugs and _DENIES.search(text))
        ):
            continue
        found.setdefault(target.kind, []).append((start, end, target))
    mentions: list[Mention] = []
    therapies = lookup("therapies", view)
    for kind, hits in found.items():
        # within one kind the longest phrase wins: "has not returned to work" over "returned to work"
        kept: list[tuple[int, int, PhraseTarget]] = []
        for hit in sorted(hits, key=lambda h: (-(h[1] - h[0]), h[0])):
            if all(hit[1] <= k[0] or hit[0] >= k[1] for k in kept):
                kept.append(hit)
        for start, end, target in sorted(kept, key=lambda h: h[0]):
            value = target.value
            if value == "symptom":
                value = text[start:end].lower()
            attributes: dict[str, Any] = {}
            if kind == "functional_improvement":
                therapy = nearest(therapies, start, end, reach=80) or drug_near(view, start, end)
                if therapy:
                    attributes["therapy"] = therapy
            if kind.startswith("indication.") and view.drugs:
                # "Xanax for anxiety": the drug the indication is given for, when the sentence names one
                attributes["drug"] = drug_near(view, start, end, reach=60)
            if kind == "side_effect" and view.drugs:
                attributes["drug"] = drug_near(view, start, end, reach=200)
            if kind == "taper_plan" and view.drugs:
                attributes["drug"] = drug_near(view, start, end, reach=200)
            if kind in _WHERE_KINDS:
                # "L1 compression fracture", "osteoarthritis of the knee": where it is, for rules on a body part
                attributes.update(placed(view, start, end, body_part_of(view, start, end)))
            if target.drop_if_negated:
                attributes["drop_if_negated"] = True
            mentions.append(Mention(kind, value, start, end, attributes, negated=True if target.negated else None))
    # "is working full duty": the specific status says it all
    if any(m.kind == "work_status" and m.value not in ("working", "not_working") for m in mentions):
        mentions = [m for m in mentions if not (m.kind == "work_status" and m.value == "working")]
    return mentions
