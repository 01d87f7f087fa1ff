"""A packet as several PDFs, the way a review organization receives one: the fixture packet of seed 11
cut into the forms, the records, and later records (typed, or faxed as scans with no text layer)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdfium2
import yaml

PACKET = Path(__file__).parents[1] / "fixtures" / "packets" / "packet-11.pdf"
TRUTH = yaml.safe_load(PACKET.with_suffix(".yaml").read_text(encoding="utf-8"))
# pages of packet-11.pdf: the application, UR determination and RFA; the records through the MRI; the
# last two progress reports (pages 11-12 and 13), which arrive after the case is open
FORMS, RECORDS, LATER = [1, 2, 3], [4, 5, 6, 7, 8, 9, 10], [11, 12, 13]


def pages_of(numbers: list[int], source: Path = PACKET) -> bytes:
    """A PDF of those pages (1-based) of `source`."""
    original = pypdfium2.PdfDocument(source)
    part = pypdfium2.PdfDocument.new()
    try:
        part.import_pages(original, [n - 1 for n in numbers])
        out = io.BytesIO()
        part.save(out)
        return out.getvalue()
    finally:
        part.close()
        original.close()


def faxed(pdf: bytes) -> bytes:
    """The PDF as a clean 300-dpi scan: images only, read by OCR."""
    from imr.packets.synth.scan import STYLES, scan_pdf

    return scan_pdf(pdf, STYLES["clean300"], seed=11)


def the_packet() -> list[tuple[str, bytes]]:
    return [("ur-and-application.pdf", pages_of(FORMS)), ("medical-records.pdf", pages_of(RECORDS))]


def page_text(pdf: bytes, number: int) -> str:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return document[number - 1].get_textpage().get_text_range()
    finally:
        document.close()


def words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))
