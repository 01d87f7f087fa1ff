"""Guideline citations as IMR letters write them -> `GuidelineCitation` (source, mtus, sections, pages).

Three wordings are read:
- the page style of 2013-2015 ("Decision based on MTUS Chronic Pain Treatment Guidelines Benzodiazepines
  Page(s): 24."), several guidelines in one sentence, page ranges ("63-5", "75-79", "120 of 127");
- the chapter style of later letters ("Decision based on MTUS Neck and Upper Back Complaints 2004,
  Section(s): Special Studies, and Chronic Pain Medical Treatment 2016, Section(s): ...");
- non-MTUS citations ("Decision based on Non-MTUS Citation Official Disability Guidelines (ODG) Head, CT.");
- the ACOEM-based MTUS from December 2017 ("Decision based on MTUS (ACOEM Practice Guidelines) Low Back
  Disorders, 2020, Section(s): ...", each source named in full), and "ACOEM Practice Guidelines, Chronic
  Pain Guideline, 2017" as one source with its year.

"...did not cite any medical evidence..." is an empty list. Titles the letters use are listed in
data/citation_sources.yaml, which tells a title from the sections that follow it. MTUS sources are
named with their "MTUS " prefix even when the letter writes it once for several ("MTUS A, and B" gives
"MTUS A" and "MTUS B"), so that a source always says which schedule it belongs to.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from imr.model import GuidelineCitation

_DATA = yaml.safe_load((Path(__file__).parent / "data" / "citation_sources.yaml").read_text(encoding="utf-8"))

# A basis longer than this is not a citation but a parse gone wrong; bounding it bounds the work.
_MAX_BASIS_CHARS = 4000
# A page range wider than this is a typo ("24-2400"); expanding it would flood the list.
_MAX_RANGE = 200


def _title_pattern(titles: list[str]) -> str:
    """An alternation of titles, longest first, spaces and commas flexible."""
    escaped = []
    for title in sorted(titles, key=len, reverse=True):
        words = [re.escape(word) for word in title.split()]
        escaped.append(r"\s+".join(words))
    return "(?:" + "|".join(escaped) + ")"


_CHAPTER_TITLES = _title_pattern(_DATA["mtus_chapter_titles"])
# A chapter title not yet listed: capitalised words ending in the edition year.
_GENERIC_CHAPTER = r"[A-Z][A-Za-z&/\- ]{0,80}?\s(?:19|20)\d\d"
_CHAPTER = re.compile(
    rf"(?:{_CHAPTER_TITLES}|{_GENERIC_CHAPTER})(?:\s+Guidelines)?(?=\s*(?:,|\.|;|$)|\s+and\s|\s+Sections?(?:\s*\(s\))?\s*:)",
    re.IGNORECASE,
)
# Letters join chapters with ", and"; a plain comma before another "<title> <year>" also starts one.
_NEXT_CHAPTER = re.compile(rf"(?:,?\s+and\s+|,\s*)(?=(?:{_CHAPTER_TITLES}|{_GENERIC_CHAPTER})(?:\s+Guidelines)?\s*(?:,|\.|;|$))")
_SECTIONS_LABEL = re.compile(r",?\s*Sections?(?:\s*\(s\))?\s*:\s*", re.IGNORECASE)

_ACOEM_CHAPTER_TITLES = _title_pattern([str(title) for title in _DATA["acoem_chapters"].values()]).replace(r"\-", r"[\s-]")
_GUIDELINE_TITLE = re.compile(
    rf"(?:{_title_pattern(_DATA['mtus_guideline_titles'])}"
    rf"|ACOEM(?:\s+(?:Occupational\s+Medicine\s+)?Practice\s+Guidelines)?,?\s+(?:(?:2nd|3rd|Second|Third)\s+Edition,?\s+)?"
    rf"(?:\(\d{{4}}\),?\s+)?Chapter\s+\d+\s*[:,]?(?:\s*{_ACOEM_CHAPTER_TITLES})?"
    # "ACOEM Practice Guidelines, 3rd Edition (2011), Low Back Disorders": the edition is the title
    rf"|ACOEM\s+(?:Occupational\s+Medicine\s+)?Practice\s+Guidelines(?:,?\s+(?:2nd|3rd|Second|Third)\s+Edition)?(?:,?\s+\(\d{{4}}\))?"
    rf"|ACOEM\b)",
    re.IGNORECASE,
)
_REGULATION = re.compile(r"\s*" + _DATA["regulation_suffix"], re.IGNORECASE)
_PAGES_LABEL = re.compile(r"\s*,?\s*\bPages?\s*(?:\(s\))?\s*:?\s*(?=\d)", re.IGNORECASE)
_PAGE = re.compile(r"(\d{1,4})(?:\s*[-–]\s*(\d{1,4}))?(?:\s+of\s+\d{1,4})?")
_PAGE_SEPARATOR = re.compile(r"\s*,\s*(?=\d)|\s+and\s+(?=\d)")
_NEXT_GUIDELINE = re.compile(rf"[,;.]\s*(?=(?:{_GUIDELINE_TITLE.pattern}))", re.IGNORECASE)

_NON_MTUS_TITLE = re.compile(rf"{_title_pattern(_DATA['non_mtus_titles'])}(?![A-Za-z])", re.IGNORECASE)
_NEXT_NON_MTUS = re.compile(rf"(?:,?\s+and\s+|\s*;\s*)(?={_NON_MTUS_TITLE.pattern})", re.IGNORECASE)
_CHAPTER_QUALIFIER = re.compile(r"(\((?:Acute\s*(?:&|and)\s*Chronic|Chronic|Acute)\))(?=\s+[A-Z])", re.IGNORECASE)
_BARE_PAGES = re.compile(r"^\d{1,4}(?:\s*[-–]\s*\d{1,4})?(?:\s+of\s+\d{1,4})?$")
_INLINE_PAGE = re.compile(r"^(?:pages?|pg\.?|p\.)\s*(?:\(s\))?\s*:?\s*(\d.*)$", re.IGNORECASE)

# A new citation starts at "Decision based on", and also where a Non-MTUS one follows MTUS chapters in
# the same sentence ("..., Section(s): Surgical Considerations, and Non-MTUS Official Disability ...").
_DECISION_BASED_ON = re.compile(r"Decision\s+based\s+on\s+", re.IGNORECASE)
_THEN_NON_MTUS = re.compile(r"(?:,?\s+and\s+|\s*;\s*)(?=Non[\s-]*MTUS\b)", re.IGNORECASE)
_NO_EVIDENCE = re.compile(r"did\s+not\s+cite\s+any\s+medical\s+evidence", re.IGNORECASE)
_NON_MTUS_LEAD = re.compile(r"Non[\s-]*MTUS(?:\s+Citation)?\s*[:,]?\s*", re.IGNORECASE)
_MTUS_LEAD = re.compile(r"(?:the\s+)?(?:CA\s+|California\s+)?MTUS\b\s*[:,]?\s*", re.IGNORECASE)
_LEADING_JUNK = re.compile(r"^[\s,:;\-–]+")
_BETWEEN_CITATIONS = re.compile(r"[\s,;]*(?:and\s+)?")

_NOT_MTUS = re.compile(r"Non[\s-]*MTUS|not\s+(?:a\s+)?part\s+of\s+the\s+(?:MTUS|Medical\s+Treatment)", re.IGNORECASE)
_PART_OF_MTUS = re.compile(
    r",?\s*which\s+(?:is|are)\s+(?:not\s+)?(?:a\s+)?part\s+of\s+the\s+(?:MTUS|Medical\s+Treatment\s+Utilization\s+Schedule(?:\s+\(MTUS\))?)",
    re.IGNORECASE,
)
_PROSE_PAGES = re.compile(
    r",?\s*\b(?:pages?|pg\.?|p\.)\s*(?:\(s\))?\s*:?\s*(\d+(?:\s*[-–]\s*\d+)?(?:\s*,\s*\d+(?:\s*[-–]\s*\d+)?)*(?:\s+of\s+\d+)?)",
    re.IGNORECASE,
)
_COMMA_SECTIONS = sorted((s.lower() for s in _DATA["sections_with_commas"]), key=len, reverse=True)


def parse_basis(text: str) -> list[GuidelineCitation]:
    """Every citation of one basis ("Claims Administrator guideline:" or "MAXIMUS guideline:")."""
    # The same guideline sentences recur across thousands of letters: parse each wording once.
    return [
        GuidelineCitation(source=c.source, mtus=c.mtus, sections=list(c.sections), pages=list(c.pages))
        for c in _parse_basis(" ".join(text[:_MAX_BASIS_CHARS].split()))
    ]


@lru_cache(maxsize=16384)
def _parse_basis(text: str) -> tuple[GuidelineCitation, ...]:
    return tuple(_read_basis(text))


def _read_basis(text: str) -> list[GuidelineCitation]:
    if not text:
        return []
    chunks = _DECISION_BASED_ON.split(text)
    if len(chunks) == 1:
        if _NO_EVIDENCE.search(text):
            return []
        return parse_prose_basis(text)
    citations: list[GuidelineCitation] = []
    for chunk in (piece for chunk in chunks[1:] for piece in _THEN_NON_MTUS.split(chunk)):
        chunk = chunk.strip().rstrip(".").strip()
        if not chunk:
            continue
        if lead := _NON_MTUS_LEAD.match(chunk):
            citations.extend(_non_mtus(chunk[lead.end() :]))
        elif lead := _MTUS_LEAD.match(chunk):
            citations.extend(_mtus(chunk[lead.end() :]))
        else:
            citations.extend(_non_mtus(chunk))
    return citations


def parse_prose_basis(text: str) -> list[GuidelineCitation]:
    """A basis written as a sentence (older layouts): "the MTUS Chronic Pain Medical Treatment
    Guidelines, Opioids, pages 78-80, which is part of the MTUS" -> one citation."""
    text = " ".join(text[:_MAX_BASIS_CHARS].split()).strip().rstrip(".")
    if not text or _NO_EVIDENCE.search(text):
        return []
    denies_mtus = bool(_NOT_MTUS.search(text))
    says_mtus = bool(re.search(r"\bMTUS\b|Medical Treatment Utilization Schedule", text)) and not denies_mtus
    text = _PART_OF_MTUS.sub("", text)
    pages: list[int] = []
    for match in _PROSE_PAGES.finditer(text):
        pages.extend(expand_pages(match.group(1)))
    text = _PROSE_PAGES.sub("", text).strip(" ,;")
    text = re.sub(r"^(?:on\s+)?(?:the\s+)?", "", text, flags=re.IGNORECASE)
    if lead := _NON_MTUS_LEAD.match(text):
        text, says_mtus = text[lead.end() :], False
    elif lead := _MTUS_LEAD.match(text):
        text, says_mtus = text[lead.end() :], not denies_mtus
    title = _GUIDELINE_TITLE.match(text) or _NON_MTUS_TITLE.match(text)
    if title:
        mtus = says_mtus or (title.re is _GUIDELINE_TITLE and not denies_mtus)
        source = title.group(0).strip(" ,")
        sections = split_sections(_LEADING_JUNK.sub("", text[title.end() :]))
    else:
        mtus, source, sections = says_mtus, text, []
    if mtus:
        source = f"MTUS {source}"
    return [GuidelineCitation(source=source, mtus=mtus, sections=sections, pages=_unique(pages))] if source else []


# The ACOEM-based MTUS (December 2017 on): "MTUS (ACOEM Practice Guidelines) Low Back Disorders, 2020,
# Section(s): ...". The title may hold commas ("Hand, Wrist, and Forearm Disorders"); it ends at the year.
_MODERN = re.compile(
    r"(?:MTUS\s*)?\(\s*ACOEM(?:\s+(?:Occupational\s+Medicine\s+)?Practice\s+Guidelines)?\s*\)\s*(?P<title>[A-Z].*?),?\s+\(?(?P<year>(?:19|20)\d\d)\)?(?=\s*(?:,|\.|;|$))",
    re.IGNORECASE,
)
# Without "MTUS": "ACOEM Practice Guidelines, Chronic Pain Guideline, 2017" names one guideline and its year.
_ACOEM_TITLED = re.compile(
    r"ACOEM\s+(?:Occupational\s+Medicine\s+)?Practice\s+Guidelines\s*,\s*(?P<title>[A-Z][A-Za-z ,&/\-]*?(?:Guideline|Disorders|Treatment|Health[A-Za-z \-]*)),\s*\(?(?P<year>(?:19|20)\d\d)\)?(?=\s*(?:,|\.|;|$))",
    re.IGNORECASE,
)
_NEXT_MODERN = re.compile(
    r"(?:,?\s+and\s+|\s*;\s*)(?=(?:MTUS\s*)?\(\s*ACOEM|[A-Z][A-Za-z ,&/\-]{2,80}?\s(?:19|20)\d\d\s*(?:,|\.|;|$))"
)


def _modern(text: str, position: int, citations: list[GuidelineCitation], *, mtus: bool = True) -> int | None:
    """One ACOEM-era citation at `position`, or None when the text there is not one."""
    match = _MODERN.match(text, position) or (None if mtus else _ACOEM_TITLED.match(text, position))
    if match is None:
        return None
    title = " ".join(match.group("title").split()).strip(" ,")
    prefix = "MTUS (ACOEM Practice Guidelines)" if mtus else "ACOEM Practice Guidelines,"
    end = match.end()
    sections: list[str] = []
    if label := _SECTIONS_LABEL.match(text, end):
        following = _NEXT_MODERN.search(text, label.end())
        stop = following.start() if following else len(text)
        sections = split_sections(text[label.end() : stop])
        end = stop
    sections, pages = _pages_out(sections)
    citations.append(
        GuidelineCitation(source=f"{prefix} {title}, {match.group('year')}", mtus=mtus, sections=sections, pages=pages)
    )
    return max(end, position + 1)


def _mtus(text: str) -> list[GuidelineCitation]:
    citations: list[GuidelineCitation] = []
    position = 0
    while position < len(text):
        position = _BETWEEN_CITATIONS.match(text, position).end()  # type: ignore[union-attr]  # it can match nothing, so it always matches
        if position >= len(text):
            break
        if (after := _modern(text, position, citations)) is not None:
            position = after
        elif title := _GUIDELINE_TITLE.match(text, position):
            position = _page_style(text, title.start(), title.end(), citations)
        elif title := _CHAPTER.match(text, position):
            position = _chapter_style(text, title, citations)
        else:
            position = _page_style(text, position, None, citations)
    return citations


def _chapter_style(text: str, title: re.Match[str], citations: list[GuidelineCitation]) -> int:
    """'Low Back Complaints 2004, Section(s): Special Studies, and ...' -> one citation."""
    position = title.end()
    sections: list[str] = []
    if label := _SECTIONS_LABEL.match(text, position):
        following = _NEXT_CHAPTER.search(text, label.end())
        stop = following.start() if following else len(text)
        sections = split_sections(text[label.end() : stop])
        position = stop
    sections, pages = _pages_out(sections)
    citations.append(GuidelineCitation(source=f"MTUS {title.group(0).strip()}", mtus=True, sections=sections, pages=pages))
    following = _NEXT_CHAPTER.match(text, position)
    if following:
        return following.end()
    # Anything else before the next title (rare wording) is kept as sections of this citation.
    rest = _NEXT_CHAPTER.search(text, position)
    stop = rest.start() if rest else len(text)
    extra = _LEADING_JUNK.sub("", text[position:stop])
    if extra:
        citations[-1] = citations[-1].model_copy(update={"sections": sections + split_sections(extra)})
    return rest.end() if rest else len(text)


def _page_style(text: str, start: int, title_end: int | None, citations: list[GuidelineCitation]) -> int:
    """'Chronic Pain Treatment Guidelines Benzodiazepines, Opioids Page(s): 24, 74-96' -> one citation."""
    pages_label = _PAGES_LABEL.search(text, start)
    following = _NEXT_GUIDELINE.search(text, title_end if title_end is not None else start)
    stop = len(text)
    if pages_label:
        stop = pages_label.start()
    if following and following.start() < stop:
        stop = following.start()
        pages_label = None
    if title_end is None:
        # No known title: everything up to the pages is the source.
        source_end = stop
        body = ""
    else:
        source_end = title_end
        if regulation := _REGULATION.match(text, title_end):
            source_end = regulation.end()
        body = text[source_end:stop] if source_end < stop else ""
    source = "MTUS " + text[start:source_end].strip(" ,;")
    pages: list[int] = []
    position = stop
    if pages_label and pages_label.start() == stop:
        position = pages_label.end()
        while page := _PAGE.match(text, position):
            pages.extend(_expand(page))
            position = page.end()
            separator = _PAGE_SEPARATOR.match(text, position)
            if not separator:
                break
            position = separator.end()
    citations.append(GuidelineCitation(source=source.strip(), mtus=True, sections=split_sections(body), pages=_unique(pages)))
    return max(position, start + 1)


def _non_mtus(text: str) -> list[GuidelineCitation]:
    text = _LEADING_JUNK.sub("", text)
    if not text:
        return []
    pieces: list[str] = []
    position = 0
    for split in _NEXT_NON_MTUS.finditer(text):
        if split.start() > position:
            pieces.append(text[position : split.start()])
        position = split.end()
    pieces.append(text[position:])
    return [citation for piece in pieces if (citation := _one_non_mtus(piece.strip(" ,;")))]


def _one_non_mtus(text: str) -> GuidelineCitation | None:
    if not text:
        return None
    modern: list[GuidelineCitation] = []
    if _modern(text, 0, modern, mtus=bool(_MODERN.match(text))) is not None:
        return modern[0]
    title = _NON_MTUS_TITLE.match(text)
    if not title:
        pages = [
            p
            for m in re.finditer(r"\b(?:pages?|pg\.?)\s*:?\s*(\d[\d\s,\-–]*)", text, re.IGNORECASE)
            for p in expand_pages(m.group(1))
        ]
        return GuidelineCitation(source=text, mtus=False, sections=[], pages=_unique(pages))
    rest = _LEADING_JUNK.sub("", text[title.end() :])
    if "(" in rest:
        # "Neck & Upper Back (Acute & Chronic) Magnetic resonance imaging": the ODG chapter's
        # qualifier closes the chapter name; the topic that follows is a section of its own.
        rest = _CHAPTER_QUALIFIER.sub(r"\1,", rest)
    sections, pages = _pages_out(split_sections(rest))
    return GuidelineCitation(source=title.group(0).strip(), mtus=False, sections=sections, pages=pages)


def _pages_out(pieces: list[str]) -> tuple[list[str], list[int]]:
    """Sections and pages apart: 'Surgical Considerations, Page(s): 343, 345-7' -> ([...], [343, 345, 346, 347])."""
    sections: list[str] = []
    pages: list[int] = []
    in_pages = False
    for piece in pieces:
        if inline := _INLINE_PAGE.match(piece):
            pages.extend(expand_pages(inline.group(1)))
            in_pages = True
        elif in_pages and _BARE_PAGES.match(piece):
            pages.extend(expand_pages(piece))
        else:
            sections.append(piece)
            in_pages = False
    return sections, _unique(pages)


def split_sections(text: str) -> list[str]:
    """'Benzodiazepines, Muscle relaxants (for pain); Weaning' -> three sections, commas inside kept."""
    text = text.strip(" ,;.")
    if not text:
        return []
    pieces: list[str] = []
    depth = 0
    start = 0
    for index, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        elif char in ",;" and depth == 0:
            pieces.append(text[start:index].strip())
            start = index + 1
    pieces.append(text[start:].strip())
    pieces = [piece for piece in pieces if piece]
    merged: list[str] = []
    index = 0
    while index < len(pieces):
        joined = _known_comma_section(pieces, index)
        if joined:
            merged.append(joined[0])
            index = joined[1]
            continue
        piece = pieces[index]
        # "TENS, chronic pain (...)", "Opioids, criteria for use": a lower-case tail belongs to the head.
        if merged and (piece[0].islower() or piece[0] == "&") and not _INLINE_PAGE.match(piece):
            merged[-1] = f"{merged[-1]}, {piece}"
        else:
            merged.append(piece)
        index += 1
    return merged


def _known_comma_section(pieces: list[str], index: int) -> tuple[str, int] | None:
    for end in range(min(len(pieces), index + 4), index + 1, -1):
        candidate = ", ".join(pieces[index:end])
        lowered = candidate.lower()
        # A known name may carry a qualifier: "Forearm, Wrist, and hand (updated 11/23/16)".
        if any(
            lowered == known or (lowered.startswith(known + " ") and "," not in lowered[len(known) :])
            for known in _COMMA_SECTIONS
        ):
            return candidate, end
    return None


@lru_cache(maxsize=4096)
def expand_pages(text: str) -> tuple[int, ...]:
    """'44, 47, 75-79, 120 of 127' -> (44, 47, 75, 76, 77, 78, 79, 120); '63-5' -> (63, 64, 65)."""
    pages: list[int] = []
    for match in _PAGE.finditer(text):
        pages.extend(_expand(match))
    return tuple(pages)


def _expand(match: re.Match[str]) -> list[int]:
    first = int(match.group(1))
    if not match.group(2):
        return [first]
    last_text = match.group(2)
    last = int(last_text)
    if last < first and len(last_text) < len(match.group(1)):
        # "63-5" abbreviates the last page: borrow the leading digits of the first.
        last = int(match.group(1)[: len(match.group(1)) - len(last_text)] + last_text)
    if last < first or last - first > _MAX_RANGE:
        return [first, last] if last != first else [first]
    return list(range(first, last + 1))


def _unique(pages: list[int] | tuple[int, ...]) -> list[int]:
    return list(dict.fromkeys(pages))
