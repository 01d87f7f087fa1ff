"""OCR of scanned pages (Tesseract): text close to the typed original, upright, level, with a confidence."""

from __future__ import annotations

from itertools import islice

import pypdfium2 as pdfium
from PIL import Image

from imr.packets.ocr import estimate_skew, ocr_page
from imr.packets.pages import read_pages
from imr.packets.synth.generator import make_packet, render_packet
from imr.packets.synth.score import character_error_rate
from tests.packets.conftest import PACKETS, truth_of


def _typed_page(pdf: bytes, number: int) -> str:
    document = pdfium.PdfDocument(pdf)
    try:
        return document[number - 1].get_textpage().get_text_range()
    finally:
        document.close()


def test_a_clean_300_dpi_scan_reads_within_two_percent_character_error() -> None:
    scanned = PACKETS / "packet-15-clean300.pdf"
    typed = render_packet(make_packet(truth_of(scanned)["seed"], records=1))
    first_two = list(islice(read_pages(scanned), 2))  # the IMR application and the UR determination
    assert all(p.method == "ocr" for p in first_two)
    rates = [character_error_rate(p.text, _typed_page(typed, p.number)) for p in first_two]
    assert max(rates) <= 0.02, rates
    assert all(0.8 <= (p.confidence or 0) <= 1 for p in first_two)


def test_a_page_fed_upside_down_is_read_upright() -> None:
    document = pdfium.PdfDocument(str(PACKETS / "packet-12.pdf"))
    image = document[0].render(scale=200 / 72, grayscale=True).to_pil().convert("L")
    document.close()
    result = ocr_page(image.rotate(180, expand=True, fillcolor=255))
    assert result.rotation == 180
    assert "INDEPENDENT MEDICAL REVIEW" in result.text.upper()


def test_skew_is_estimated_within_a_quarter_degree() -> None:
    document = pdfium.PdfDocument(str(PACKETS / "packet-11.pdf"))
    image = document[1].render(scale=100 / 72, grayscale=True).to_pil().convert("L")
    document.close()
    tilted = image.rotate(-1.8, resample=Image.Resampling.BICUBIC, fillcolor=255)
    assert abs(estimate_skew(tilted) - 1.8) <= 0.25
