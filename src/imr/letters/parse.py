"""The letter parser: a Final Determination Letter (text, PDF or HTML) -> `Determination`.

Owns reading every published layout (data/letter_layouts.yaml): the current one ("HOW THE IMR FINAL
DETERMINATION WAS MADE" / "CLINICAL CASE SUMMARY" / "IMR ISSUES, DECISIONS AND RATIONALES", with or
without the two-column "Case Number:" header), the 2013 one ("DOCUMENTS REVIEWED" / "IMR DECISION(S)
AND RATIONALE(S)") and the one-issue "MEDICAL PROFESSIONAL REVIEW" form ("ISSUE AT DISPUTE:").
Whether input is a PDF (or an HTML page) is decided by its content, never its name. Bad input raises `LetterError`
with one line naming the source and what is wrong.

The work is a handful of compiled regular expressions over the whole text plus short backward scans
from each decision line, so time grows with the letter's length, never faster.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from imr.errors import ImrError, LetterError
from imr.items import understand_item
from imr.letters import _fields
from imr.letters._citations import parse_basis, parse_prose_basis
from imr.letters._html import html_text, looks_like_html
from imr.letters._pdf import is_pdf, pdf_text
from imr.model import (
    CaseDetails,
    Determination,
    DisputedItem,
    GuidelineCitation,
    IssueDecision,
    Outcome,
    ReviewerCredentials,
)

__all__ = ["parse_letter", "parse_letter_text"]

_LAYOUTS = yaml.safe_load((Path(__file__).parent / "data" / "letter_layouts.yaml").read_text(encoding="utf-8"))

# Longer than this is not one letter (the biggest published ones are a few hundred kB of text).
_MAX_LETTER_BYTES = 64 * 1024 * 1024
# An item title is a few lines at most (a partly authorized request set in a narrow column takes up to a
# dozen); scanning further back would read the rationale.
_MAX_TITLE_LINES = 16


# --- public API ------------------------------------------------------------------------------------


def parse_letter(path: str | Path) -> Determination:
    """Parse a letter file, text or PDF (decided by its content)."""
    path = Path(path)
    try:
        if path.is_dir():
            raise LetterError(f"{path}: is a directory, not a letter")
        if path.stat().st_size > _MAX_LETTER_BYTES:
            raise LetterError(f"{path}: too large for one letter ({path.stat().st_size // 1_000_000} MB)")
        data = path.read_bytes()
    except OSError as error:
        raise LetterError(f"{path}: cannot read ({error.strerror or error.__class__.__name__})") from None
    return parse_letter_bytes(data, source=str(path))


def parse_letter_bytes(data: bytes, *, source: str = "letter") -> Determination:
    """Parse a letter held in memory (an upload, a database blob), text or PDF."""
    if not data.strip():
        raise LetterError(f"{source}: empty file")
    text = pdf_text(data, source=source) if is_pdf(data) else _decode(data, source)
    return _parse(text, source)


def parse_letter_text(text: str) -> Determination:
    """Parse the text of a letter (as extracted from the PDF, or as `render_letter` writes it)."""
    if not text or not text.strip():
        raise LetterError("letter text: empty")
    return _parse(text, "letter text")


# --- text -----------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _decode(data: bytes, source: str) -> str:
    sample = data[:8192]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")  # a text file saved by a Windows editor
        except UnicodeDecodeError:
            raise LetterError(f"{source}: not a text letter or a PDF (broken UTF-16)") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older extractions are Windows-1252; anything else is not a text letter.
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise LetterError(f"{source}: not a text letter or a PDF (undecodable bytes)") from None
    if b"\x00" in sample or len(_CONTROL.findall(text[:8192])) > len(text[:8192]) // 100:
        raise LetterError(f"{source}: not a text letter or a PDF (binary data)")
    return text


# PDFium marks a hyphen at a line break with U+FFFE; the rest are spacing and hyphen variants.
_CHARACTER_FIXES = (
    ("\ufffe", "-"),
    ("\u00ad", ""),
    ("\u00a0", " "),
    ("\u2010", "-"),
    ("\u2011", "-"),
    ("\x0c", "\n"),
    ("\t", " "),
)


# A page footer some extractions carry ("Page 2 of 3"); inside a rationale it would be read as prose.
# Some carry the case number beside it ("CM16-0213037 Page 2 of 3", "Page 2 of 3 CM16-0213037").
_PAGE_FOOTER = re.compile(r"(?:C[A-Z]\d{2}-\d{4,9}\s+)?Page\s+\d+\s+of\s+\d+(?:\s+C[A-Z]\d{2}-\d{4,9})?$")


def _normalize(text: str) -> str:
    """One line per printed line: no carriage returns, edge spaces or blank lines (the seed files
    put a blank line after every line; the PDF text has none)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for old, new in _CHARACTER_FIXES:
        if old in text:
            text = text.replace(old, new)
    return "\n".join(
        line
        for line in (raw.strip(" ") for raw in text.split("\n"))
        if line and not (line[0] in "PC" and _PAGE_FOOTER.match(line))
    )


_HYPHEN_BREAK = re.compile(r"(?<=[A-Za-z0-9])-\n(?=[a-z0-9])")


def _prose(text: str) -> str:
    """Printed lines -> one string: words broken at a hyphen rejoined, whitespace single."""
    if "-\n" in text:
        text = _HYPHEN_BREAK.sub("-", text)
    return " ".join(text.split())


# --- layouts and sections -------------------------------------------------------------------------


def _heading_pattern(heading: str) -> re.Pattern[str]:
    # Headings stand at the start of a line; the text always begins with a newline (see _parse), and
    # a pattern that starts with a plain "\n" is found far faster than one with a "^" anchor.
    words = r"\s+".join(re.escape(word) for word in heading.split())
    tail = "" if heading.endswith(":") else r"[ ]*(?=\n|$)"
    return re.compile(rf"\n{words}{tail}")


@dataclass(frozen=True)
class _Layout:
    id: str
    markers: tuple[re.Pattern[str], ...]
    sections: dict[str, tuple[re.Pattern[str], ...]]  # each section's headings, first found wins


def _as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


_LAYOUT_LIST = [
    _Layout(
        id=entry["id"],
        markers=tuple(_heading_pattern(marker) for marker in _as_list(entry["marker"])),
        sections={
            name: tuple(_heading_pattern(heading) for heading in _as_list(headings))
            for name, headings in entry["sections"].items()
        },
    )
    for entry in _LAYOUTS["layouts"]
]
_ANY_HEADING = [(heading, _heading_pattern(heading)) for heading in _LAYOUTS["any_layout_headings"]]


def _boilerplate(key: str, end: str) -> re.Pattern[str]:
    # The fixed sentence runs to its closing `end` (":" or "."), or to the end of its line when its
    # wording differs at the tail; text after it on the same line (a reflowed letter) is kept.
    words = r"\s+".join(re.escape(word) for word in _LAYOUTS["boilerplate"][key].split())
    return re.compile(rf"{words}(?:(?<={re.escape(end)})|[^\n{end}]*{re.escape(end)}(?=\s)|[^\n]*)[ ]*\n?", re.IGNORECASE)


_SUMMARY_INTRO = _boilerplate("summary_intro", ":")
_ISSUES_INTRO = _boilerplate("issues_intro", ":")
_SUMMARY_DISCLAIMER = _boilerplate("summary_disclaimer", ".")


def _split_sections(text: str, layout: _Layout) -> tuple[str, dict[str, str]]:
    """The header (before the first heading) and each section's text (to the next heading)."""
    found: list[tuple[int, int, str]] = []
    for name, patterns in layout.sections.items():
        for pattern in patterns:
            if match := pattern.search(text):
                found.append((match.start(), match.end(), name))
                break
    found.sort()
    header = text[: found[0][0]] if found else text
    sections: dict[str, str] = {}
    for index, (_start, end, name) in enumerate(found):
        stop = found[index + 1][0] if index + 1 < len(found) else len(text)
        sections[name] = text[end:stop].strip(" \n")
    return header, sections


def _choose_layout(text: str, source: str) -> _Layout:
    for layout in _LAYOUT_LIST:
        if any(marker.search(text) for marker in layout.markers):
            return layout
    seen = [heading for heading, pattern in _ANY_HEADING if pattern.search(text)]
    if seen:
        expected = "IMR DECISION(S) AND RATIONALE(S)" if "DOCUMENTS REVIEWED" in seen else "IMR ISSUES, DECISIONS AND RATIONALES"
        raise LetterError(f"{source}: letter is cut off: it has {seen[0]!r} but no {expected!r} section (no decisions)")
    raise LetterError(f"{source}: not an IMR Final Determination Letter (unknown layout: none of the known section headings)")


# --- the header -----------------------------------------------------------------------------------

_CASE_NUMBER = re.compile(r"\b(C[A-Z]\d{2}-\d{4,9})\b")
_DATE_FIELDS = ("date_assigned", "date_of_injury", "decision_date", "ur_denial_date", "application_received")
# One pass over the header: every label and every value, each a named group. Longer labels come
# first so that "Date of UR Decision" is not read as "Decision".
_HEADER_TOKENS = re.compile(
    "|".join(
        [
            *(
                rf"(?P<{field}>\b(?:{'|'.join(sorted(patterns, key=len, reverse=True))})\b\s*:?)"
                for field, patterns in sorted(_LAYOUTS["header_labels"].items(), key=lambda entry: -max(map(len, entry[1])))
            ),
            rf"(?P<date>{_fields.DATE})",
            r"(?P<case_value>\bC[A-Z]\d{2}-\d{4,9}\b)",
            r"(?P<priority_value>\b(?:Standard|Expedited|Regular)\b)",
        ]
    ),
    re.IGNORECASE,
)
_VALUE_KINDS = {"date": _DATE_FIELDS, "case_value": ("case_number",), "priority_value": ("priority",)}


def _header(header: str) -> dict[str, object]:
    """Header fields, whatever order the two columns come out in.

    Labels and values are read in text order; each value goes to the earliest label still waiting
    for a value of its kind. Row by row ("Date Assigned: 11/09/2016 Date of Injury: ...") and column
    by column (all labels, then all values) both come out right."""
    values: dict[str, object] = {}
    waiting: list[str] = []
    header = header[:4000]
    # (label, where it ends, whether it came right after another label still waiting for its value)
    last_label: tuple[str, int, bool] | None = None
    previous_waiting_label = False
    for token in _HEADER_TOKENS.finditer(header):
        kind = token.lastgroup or ""
        if kind not in _VALUE_KINDS:
            last_label = (kind, token.end(), previous_waiting_label)
            if kind not in values and kind not in waiting:
                waiting.append(kind)
            previous_waiting_label = kind in waiting
            continue
        previous_waiting_label = False
        field = next((f for f in waiting if f in _VALUE_KINDS[kind]), None)
        # A value right after its label is that label's, even when an earlier label printed no value
        # ("Date Assigned:" blank, then "Date of Injury: 12/10/2011") -- unless the label ends a run of
        # labels printed one per line, where the values follow the whole column in order.
        if last_label and last_label[0] in waiting and last_label[0] in _VALUE_KINDS[kind]:
            between = header[last_label[1] : token.start()]
            if not between.strip(" :\n") and ("\n" not in between or not last_label[2]):
                field = last_label[0]
        if field is None:
            continue
        raw = token.group(0)
        value: object = raw
        if kind == "date":
            value = _fields.parse_date(raw)
        elif kind == "priority_value":
            value = "Expedited" if raw.lower() == "expedited" else "Standard"
        if value is not None:
            values[field] = value
            waiting.remove(field)
    if "case_number" not in values and (match := _CASE_NUMBER.search(header[:4000])):
        values["case_number"] = match.group(1)
    return values


# --- decisions: the current layout ----------------------------------------------------------------

_OUTCOME_LINE = re.compile(r":[ ]*(?:\n[ ]*)?(Upheld|Overturned|UPHELD|OVERTURNED)\b\.?[ ]*(?=\n|$)")
_ENDS_SENTENCE = re.compile(r"(?:[.!?][\"'”’)\]]*|:)$")
# A line that ends in a prescription or title abbreviation ("1 tab p.o.", "approx.") does not end a
# sentence: an item title wrapped there goes on.
_ENDS_ABBREVIATION = re.compile(
    r"(?:^|[\s(])(?:(?:[A-Za-z]\.){2,}|(?:" + "|".join(_LAYOUTS["abbreviations"]) + r")\.)$", re.IGNORECASE
)
# A line that ends in a request's own label ("Associated surgical service:", "QTY:") goes on too.
_ENDS_TITLE_LABEL = re.compile(r"\b(?:" + "|".join(_LAYOUTS["title_labels"]) + r")\s*:$", re.IGNORECASE)
# A rationale whose last sentence lost its period still ends with its verdict ("... is not medically
# necessary"): such a line ends the rationale, not a title.
_ENDS_VERDICT = re.compile(r"\b(?:" + "|".join(_LAYOUTS["verdict_endings"]) + r")$", re.IGNORECASE)
_ELIGIBLE_PORTION = re.compile(r"eligible\s+portion", re.IGNORECASE)
# The reviewer's label names the review organization ("MAXIMUS guideline:", "<Organization> guideline:").
_LABELS = (
    r"(?P<label>Claims\s+Administrator\s+[Gg]uidelines?|(?:MAXIMUS|Expert\s+Reviewer(?:'s)?|IMRO)\s+[Gg]uidelines?"
    r"|[A-Z][A-Za-z0-9&.,'’ -]{0,60}?\s+guideline(?=\s*:)"  # singular: "Official Disability Guidelines:" is not a label
    r"|Decision\s+[Rr]ationale)\s*:[ ]*"
)
_ISSUE_LABELS = re.compile(r"\n" + _LABELS)  # at a line start (the body starts with its newline)
_LABEL_LINE = re.compile(_LABELS)
_ORIGINAL_REQUEST = re.compile(r"was\s+the\s+original\s+request", re.IGNORECASE)
_PARTIAL = re.compile(
    r"^(?P<original>.{1,600}?)\s+was\s+the\s+original\s+request\.?\s+(?P<authorized>.{1,600}?)\s+(?:was|were)\s+"
    r"(?:authorized|certified|approved)\s+by\s+the\s+Claims\s+Administrator\.?\s+The\s+remaining\s+IMR\s+eligible\s+portion\s+of\s+the\s+"
    r"original\s+request,?\s+(?P<remaining>.{1,600}?)$",
    re.IGNORECASE,
)


# "1. MRI of the lumbar spine: Upheld": an enumerator before the title is not part of the request.
_ENUMERATOR = re.compile(r"^(?:Item\s+)?\d{1,2}[.)]\s+(?=\D)")


def _trim_title(title: str) -> str:
    """'Acupuncture 12 sessions is:' -> 'Acupuncture 12 sessions'; 'Xanax 0.25mg #30 with 2 refills.' loses its period;
    '2. MRI of the knee' loses its number."""
    title = title.rstrip(" .:")
    if title[:1].isdigit() or title[:4] == "Item":
        title = _ENUMERATOR.sub("", title, count=1)
    for verb in (" is", " are", " IS", " ARE", " Is", " Are"):
        if title.endswith(verb):
            return title[: -len(verb)].rstrip(" .:")
    return title


@dataclass
class _RawIssue:
    title: str
    outcome: Outcome
    body: str


def _issues_current(body: str, source: str) -> list[_RawIssue]:
    body = _ISSUES_INTRO.sub("", body, count=1)
    markers = list(_OUTCOME_LINE.finditer(body))
    if not markers:
        raise LetterError(
            f"{source}: letter is cut off: 'IMR ISSUES, DECISIONS AND RATIONALES' has no decision (no ': Upheld' or ': Overturned')"
        )
    starts: list[int] = []
    floor = 0
    for marker in markers:
        line_start = body.rfind("\n", floor, marker.start()) + 1 or floor
        title_start = _title_start(body, floor, max(line_start, floor))
        rationale = body.rfind("\nDecision rationale", floor, title_start)
        window = body[max(floor, rationale) : title_start] if rationale >= 0 else body[floor:title_start]
        # A partly authorized request spans sentences: start where its "original request" starts.
        original = None
        for original in _ORIGINAL_REQUEST.finditer(window):
            pass
        if original is not None and _ELIGIBLE_PORTION.search(body, title_start, marker.start()):
            anchor = (max(floor, rationale) if rationale >= 0 else floor) + original.start()
            anchor_line = body.rfind("\n", floor, anchor) + 1 or floor
            title_start = _title_start(body, floor, max(anchor_line, floor))
        starts.append(title_start)
        floor = marker.end()
    issues: list[_RawIssue] = []
    for index, marker in enumerate(markers):
        stop = starts[index + 1] if index + 1 < len(markers) else len(body)
        title = _trim_title(_prose(body[starts[index] : marker.start()]))
        outcome: Outcome = "Upheld" if marker.group(1).lower() == "upheld" else "Overturned"
        issues.append(_RawIssue(title=title, outcome=outcome, body=body[marker.end() : stop]))
    return issues


def _title_start(body: str, floor: int, line_start: int) -> int:
    """Walk back from a decision line while the line above does not end a sentence."""
    start = line_start
    for _ in range(_MAX_TITLE_LINES):
        if start <= floor:
            return floor
        previous_end = start - 1
        previous_start = body.rfind("\n", floor, previous_end) + 1 or floor
        previous = body[previous_start:previous_end].rstrip()
        if not previous or _LABEL_LINE.match(previous) or _ENDS_VERDICT.search(previous):
            return start
        if _ENDS_SENTENCE.search(previous) and not (
            _ENDS_ABBREVIATION.search(previous) or (previous[-1] == ":" and _ENDS_TITLE_LABEL.search(previous))
        ):
            return start
        start = previous_start
    return start


def _issue_parts(body: str) -> tuple[list[GuidelineCitation], list[GuidelineCitation], str | None]:
    """Claims administrator basis, reviewer basis and rationale of one decision."""
    claims: list[GuidelineCitation] = []
    reviewer: list[GuidelineCitation] = []
    rationale: str | None = None
    labels: list[re.Match[str]] = []
    for label in _ISSUE_LABELS.finditer(body):
        labels.append(label)
        if label.group("label").startswith("Decision"):
            break  # the rationale runs to the next item, whatever its lines begin with
    for index, label in enumerate(labels):
        stop = labels[index + 1].start() if index + 1 < len(labels) else len(body)
        value = body[label.end() : stop]
        name = label.group("label")
        if name.startswith("Claims"):
            claims = parse_basis(value)
        elif name.startswith("Decision"):
            rationale = _prose(value) or None
        else:
            reviewer = parse_basis(value)
    return claims, reviewer, rationale


def _decisions_current(body: str, source: str) -> list[IssueDecision]:
    decisions = []
    for raw in _issues_current(body, source):
        claims, reviewer, rationale = _issue_parts(raw.body)
        decisions.append(
            IssueDecision(
                item=_item(raw.title),
                outcome=raw.outcome,
                rationale=rationale,
                claims_administrator_basis=claims,
                reviewer_basis=reviewer,
            )
        )
    return decisions


# --- decisions: the 2013 layout ("IMR DECISION(S) AND RATIONALE(S)") ------------------------------

_NUMBERED = re.compile(r"\n(\d{1,2})[.)][ ]+")
# "notmedically": some extractions lose the space.
_NECESSITY = re.compile(r"\b(?:is|are|was|were)\s+(not\s*)?medically\s+necessary(?:\s+and\s+appropriate)?", re.IGNORECASE)
_REQUEST_LEAD = re.compile(
    r"^(?:MAXIMUS\s+Federal\s+Services,?\s+Inc\.?\s+has\s+determined\s+)?(?:Regarding\s+)?(?:the\s+)?"
    r"(?:(?:prescription|request)\s+(?:of|for)\s+(?:an?\s+(?=\d))?)?",
    re.IGNORECASE,
)
_OLD_LABELS = re.compile(
    r"(?P<label>The\s+Claims\s+Administrator\s+based\s+its\s+decision\s+on"
    r"|The\s+Expert\s+Reviewer\s+found\s+(?:that\s+)?the\s+guidelines?\s+used\s+by\s+the\s+Claims\s+Administrator\s+(?:was|were)\s+(?:appropriate|relevant)[^.]*\."
    r"|The\s+Expert\s+Reviewer\s+based\s+(?:his/her|his|her|their)\s+decision\s+on"
    r"|Rationale\s+for\s+the\s+Decision\s*:)",
    re.IGNORECASE,
)


def _decisions_numbered(body: str, source: str) -> list[IssueDecision]:
    body = "\n" + _ISSUES_INTRO.sub("", body, count=1)
    numbers = list(_NUMBERED.finditer(body))
    if numbers:
        spans = [(n.group(1), n.end()) for n in numbers]
    else:
        spans = [(str(index), start) for index, start in enumerate(_unnumbered_starts(body), start=1)]
    if not spans:
        raise LetterError(f"{source}: letter is cut off: 'IMR DECISION(S) AND RATIONALE(S)' lists no numbered decision")
    decisions = []
    for index, (number_text, begin) in enumerate(spans):
        stop = (numbers[index + 1].start() if numbers else spans[index + 1][1]) if index + 1 < len(spans) else len(body)
        chunk = body[begin:stop]
        first_label = _OLD_LABELS.search(chunk)
        if first_label:
            heading = _prose(chunk[: first_label.start()])
        elif (stated := _NECESSITY.search(chunk, 0, 600)) is not None:
            heading = _prose(chunk[: stated.end()])  # "1) ... has determined the request for X is not medically necessary ..."
        else:
            heading = _prose(chunk.split("\n", 1)[0])
        necessity = _NECESSITY.search(heading)
        verdicts = list(_NECESSITY.finditer(chunk))
        verdict = necessity or (verdicts[-1] if verdicts else None)
        if verdict is None:
            raise LetterError(f"{source}: decision {number_text} states no outcome (medically necessary or not)")
        title = heading[: necessity.start()] if necessity else heading
        title = _REQUEST_LEAD.sub("", title.strip().rstrip(":.")).strip()
        claims: list[GuidelineCitation] = []
        reviewer: list[GuidelineCitation] = []
        rationale = None
        labels = list(_OLD_LABELS.finditer(chunk))
        for position, label in enumerate(labels):
            end = labels[position + 1].start() if position + 1 < len(labels) else len(chunk)
            value = chunk[label.end() : end]
            name = label.group("label").lower()
            if "claims administrator based" in " ".join(name.split()):
                claims = parse_prose_basis(value)
            elif "found" in name:
                reviewer = list(claims)
            elif name.startswith("rationale"):
                rationale = _prose(value) or None
            else:
                reviewer = parse_prose_basis(value)
        decisions.append(
            IssueDecision(
                item=_item(title),
                outcome="Upheld" if verdict.group(1) else "Overturned",
                rationale=rationale,
                claims_administrator_basis=claims,
                reviewer_basis=reviewer,
            )
        )
    return decisions


_CLAIMS_BASED = re.compile(r"The\s+Claims\s+Administrator\s+based\s+its\s+decision\s+on", re.IGNORECASE)


def _unnumbered_starts(body: str) -> list[int]:
    """Where each decision starts when the 2013 letter does not number them: the sentence stating
    "X is [not] medically necessary" that comes before each "The Claims Administrator based its
    decision on", from the start of its line (walking back over a title wrapped on several lines)."""
    starts: list[int] = []
    floor = 0
    for label in _CLAIMS_BASED.finditer(body):
        verdict = None
        for verdict in _NECESSITY.finditer(body, floor, label.start()):
            pass
        if verdict is None:
            continue
        line_start = body.rfind("\n", floor, verdict.start()) + 1 or floor
        starts.append(_title_start(body, floor, max(line_start, floor)))
        floor = label.end()
    return starts


# --- decisions: the "ISSUE AT DISPUTE:" form ------------------------------------------------------

_DISPUTE_LEAD = re.compile(
    r"^(?:whether\s+)?(?:(?:is|was|are|were)\s+)?(?:the\s+)?(?:requested\s+)?(?:request\s+for\s+)?", re.IGNORECASE
)
_DISPUTE_TAIL = re.compile(
    r"\s*(?:(?:is|was|are|were)\s+)?(?:medically\s+necessary(?:\s+and\s+appropriate)?)?\s*[?.:]*$", re.IGNORECASE
)
_VERDICT_WORD = re.compile(r"\b(UPHELD|UPHOLD|OVERTURNED|OVERTURN)\b")
_TAIL_REACH = 80  # longer than the longest tail: " were medically necessary and appropriate"


def _without_dispute_tail(title: str) -> str:
    """The title without "is medically necessary?": the tail pattern is anchored at the end, but a
    regex engine tries it from every position (quadratic on a long run of dots), so it is matched
    against the end of the title only, once trailing punctuation and spaces are gone."""
    title = title.rstrip(" \t\n?.:")
    head, tail = title[:-_TAIL_REACH], title[-_TAIL_REACH:]
    return (head + _DISPUTE_TAIL.sub("", tail)).rstrip()


def _decisions_dispute(sections: dict[str, str], source: str) -> list[IssueDecision]:
    issues_text = "\n" + sections.get("issues", "")
    numbers = list(_NUMBERED.finditer(issues_text))
    if numbers:
        titles = [
            issues_text[n.end() : numbers[i + 1].start() if i + 1 < len(numbers) else len(issues_text)]
            for i, n in enumerate(numbers)
        ]
    else:
        titles = [issues_text]
    titles = [_without_dispute_tail(_DISPUTE_LEAD.sub("", _prose(t))) for t in titles]
    titles = [t for t in titles if t]
    if not titles:
        raise LetterError(f"{source}: 'ISSUE AT DISPUTE:' names no treatment")
    rationale_text = sections.get("rationale")
    if rationale_text is None:
        raise LetterError(f"{source}: letter is cut off before its 'RATIONALE FOR WHY THE REQUESTED TREATMENT/SERVICE' section")
    rationale = _prose(rationale_text) or None
    reviewer = parse_basis(sections.get("guidelines", ""))
    decisions = []
    for title in titles:
        outcome = _dispute_outcome(rationale or "", title)
        if outcome is None:
            raise LetterError(f"{source}: no outcome (medically necessary or not) stated for {title[:60]!r}")
        decisions.append(IssueDecision(item=_item(title), outcome=outcome, rationale=rationale, reviewer_basis=reviewer))
    return decisions


def _dispute_outcome(rationale: str, title: str) -> Outcome | None:
    if word := _VERDICT_WORD.search(rationale):
        return "Upheld" if word.group(1).startswith("UPHOLD") or word.group(1) == "UPHELD" else "Overturned"
    # Prefer the verdict sentence that names this item; else the last verdict in the rationale.
    verdicts = list(_NECESSITY.finditer(rationale))
    if not verdicts:
        return None
    key = title.lower()[:25]
    named = [v for v in verdicts if key and key in rationale[max(0, v.start() - 200) : v.start()].lower()]
    verdict = (named or verdicts)[-1]
    return "Upheld" if verdict.group(1) else "Overturned"


# --- items ----------------------------------------------------------------------------------------


@lru_cache(maxsize=16384)
def _understood(text: str) -> DisputedItem:
    # Published letters repeat the same requests ("MRI of the lumbar spine") thousands of times.
    try:
        return understand_item(text).model_copy(update={"text": text})
    except ImrError:  # a request the item reader cannot read is still an item, with its wording
        return DisputedItem(text=text)


def _item(title: str) -> DisputedItem:
    title = _trim_title(title.strip())
    if "original request" in title.lower() and (partial := _PARTIAL.match(title)):
        remaining = _trim_title(partial.group("remaining"))
        item = _understood(remaining).model_copy()
        item.original_request = partial.group("original").strip()
        item.authorized = partial.group("authorized").strip()
        return item
    # A shallow copy is enough: every item field is a string, a number or a date.
    return _understood(title).model_copy()


# --- the whole letter -----------------------------------------------------------------------------


def _case_details(header: str, summary: str | None) -> CaseDetails:
    values = _header(header)
    details = CaseDetails.model_validate(values)
    if summary:
        details.summary = summary
        age, sex = _fields.age_and_sex(summary)
        details.age = age
        details.sex = sex
        if details.date_of_injury is None:
            details.date_of_injury = _fields.injury_date(summary)
        details.diagnoses = _fields.diagnoses(summary)
        details.medications = _fields.medications(summary)
    return details


def _summary(section: str | None) -> str | None:
    if not section:
        return None
    if "following" in section[:300]:
        section = _SUMMARY_INTRO.sub("", section, count=1)
    if "Disclaimer" in section:
        section = _SUMMARY_DISCLAIMER.sub("", section, count=1)
    return _prose(section) or None


def _parse(text: str, source: str) -> Determination:
    if looks_like_html(text):
        text = html_text(text)
    text = _normalize(text)
    if not text:
        raise LetterError(f"{source}: empty")
    text = "\n" + text  # every line, the first included, starts after a newline (see _heading_pattern)
    layout = _choose_layout(text, source)
    header, sections = _split_sections(text, layout)
    summary = _summary(sections.get("summary"))
    if layout.id == "current":
        decisions = _decisions_current(sections["issues"], source)
        reviewer = _fields.credentials(sections.get("how", ""))
    elif layout.id == "documents-reviewed":
        decisions = _decisions_numbered(sections["issues"], source)
        stated_in_prose = _fields.notice_dates(text)
        reviewer = _fields.credentials(sections.get("how", "") or header)
        if not reviewer.licensure_states and not reviewer.specialties:
            reviewer = _fields.credentials(text)  # the qualifications may sit inside another section
    else:
        decisions = _decisions_dispute(sections, source)
        reviewer = _fields.credentials(sections.get("qualifications", ""))
        if not reviewer.licensure_states and not reviewer.specialties:
            reviewer = ReviewerCredentials()
    if not decisions:
        raise LetterError(f"{source}: letter states no decision")
    case = _case_details(header, summary)
    if layout.id == "documents-reviewed":
        for field, day in stated_in_prose.items():
            if getattr(case, field) is None:
                setattr(case, field, day)
    return Determination(case=case, reviewer=reviewer, issues=decisions)
