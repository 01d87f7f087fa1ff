"""PDF to text for the letter parser: the text layer of a published letter, page by page.

pypdfium2 was chosen by measurement over the 40 published dwc letters on one core: pypdfium2 about
200 letters/s, pypdf about 17 letters/s, pdfplumber about 3 letters/s (see docs/letters.md). The
text it yields keeps the letters' reading order line by line; the two-column header comes out one
row at a time, which the header parser does not rely on.
"""

from __future__ import annotations

import pypdfium2 as pdfium

from imr.errors import LetterError

# A page of a real letter carries hundreds of characters; a scanned page carries none (or a stray
# mark or two from an OCR-less scanner), so anything this short is "no text layer".
_MIN_TEXT_CHARS = 20


def is_pdf(data: bytes) -> bool:
    """True when the bytes look like a PDF (the signature may follow a little leading junk)."""
    return b"%PDF-" in data[:1024]


def pdf_text(data: bytes, *, source: str) -> str:
    """The text layer of every page, pages joined by a newline; `LetterError` when there is none."""
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        raise LetterError(f"{source}: not a readable PDF ({_reason(error)})") from None
    try:
        pages: list[str] = []
        for index in range(len(document)):
            page = document[index]
            try:
                textpage = page.get_textpage()
                try:
                    pages.append(textpage.get_text_range())
                finally:
                    textpage.close()
            finally:
                page.close()
    except pdfium.PdfiumError as error:
        raise LetterError(f"{source}: PDF page cannot be read ({_reason(error)})") from None
    finally:
        document.close()
    text = "\n".join(pages)
    if len(text) < 50 * _MIN_TEXT_CHARS and len("".join(text.split())) < _MIN_TEXT_CHARS:
        raise LetterError(f"{source}: PDF has no text layer (a scanned letter needs OCR first)")
    return text


def _reason(error: Exception) -> str:
    message = str(error).strip().splitlines()[0] if str(error).strip() else error.__class__.__name__
    return message.rstrip(".")
