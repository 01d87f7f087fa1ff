"""Bad input: each is one `LetterError` line naming the file and what is wrong, never a traceback."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from imr.errors import LetterError
from imr.letters.parse import parse_letter, parse_letter_text

LETTERS = Path(__file__).parent.parent / "fixtures" / "letters"
SEED = sorted((LETTERS / "seed").glob("*.txt"))
A_PDF = LETTERS / "dwc" / "CM16-0213037.pdf"


def refusal(path: Path) -> str:
    with pytest.raises(LetterError) as caught:
        parse_letter(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(path))
    return message


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    assert "empty" in refusal(tmp_path / "empty.txt")
    (tmp_path / "blank.txt").write_text("\n \n\t\n")
    assert "empty" in refusal(tmp_path / "blank.txt")


def test_random_bytes(tmp_path: Path) -> None:
    (tmp_path / "noise.bin").write_bytes(bytes(range(256)) * 64 + os.urandom(4096))
    assert "not a text letter or a PDF" in refusal(tmp_path / "noise.bin")


def test_broken_pdf(tmp_path: Path) -> None:
    (tmp_path / "broken.pdf").write_bytes(A_PDF.read_bytes()[:1500])
    assert "PDF" in refusal(tmp_path / "broken.pdf")


def test_scanned_pdf_without_a_text_layer(tmp_path: Path) -> None:
    document = pdfium.PdfDocument.new()
    document.new_page(612, 792)
    document.new_page(612, 792)
    buffer = io.BytesIO()
    document.save(buffer)
    (tmp_path / "scan.pdf").write_bytes(buffer.getvalue())
    assert "no text layer" in refusal(tmp_path / "scan.pdf")


def test_letter_cut_off_before_its_decisions_names_the_missing_section(tmp_path: Path) -> None:
    text = SEED[0].read_text()
    (tmp_path / "cut.txt").write_text(text[: text.index("IMR ISSUES, DECISIONS AND RATIONALES")])
    message = refusal(tmp_path / "cut.txt")
    assert "cut off" in message and "IMR ISSUES, DECISIONS AND RATIONALES" in message
    assert "cut off" in refusal(LETTERS / "synthetic" / "cut-off.txt")


def test_letter_cut_off_right_after_the_decisions_heading(tmp_path: Path) -> None:
    text = SEED[0].read_text()
    (tmp_path / "cut.txt").write_text(text[: text.index("Xanax 0.25mg #30 with 2 refills.:")])
    assert "no decision" in refusal(tmp_path / "cut.txt")


def test_unknown_layout(tmp_path: Path) -> None:
    (tmp_path / "minutes.txt").write_text("Minutes of the meeting\nThe committee approved the budget.\n" * 20)
    assert "unknown layout" in refusal(tmp_path / "minutes.txt")


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert "cannot read" in refusal(tmp_path / "nowhere.txt")
    assert "directory" in refusal(tmp_path)


def test_empty_text() -> None:
    with pytest.raises(LetterError):
        parse_letter_text("   \n")


def test_a_huge_letter_still_parses(tmp_path: Path) -> None:
    """20 MB of summary and rationale (no sentence end, colons everywhere) must not blow up the regexes;
    the time it takes is measured by benchmarks/bench_letters.py."""
    text = SEED[0].read_text()
    filler = "pain: worse with sitting, and better lying down with Xanax 0.25 and Page(s) 24 - " * 20_000
    head, tail = text.split("IMR ISSUES, DECISIONS AND RATIONALES", 1)
    big = (
        head
        + filler
        + "\nIMR ISSUES, DECISIONS AND RATIONALES"
        + tail.replace("Decision rationale:", "Decision rationale: " + filler)
    )
    assert len(big) > 3_000_000
    d = parse_letter_text(big)
    assert [(i.item.text, i.outcome) for i in d.issues] == [("Xanax 0.25mg #30 with 2 refills", "Upheld")]
