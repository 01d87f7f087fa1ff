"""Rendering for the workbench: the Jinja2 environment (autoescape on), the page wording (pages.yaml),
and record text with the engine's evidence spans marked.

Record text is case data: it is escaped piece by piece and `<mark>` elements are inserted only at the
offsets the engine reported, so no byte of the record can ever become markup.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from imr.cases.clock import california_date, california_time
from imr.model import Evidence, GuidelineCitation

TEMPLATES = Path(__file__).parents[1] / "templates"
STATIC = Path(__file__).parents[1] / "static"
_WORDING = Path(__file__).parent / "pages.yaml"


@lru_cache(maxsize=1)
def wording() -> dict[str, Any]:
    """Navigation per role, status labels and the messages shown after an action (pages.yaml)."""
    return yaml.safe_load(_WORDING.read_text(encoding="utf-8"))


def evidence_anchor(record_index: int | None, start: int | None, end: int | None) -> str:
    """The id of a marked span in the records column: what checklist lines link to."""
    where = "summary" if record_index is None else str(record_index)
    return f"ev-{where}-{start}-{end}"


def rule_anchor(rule_id: str) -> str:
    """The id of a guideline rule's paraphrase on the case page."""
    return "rule-" + "".join(c if c.isalnum() else "-" for c in rule_id.lower())


def citation_anchor(citation: GuidelineCitation | dict[str, Any]) -> str:
    data = citation.model_dump() if isinstance(citation, GuidelineCitation) else citation
    key = "-".join([data.get("source") or "", *data.get("sections", []), *map(str, data.get("pages", []))])
    return "cite-" + "".join(c if c.isalnum() else "-" for c in key.lower()).strip("-")[:80]


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    fact: str
    negated: bool


def spans_by_record(evidence: list[Evidence]) -> dict[int | None, list[Span]]:
    """Evidence spans grouped by the record they point into (None: the letter's case summary)."""
    found: dict[int | None, set[Span]] = {}
    for ev in evidence:
        if ev.start is None or ev.end is None or ev.end <= ev.start:
            continue
        found.setdefault(ev.record_index, set()).add(Span(ev.start, ev.end, ev.fact, ev.negated))
    return {index: sorted(spans, key=lambda s: (s.start, -s.end)) for index, spans in found.items()}


def highlight(
    text: str, spans: list[Span], record_index: int | None, *, base: int = 0, chosen: tuple[int, int] | None = None
) -> Markup:
    """The record text, escaped, with each evidence span in a `<mark>` whose id the checklist links to.

    `base`: where `text` begins in the record (one page of it); spans keep their record offsets and ids,
    and a span outside the page is left out. Overlapping spans are merged into the first one's mark
    (nested marks would only add noise); a span that reaches past the text is clipped, so a stale offset
    can never cut into markup. `chosen`: the span the reader followed, marked apart (`ev-chosen`)."""
    pieces: list[str] = []
    position = 0
    for span in spans:
        first, last = span.start - base, span.end - base
        if last <= 0 or first >= len(text):
            continue  # on another page
        start, end = max(first, position), min(last, len(text))
        if start >= end:
            if first < position:  # overlapped: the earlier mark already shows this text
                pieces.append(
                    str(
                        Markup('<span id="{}" class="anchor"></span>').format(evidence_anchor(record_index, span.start, span.end))
                    )
                )
            continue
        pieces.append(str(escape(text[position:start])))
        css = "ev ev-negated" if span.negated else "ev"
        if chosen == (span.start, span.end):
            css += " ev-chosen"
        pieces.append(
            str(
                Markup('<mark id="{}" class="{}" title="{}">').format(
                    evidence_anchor(record_index, span.start, span.end), css, span.fact.replace("_", " ")
                )
            )
        )
        pieces.append(str(escape(text[start:end])))
        pieces.append("</mark>")
        position = end
    pieces.append(str(escape(text[position:])))
    return Markup("".join(pieces))


def _moment(value: str) -> dt.datetime | None:
    """A stored time as the API gives it (ISO 8601 with its zone), or None for a plain date."""
    if len(value) <= 10:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def us_date(value: dt.date | str | None) -> str:
    """Dates as the letters write them (MM/DD/YYYY); '—' when unknown. A time (a signing, an
    assignment) is shown as its California date, not the UTC one it is stored as."""
    if value is None or value == "":
        return "—"
    day: dt.date
    if isinstance(value, str):
        moment = _moment(value)
        if moment is not None:
            day = california_date(moment)
        else:
            try:
                day = dt.date.fromisoformat(value[:10])
            except ValueError:
                return value
    elif isinstance(value, dt.datetime):
        day = california_date(value)
    else:
        day = value
    return day.strftime("%m/%d/%Y")


def california_clock(value: dt.datetime | str | None) -> str:
    """A stored time as a Californian reads it: '2026-03-09 21:00 PDT'."""
    if value is None or value == "":
        return "—"
    moment = _moment(value) if isinstance(value, str) else value
    if moment is None:
        return str(value)
    return california_time(moment).strftime("%Y-%m-%d %H:%M:%S %Z")


def pages_list(pages: list[int]) -> str:
    """Pages as a reader cites them: 63-65, 70."""
    runs: list[str] = []
    ordered = sorted(set(pages))
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        runs.append(str(ordered[i]) if i == j else f"{ordered[i]}-{ordered[j]}")
        i = j + 1
    return ", ".join(runs)


def citation_text(citation: GuidelineCitation | dict[str, Any]) -> str:
    data = citation.model_dump() if isinstance(citation, GuidelineCitation) else citation
    parts = [data.get("source") or ""]
    if data.get("sections"):
        parts.append(", ".join(data["sections"]))
    if data.get("pages"):
        parts.append(("page " if len(data["pages"]) == 1 else "pages ") + pages_list(data["pages"]))
    text = "; ".join(p for p in parts if p)
    return text if data.get("mtus", True) else f"Non-MTUS: {text}"


def _environment() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES))
    env = templates.env
    env.autoescape = True  # every template, whatever its extension
    env.filters.update(
        us_date=us_date, california_clock=california_clock, citation=citation_text, cite_anchor=citation_anchor, pages=pages_list
    )
    env.globals.update(evidence_anchor=evidence_anchor, wording=wording, rule_anchor=rule_anchor)
    return templates


templates = _environment()


def page(request: Request, name: str, context: dict[str, Any], status_code: int = 200):
    """A full page: the template with the signed-in user, navigation and CSRF token in its context."""
    session = context.get("session")
    role = session.actor.role if session else None
    base = {
        "request": request,
        "nav": wording()["navigation"].get(role, []) if role else [],
        "done": wording()["done"].get(request.query_params.get("done", ""), None),
    }
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status_code)


def preload(session: Any, cases: list[Any], *loaders: Any) -> None:
    """Load parts of a list of cases in one query each (`loaders`: SQLAlchemy loader options such as
    `selectinload(Case.items)`), not one query per case: a queue of a thousand cases would otherwise
    cost two thousand round trips. Cases already loaded are not read again, only their missing parts."""
    if not cases:
        return
    from sqlalchemy import select
    from sqlalchemy.orm import load_only

    from imr.cases.models import Case

    # Only the ids of the cases themselves: their rows (the case file is a large JSON) are loaded already.
    query = select(Case).where(Case.id.in_([c.id for c in cases])).options(load_only(Case.id), *loaders)
    session.scalars(query).all()
