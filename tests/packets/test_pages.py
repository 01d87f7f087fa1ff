"""Page text: the text layer, and a clear per-file and per-page message for what cannot be read."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest

from imr.packets.pages import PacketError, read_pages
from imr.packets.synth.scan import images_to_pdf, noise_page
from tests.packets.conftest import PACKETS, locked_copy


def test_typed_pages_are_read_from_their_text_layer() -> None:
    pages = list(read_pages(PACKETS / "packet-11.pdf"))
    assert [p.number for p in pages] == list(range(1, len(pages) + 1))
    assert all(p.method == "text" and p.confidence is None and p.problem is None for p in pages)
    assert any("UTILIZATION REVIEW" in p.text.upper() for p in pages)


def test_an_encrypted_pdf_is_named_as_encrypted(tmp_path: Path) -> None:
    locked = locked_copy(PACKETS / "packet-11.pdf", tmp_path / "locked.pdf")
    with pytest.raises(PacketError, match=r"locked\.pdf: the PDF is encrypted"):
        list(read_pages(locked))


def test_a_file_that_is_not_a_pdf_is_refused_by_name(tmp_path: Path) -> None:
    bogus = tmp_path / "records.pdf"
    bogus.write_text("Dear doctor, this is not a PDF.")
    with pytest.raises(PacketError, match=r"records\.pdf: not a PDF"):
        list(read_pages(bogus))


def test_a_truncated_pdf_is_refused_by_name(tmp_path: Path) -> None:
    cut = tmp_path / "cut.pdf"
    cut.write_bytes((PACKETS / "packet-11.pdf").read_bytes()[:3000])
    with pytest.raises(PacketError, match=r"cut\.pdf"):
        list(read_pages(cut))


def test_a_page_of_noise_is_reported_by_page_and_the_rest_is_read(tmp_path: Path) -> None:
    typed = pypdf.PdfReader(PACKETS / "packet-12.pdf")
    noise = pypdf.PdfReader(io.BytesIO(images_to_pdf([noise_page(seed=3)], 200)))
    writer = pypdf.PdfWriter()
    writer.add_page(typed.pages[0])
    writer.add_page(noise.pages[0])
    writer.add_page(typed.pages[1])
    mixed = tmp_path / "mixed.pdf"
    with mixed.open("wb") as out:
        writer.write(out)
    pages = list(read_pages(mixed))
    assert [p.method for p in pages] == ["text", "ocr", "text"]
    assert pages[1].problem is not None and pages[1].problem.startswith("mixed.pdf page 2:")
    assert pages[1].text == ""
    assert pages[2].text.strip()


def test_without_ocr_a_scanned_page_is_reported_not_guessed() -> None:
    pages = list(read_pages(PACKETS / "packet-15-clean300.pdf", ocr=False))
    assert all(p.method == "none" and "no text layer" in (p.problem or "") for p in pages)


def test_without_tesseract_data_a_scanned_page_says_what_to_install(monkeypatch, tmp_path: Path) -> None:
    import imr.packets.ocr as ocr

    monkeypatch.setattr(ocr, "_TESSDATA_DIRS", ())
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))  # holds no language data
    monkeypatch.setattr(ocr, "_local", type(ocr._local)())  # no engine loaded yet in this thread
    page = next(read_pages(PACKETS / "packet-15-clean300.pdf"))
    assert page.method == "none"
    assert "apt-get install tesseract-ocr" in (page.problem or "")
