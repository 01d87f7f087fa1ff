"""Record text with evidence marks, and the reviewer's citation lines: the two places where the pages
turn case text and form text into something else."""

from __future__ import annotations

import pytest

from imr.cases.errors import InvalidInput
from imr.model import Evidence, GuidelineCitation
from imr.web.pages.decide import citation_line, parse_citations
from imr.web.pages.render import highlight, spans_by_record

NOTE = "Pain 7/10 <b>worse</b>. Takes alprazolam 0.5 mg & Norco. No functional improvement."


def evidence(text: str, record_index: int | None = 0, negated: bool = False) -> Evidence:
    start = NOTE.index(text)
    return Evidence(fact="medication", text=text, record_index=record_index, start=start, end=start + len(text), negated=negated)


def test_marks_sit_on_the_offsets_and_the_rest_is_escaped() -> None:
    spans = spans_by_record([evidence("alprazolam 0.5 mg"), evidence("functional improvement", negated=True)])
    html = str(highlight(NOTE, spans[0], 0))
    assert "&lt;b&gt;worse&lt;/b&gt;" in html and "<b>" not in html
    assert "&amp; Norco" in html
    start = NOTE.index("alprazolam")
    assert f'<mark id="ev-0-{start}-{start + 17}" class="ev" title="medication">alprazolam 0.5 mg</mark>' in html
    assert 'class="ev ev-negated"' in html
    # Nothing lost, nothing added: without the marks it is the escaped note.
    assert html.replace("</mark>", "").count("<mark") == 2


def test_overlapping_and_stale_spans_never_break_the_text() -> None:
    start = NOTE.index("alprazolam")
    spans = spans_by_record(
        [
            Evidence(fact="medication", text="alprazolam 0.5 mg", record_index=0, start=start, end=start + 17),
            Evidence(fact="medication", text="0.5 mg", record_index=0, start=start + 11, end=start + 17),
            Evidence(fact="medication", text="past the end", record_index=0, start=len(NOTE) - 3, end=len(NOTE) + 40),
            Evidence(fact="medication", text="no offsets", record_index=0),
        ]
    )[0]
    html = str(highlight(NOTE, spans, 0))
    assert html.count("<mark") == 2 and html.count("</mark>") == 2
    assert f'id="ev-0-{start + 11}-{start + 17}"' in html  # the inner span still has a link target
    assert html.endswith(">nt.</mark>")  # clipped at the end of the text


def test_a_page_of_a_record_keeps_the_record_offsets_of_its_marks() -> None:
    # the record's second "page" begins at "Takes": marks on it keep their ids, others are left out
    base = NOTE.index("Takes")
    spans = spans_by_record([evidence("Pain 7/10"), evidence("alprazolam 0.5 mg"), evidence("functional improvement")])[0]
    html = str(highlight(NOTE[base:], spans, 0, base=base))
    start = NOTE.index("alprazolam")
    assert f'<mark id="ev-0-{start}-{start + 17}" class="ev" title="medication">alprazolam 0.5 mg</mark>' in html
    assert html.count("<mark") == 2 and "Pain 7/10" not in html
    # a span that began on the page before is marked from the top of this one
    across = spans_by_record(
        [Evidence(fact="medication", text="worse</b>. Takes", record_index=0, start=base - 10, end=base + 5)]
    )
    assert str(highlight(NOTE[base:], across[0], 0, base=base)).startswith(f'<mark id="ev-0-{base - 10}-{base + 5}"')


def test_evidence_of_the_summary_is_kept_apart() -> None:
    spans = spans_by_record([evidence("Norco", record_index=None), evidence("Norco", record_index=1)])
    assert set(spans) == {None, 1}


def test_citation_lines_round_trip() -> None:
    cited = [
        GuidelineCitation(
            source="MTUS Chronic Pain Medical Treatment Guidelines",
            mtus=True,
            sections=["Opioids", "Weaning"],
            pages=[74, 75, 76, 80],
        ),
        GuidelineCitation(source="ODG Pain Chapter", mtus=False, sections=["Benzodiazepines"], pages=[]),
    ]
    text = "\n".join(citation_line(c) for c in cited)
    assert text.splitlines()[0] == "MTUS Chronic Pain Medical Treatment Guidelines; Opioids, Weaning; 74-76, 80"
    assert text.splitlines()[1].startswith("Non-MTUS: ODG Pain Chapter")
    assert parse_citations(text, 1) == cited


@pytest.mark.parametrize(
    "line, message",
    [
        ("; Opioids; 74", "item 2, citation line 1: the guideline's name comes first"),
        ("MTUS; Opioids; seventy", "pages must be numbers or ranges"),
        ("MTUS; Opioids; 80-74", "not a range of pages"),
        ("MTUS; a; 1; extra", "three parts at most"),
    ],
)
def test_bad_citation_lines_say_where(line: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_citations(f"\n{line}" if "line 2" in message else line, 2)
