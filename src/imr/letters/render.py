"""The letter renderer: a `Determination` as a Final Determination Letter, in text, HTML or PDF.

Owns the published layouts (templates/): the "Case Number:" layout with its two-column header and
the older seed layout without one, each as a text and an HTML template; PDF is the HTML printed by
WeasyPrint. The letters' fixed wording lives in the templates; this module only chooses the
template, prepares values (dates, page ranges, runs of citations) and wraps text.

The same templates serve every use: a published copy (what `parse_letter` reads back to the same
Determination), a signed letter issued by the case service, a redacted copy (redaction changes the
Determination's text, not the layout) and the review engine's draft, which with `draft=True` carries
a "working notes" appendix (criteria, evidence, missing documentation, precedents) outside the letter.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import jinja2
import markupsafe
import yaml

from imr.errors import LetterError
from imr.model import Determination, GuidelineCitation, IssueDecision

Format = Literal["text", "html", "pdf"]
Layout = Literal["auto", "case-number", "seed"]

FORMATS: tuple[str, ...] = ("text", "html", "pdf")
LAYOUTS: tuple[str, ...] = ("auto", "case-number", "seed")
TEMPLATES = Path(__file__).parent / "templates"
# The published letters wrap at about this many characters; the text format keeps their look.
TEXT_WIDTH = 95
_HEADER_FIELDS = (
    "case_number",
    "date_assigned",
    "decision_date",
    "ur_denial_date",
    "application_received",
    "priority",
)

# A word a PDF line may not end inside: 'EMG/NCS', 'sprain-strain', '10-13-16'.
_BREAKABLE_WORD = re.compile(r"\S[/\-\u2010-\u2014]\S")

# WeasyPrint and fontTools log layout details (and could log text) at DEBUG/INFO: case text is PHI.
for _name in ("weasyprint", "weasyprint.progress", "fontTools", "fontTools.subset", "fontTools.ttLib"):
    logging.getLogger(_name).setLevel(logging.ERROR)


@dataclass(frozen=True)
class CitationRun:
    """Consecutive citations of one kind: the MTUS ones share a sentence, each non-MTUS one has its own."""

    mtus: bool
    citations: tuple[GuidelineCitation, ...]


def render_letter(
    d: Determination,
    format: Format,
    *,
    layout: Layout = "auto",
    organization: str | None = None,
    draft: bool = False,
) -> bytes:
    """Render a Final Determination Letter; `draft=True` appends the engine's working notes (HTML, PDF, text).

    `layout="auto"` chooses the "Case Number:" layout when a header field (other than the date of
    injury) is known, else the seed layout. `organization` defaults to the IMR_ORGANIZATION setting.
    Raises `LetterError` for an unknown format or layout, and, unless `draft`, for a Determination
    without issues or with an undecided one.
    """
    if format not in FORMATS:
        raise LetterError(f"unknown letter format {format!r}: choose text, html or pdf")
    if layout not in LAYOUTS:
        raise LetterError(f"unknown letter layout {layout!r}: choose auto, case-number or seed")
    if not draft:
        _check_final(d)
    chosen = choose_layout(d) if layout == "auto" else layout
    if organization is None:
        from imr.settings import get_settings

        organization = get_settings().organization
    context = {
        "d": d,
        "layout": chosen,
        "organization": organization,
        "organization_label": organization_label(organization),
        "credential_style": credential_style(d),
        "draft": draft,
        "has_working_notes": draft and any(_has_notes(issue) for issue in d.issues),
        "text_width": TEXT_WIDTH,
    }
    kind = "txt" if format == "text" else "html"
    rendered = _environment(kind).get_template(f"{chosen}.{kind}.j2").render(context)
    if format == "pdf":
        return html_to_pdf(rendered)
    return rendered.encode("utf-8")


def choose_layout(d: Determination) -> Literal["case-number", "seed"]:
    """The "Case Number:" layout when a header field is known, else the seed layout.

    The date of injury does not count: every summary states it, so a parsed seed letter has one too.
    """
    return "case-number" if any(getattr(d.case, name) is not None for name in _HEADER_FIELDS) else "seed"


def credential_style(d: Determination) -> Literal["inline", "list"]:
    """Board certification is stated in the paragraph (the 2014 letters); otherwise the credentials list."""
    reviewer = d.reviewer
    return "inline" if reviewer.board_certified and reviewer.specialties else "list"


def organization_label(organization: str) -> str:
    """The short name letters put before "guideline:" (MAXIMUS Federal Services -> MAXIMUS)."""
    return _organizations().get(organization, {}).get("label", organization)


def html_to_pdf(html: str) -> bytes:
    """Print an HTML letter to PDF; the stylesheet is inside the HTML, so nothing is fetched.

    The PDF is tagged (headings, paragraphs, the header table) so that a published letter reads
    aloud in order with a screen reader.
    """
    from weasyprint import HTML

    return HTML(string=html, base_url=str(TEMPLATES)).write_pdf(pdf_tags=True)


def _check_final(d: Determination) -> None:
    # A letter that is issued or published must decide every item; an abstain belongs to a draft.
    if not d.issues:
        raise LetterError("determination has no issues: a letter decides at least one disputed item")
    for index, issue in enumerate(d.issues):
        if issue.outcome is None:
            raise LetterError(
                f"issues[{index}] ({issue.item.text[:60]!r}) has no outcome: a final letter needs Upheld or "
                "Overturned (render with draft=True for an engine draft)"
            )


def _has_notes(issue: IssueDecision) -> bool:
    fields = ("evidence", "missing", "confidence", "criteria", "abstain_reason", "precedents")
    return any(getattr(issue, name) is not None for name in fields)


# --- values the templates need ---------------------------------------------------------------


def us_date(value: dt.date | None) -> str:
    """Dates as the letters print them: 11/09/2016."""
    return value.strftime("%m/%d/%Y") if value else ""


def page_list(pages: list[int]) -> str:
    """Pages as letters cite them: consecutive pages as a range ('24, 63-65, 124'; '64-65')."""
    return ", ".join(page_runs(pages))


def page_runs(pages: list[int]) -> list[str]:
    """[24, 63, 64, 65, 124] -> ['24', '63-65', '124']."""
    parts: list[str] = []
    run: list[int] = []
    for page in sorted(set(pages)):
        if run and page == run[-1] + 1:
            run.append(page)
            continue
        parts.extend(_run_text(run))
        run = [page]
    parts.extend(_run_text(run))
    return parts


def _run_text(run: list[int]) -> list[str]:
    if len(run) >= 2:
        return [f"{run[0]}-{run[-1]}"]
    return [str(page) for page in run]


def citation_runs(citations: list[GuidelineCitation]) -> list[CitationRun]:
    """Group citations in their order: letters name all MTUS sources of a run after one 'MTUS'."""
    runs: list[CitationRun] = []
    for citation in citations:
        if citation.mtus and runs and runs[-1].mtus:
            runs[-1] = CitationRun(True, runs[-1].citations + (citation,))
        else:
            runs.append(CitationRun(citation.mtus, (citation,)))
    return runs


def without_mtus(source: str) -> str:
    """'MTUS Low Back Complaints 2004' -> 'Low Back Complaints 2004': the sentence says 'MTUS' once."""
    return re.sub(r"^MTUS\s+", "", source.strip())


def mtus_name(source: str, first: bool = True) -> str:
    """A source after "Decision based on MTUS": the first without its "MTUS"; an ACOEM-era source after
    the first keeps it ("..., and MTUS (ACOEM Practice Guidelines) Chronic Pain Guideline, 2017")."""
    if not first and re.match(r"MTUS\s*\(ACOEM", source.strip()):
        return source.strip()
    return without_mtus(source)


def dated_chapter(source: str) -> bool:
    """'MTUS Low Back Complaints 2004', '... 2016 Guidelines': a guideline chapter named with its edition year."""
    return bool(re.search(r"\b(?:19|20)\d\d(?:\s+Guidelines)?$", source.strip()))


def sentence(text: str) -> str:
    """End a phrase with one period: citations that end in '.' (an abbreviation) keep theirs."""
    text = text.strip()
    return text if text.endswith(".") else text + "."


def wrap(text: str | None, width: int = TEXT_WIDTH, indent: str = "", hang: str = "") -> str:
    """Fill each paragraph (blank-line separated) to `width`; never split a word or at a hyphen.

    `hang` indents continuation lines further, so a wrapped list entry stays under its bullet.
    """
    if not text:
        return ""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    filled = [
        textwrap.fill(
            " ".join(p.split("\n")),
            width=width,
            break_long_words=False,
            break_on_hyphens=False,
            initial_indent=indent,
            subsequent_indent=indent + hang,
        )
        for p in paragraphs
    ]
    return "\n\n".join(filled)


def paragraphs(text: str | None) -> list[str]:
    """Blank-line separated paragraphs, for HTML <p> elements."""
    if not text:
        return []
    return [" ".join(p.split("\n")).strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


def unbroken(text: str | None) -> markupsafe.Markup:
    """Escape `text` for HTML and keep words with '/' or '-' whole: a printed line must not end inside
    'EMG/NCS' or 'sprain-strain', where reading the PDF back would put a space."""
    if not text:
        return markupsafe.Markup("")
    # The wording macros hand over Markup that is already escaped; model values arrive as plain str.
    escape = markupsafe.Markup if isinstance(text, markupsafe.Markup) else markupsafe.escape
    out = []
    for piece in re.split(r"(\s+)", str(text)):
        escaped = escape(piece)
        if _BREAKABLE_WORD.search(piece):
            escaped = markupsafe.Markup('<span class="nobreak">') + escaped + markupsafe.Markup("</span>")
        out.append(escaped)
    return markupsafe.Markup("").join(out)


def format_cell(text: str, width: int) -> str:
    """Pad a header cell to its column width (0: as is)."""
    return text.ljust(width) if width else text


def percent(value: float | None) -> str:
    return "" if value is None else f"{round(value * 100)}%"


@lru_cache(maxsize=1)
def _organizations() -> dict[str, dict[str, str]]:
    data = yaml.safe_load((TEMPLATES / "organizations.yaml").read_text(encoding="utf-8")) or {}
    return {entry["name"]: entry for entry in data.get("organizations", [])}


@lru_cache(maxsize=2)
def _environment(kind: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        # One environment per format, so that the shared wording macros escape every value they
        # interpolate when HTML calls them (a rationale's '<script>' prints as text) and none in text.
        autoescape=kind == "html",
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        us_date=us_date,
        page_list=page_list,
        page_runs=page_runs,
        citation_runs=citation_runs,
        without_mtus=without_mtus,
        sentence=sentence,
        wrap=wrap,
        paragraphs=paragraphs,
        unbroken=unbroken,
        percent=percent,
        format_cell=format_cell,
    )
    env.tests["dated_chapter"] = dated_chapter
    env.filters["mtus_name"] = mtus_name
    return env
