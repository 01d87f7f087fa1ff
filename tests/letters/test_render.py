"""The renderer writes the published layouts: their headings, order and fixed wording, escaped HTML,
readable PDF, the draft's working notes kept outside the letter, and one-line errors on bad input."""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
import subprocess
from html.parser import HTMLParser
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from imr.errors import LetterError
from imr.model import Determination, GuidelineCitation
from imr.letters.render import render_letter
from imr.letters.render import choose_layout, page_list

GOLDEN = Path(__file__).parent / "golden_render"
SECTIONS = (
    "HOW THE IMR FINAL DETERMINATION WAS MADE",
    "CLINICAL CASE SUMMARY",
    "IMR ISSUES, DECISIONS AND RATIONALES",
    "The Final Determination was based on decisions for the disputed items/services set forth below:",
)


@pytest.fixture(autouse=True)
def default_organization(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The letters name MAXIMUS Federal Services unless IMR_ORGANIZATION says otherwise: test the default."""
    from imr.settings import get_settings

    monkeypatch.delenv("IMR_ORGANIZATION", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def load(name: str) -> Determination:
    return Determination.model_validate_json((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))


def text_of(d: Determination, **options: object) -> str:
    return render_letter(d, "text", **options).decode("utf-8")


def flat(text: str) -> str:
    """The letter as one line: wrapping is presentation, the wording is what is asserted."""
    return " ".join(text.split())


def pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def positions(text: str, needles: tuple[str, ...]) -> list[int]:
    return [text.index(needle) for needle in needles]


def test_case_number_layout_opens_with_the_header_then_the_three_sections_in_order() -> None:
    text = flat(text_of(load("cm16-0233904")))
    assert text.startswith("Case Number: CM16-0233904 Date Assigned: 12/09/2016 Date of Injury: 10/26/2016")
    assert "Decision Date: 01/06/2017 UR Denial Date: 11/09/2016" in text
    assert "Priority: Standard Application Received: 12/05/2016" in text
    found = positions(text, ("Case Number:", *SECTIONS))
    assert found == sorted(found)


def test_seed_layout_has_no_header_and_opens_with_how_the_determination_was_made() -> None:
    text = text_of(load("seed-002"))
    assert text.startswith("HOW THE IMR FINAL DETERMINATION WAS MADE\n")
    assert "Case Number" not in text
    found = positions(flat(text), SECTIONS)
    assert found == sorted(found)


def test_layout_auto_follows_the_header_fields() -> None:
    d = load("seed-002")
    assert choose_layout(d) == "seed"
    # Every summary states the date of injury, so it alone does not make a header.
    d.case.date_of_injury = dt.date(2005, 6, 9)
    assert choose_layout(d) == "seed"
    d.case.ur_denial_date = dt.date(2016, 11, 9)
    assert choose_layout(d) == "case-number"
    assert flat(text_of(d)).startswith("Date of Injury: 06/09/2005 UR Denial Date: 11/09/2016 HOW THE IMR")
    assert text_of(d, layout="seed").startswith("HOW THE IMR")


def test_unknown_header_fields_print_no_bare_label() -> None:
    d = load("cm16-0233904")
    d.case.date_assigned = None
    d.case.priority = None
    text = text_of(d)
    header = text[: text.index("HOW THE IMR")]
    assert "Date Assigned" not in header and "Priority" not in header
    assert "Application Received: 12/05/2016" in header
    page = render_letter(d, "html").decode("utf-8")
    assert "Date Assigned" not in page and "Priority:" not in page
    assert "<th>Date of Injury:</th><td>10/26/2016</td>" in page


def test_partial_authorization_is_written_as_the_letters_write_it() -> None:
    text = flat(text_of(load("cm16-0233904")))
    assert (
        "Baclofen 100mg #30 was the original request. Baclofen 100mg #27 was authorized by the Claims "
        "Administrator. The remaining IMR eligible portion of the original request, Baclofen 100mg #3 is: Upheld"
    ) in text


def test_each_item_has_its_guidelines_and_rationale_in_order() -> None:
    text = flat(text_of(load("seed-002")))
    order = positions(
        text,
        (
            "Norco 10/325mg quantity 120: Overturned",
            "Claims Administrator guideline: Decision based on MTUS Chronic Pain Treatment Guidelines "
            "Hydrocodone/Acetaminophen, Opioids.",
            "MAXIMUS guideline: Decision based on MTUS Chronic Pain Treatment Guidelines 8 C.C.R. 9792.20 - 9792.26 "
            "MTUS (Effective July 18, 2009) Page(s): 44, 47, 75-79, 120.",
            "Decision rationale: Regarding the request for Norco",
            "Xanax 1mg quantity 30: Upheld",
            "MAXIMUS guideline: Decision based on MTUS Chronic Pain Treatment Guidelines 8 C.C.R. 9792.20 - 9792.26 "
            "MTUS (Effective July 18, 2009) Page(s): 24.",
            "Decision rationale: Regarding the request for Xanax",
        ),
    )
    assert order == sorted(order)


def test_case_number_citations_name_sources_and_sections() -> None:
    text = flat(text_of(load("engine-draft"), draft=True))
    assert (
        "MAXIMUS guideline: Decision based on MTUS Chronic Pain Medical Treatment 2016, Section(s): Physical "
        "medicine treatment, and Low Back Complaints 2004. Decision based on Non-MTUS Citation Official "
        "Disability Guidelines (ODG) Low Back, Physical therapy."
    ) in text
    # Only non-MTUS sources: the letters say so first.
    assert (
        "Claims Administrator guideline: The Claims Administrator based their decision on recommendation(s) "
        "outside of the MTUS Guidelines. Decision based on Non-MTUS Citation Official Disability Guidelines "
        "(ODG), Low Back, Physical Therapy."
    ) in text
    # No citation at all.
    assert "Claims Administrator guideline: The Claims Administrator did not cite any medical evidence for its decision." in text
    assert "MAXIMUS guideline: The Expert Reviewer did not cite any medical evidence for its decision." in text


def test_a_dated_chapter_is_cited_by_section_and_a_guideline_by_page() -> None:
    d = load("cm16-0233904")
    d.issues[0].reviewer_basis = [
        GuidelineCitation(
            source="MTUS Knee Complaints 2004", mtus=True, sections=["Surgical Considerations"], pages=[343, 344, 345]
        ),
        GuidelineCitation(
            source="MTUS Chronic Pain Medical Treatment Guidelines", mtus=True, sections=["Opioids"], pages=[76, 77, 78, 79, 80]
        ),
    ]
    assert (
        "MAXIMUS guideline: Decision based on MTUS Knee Complaints 2004, Section(s): Surgical Considerations, "
        "Page(s): 343-345, and Chronic Pain Medical Treatment Guidelines Opioids Page(s): 76-80."
    ) in flat(text_of(d))


def test_a_citation_ending_in_a_period_gets_no_second_one() -> None:
    d = load("cm16-0233904")
    d.issues[0].reviewer_basis = [
        GuidelineCitation(source="Official Disability Guidelines (ODG), Pain, Soma (carisoprodol).", mtus=False)
    ]
    text = flat(text_of(d))
    assert "Non-MTUS Citation Official Disability Guidelines (ODG), Pain, Soma (carisoprodol). Decision rationale:" in text


def test_pages_are_cited_as_ranges_like_the_letters() -> None:
    assert page_list([124, 24, 63, 64, 65, 66]) == "24, 63-66, 124"
    assert page_list([388, 402]) == "388, 402"
    assert page_list([65, 64]) == "64-65"
    assert page_list([]) == ""


def test_the_two_seed_credential_styles() -> None:
    listed = flat(text_of(load("seed-002")))
    assert (
        "The Expert Reviewer has the following credentials: State(s) of Licensure: California "
        "Certification(s)/Specialty: Physical Medicine & Rehabilitation, Pain Management CLINICAL CASE SUMMARY"
    ) in listed
    inline = flat(text_of(load("seed-000")))
    assert (
        "The expert reviewer is Board Certified in Physical Medicine and Rehabilitation, has a subspecialty in "
        "Pain Medicine and is licensed to practice in Texas. He/she has been in active clinical practice"
    ) in inline
    assert "The Expert Reviewer has the following credentials" not in inline


def test_missing_credentials_print_no_empty_line() -> None:
    d = load("cm16-0233904")
    d.reviewer.licensure_states = []
    text = text_of(d)
    assert "State(s) of Licensure" not in text
    assert "The Expert Reviewer has the following credentials:\nCertification(s)/Specialty: Family Practice\n" in text
    d.reviewer.specialties = []
    assert "The Expert Reviewer has the following credentials" not in text_of(d)
    assert "credentials" not in render_letter(d, "html").decode("utf-8").split("</style>")[1]


def test_organization_names_the_paragraph_and_the_guideline_label() -> None:
    d = load("cm16-0233904")
    default = flat(text_of(d))
    assert default.count("MAXIMUS Federal Services sent the complete case file to an expert reviewer.") == 1
    assert "MAXIMUS guideline: Decision based on MTUS Chronic Pain Medical Treatment 2016" in default
    other = flat(text_of(d, organization="Golden State Review Services"))
    assert "Golden State Review Services sent the complete case file to an expert reviewer." in other
    assert "Golden State Review Services guideline: Decision based on MTUS" in other
    assert "MAXIMUS" not in other


def test_organization_defaults_to_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from imr.settings import get_settings

    monkeypatch.setenv("IMR_ORGANIZATION", "Sierra Review Organization")
    get_settings.cache_clear()
    assert "Sierra Review Organization sent the complete case file" in flat(text_of(load("seed-000")))


def test_html_escapes_every_value() -> None:
    d = load("cm16-0233904")
    d.issues[0].rationale = 'Not necessary <script>alert("x")</script> & done'
    d.issues[0].item.text = "Baclofen <b>100mg</b> #3"
    d.case.summary = "Pain <10/10> & worse"
    page = render_letter(d, "html").decode("utf-8")
    assert "<script>" not in page and "<b>100mg" not in page and "<10/10>" not in page
    visible = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert 'Not necessary <script>alert("x")</script> & done' in visible
    assert "original request, Baclofen <b>100mg</b> #3 is:" in visible
    assert "Pain <10/10> & worse" in visible
    assert "<h1>HOW THE IMR FINAL DETERMINATION WAS MADE</h1>" in page


class TagBalance(HTMLParser):
    """Collects tags opened and not closed (or closed out of order): a broken template shows here."""

    VOID = {"meta", "br", "link", "img", "hr", "input"}

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
        else:
            self.open.pop()


@pytest.mark.parametrize("name", ["cm16-0233904", "seed-000", "seed-002", "engine-draft"])
def test_html_letter_is_well_formed(name: str) -> None:
    checker = TagBalance()
    checker.feed(render_letter(load(name), "html", draft=True).decode("utf-8"))
    checker.close()
    assert checker.errors == [] and checker.open == []


def test_html_header_table_carries_every_header_field() -> None:
    html = render_letter(load("cm16-0233904"), "html").decode("utf-8")
    cells = re.findall(r"<t([hd])(?: class=\"(\w+)\")?[^>]*>([^<]*)</t[hd]>", html)
    labelled = [text for _, css, text in cells if css != "unused"]
    pairs = dict(zip(labelled[0::2], labelled[1::2]))
    assert pairs["Case Number:"] == "CM16-0233904"
    assert pairs["Date Assigned:"] == "12/09/2016"
    assert pairs["Date of Injury:"] == "10/26/2016"
    assert pairs["Decision Date:"] == "01/06/2017"
    assert pairs["UR Denial Date:"] == "11/09/2016"
    assert pairs["Priority:"] == "Standard"
    assert pairs["Application Received:"] == "12/05/2016"


def test_pdf_is_a_letter_with_the_published_text() -> None:
    pdf = render_letter(load("cm16-0233904"), "pdf")
    assert pdf.startswith(b"%PDF-")
    text = flat(pdf_text(pdf))
    found = positions(text, ("Case Number: CM16-0233904", *SECTIONS, "Baclofen 100mg #3 is: Upheld", "Decision rationale:"))
    assert found == sorted(found)
    assert "Longterm use is not recommended. Therefore, the request is considered not medically necessary." in text


def test_pdf_is_tagged_for_screen_readers_and_names_the_case() -> None:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(render_letter(load("cm16-0233904"), "pdf")))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/Lang"] == "en"
    assert reader.metadata is not None and reader.metadata.title == "IMR Final Determination CM16-0233904"


def test_draft_notes_follow_the_letter_and_never_enter_the_final_letter() -> None:
    d = load("engine-draft")
    draft = flat(text_of(d, draft=True))
    notes_at = draft.index("DRAFT - WORKING NOTES")
    assert notes_at > draft.rindex("Decision rationale:")
    notes = draft[notes_at:]
    assert "Not part of the Final Determination" in notes
    assert "[contradicted] Carisoprodol is not recommended (mtus.chronic-pain.carisoprodol, not-recommended)" in notes
    assert '"no functional improvement with the current regimen" (record 0, 12/01/2016, characters 120-171)' in notes
    assert "documentation of an acute exacerbation" in notes
    assert "Why the engine abstained: No MTUS or other guideline rule covers cervical pillows." in notes
    assert "CM16-0233904 (01/06/2017): Baclofen 100mg #3: Upheld; similarity 0.71" in notes
    assert "Engine recommendation: Upheld (confidence 93%)" in notes

    html = render_letter(d, "html", draft=True).decode("utf-8")
    assert html.index('<aside class="working-notes">') > html.index("</article>")
    assert "DRAFT - WORKING NOTES" in flat(pdf_text(render_letter(d, "pdf", draft=True)))


def test_a_final_letter_without_engine_fields_has_no_notes_even_as_draft() -> None:
    d = load("cm16-0233904")
    assert "WORKING NOTES" not in text_of(d, draft=True)
    assert "working-notes" not in render_letter(d, "html", draft=True).decode("utf-8").split("</style>")[1]


def test_a_final_letter_refuses_an_undecided_item() -> None:
    d = load("engine-draft")
    with pytest.raises(LetterError, match=r"issues\[2\].*has no outcome"):
        render_letter(d, "text")
    d.issues[2].outcome = "Upheld"
    final = text_of(d)
    assert "WORKING NOTES" not in final
    assert "Retrospective cervical pillow (DOS 12/01/2016): Upheld" in flat(final)


def test_a_letter_needs_an_issue() -> None:
    with pytest.raises(LetterError, match="no issues"):
        render_letter(Determination(), "html")


@pytest.mark.parametrize(("option", "value"), [("format", "docx"), ("layout", "modern")])
def test_unknown_format_or_layout_is_a_letter_error(option: str, value: str) -> None:
    kwargs = {"format": "text", option: value}
    fmt = kwargs.pop("format")
    with pytest.raises(LetterError, match=value):
        render_letter(load("seed-000"), fmt, **kwargs)  # type: ignore[arg-type]


def run_imr(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "imr", *args], capture_output=True, timeout=120, input=stdin)


def test_cli_writes_each_format(tmp_path: Path) -> None:
    source = GOLDEN / "cm16-0233904.json"
    for fmt, magic in (("text", b"Case Number:"), ("html", b"<!DOCTYPE html>"), ("pdf", b"%PDF-")):
        out = tmp_path / f"letter.{fmt}"
        result = run_imr("letter", "render", str(source), "--format", fmt, "-o", str(out))
        assert result.returncode == 0, result.stderr
        assert out.read_bytes().startswith(magic)
    assert run_imr("letter", "render", str(source)).stdout == render_letter(load("cm16-0233904"), "text")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"case": {"decision_date": "someday"}}, "not a Determination: case.decision_date:"),
        ({"issues": [{"item": {"text": "MRI"}, "outcome": "Denied"}]}, "not a Determination: issues.0.outcome:"),
        ({"issues": [{"item": {"text": "MRI"}, "outcome": "Upheld", "verdict": 1}]}, "not a Determination: issues.0.verdict:"),
        (["not", "an", "object"], "not a Determination: expected a JSON object"),
    ],
)
def test_cli_names_the_field_of_a_json_file_that_is_not_a_determination(tmp_path: Path, content: object, message: str) -> None:
    source = tmp_path / "bad.json"
    source.write_text(json.dumps(content))
    result = run_imr("letter", "render", str(source), "--format", "pdf", "-o", str(tmp_path / "out.pdf"))
    assert result.returncode == 2
    stderr = result.stderr.decode()
    assert message in stderr
    assert len(stderr.strip().splitlines()) == 1
    assert "Traceback" not in stderr
    assert not (tmp_path / "out.pdf").exists()


def test_cli_reads_standard_input(tmp_path: Path) -> None:
    source = (GOLDEN / "seed-002.json").read_bytes()
    result = run_imr("letter", "render", "-", "--format", "html", stdin=source)
    assert result.returncode == 0, result.stderr
    assert result.stdout == render_letter(load("seed-002"), "html")


def test_cli_reports_a_file_that_is_not_json(tmp_path: Path) -> None:
    source = tmp_path / "letter.json"
    source.write_text("Case Number: CM16-0233904")
    result = run_imr("letter", "render", str(source))
    assert result.returncode == 2
    assert "not JSON" in result.stderr.decode()
