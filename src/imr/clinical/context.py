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

from bisect import bisect_left
from itertools import accumulate
from dataclasses import dataclass
from functools import lru_cache

from imr.clinical.matching import lower_text
from imr.clinical.rules import load_data
from imr.memo import pattern as _kept_pattern

CATEGORIES = ("negated", "historical", "hypothetical", "possible", "family")


@dataclass(frozen=True, slots=True)
class Modifier:
    category: str  # negated | historical | hypothetical | possible | family | pseudo | terminate
    direction: str  # forward | backward | bidirectional | pseudo | terminate
    max_scope: int | None
    kinds: tuple[str, ...]  # fact kinds this cue applies to (empty = all)
    except_kinds: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Cue:
    start: int
    end: int
    modifier: Modifier


_TOKEN = _kept_pattern(r"[\w'/+]+(?:-[\w'/+]+)*|[;()]")
_SPLIT = _kept_pattern(f"({_TOKEN.pattern})")


@dataclass(frozen=True, slots=True)
class _Rules:
    pseudo: dict[str, list[tuple[tuple[str, ...], Modifier]]]  # first word -> phrases, longest first
    others: dict[str, list[tuple[tuple[str, ...], Modifier]]]
    terminators: dict[str, list[tuple[tuple[str, ...], Modifier]]]


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    data = load_data("context.yaml")
    default_scope = data.get("default_max_scope")
    pseudo: dict[str, list[tuple[tuple[str, ...], Modifier]]] = {}
    others: dict[str, list[tuple[tuple[str, ...], Modifier]]] = {}
    for rule in data["modifiers"]:
        modifier = Modifier(
            category=rule["category"],
            direction=rule.get("direction", rule["category"] if rule["category"] in ("pseudo", "terminate") else "forward"),
            max_scope=rule.get("max_scope", default_scope),
            kinds=tuple(rule.get("kinds", ())),
            except_kinds=tuple(rule.get("except_kinds", ())),
        )
        table = pseudo if modifier.category == "pseudo" else others
        for phrase in rule["phrases"]:
            words = tuple(_TOKEN.findall(str(phrase).lower()))
            if words:
                table.setdefault(words[0], []).append((words, modifier))
    terminators = {word: [e for e in entries if e[1].category == "terminate"] for word, entries in others.items()}
    terminators = {word: entries for word, entries in terminators.items() if entries}
    for table in (pseudo, others, terminators):
        for entries in table.values():
            entries.sort(key=lambda e: len(e[0]), reverse=True)
    return _Rules(pseudo, others, terminators)


def _match_phrases(
    words: list[str], offsets: list[int], table: dict[str, list[tuple[tuple[str, ...], Modifier]]], blocked: set[int]
) -> list[tuple[_Cue, range]]:
    """Leftmost-longest phrase matches over the word sequence, skipping blocked word positions (word i
    runs from offsets[2 * i] to offsets[2 * i + 1])."""
    found: list[tuple[_Cue, range]] = []
    free = 0  # the first word not inside a phrase already found
    # only the words that open a phrase are tried (most words open none: one pass over a record's
    # words in C, instead of a Python step per word)
    for i in [i for i, word in enumerate(words) if word in table]:
        if i < free:
            continue
        for phrase, modifier in table[words[i]]:
            n = len(phrase)
            if n > 1 and (i + 1 >= len(words) or words[i + 1] != phrase[1] or tuple(words[i : i + n]) != phrase):
                continue
            if blocked and any(j in blocked for j in range(i, i + n)):
                continue
            found.append((_Cue(offsets[2 * i], offsets[2 * (i + n) - 1], modifier), range(i, i + n)))
            free = i + n
            break
    return found


def find_cues(text: str) -> list[_Cue]:
    """The modifier phrases of a text; a pseudo-modifier ("no change") hides the cues it overlaps.

    Phrases are matched word by word (a dictionary from first word to phrases) rather than by one
    large regular expression: several times faster on a 3,000-character record."""
    rules = _rules()
    # the text cut into what lies between words and the words, alternately: a word's offsets are running
    # sums of the pieces' lengths, all found at C speed (a match object per word was most of the time)
    pieces = _SPLIT.split(lower_text(text))  # same length as the text: offsets hold
    words = pieces[1::2]
    offsets = list(accumulate(map(len, pieces)))
    pseudo = _match_phrases(words, offsets, rules.pseudo, set())
    blocked = {j for _, positions in pseudo for j in positions}
    others = _match_phrases(words, offsets, rules.others, blocked)
    # a clause break is one whatever cue follows it: "is not working and has not improved with
    # chiropractic care" ends the first negation at "and has", though "has not improved" is a pseudo-cue
    ends = {(c.start, c.end) for c, _ in others if c.modifier.category == "terminate"}
    breaks = [(c, r) for c, r in _match_phrases(words, offsets, rules.terminators, set()) if (c.start, c.end) not in ends]
    return [cue for cue, _ in pseudo + others + breaks]


def shifted(cues: list[_Cue], start: int, end: int) -> list[_Cue]:
    """The cues within [start, end) of a text, in offsets relative to `start` (a sentence)."""
    return [_Cue(c.start - start, c.end - start, c.modifier) for c in cues if start <= c.start and c.end <= end]


class _Prepared:
    """What every mention of one sentence shares: token starts (for counting words between a cue and a
    mention by bisection), the terminators and pseudo-cues in order. One sentence's mentions are
    then assessed in time linear in its cues, not in cues x words."""

    __slots__ = ("sentence", "cues", "token_starts", "terminator_starts", "terminator_ends", "pseudo")

    def __init__(self, sentence: str, cues: list[_Cue]) -> None:
        self.sentence = sentence
        self.cues = cues
        self.token_starts = [m.start() for m in _TOKEN.finditer(sentence)]
        terminators = sorted((c.start, c.end) for c in cues if c.modifier.category == "terminate")
        self.terminator_starts = [t[0] for t in terminators]
        # the smallest end among the terminators from i on: a short one may nest in a longer one
        ends = [t[1] for t in terminators]
        for i in range(len(ends) - 2, -1, -1):
            ends[i] = min(ends[i], ends[i + 1])
        self.terminator_ends = ends
        self.pseudo = [(c.start, c.end) for c in cues if c.modifier.category == "pseudo"]

    def words_between(self, start: int, end: int) -> int:
        return bisect_left(self.token_starts, end) - bisect_left(self.token_starts, start) if end > start else 0

    def terminated(self, start: int, end: int) -> bool:
        """Whether a terminator lies wholly within [start, end]."""
        i = bisect_left(self.terminator_starts, start)
        return i < len(self.terminator_starts) and self.terminator_ends[i] <= end


_LAST: list[_Prepared] = []


def _prepared(sentence: str, cues: list[_Cue]) -> _Prepared:
    if _LAST and _LAST[0].cues is cues and _LAST[0].sentence == sentence:
        return _LAST[0]
    prepared = _Prepared(sentence, cues)
    _LAST[:] = [prepared]
    return prepared


def assess(sentence: str, start: int, end: int, kind: str, cues: list[_Cue] | None = None) -> dict[str, bool]:
    """ConText attributes of the mention sentence[start:end] of a fact of `kind`."""
    if cues is None:
        cues = find_cues(sentence)
    prepared = _prepared(sentence, cues)
    result = dict.fromkeys(CATEGORIES, False)
    for cue in cues:
        modifier = cue.modifier
        if modifier.category in ("pseudo", "terminate") or result.get(modifier.category):
            continue
        if cue.start < end and start < cue.end:  # inside the mention
            continue
        if modifier.max_scope is not None and (
            cue.end <= start
            and start - cue.end > 60 * (modifier.max_scope + 1)
            or cue.start >= end
            and cue.start - end > 60 * (modifier.max_scope + 1)
        ):
            continue  # far beyond its scope in words, whatever the words
        if modifier.kinds and not any(kind == k or kind.startswith(k + ".") for k in modifier.kinds):
            continue
        if any(kind == k or kind.startswith(k + ".") for k in modifier.except_kinds):
            continue
        if any(p_start <= cue.start and cue.end <= p_end for p_start, p_end in prepared.pseudo):
            continue
        if cue.end <= start and modifier.direction in ("forward", "bidirectional"):
            if prepared.terminated(cue.end, start):
                continue
            if modifier.max_scope is not None and prepared.words_between(cue.end, start) > modifier.max_scope:
                continue
            result[modifier.category] = True
        elif cue.start >= end and modifier.direction in ("backward", "bidirectional"):
            if prepared.terminated(end, cue.start):
                continue
            if modifier.max_scope is not None and prepared.words_between(end, cue.start) > modifier.max_scope:
                continue
            result[modifier.category] = True
    return result
