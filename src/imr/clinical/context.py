"""ConText (Harkema et al., 2009): is a mention negated, historical or hypothetical?

A modifier phrase ("no", "history of", "to rule out") governs the mentions within its scope: forward
to the end of the sentence or backward to its start, cut short at a terminating word ("but",
"however") or after a maximum number of words. Pseudo-modifiers ("no change", "not only") match first
and cancel the cue they contain. Rules live in data/context.yaml (the same categories and directions
as medspaCy's ConText rules), so a physician can add a phrase without touching code.

A cue inside the mention itself is ignored: the target patterns that contain their own negation
("has not returned to work") set their meaning explicitly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from imr.clinical.rules import load_data

CATEGORIES = ("negated", "historical", "hypothetical", "family")


@dataclass(frozen=True, slots=True)
class Modifier:
    category: str  # negated | historical | hypothetical | family | pseudo | terminate
    direction: str  # forward | backward | bidirectional | pseudo | terminate
    max_scope: int | None
    kinds: tuple[str, ...]  # fact kinds this cue applies to (empty = all)
    except_kinds: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Cue:
    start: int
    end: int
    modifier: Modifier


@lru_cache(maxsize=1)
def _rules() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, Modifier]]:
    data = load_data("context.yaml")
    default_scope = data.get("default_max_scope")
    by_phrase: dict[str, Modifier] = {}
    for rule in data["modifiers"]:
        modifier = Modifier(
            category=rule["category"],
            direction=rule.get("direction", rule["category"] if rule["category"] in ("pseudo", "terminate") else "forward"),
            max_scope=rule.get("max_scope", default_scope),
            kinds=tuple(rule.get("kinds", ())),
            except_kinds=tuple(rule.get("except_kinds", ())),
        )
        for phrase in rule["phrases"]:
            by_phrase[_normal(str(phrase))] = modifier
    pseudo = [p for p, m in by_phrase.items() if m.category == "pseudo"]
    others = [p for p, m in by_phrase.items() if m.category != "pseudo"]
    return _alternation(pseudo), _alternation(others), by_phrase


def _alternation(phrases: list[str]) -> re.Pattern[str]:
    """Longest phrase first so that "no evidence of" wins over "no"; spaces match any whitespace."""
    ordered = sorted(phrases, key=len, reverse=True)
    words = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in ordered if p[0].isalnum())
    marks = "|".join(re.escape(p) for p in ordered if not p[0].isalnum())  # ";" ")" need no word boundary
    pattern = rf"(?<![\w-])(?:{words})(?![\w-])" + (f"|{marks}" if marks else "")
    return re.compile(pattern, re.IGNORECASE)


def _normal(phrase: str) -> str:
    return " ".join(phrase.lower().split())


_WORD = re.compile(r"[\w'/+-]+")


def find_cues(sentence: str) -> list[_Cue]:
    """The modifier phrases of a sentence; a pseudo-modifier ("no change") hides the cues it overlaps."""
    pseudo_pattern, pattern, by_phrase = _rules()
    pseudo = [_Cue(m.start(), m.end(), by_phrase[_normal(m.group())]) for m in pseudo_pattern.finditer(sentence)]
    cues = [
        _Cue(m.start(), m.end(), by_phrase[_normal(m.group())])
        for m in pattern.finditer(sentence)
        if not any(m.start() < p.end and p.start < m.end() for p in pseudo)
    ]
    return pseudo + cues


def _words_between(sentence: str, start: int, end: int) -> int:
    return len(_WORD.findall(sentence, start, end)) if end > start else 0


def assess(sentence: str, start: int, end: int, kind: str, cues: list[_Cue] | None = None) -> dict[str, bool]:
    """ConText attributes of the mention sentence[start:end] of a fact of `kind`."""
    if cues is None:
        cues = find_cues(sentence)
    result = dict.fromkeys(CATEGORIES, False)
    pseudo = [c for c in cues if c.modifier.category == "pseudo"]
    terminators = [c for c in cues if c.modifier.category == "terminate"]
    for cue in cues:
        modifier = cue.modifier
        if modifier.category in ("pseudo", "terminate") or result.get(modifier.category):
            continue
        if cue.start < end and start < cue.end:  # inside the mention
            continue
        if any(p.start <= cue.start and cue.end <= p.end for p in pseudo):
            continue
        if modifier.kinds and not any(kind == k or kind.startswith(k + ".") for k in modifier.kinds):
            continue
        if any(kind == k or kind.startswith(k + ".") for k in modifier.except_kinds):
            continue
        if cue.end <= start and modifier.direction in ("forward", "bidirectional"):
            if any(cue.end <= t.start and t.end <= start for t in terminators):
                continue
            if modifier.max_scope is not None and _words_between(sentence, cue.end, start) > modifier.max_scope:
                continue
            result[modifier.category] = True
        elif cue.start >= end and modifier.direction in ("backward", "bidirectional"):
            if any(end <= t.start and t.end <= cue.start for t in terminators):
                continue
            if modifier.max_scope is not None and _words_between(sentence, end, cue.start) > modifier.max_scope:
                continue
            result[modifier.category] = True
    return result
