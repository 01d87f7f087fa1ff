"""Records read from PDFs: a case opened from its IMR packet, and a record's page as the reviewer checks
the engine's evidence against it — the page's image, rendered from the stored PDF, beside the page's
text with the evidence marked, and the OCR confidence of a scanned page.

The packet is read before any transaction opens (OCR takes a second a page), by the same reader as
`imr intake` and `imr cases import` (`imr.cases.packets`). The page and its image are case data: each
read goes through the case service, which lets only those entitled to the case see it (a reviewer not
assigned finds nothing) and writes the audit entry; neither may be cached.
"""

from __future__ import annotations

import io
from typing import Any

import pypdfium2 as pdfium
from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response

from imr.casefile import Record, stored_case
from imr.cases import packets, service
from imr.cases.access import require
from imr.cases.errors import CaseNotFound
from imr.cases.views import case_view
from imr.model import Determination
from imr.web.pages.casepage import all_evidence, done, upload_bytes
from imr.web.pages.render import Span, highlight, page, spans_by_record
from imr.web.pages.routing import PageRoute
from imr.web.pages.session import PageSession, form_session, page_session

router = APIRouter(route_class=PageRoute)
# Wide enough to read a 10-point line beside the text; the longest side is capped so that an odd page
# size (a plan, a banner) cannot make a huge image.
PAGE_IMAGE_DPI = 110
PAGE_IMAGE_MAX_PIXELS = 2200
MAX_PACKET_FILES = 100


def read_problems(request: Request, session: PageSession, case_id: int | str, what: str, problems: list[str]) -> Response:
    """What was filed, and each file or page that could not be read (one line each, named by file and page)."""
    return page(request, "read_problems.html", {"session": session, "case_id": case_id, "what": what, "problems": problems})


@router.post("/cases/packet")
def import_packet(
    request: Request,
    packet: list[UploadFile] = File(...),
    packet_case_number: str = Form(""),  # named apart from the typed form's field on the same page
    session: PageSession = Depends(form_session),
) -> Response:
    require(session.actor, "cases.write")  # before the slow read
    uploads = [upload for upload in packet if upload.filename][:MAX_PACKET_FILES]
    files = [service.NewDocument(filename=upload.filename or "packet.pdf", content=upload_bytes(upload)) for upload in uploads]
    read = packets.read_packet_files(files, case_number=packet_case_number.strip() or None)
    with request.app.state.database.transaction() as db:
        case = service.import_case(db, session.actor, read.case_file, documents=read.files, source="packet")
        db.flush()
        case_id = case.id
    if read.problems:
        return read_problems(request, session, case_id, f"Case opened from {len(files)} file(s).", read.problems)
    return done(case_id, "packet")


# ---------------------------------------------------------------- a record's page


def _page_range(record: Record, page_number: int) -> tuple[int, int]:
    """Where a page's text lies in the record text (the record's pages are joined by a newline)."""
    source = record.source
    assert source is not None
    position = source.pages.index(page_number)
    offsets = source.offsets or [0]
    start = offsets[position] if position < len(offsets) else 0
    end = offsets[position + 1] - 1 if position + 1 < len(offsets) else len(record.text)
    return start, max(start, end)


def _chosen(span: str) -> tuple[int, int] | None:
    """The followed finding's offsets in the record, from `?span=START-END`."""
    start, dash, end = span.partition("-")
    return (int(start), int(end)) if dash and start.isdigit() and end.isdigit() else None


def _shown(spans: list[Span], chosen: tuple[int, int] | None) -> list[Span]:
    """The page's marks with the followed finding whole: findings overlapping it are left out here (each
    has its own link), so that its mark holds exactly its text."""
    if chosen is None or not any((s.start, s.end) == chosen for s in spans):
        return spans
    start, end = chosen
    return [s for s in spans if (s.start, s.end) == chosen or s.end <= start or s.start >= end]


def page_context(request: Request, session: PageSession, ref: str, index: int, number: int, span: str = "") -> dict[str, Any]:
    with request.app.state.database.transaction() as db:
        case = service.load_case(db, session.actor, ref, action="document.page")
        case_file = stored_case(case.case_file)
        record = case_file.records[index] if 0 <= index < len(case_file.records) else None
        if record is None or record.source is None or number not in record.source.pages:
            raise CaseNotFound(f"case {case.case_number} has no page {number} in record {index + 1}")
        document = packets.document_of(case, record.source.file)
        if document is None:
            raise CaseNotFound(f"case {case.case_number}: the file {record.source.file} is not filed with the case")
        latest = service.latest_version(case)
        determination = Determination.model_validate(latest.content) if latest else None
        view, sha256 = case_view(case), document.sha256
    start, end = _page_range(record, number)
    spans = spans_by_record(all_evidence(determination)).get(index, [])
    position = record.source.pages.index(number)
    confidence = record.source.confidence[position] if record.source.confidence else None
    chosen = _chosen(span)
    on_page = _shown([s for s in spans if s.end > start and s.start < end], chosen)
    return {
        "session": session,
        "case": view,
        "record": record,
        "index": index,
        "file": record.source.file,
        "number": number,
        "pages": record.source.pages,
        "previous": record.source.pages[position - 1] if position > 0 else None,
        "next": record.source.pages[position + 1] if position + 1 < len(record.source.pages) else None,
        "image": f"/cases/{view['id']}/documents/{sha256}/pages/{number}.png",
        "confidence": confidence,
        "html": highlight(record.text[start:end], on_page, index, base=start, chosen=chosen),
        "marks": len(on_page),
    }


@router.get("/cases/{ref}/records/{index}/pages/{number}")
def record_page(
    request: Request, ref: str, index: int, number: int, span: str = "", session: PageSession = Depends(page_session)
) -> Response:
    return page(request, "record_page.html", page_context(request, session, ref, index, number, span))


def page_png(pdf: bytes, number: int) -> bytes | None:
    """Page `number` (1-based) of a PDF as PNG; None when the PDF has no such page."""
    try:
        document = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError:
        return None
    try:
        if not 1 <= number <= len(document):
            return None
        pdf_page = document[number - 1]
        try:
            width, height = pdf_page.get_size()
            scale = min(PAGE_IMAGE_DPI / 72, PAGE_IMAGE_MAX_PIXELS / max(width, height, 1))
            bitmap = pdf_page.render(scale=scale)
            try:
                image = bitmap.to_pil()
            finally:
                bitmap.close()
        finally:
            pdf_page.close()
    finally:
        document.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


@router.get("/cases/{ref}/documents/{sha256}/pages/{number}.png")
def page_image(request: Request, ref: str, sha256: str, number: int, session: PageSession = Depends(page_session)) -> Response:
    with request.app.state.database.transaction() as db:
        filed = service.read_document(db, session.actor, ref, sha256, action="document.page")
        media_type, content = filed.blob.media_type, filed.blob.content
    png = page_png(content, number) if media_type == "application/pdf" else None
    if png is None:
        raise CaseNotFound(f"document {sha256[:12]} has no page {number} to show")
    # case data: never kept by the browser or a proxy
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})
