"""Medical records as documents: identified by content hash (stored once), typed, and paged.

Text records have no pages of their own; a form feed starts a new page, otherwise every
`TEXT_LINES_PER_PAGE` lines count as one printed page.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math

from imr.cases.errors import InvalidInput

TEXT_LINES_PER_PAGE = 54
# The largest medical record accepted (a scanned chart of a few hundred pages).
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024

# pypdf warns with document details on malformed files; records are PHI and stay out of logs.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def content_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def media_type_of(content: bytes, filename: str) -> str:
    """PDF or plain text, judged by the bytes (a file name can lie)."""
    if content.lstrip()[:5] == b"%PDF-":
        return "application/pdf"
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"{filename}: neither a PDF nor UTF-8 text; only PDF and text records are accepted") from None
    return "text/plain"


def page_count(content: bytes, media_type: str, filename: str) -> int:
    if media_type == "application/pdf":
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError

        try:
            return len(PdfReader(io.BytesIO(content)).pages)
        except (PyPdfError, ValueError, KeyError, OSError):
            raise InvalidInput(f"{filename}: not a readable PDF") from None
    text = content.decode("utf-8")
    if "\f" in text:
        return text.rstrip("\f").count("\f") + 1
    lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    return max(1, math.ceil(lines / TEXT_LINES_PER_PAGE))
