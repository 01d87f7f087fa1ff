"""The engine's evidence from a packet names the file and the page that holds it."""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2

from imr.packets import read_packet
from imr.review import review_case

PACKET = Path(__file__).parents[1] / "fixtures" / "packets" / "packet-11.pdf"


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def test_every_evidence_span_is_on_the_page_it_names():
    case = read_packet([PACKET]).case()
    pages = [page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(PACKET)]
    spans = [e for issue in review_case(case).issues for e in issue.evidence or []]
    assert spans
    for evidence in spans:
        assert evidence.file == PACKET.name
        assert _words(evidence.text) in _words(pages[evidence.page - 1]), (evidence.text, evidence.page)
