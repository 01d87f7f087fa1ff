"""A case opened from its packet of PDFs through the workbench: the engine's evidence opens on the page
that holds it (image and text), only for those entitled to the case; a record filed later is read the
same way and the reviewer refreshes the draft (real database, real reader, real engine, real renderer)."""

from __future__ import annotations

import html
import io
import re

from fastapi.testclient import TestClient
from PIL import Image

from imr.cases.audit_chain import verify
from tests.web.packet_files import LATER, TRUTH, faxed, page_text, pages_of, the_packet, words
from tests.web.test_pages import Site, post, signed_in, site  # noqa: F401 - site is a fixture

PAGE_LINK = re.compile(
    r'<a class="pagelink" href="(/cases/\d+/records/(\d+)/pages/(\d+)\?span=\d+-\d+#(ev-\d+-\d+-\d+))"[^>]*>([^<]+)</a>'
)
# a checklist line's finding: its text, then the link to its page
FINDING = re.compile(r'<a class="evlink" href="#ev-[\d-]+">[^<]*?: “([^<]*?)”(?: \(negated\))?</a> ' + PAGE_LINK.pattern)


def import_packet(intake: TestClient, files: list[tuple[str, bytes]], case_number: str = "") -> int:
    answer = post(
        intake,
        "/cases/packet",
        {"packet_case_number": case_number},
        files=[("packet", (name, content, "application/pdf")) for name, content in files],
        token_from="/cases/new",
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"].endswith("?done=packet")
    return int(re.search(r"/cases/(\d+)", answer.headers["location"]).group(1))


def assign_haddad(intake: TestClient, case_id: int) -> None:
    """Screen the case, mark its records complete and assign Dr. Haddad (named: the packet names no
    parties, so the least-loaded pain specialist, Dr. Park, would be chosen otherwise)."""
    for path, data in ((f"/cases/{case_id}/eligibility", {}), (f"/cases/{case_id}/records-complete", {"on": "2026-11-27"})):
        assert post(intake, path, data).status_code == 303
    haddad = re.search(r'<option value="(\d+)">Dr. Omar Haddad', intake.get(f"/cases/{case_id}").text).group(1)
    assert post(intake, f"/cases/{case_id}/assign", {"reviewer_id": haddad}).status_code == 303


def reviewed(site: Site, files: list[tuple[str, bytes]], case_number: str) -> tuple[int, TestClient, TestClient]:
    """A case opened from `files`, screened, complete and assigned to Dr. Haddad, who opens the review."""
    intake = signed_in(site, "ian")
    case_id = import_packet(intake, files, case_number)
    assign_haddad(intake, case_id)
    reviewer = signed_in(site, "haddad")
    assert post(reviewer, f"/cases/{case_id}/review", token_from=f"/cases/{case_id}").status_code == 303
    return case_id, intake, reviewer


def test_a_packet_opens_the_case_and_each_finding_opens_on_its_page(site: Site) -> None:
    files = the_packet()
    case_id, intake, reviewer = reviewed(site, files, "CM19-0000011")
    case_page = intake.get(f"/cases/{case_id}").text
    truth = TRUTH["case"]
    assert truth["claim_number"] in case_page
    for request in truth["requests"]:
        assert html.escape(request["text"]) in case_page
    # every record names its file and pages: the records file's first page is page 1 of its own
    assert 'medical-records.pdf</span> page <a href="/cases/%d/records/3/pages/1">1</a>' % case_id in case_page

    page = reviewer.get(f"/cases/{case_id}").text
    findings = set(FINDING.findall(page))
    assert len(findings) >= 5 and len(findings) == len(set(PAGE_LINK.findall(page))), "every finding links to its page"
    content = dict(files)
    for text, href, index, number, anchor, label in findings:
        file = label.split(" p. ")[0]
        assert label.startswith(f"{file} p. {number}")
        shown = reviewer.get(href)
        assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
        assert f'<span id="page-number">{number}</span>' in shown.text
        marked = re.search(rf'<mark id="{anchor}" class="ev[^"]* ev-chosen"[^>]*>([^<]*)</mark>', shown.text)
        assert marked, (href, "the finding is marked on its page")
        # the mark holds the finding's text, whole, and those words are on that page of the PDF as filed
        assert marked.group(1) == text
        assert words(html.unescape(text)) in words(page_text(content[file], int(number)))
        image = re.search(r'<img src="([^"]+)"', shown.text).group(1)
        png = reviewer.get(image)
        assert png.status_code == 200 and png.headers["content-type"] == "image/png"
        assert png.headers["cache-control"] == "no-store"
        width, height = Image.open(io.BytesIO(png.content)).size
        assert width > 500 and height > width  # a letter-size page at a readable resolution
    assert "Read from the PDF's text layer" in shown.text


def test_only_those_entitled_to_the_case_see_its_pages(site: Site) -> None:
    intake = signed_in(site, "ian")
    case_id = import_packet(intake, the_packet(), "CM19-0000012")
    record_page = f"/cases/{case_id}/records/3/pages/1"
    shown = intake.get(record_page)
    assert shown.status_code == 200
    image = re.search(r'<img src="([^"]+)"', shown.text).group(1)
    assert intake.get(image).status_code == 200

    # before the assignment, and after it for a reviewer not assigned: neither page nor image exists
    haddad = signed_in(site, "haddad")
    assert haddad.get(record_page).status_code == 404 and haddad.get(image).status_code == 404
    assign_haddad(intake, case_id)
    park = signed_in(site, "park")
    for path in (record_page, image):
        refused = park.get(path)
        assert refused.status_code == 404 and "image/png" not in refused.headers["content-type"]
    assert haddad.get(image).status_code == 200
    assert signed_in(site, "aud").get(image).status_code == 200
    # signed out: to the sign-in page; a page the record does not have, another case's document: none
    anonymous = TestClient(site.app, follow_redirects=False)
    assert anonymous.get(image).status_code == 303 and "/login" in anonymous.get(image).headers["location"]
    assert intake.get(f"/cases/{case_id}/records/3/pages/99").status_code == 404
    assert intake.get(image.replace("/pages/1.png", "/pages/99.png")).status_code == 404
    other = import_packet(intake, [("other.pdf", pages_of([1, 2, 3, 13]))], "CM19-0000013")
    assert intake.get(image.replace(f"/cases/{case_id}/", f"/cases/{other}/")).status_code == 404
    # the refused reads are in the audit trail
    audit = signed_in(site, "aud").get(f"/audit?case_id={case_id}").text
    assert re.search(r"park.*?document\.page.*?denied", audit, re.S)


def test_a_record_filed_later_is_read_and_the_refreshed_draft_shows_what_it_changed(site: Site) -> None:
    case_id, intake, reviewer = reviewed(site, the_packet(), "CM19-0000014")
    page = reviewer.get(f"/cases/{case_id}").text
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    mine = "Item 1 decided by hand: the records show radicular pain."
    form = {"version": version, "then": "save", "outcome_1": "Overturned", "rationale_1": mine, "citations_1": ""}
    assert post(reviewer, f"/cases/{case_id}/draft", form, token_from=f"/cases/{case_id}").status_code == 303
    before = reviewer.get(f"/api/cases/{case_id}/determination").json()
    # The last progress reports arrive by fax, as a scan with no text layer.
    later = faxed(pages_of(LATER))
    filed = post(
        intake,
        f"/cases/{case_id}/documents",
        files={"file": ("progress-reports-2019.pdf", later, "application/pdf")},
        token_from=f"/cases/{case_id}",
    )
    assert filed.status_code == 303 and filed.headers["location"].endswith("done=records_read"), filed.text
    page = reviewer.get(f"/cases/{case_id}").text
    assert "progress-reports-2019.pdf filed after this draft was made" in page
    assert 'progress-reports-2019.pdf</span> pages <a href="/cases/%d/records/9/pages/1">1</a>' % case_id in page

    # Only the assigned reviewer refreshes, with the form's token.
    assert post(signed_in(site, "park"), f"/cases/{case_id}/refresh").status_code == 404
    assert post(intake, f"/cases/{case_id}/refresh", token_from=f"/cases/{case_id}").status_code == 403
    assert reviewer.post(f"/cases/{case_id}/refresh", data={}).status_code == 403
    refreshed = post(reviewer, f"/cases/{case_id}/refresh", token_from=f"/cases/{case_id}")
    assert refreshed.status_code == 303 and refreshed.headers["location"].endswith("done=refreshed")

    page = reviewer.get(f"/cases/{case_id}").text
    assert "Since the previous draft" in page and "new finding(s)" in page
    new = re.findall(r'<span class="pill pill-new"[^>]*>new</span> <a class="evlink"[^>]*>[^<]*</a> ' + PAGE_LINK.pattern, page)
    assert new, "findings from the new records are marked new in the checklist"
    assert all(label.startswith("progress-reports-2019.pdf p. ") and "(OCR " in label for *_, label in new)
    href = new[0][0]
    shown = reviewer.get(href).text
    assert "Scanned page, read by OCR: confidence" in shown and f'<mark id="{new[0][3]}"' in shown
    # the reviewer's decision on item 1 is kept; the engine's new draft is the comparison
    after = reviewer.get(f"/api/cases/{case_id}/determination").json()
    assert after["determination"]["issues"][0]["rationale"] == mine
    assert len(after["determination"]["issues"][1]["evidence"]) > len(before["determination"]["issues"][1]["evidence"])
    versions = reviewer.get(f"/api/cases/{case_id}/determination/versions").json()
    assert [(v["status"], v["source"]) for v in versions] == [("superseded", "reviewer"), ("draft", "refresh")]
    with site.app.state.database.transaction() as session:
        assert verify(session).breaks == []  # the superseded draft is fixed by its hash
