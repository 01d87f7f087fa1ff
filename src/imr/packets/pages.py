"""The pages of a packet PDF as text: the text layer where there is one, OCR where there is not.

A page is read from its text layer (pypdfium2) when that layer holds words; otherwise it is rendered
at 200 dpi and read by OCR (`imr.packets.ocr`). Every page comes back, even one that cannot be read:
its `problem` says why (a corrupt page, noise, no OCR), and the rest of the packet is still read.
Messages name the file and page, never what the page says (packets are PHI).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium

from imr.errors import ImrError

# A page with fewer word characters than this in its text layer is a scan (a stamp or a fax header
# does not make a text layer).
_MIN_TEXT_CHARS = 40
OCR_DPI = 200  # LSTM lines are scaled to a fixed height anyway; 300 dpi costs 60 % more time for no gain on 10-pt text


class PacketError(ImrError):
    """A packet file cannot be read at all (not a PDF, encrypted, empty)."""


@dataclass(frozen=True)
class Page:
    file: str
    number: int  # 1-based, as a person counts pages
    text: str
    method: str  # "text" (text layer), "ocr", or "none" (unreadable)
    confidence: float | None = None  # OCR mean word confidence 0..1; None for a text layer
    rotation: int = 0
    skew: float = 0.0
    problem: str | None = None


def page_count(path: Path) -> int:
    document = _open(path)
    try:
        return len(document)
    finally:
        document.close()


def _open(path: Path) -> pdfium.PdfDocument:
    try:
        head = path.open("rb").read(1024)
    except OSError as error:
        raise PacketError(f"{path.name}: cannot read ({error.strerror})") from None
    if b"%PDF-" not in head:
        raise PacketError(f"{path.name}: not a PDF")
    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as error:
        reason = str(error).lower()
        if "password" in reason:
            raise PacketError(
                f"{path.name}: the PDF is encrypted (password-protected); ask the sender for an unlocked copy"
            ) from None
        raise PacketError(f"{path.name}: not a readable PDF ({str(error).splitlines()[0].rstrip('.')})") from None


def _text_layer(page: pdfium.PdfPage) -> str:
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n")
        # pdfium marks a hyphen that ends a line with U+FFFE (or U+0002) and joins the lines.
        return text.replace("\ufffe", "-").replace("\x02", "-")
    finally:
        textpage.close()


def _has_words(text: str) -> bool:
    return sum(ch.isalnum() for ch in text) >= _MIN_TEXT_CHARS


def read_pages(path: Path, *, ocr: bool = True) -> Iterator[Page]:
    """Every page of one PDF, in order; raises `PacketError` only when the file cannot be opened."""
    document = _open(path)
    name = path.name
    try:
        for index in range(len(document)):
            number = index + 1
            try:
                page = document[index]
            except pdfium.PdfiumError:
                yield Page(name, number, "", "none", problem=f"{name} page {number}: the page is damaged and cannot be read")
                continue
            try:
                text = _text_layer(page)
                if _has_words(text):
                    yield Page(name, number, text, "text")
                elif not ocr:
                    yield Page(name, number, "", "none", problem=f"{name} page {number}: no text layer (OCR turned off)")
                else:
                    yield _ocr(page, name, number)
            except pdfium.PdfiumError:
                yield Page(name, number, "", "none", problem=f"{name} page {number}: the page is damaged and cannot be read")
            finally:
                page.close()
    finally:
        document.close()


def _ocr(page: pdfium.PdfPage, name: str, number: int) -> Page:
    from imr.packets.ocr import OcrUnavailable, ocr_page

    bitmap = page.render(scale=OCR_DPI / 72, grayscale=True)
    try:
        image = bitmap.to_pil()
    finally:
        bitmap.close()
    try:
        result = ocr_page(image)
    except OcrUnavailable as error:
        return Page(name, number, "", "none", problem=f"{name} page {number}: no text layer, and {error}")
    if result.words == 0 and not result.text.strip() and not result.noise:
        return Page(name, number, "", "ocr", 0.0, problem=f"{name} page {number}: blank page")
    if result.is_noise:
        return Page(
            name,
            number,
            "",
            "ocr",
            result.confidence,
            problem=f"{name} page {number}: no readable text (OCR confidence {result.confidence:.0%}); page skipped",
        )
    return Page(name, number, result.text, "ocr", result.confidence, result.rotation, result.skew)
