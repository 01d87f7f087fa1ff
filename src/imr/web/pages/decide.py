"""Decide and sign: the reviewer opens the engine's draft, changes outcome, citations and rationale,
previews the letter, signs, and downloads the signed letter as PDF; similar published decisions."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from imr.cases import service
from imr.cases.errors import CaseNotFound, InvalidInput
from imr.model import CaseDetails, Determination, GuidelineCitation, IssueDecision
from imr.web.pages.casepage import done
from imr.web.pages.render import citation_text, page
from imr.web.pages.routing import PageRoute
from imr.web.pages.session import PageSession, form_session, page_session

router = APIRouter(route_class=PageRoute)
NON_MTUS = "non-mtus:"
PRECEDENT_LIMIT = 3
MAX_SUMMARY_CHARACTERS = 20_000  # a letter's summary is a page or two; more is a paste gone wrong
# The letter preview is the renderer's own HTML document, shown in a frame: it may style itself, never run code.
LETTER_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"


# ---------------------------------------------------------------- citations as one line each


def citation_line(citation: GuidelineCitation) -> str:
    """A citation as the edit form writes it: `source; section, section; pages` (`Non-MTUS:` first if so)."""
    return citation_text(citation).replace("; page ", "; ").replace("; pages ", "; ")


def _pages(text: str, where: str) -> list[int]:
    pages: list[int] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        found = re.fullmatch(r"(\d+)\s*-\s*(\d+)|(\d+)", part)
        if not found:
            raise InvalidInput(f"{where}: pages must be numbers or ranges such as 24 or 63-65, got {part!r}")
        if found.group(3):
            pages.append(int(found.group(3)))
        else:
            first, last = int(found.group(1)), int(found.group(2))
            if last < first or last - first > 200:
                raise InvalidInput(f"{where}: page range {part!r} is not a range of pages")
            pages.extend(range(first, last + 1))
    return pages


def parse_citations(text: str, item_number: int) -> list[GuidelineCitation]:
    """The reviewer's citations, one per line: source; sections (comma separated); pages (24, 63-65)."""
    citations = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        where = f"item {item_number}, citation line {line_number}"
        mtus = not line.lower().startswith(NON_MTUS)
        if not mtus:
            line = line[len(NON_MTUS) :].strip()
        parts = [p.strip() for p in line.split(";")]
        if not parts[0]:
            raise InvalidInput(f"{where}: the guideline's name comes first")
        if len(parts) > 3:
            raise InvalidInput(f"{where}: write source; sections; pages (three parts at most)")
        sections = [s.strip() for s in parts[1].split(",") if s.strip()] if len(parts) > 1 else []
        pages = _pages(parts[2], where) if len(parts) > 2 else []
        citations.append(GuidelineCitation(source=parts[0], mtus=mtus, sections=sections, pages=pages))
    return citations


def edited_determination(draft: Determination, form: FormData) -> Determination:
    """The draft with the reviewer's outcome, rationale and citations per item; everything the engine
    found (evidence, checklist, missing documentation) is kept with it."""
    issues: list[IssueDecision] = []
    for n, issue in enumerate(draft.issues, start=1):
        outcome = str(form.get(f"outcome_{n}", "") or "")
        if outcome not in ("", "Upheld", "Overturned"):
            raise InvalidInput(f"item {n}: outcome must be Upheld or Overturned, got {outcome!r}")
        rationale = str(form.get(f"rationale_{n}", "") or "").strip()
        citations = parse_citations(str(form.get(f"citations_{n}", "") or ""), n)
        issues.append(
            issue.model_copy(update={"outcome": outcome or None, "rationale": rationale or None, "reviewer_basis": citations})
        )
    return draft.model_copy(update={"issues": issues, "case": edited_summary(draft, form)})


def edited_summary(draft: Determination, form: FormData) -> CaseDetails:
    """The case details with the reviewer's clinical case summary (unchanged when the form has none)."""
    if "summary" not in form:
        return draft.case
    summary = str(form.get("summary") or "").replace("\r\n", "\n").strip()
    if len(summary) > MAX_SUMMARY_CHARACTERS:
        raise InvalidInput(f"clinical case summary: {len(summary):,} characters; at most {MAX_SUMMARY_CHARACTERS:,}")
    return draft.case.model_copy(update={"summary": summary or None})


# ---------------------------------------------------------------- the review steps


@router.post("/cases/{ref}/review")
def start_review(request: Request, ref: str, tasks: BackgroundTasks, session: PageSession = Depends(form_session)) -> Response:
    database = request.app.state.database
    _, pending = service.request_review(database, session.actor, ref)
    if pending:
        # after the answer: the case page shows the draft as pending until the engine has made it
        tasks.add_task(service.finish_pending_draft, database, session.actor, ref, request.app.state.draft_processes.draft)
    return done(ref, "review")


@router.post("/cases/{ref}/refresh")
def refresh_draft(request: Request, ref: str, session: PageSession = Depends(form_session)) -> Response:
    """Draft again from the records filed since; the request waits for the engine (seconds, outside any
    transaction, in a process of its own), so that the page it returns to shows what the new records changed."""
    service.refresh_draft(request.app.state.database, session.actor, ref, request.app.state.draft_processes.draft)
    return done(ref, "refreshed")


async def posted_form(request: Request) -> FormData:
    return await request.form()  # parsed once: the CSRF check has read it already


@router.post("/cases/{ref}/draft")
def save_draft(
    request: Request, ref: str, form: FormData = Depends(posted_form), session: PageSession = Depends(form_session)
) -> Response:
    version = str(form.get("version", ""))
    with request.app.state.database.transaction() as db:
        case = service.load_case(db, session.actor, ref, action="determination.read")
        draft = service.latest_version(case)
        if draft is None or draft.status != "draft":
            raise InvalidInput(f"case {case.case_number} has no open draft; open the review first")
        edited = edited_determination(Determination.model_validate(draft.content), form)
        service.save_draft(db, session.actor, ref, edited, expected_version=int(version) if version.isdigit() else None)
    target = "#letter" if form.get("then") == "preview" else ""
    response = done(ref, "saved")
    if target:
        response.headers["location"] += "&preview=1" + target
    return response


@router.post("/cases/{ref}/sign")
def sign(
    request: Request, ref: str, version: str = Form(""), attest: str = Form(""), session: PageSession = Depends(form_session)
) -> Response:
    if attest != "yes":
        raise InvalidInput("confirm that you reviewed the records and the decision before signing")
    with request.app.state.database.transaction() as db:
        service.sign(db, session.actor, ref, expected_version=int(version) if version.isdigit() else None)
    return done(ref, "signed")


@router.post("/cases/{ref}/correct")
def correct(request: Request, ref: str, reason: str = Form(""), session: PageSession = Depends(form_session)) -> Response:
    with request.app.state.database.transaction() as db:
        service.correct(db, session.actor, ref, reason=reason)
    return done(ref, "corrected")


# ---------------------------------------------------------------- the letter


def _letter_source(
    request: Request, session: PageSession, ref: str, *, signed_only: bool
) -> tuple[str, Determination, bytes | None]:
    """The case number, the determination a letter is made of (the latest version, or the signed one)
    and the issued PDF if there is one; read in a short transaction, rendered after it."""
    with request.app.state.database.transaction() as db:
        case = service.load_case(db, session.actor, ref, action="letter.read" if signed_only else "letter.preview")
        version = service.current_signed(case) if signed_only else service.latest_version(case)
        if version is None:
            raise CaseNotFound(f"case {case.case_number} has no {'signed ' if signed_only else ''}determination yet")
        if signed_only:
            service.require_untampered(case, version)
        return case.case_number, Determination.model_validate(version.content), version.letter_pdf if signed_only else None


@router.get("/cases/{ref}/letter.html")
def letter_preview(request: Request, ref: str, session: PageSession = Depends(page_session)) -> Response:
    """The letter of the latest version (the draft as saved, or the signed decision), as the renderer writes it."""
    _, content, _ = _letter_source(request, session, ref, signed_only=False)
    html = service.render(content, "html", request.app.state.settings.organization)
    return Response(html, media_type="text/html; charset=utf-8", headers={"Content-Security-Policy": LETTER_POLICY})


@router.get("/cases/{ref}/letter.pdf")
def letter_pdf(request: Request, ref: str, session: PageSession = Depends(page_session)) -> Response:
    """The signed letter: the issued PDF once issued, else rendered from the signed version."""
    number, content, pdf = _letter_source(request, session, ref, signed_only=True)
    if pdf is None:
        pdf = service.render(content, "pdf", request.app.state.settings.organization)
    filename = re.sub(r"[^A-Za-z0-9._-]", "_", number)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}-final-determination.pdf"'},
    )


# ---------------------------------------------------------------- similar published decisions


def _precedents(request: Request, issue: IssueDecision, summary: str | None, case_number: str) -> list[Any] | None:
    """Published decisions like this item, or None when the corpus is missing or empty."""
    if issue.precedents:
        return issue.precedents
    from imr.corpus import corpus_store, find_precedents

    try:
        store = corpus_store(request.app.state.settings.resolved_database_url)
        if store.counts()["items"] == 0:
            return None
        return find_precedents(issue.item, summary, PRECEDENT_LIMIT, exclude_case=case_number, store=store)
    except Exception:  # noqa: BLE001 - precedents are an aid; the review goes on without them
        return None


@router.get("/cases/{ref}/items/{number}/precedents")
def precedents(request: Request, ref: str, number: int, session: PageSession = Depends(page_session)) -> Response:
    with request.app.state.database.transaction() as db:
        case = service.load_case(db, session.actor, ref, action="precedents.read")
        latest = service.latest_version(case)
        if latest is None or not 1 <= number <= len(latest.content.get("issues", [])):
            raise CaseNotFound(f"case {case.case_number} has no item {number} under review")
        determination = Determination.model_validate(latest.content)
        case_number = case.case_number
    issue = determination.issues[number - 1]
    found = _precedents(request, issue, determination.case.summary, case_number)
    return page(request, "precedents.html", {"session": session, "precedents": found})
