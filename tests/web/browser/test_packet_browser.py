"""The issue's browser test in a real headless Chromium: intake imports a packet of PDFs through the
workbench, the assigned reviewer opens the engine's draft and follows a finding to its page — the
right page of the right file, its image loaded, the finding marked in the page's text — and a scanned
record filed later is read, the draft refreshed and the new findings open on their scanned pages."""

from __future__ import annotations

import re
from pathlib import Path

from tests.web.browser.test_workbench_browser import browser, screenshots, server, sign_in, sign_out  # noqa: F401 - fixtures
from tests.web.packet_files import LATER, faxed, page_text, pages_of, the_packet, words


def _on_its_page(page, files: dict[str, bytes], link) -> None:  # type: ignore[no-untyped-def]
    """Follow a finding's page link and check the page it opens."""
    label = link.inner_text()  # "medical-records.pdf p. 4" (and the OCR confidence of a scan)
    finding = link.evaluate("a => a.previousElementSibling.textContent")  # 'rec 5, 10/18/2018: “…”'
    text = finding[finding.index("“") + 1 : finding.rindex("”")]
    found = re.match(r"(\S+) p\. (\d+)", label)
    assert found, label
    file, number = found.group(1), int(found.group(2))
    anchor = link.get_attribute("href").split("#")[1]
    link.click()
    page.wait_for_url(f"**/pages/{number}?span=*#{anchor}")
    assert page.inner_text("#page-number") == str(number)
    assert file in page.inner_text("h1")
    image = page.locator(".pageimage img")
    page.wait_for_function("() => document.querySelector('.pageimage img').complete")
    assert image.evaluate("img => img.naturalWidth") > 0
    marked = page.locator("mark.ev-chosen")
    assert marked.evaluate("m => m.matches(':target')") and marked.get_attribute("id") == anchor
    # the mark holds the finding's text, whole, and those words are on that page of the file as
    # uploaded (for a scan: of the typed original it was made from)
    assert marked.text_content() == text
    assert words(text) in words(page_text(files[file], number))


def test_a_packet_of_pdfs_imported_in_the_browser_opens_each_finding_on_its_page(  # type: ignore[no-untyped-def]
    server: str, browser, tmp_path: Path, screenshots: Path
) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 960})
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    files = dict(the_packet())
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)

    # Intake: the packet's PDFs chosen in the form; the case opens with the facts read from the forms.
    sign_in(page, server, "ian")
    page.click("nav >> text=Open a case")
    page.set_input_files("input[name=packet]", [str(tmp_path / name) for name in files])
    page.fill("input[name=packet_case_number]", "CM19-0000111")
    page.click("button:has-text('Read the packet')")
    page.wait_for_selector("text=Case opened from the packet")
    case_url = page.url.split("?")[0]
    assert "Gabapentin 600mg #90" in page.inner_text("#item-1 h3")
    assert "medical-records.pdf" in page.inner_text(".records")
    page.click("button:has-text('Screen eligibility')")
    page.wait_for_selector("text=Eligibility screened")
    page.fill("input[name=on]", "2026-11-27")
    page.click("button:has-text('Mark records complete')")
    page.wait_for_selector("text=Records marked complete")
    haddad = page.locator("select[name=reviewer_id] option", has_text="Dr. Omar Haddad").get_attribute("value")
    page.select_option("select[name=reviewer_id]", haddad)
    page.click("button:has-text('Assign')")
    page.wait_for_selector("text=Reviewer assigned")
    sign_out(page)

    # The reviewer: the engine's draft, and a finding followed to the page that holds it.
    sign_in(page, server, "haddad")
    page.click("text=CM19-0000111")
    page.click("button:has-text('Open the review')")
    page.wait_for_selector("table.checklist a.pagelink", timeout=120_000)
    links = page.locator("#item-1 table.checklist a.pagelink")
    assert links.count() >= 3
    _on_its_page(page, files, links.nth(links.count() - 1))
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(screenshots / "record-page.png"))
    page.go_back()
    sign_out(page)

    # A faxed record arrives: intake files it, it is read by OCR into the records.
    later = tmp_path / "progress-reports-2019.pdf"
    files[later.name] = pages_of(LATER)  # typed; it arrives as a scan of it
    later.write_bytes(faxed(files[later.name]))
    sign_in(page, server, "ian")
    page.goto(case_url)
    page.set_input_files("input[name=file]", str(later))
    page.click("button:has-text('File')")
    page.wait_for_selector("text=Document filed and read into the records", timeout=120_000)
    sign_out(page)

    # The reviewer refreshes the draft; new findings are marked and open on their scanned page.
    sign_in(page, server, "haddad")
    page.goto(case_url)
    assert "progress-reports-2019.pdf filed after this draft was made" in page.inner_text("#refresh")
    page.click("button:has-text('Refresh the engine')")
    page.wait_for_selector("text=Draft refreshed from the records", timeout=120_000)
    assert "new finding(s)" in page.inner_text("details.refreshed >> nth=0")
    fresh = page.locator("table.checklist span.pill-new + a.evlink + a.pagelink")
    assert fresh.count() >= 1
    link = fresh.first
    assert link.inner_text().startswith("progress-reports-2019.pdf p. ") and "OCR" in link.inner_text()
    _on_its_page(page, files, link)
    assert "read by OCR: confidence" in page.inner_text("#page-reading")
    assert refused == []
    context.close()
