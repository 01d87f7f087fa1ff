"""Where a fact is: its site (canonical part of the one anatomy, detail as written, side).

From the fact's own words first ("numbness in the left leg", "positive McMurray on the right"), then
from the body part its clause or sentence names, then from the body part the record was speaking of
(a heading such as "Right knee:", the previous sentence of the paragraph). A sentence or a paragraph
that names two unrelated parts gives no site: a reader never guesses between them ("neck and shoulder
pain" locates nothing). Radicular findings in a limb carry the limb; other findings next to a spinal
region and the limb it supplies carry the spinal region.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from imr.clinical.finders.base import SentenceView, lookup
from imr.clinical.matching import lower_text
from imr.clinical.text import Sentence
from imr.items.vocabulary import LATERALITY_WORDS
from imr.memo import pattern as _kept_pattern
from imr.model.anatomy import Site, anatomy, as_side, is_part

# kinds whose facts are located; a drug, a screen or a work status has no body part
SITED_KINDS = frozenset(
    {
        "red_flag",
        "neuro_deficit",
        "exam_sign",
        "conservative_care",
        "prior_sessions",
        "requested_sessions",
        "functional_improvement",
        "surgery",
        "imaging_done",
        "diagnosis",
        "pain_score",
        "pain_reduction",
        "first_line_tried",
        "home_exercise",
        "surgery_considered",
    }
)
SITED_PREFIXES = ("indication.",)
# findings that sit in the limb a nerve root supplies, not in the spine
_LIMB_KINDS = frozenset({"neuro_deficit"})
_LIMB_VALUES = frozenset({"indication.radiculopathy", "indication.neuropathic_pain"})


def is_sited(kind: str) -> bool:
    return kind in SITED_KINDS or kind.startswith(SITED_PREFIXES)


@dataclass(frozen=True, slots=True)
class PartHit:
    start: int
    end: int
    part: str
    detail: str | None
    side: str | None


@lru_cache(maxsize=1)
def _side_words() -> dict[str, str]:
    """The laterality words of the items vocabulary (written once), as one alternation per side."""
    sides = LATERALITY_WORDS
    return {side: "|".join(sorted(sides[side], key=len, reverse=True)) for side in ("bilateral", "right", "left")}


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    words = _side_words()
    side = rf"(?:(?P<bilateral>{words['bilateral']})|(?P<right>{words['right']})|(?P<left>{words['left']}))"
    # "left knee", "right-sided low back", "left anterior knee", "both knees", "R shoulder"
    before = _kept_pattern(
        rf"(?<![a-z0-9]){side}(?:[- ]sided)?(?:\s+(?:side\s+)?(?:of\s+)?(?:the\s+|his\s+|her\s+)?)(?:[a-z]+\s+){{0,2}}$"
    )
    # "knees bilaterally", "SLR positive on the left", "knee, right", "pain on the right side"
    after = _kept_pattern(
        rf"^(?:\s+(?:tests?|signs?|maneuvers?|testing))?(?:\s+(?:is|was|were|are))?(?:\s+(?:positive|negative|present|elicited|noted|reproduced))?"
        rf"(?:\s+(?:at\s+\d+\s+degrees\s+)?(?:on|at|in|over|of)\s+(?:the\s+)?|\s*,\s*|\s+){side}(?![a-z])"
    )
    return before, after


def _side_of(match: re.Match[str] | None) -> str | None:
    if match is None:
        return None
    for side in ("bilateral", "right", "left"):
        if match.group(side):
            return side
    return None


def side_near(lower: str, start: int, end: int) -> str | None:
    """The side written with the words lower[start:end]: just before them or just after."""
    before, after = _patterns()
    found = _side_of(before.search(lower, max(0, start - 40), start))
    if found is None:
        found = _side_of(after.match(lower[end : end + 50]))
    if found is None:
        tail = lower[end : end + 14]
        if tail.lstrip().startswith("bilaterally"):
            found = "bilateral"
    return found


@lru_cache(maxsize=1)
def _any_side() -> re.Pattern[str]:
    words = _side_words()
    return _kept_pattern(
        rf"(?<![a-z0-9])(?:(?P<bilateral>{words['bilateral']})|(?P<right>{words['right']})|(?P<left>{words['left']}))(?![a-z0-9])"
    )


def side_in_clause(text: str, start: int, end: int) -> str | None:
    """The one side the clause of text[start:end] states ("suspected left biceps rupture"), None when
    it states none or two: the side a finding takes when its body part is carried from before."""
    lo, hi = _bounds(_CLAUSE_BREAK, text, start, end)
    return _one_side(text[lo:hi])


@lru_cache(maxsize=64)
def _one_side(clause: str) -> str | None:
    """Once per clause, however many of its facts ask (a long clause stays linear)."""
    sides = {_side_of(m) for m in _any_side().finditer(lower_text(clause))}
    return next(iter(sides)) if len(sides) == 1 else None


def part_hits(view: SentenceView) -> list[PartHit]:
    lower = lower_text(view.text)
    details = {(s, e): name for s, e, name in lookup("body_part_details", view)}
    hits = []
    for start, end, part in lookup("body_parts", view):
        detail = None
        if (start, end) in details:
            raw = view.text[start:end]
            detail = raw.upper() if re.fullmatch(r"[A-Za-z]\d.*", raw) else " ".join(raw.lower().split())
        hits.append(PartHit(start, end, part, detail, side_near(lower, start, end)))
    return hits


def implied_hits(view: SentenceView) -> list[PartHit]:
    return [PartHit(s, e, part, None, side_near(lower_text(view.text), s, e)) for s, e, part in lookup("implied_sites", view)]


def reduce_parts(parts: list[str], kind: str, value: object = None) -> str | None:
    return _reduced(tuple(dict.fromkeys(parts)), kind in _LIMB_KINDS or kind in _LIMB_VALUES)


@lru_cache(maxsize=1024)
def _reduced(distinct: tuple[str, ...], limb_first: bool) -> str | None:
    """One part for several written together, or None when they are unrelated: parts along one
    lineage give the finest (knee in 'right knee ... lower extremity'); a spinal region with the limb
    it supplies gives the limb for a radicular finding, else the region."""
    if len(distinct) == 1:
        return distinct[0]
    book = anatomy()
    # finest along one lineage
    finest = [p for p in distinct if not any(q != p and book.contains(p, q) for q in distinct)]
    if len(finest) == 1:
        return finest[0]
    spinal = [p for p in finest if book.region(p) == "spine"]
    limbs = [p for p in finest if book.region(p) != "spine"]
    # "low back pain radiating to the leg": the region and the limb it supplies, one site; "neck and
    # shoulder pain" names two joints' worth of complaints, none chosen
    whole_limbs = all(book.parents.get(limb) is None for limb in limbs)
    if len(spinal) == 1 and limbs and (whole_limbs or limb_first) and all(book.related(spinal[0], limb) for limb in limbs):
        if not limb_first:
            return spinal[0]
        return limbs[0] if len({book.region(l) for l in limbs}) == 1 and len(limbs) == 1 else None
    return None


_CLAUSE_BREAK = _kept_pattern(r";|\bbut\b|\bhowever\b|\bwhereas\b|\bwhile\b|\balthough\b|\bexcept\b|\.\s")
_SEGMENT_BREAK = _kept_pattern(
    r"[,;:]|\bbut\b|\bhowever\b|\bwhereas\b|\bwhile\b|\balthough\b|\bexcept\b|\.\s|\band\s+(?:had|has|is|was|she|he|the|a|an)\b"
)
_LINK_BEFORE = _kept_pattern(r"^[\s\w'/-]{0,24}$")
_LINK_AFTER = _kept_pattern(
    r"^\s*(?:\w+\s+){0,3}?(?:of|in|at|to|over|involving|on|into|down|along|about|around|affecting|for)\s+(?:the\s+|his\s+|her\s+|both\s+)?(?:(?:left|right|bilateral|lower|upper|anterior|posterior|medial|lateral)\s+){0,2}$"
)


def _bounds(pattern: re.Pattern[str], text: str, start: int, end: int) -> tuple[int, int]:
    breaks = _breaks(pattern, text)
    i = bisect_left(breaks, (start, start))
    lo = next((b_end for b_start, b_end in reversed(breaks[max(0, i - 2) : i + 1]) if b_end <= start), 0)
    hi = next((b_start for b_start, _ in breaks[max(0, i - 1) : i + 3] if b_start >= end), len(text))
    return lo, hi


@lru_cache(maxsize=64)
def _breaks(pattern: re.Pattern[str], text: str) -> tuple[tuple[int, int], ...]:
    """Where a sentence's clauses or segments break, found once per sentence (its mentions share them)."""
    return tuple(m.span() for m in pattern.finditer(text))


def site_in_sentence(
    view: SentenceView, hits: list[PartHit], start: int, end: int, kind: str, value: object = None, hint: str | None = None
) -> tuple[Site | None, bool]:
    """(site, located): the site the sentence gives the mention; `located` False when the sentence
    names no body part for it at all (the caller may carry one from the record), True when it does,
    even if it names two unrelated ones (site None: never a guess)."""
    text = view.text
    lower = lower_text(text)
    mention_side = side_near(lower, start, end)
    # only the parts near the mention: a sentence is read linearly however long it runs
    hits = hits[bisect_left(hits, start - _REACH, key=_hit_start) : bisect_left(hits, end + _REACH, key=_hit_start)]
    if hint:
        same = [h for h in hits if h.part == hint]
        if same:
            hit = min(same, key=lambda h: _gap(h, start, end))
            if _has_partner(text, hits, hit):
                return None, True  # "MRIs of the neck and right hand": two sites, none chosen
            lo, hi = _bounds(_CLAUSE_BREAK, text, start, end)
            side = mention_side or hit.side or _side_of_whole([h for h in hits if lo <= h.start and h.end <= hi], hit)
            return _site(hit.part, hit.detail, side, kind, text, hit), True
        return Site(part=hint, side=as_side(mention_side)), True
    if not hits:
        implied = [h for h in implied_hits(view) if h.start <= end + 40 and h.end >= start - 60]
        if implied:
            hit = min(implied, key=lambda h: _gap(h, start, end))
            return Site(part=hit.part, side=as_side(mention_side or hit.side)), True
        return None, False
    for pattern in (_SEGMENT_BREAK, _CLAUSE_BREAK):
        lo, hi = _bounds(pattern, text, start, end)
        inside = [h for h in hits if lo <= h.start and h.end <= hi]
        if not inside:
            continue
        linked = _linked(text, inside, start, end)
        if linked is not None:
            side = mention_side or linked.side or _side_of_whole(inside, linked)
            return _site(linked.part, linked.detail, side, kind, text, linked), True
        part = reduce_parts([h.part for h in inside], kind, value)
        if part is None:
            return None, True
        chosen = [h for h in inside if h.part == part]
        hit = min(chosen, key=lambda h: _gap(h, start, end))
        sides = {h.side for h in chosen if h.side}
        side = mention_side or (hit.side if len(sides) <= 1 else "bilateral") or _side_of_whole(inside, hit)
        return _site(part, hit.detail, side, kind, text, hit), True
    part = reduce_parts([h.part for h in hits], kind, value)
    if part is None:
        return None, True
    hit = next(h for h in hits if h.part == part)
    return _site(part, hit.detail, mention_side or hit.side, kind, text, hit), True


_REACH = 300


def _hit_start(hit: PartHit) -> int:
    return hit.start


def _gap(hit: PartHit, start: int, end: int) -> int:
    return hit.start - end if hit.start >= end else start - hit.end if hit.end <= start else 0


def _linked(text: str, hits: list[PartHit], start: int, end: int) -> PartHit | None:
    """The part written with the mention: just before it ('lumbar radiculopathy', 'right knee
    McMurray') or linked after it ('numbness in the left leg') — unless another part is written
    with that one ('neck and shoulder pain': two parts, none chosen)."""
    before = [h for h in hits if h.end <= start and _LINK_BEFORE.match(text[h.end : start])]
    after = [h for h in hits if h.start >= end and _LINK_AFTER.match(text[end : h.start])]
    for group, nearest in (
        (before, max(before, key=lambda h: h.end, default=None)),
        (after, min(after, key=lambda h: h.start, default=None)),
    ):
        if nearest is None:
            continue
        if _has_partner(text, hits, nearest):
            return None
        return nearest
    return None


_JOINED = _kept_pattern(r"\s*(?:,|and|or|&|/|,\s*and)\s*(?:the\s+)?(?:(?:left|right|bilateral)\s+)?")


def _side_of_whole(hits: list[PartHit], hit: PartHit) -> str | None:
    """The side the clause gives the part containing this one ("the finger joints of the left hand"),
    when it gives it only one."""
    book = anatomy()
    sides = {
        h.side
        for h in hits
        if h.side and h is not hit and is_part(h.part) and is_part(hit.part) and book.contains(h.part, hit.part)
    }
    return next(iter(sides)) if len(sides) == 1 else None


def _has_partner(text: str, hits: list[PartHit], hit: PartHit) -> bool:
    """Whether another, unrelated part is written together with this one ('neck and right hand')."""
    partners = [
        h
        for h in hits
        if h is not hit and h.part != hit.part and _JOINED.fullmatch(text[min(h.end, hit.end) : max(h.start, hit.start)] or "x")
    ]
    return bool(partners) and reduce_parts([hit.part, *(p.part for p in partners)], "") is None


_DERMATOME = _kept_pattern(r"^\s*(?:(?:nerve\s+)?roots?\s+)?(?:dermatom\w*|distribution|myotom\w*|radiculopathy|radicular)")


def _site(part: str, detail: str | None, side: str | None, kind: str, text: str, hit: PartHit | None) -> Site:
    # "decreased sensation in the left L5 dermatome": a root's dermatome is in the limb it supplies
    if kind in _LIMB_KINDS and hit is not None and hit.detail and _DERMATOME.match(text[hit.end : hit.end + 30].lower()):
        limbs = anatomy().refers.get(part)
        if limbs:
            return Site(part=limbs[0], detail=detail, side=as_side(side))
    return Site(part=part, detail=detail, side=as_side(side))


class RecordSites:
    """The body part the record is speaking of, carried from sentence to sentence within a paragraph
    and a section: the last sentence naming one part (or parts along one lineage) sets it; a sentence
    naming unrelated parts clears it; a new paragraph or section forgets it."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.current: Site | None = None
        self._last_end = 0
        self._section: str | None = None

    def before(self, sentence: Sentence) -> Site | None:
        if sentence.section != self._section or "\n\n" in self.text[self._last_end : sentence.start].replace("\r", "").replace(
            " ", ""
        ).replace("\t", ""):
            self.current = None
        self._section = sentence.section
        self._last_end = sentence.end
        return self.current

    def after(self, hits: list[PartHit]) -> None:
        if hits:
            self.current = _named_site(tuple((h.part, h.detail, h.side) for h in hits))


@lru_cache(maxsize=1024)
def _named_site(hits: tuple[tuple[str, str | None, str | None], ...]) -> Site | None:
    """The site a sentence's body-part hits (part, detail, side) name, None for unrelated parts: once
    per set of hits (a chart names the same parts sentence after sentence)."""
    part = reduce_parts([hit[0] for hit in hits], "")
    if part is None:
        return None
    chosen = [hit for hit in hits if hit[0] == part]
    sides = {hit[2] for hit in chosen if hit[2]}
    side = next(iter(sides)) if len(sides) == 1 else ("bilateral" if sides else None)
    return Site(part=part, detail=next((hit[1] for hit in chosen if hit[1]), None), side=as_side(side))
