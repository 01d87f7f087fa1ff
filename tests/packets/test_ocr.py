"""OCR of scanned pages (Tesseract): text close to the typed original, upright, level, with a confidence."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from imr.packets import forms
from imr.packets.ocr import despeckle, estimate_skew, ocr_page, upright_score, without_specks
from imr.packets.pages import read_pages
from imr.packets.synth.generator import Packet, make_packet, render_packet
from imr.packets.synth.scan import STYLES, scan_pdf
from imr.packets.synth.score import character_error_rate
from tests.packets.conftest import PACKETS, SCANNED, TYPED, truth_of


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


def test_a_page_fed_sideways_is_read_upright() -> None:
    document = pdfium.PdfDocument(str(PACKETS / "packet-12.pdf"))
    image = document[0].render(scale=200 / 72, grayscale=True).to_pil().convert("L")
    document.close()
    result = ocr_page(image.rotate(-90, expand=True, fillcolor=255))  # a quarter turn clockwise
    assert result.rotation == 90
    assert "INDEPENDENT MEDICAL REVIEW" in result.text.upper()
    assert result.confidence >= 0.7


def test_skew_is_estimated_within_a_quarter_degree() -> None:
    document = pdfium.PdfDocument(str(PACKETS / "packet-11.pdf"))
    image = document[1].render(scale=100 / 72, grayscale=True).to_pil().convert("L")
    document.close()
    tilted = image.rotate(-1.8, resample=Image.Resampling.BICUBIC, fillcolor=255)
    assert abs(estimate_skew(tilted) - 1.8) <= 0.25


def _page_image(pdf: bytes | Path, number: int, dpi: int = 200) -> Image.Image:
    document = pdfium.PdfDocument(pdf)
    try:
        return document[number - 1].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        document.close()


def _scanned(seed: int, style: str) -> tuple[Packet, bytes, bytes]:
    """A generated packet (3 records), typed and scanned in `style`."""
    packet = make_packet(seed, records=3)
    typed = render_packet(packet)
    return packet, typed, scan_pdf(typed, STYLES[style], seed=seed)


@pytest.mark.parametrize("pdf", [*TYPED, *SCANNED], ids=lambda p: p.stem)
def test_the_ink_of_the_lines_says_which_way_up_a_page_stands(pdf: Path) -> None:
    truth = truth_of(pdf)
    turned = 3 if "skewed300" in pdf.stem else None  # the scan style feeds page 3 upside down
    scores = []
    for number in range(1, 1 + max(p for d in truth["documents"] for p in d["pages"])):
        image = _page_image(pdf, number)
        level = image.rotate(estimate_skew(image), resample=Image.Resampling.BILINEAR, fillcolor=255)
        for page in (level, level.rotate(180)):
            upright = (number == turned) == (page is not level)
            scores.append(upright_score(page) * (1 if upright else -1))
    # never the wrong way up (a page of a few lines gets no vote: 0, read as it comes); most are sure
    assert min(scores) >= 0
    assert sum(s > 0.15 for s in scores) >= 0.85 * len(scores)


def test_lone_specks_go_and_the_print_stays() -> None:
    clean = np.asarray(_page_image(PACKETS / "packet-11.pdf", 2).point(lambda v: 255 if v > 160 else 0))
    ink = clean < 128
    specks = (np.random.default_rng(5).random(clean.shape) < 0.001) & ~ink
    dusty = clean.copy()
    dusty[specks] = 0
    cleaned = np.asarray(despeckle(Image.fromarray(dusty))) < 128
    # a speck is left only where it touches print or another speck
    assert np.count_nonzero(cleaned & specks) <= 0.05 * np.count_nonzero(specks)
    # and the print is not eaten: at most a stray pixel of anti-aliasing in a thousand goes
    assert np.count_nonzero(ink & ~cleaned) <= 0.001 * np.count_nonzero(ink)


def test_marks_read_from_specks_are_dropped_from_the_lines() -> None:
    assert (
        without_specks("Guidelines relied \u2018upon: CA MTUS . Postsurgical ,") == "Guidelines relied upon: CA MTUS Postsurgical"
    )
    assert without_specks(": CLINICAL RATIONALE") == "CLINICAL RATIONALE"
    # a quotation is kept, and so is a dash (an RFA row's empty CPT column)
    assert without_specks("the \u2018Tapering opioids\u2019 section") == "the \u2018Tapering opioids\u2019 section"
    assert without_specks("Tramadol ER 150mg #30 - see report") == "Tramadol ER 150mg #30 - see report"


def test_a_wrapped_guideline_on_a_skewed_scan_is_read_whole() -> None:
    # seed 80014 (a development seed): its UR table wraps "Chapter 12, Low / Back Complaints", and the
    # guideline line is indented where its second line is not (Tesseract saw a new paragraph there)
    packet, _, scanned = _scanned(80014, "skewed300")
    page = ocr_page(_page_image(scanned, 2))
    bases = {i.text: i.basis for i in forms.ur_items(page.text)}
    for request in packet.truth("x.pdf")["case"]["requests"]:
        assert bases[request["text"]] == request["ur_basis"]


def test_the_rows_of_a_scanned_rfa_are_read_whole() -> None:
    # seed 80011 (development): its RFA table has five columns; read as one block, each row stays a line
    packet, typed, scanned = _scanned(80011, "skewed300")
    rfa = next(d for d in packet.truth("x.pdf")["documents"] if d["kind"] == "rfa")["pages"][0]
    read = forms.rfa_items(ocr_page(_page_image(scanned, rfa)).text)
    assert read == forms.rfa_items(_typed_page(typed, rfa))
    assert len(read) >= 2
