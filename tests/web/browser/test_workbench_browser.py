"""The workbench in a real headless Chromium (Debian's, driven by Playwright): the issue's whole flow,
opening a case from the form, searching, escaping in the browser, the API docs under their script
policy, and the screenshots of docs/workbench.md (written to docs/screenshots/ only with
IMR_UPDATE_GOLDEN=1; otherwise to a temporary folder, so a test run never changes tracked files)."""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (apt-get install -y chromium)", allow_module_level=True)
playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

import uvicorn  # noqa: E402
from argon2 import PasswordHasher  # noqa: E402

from imr.cases import command_line_actor  # noqa: E402
from imr.cases.testing import add_example_reviewers  # noqa: E402
from imr.settings import Settings  # noqa: E402
from imr.web import auth  # noqa: E402
from imr.web.app import create_app  # noqa: E402
from imr.web.accounts import create_user  # noqa: E402
from imr.examples import EXAMPLE_SERVICE

ROOT = Path(__file__).parents[3]
EXAMPLES = EXAMPLE_SERVICE
# The screenshots of docs/workbench.md are rewritten only when asked (IMR_UPDATE_GOLDEN=1): a test run
# never changes a tracked file.
DOC_SCREENSHOTS = ROOT / "docs" / "screenshots"
PASSWORD = "a long enough password"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app under uvicorn on a free port, on a fresh SQLite database with one user per role."""
    where = tmp_path_factory.mktemp("workbench")
    with pytest.MonkeyPatch.context() as patch:
        # Still argon2id and a real verification, with the work factor of a test.
        patch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        app = create_app(Settings(data_dir=where, database_url=f"sqlite:///{where / 'imr.sqlite3'}", secret_key="browser-test"))
        admin = command_line_actor()
        with app.state.database.transaction() as session:
            ids = add_example_reviewers(session, admin)
            for name, role, reviewer in [
                ("ian", "intake", None),
                ("aud", "auditor", None),
                ("haddad", "reviewer", "Dr. Omar Haddad"),
                ("park", "reviewer", "Dr. Helen Park"),
            ]:
                create_user(session, admin, name, PASSWORD, role, reviewer_id=ids[reviewer] if reviewer else None)
        port = _free_port()
        uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
        thread = threading.Thread(target=uv.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not uv.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the workbench server did not start")
            time.sleep(0.05)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            uv.should_exit = True
            thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def sign_in(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{base}/queue")


def sign_out(page) -> None:  # type: ignore[no-untyped-def]
    page.click("button:has-text('Sign out')")
    page.wait_for_url("**/login**")


def import_case(page, base: str, case_file: Path, records: list[Path]) -> int:  # type: ignore[no-untyped-def]
    page.click("nav >> text=Open a case")
    page.set_input_files("input[name=case_file]", str(case_file))
    page.set_input_files("input[name=documents]", [str(r) for r in records])
    page.click("button:has-text('Import')")
    page.wait_for_selector("text=Case imported")
    return int(page.url.split("/cases/")[1].split("?")[0])


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    if os.environ.get("IMR_UPDATE_GOLDEN") == "1":
        return DOC_SCREENSHOTS
    (tmp_path / "screenshots").mkdir()
    return tmp_path / "screenshots"


def test_the_whole_review_in_chromium(server: str, browser, tmp_path: Path, screenshots: Path) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1440, "height": 960}, accept_downloads=True)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    # Intake: import the example case with its record, screen it, mark the records complete, assign.
    sign_in(page, server, "ian")
    record = EXAMPLES / "records" / "progress-note-2026-10-19.txt"
    case_id = import_case(page, server, EXAMPLES / "case.yaml", [record])
    # More cases, received lately, make the queue look like a working day: one expedited, one at risk.
    example = yaml.safe_load((EXAMPLES / "case.yaml").read_text())
    today = dt.date.today()
    for number, changes in (
        ("CM26-0000002", {"expedited": True, "received": today - dt.timedelta(days=1)}),
        ("CM26-0000003", {"received": today - dt.timedelta(days=25)}),
        ("CM26-0000004", {"received": today - dt.timedelta(days=4)}),
    ):
        changes["claim_number"] = f"GSC-{number}"
        other = tmp_path / f"{number}.yaml"
        other.write_text(yaml.safe_dump({**example, "case_number": number, **changes, "documents": []}, sort_keys=False))
        import_case(page, server, other, [])
    page.goto(f"{server}/cases/{case_id}")
    page.click("button:has-text('Screen eligibility')")
    page.wait_for_selector("text=Eligibility screened")
    page.fill("input[name=on]", "2026-11-27")
    page.click("button:has-text('Mark records complete')")
    page.wait_for_selector("text=Records marked complete")
    assert page.locator("table.screening").inner_text().count("Dr. Helen Park") == 1  # excluded, with her conflict
    page.click("button:has-text('Assign')")
    page.wait_for_selector("text=Reviewer assigned")
    assert "Dr. Omar Haddad" in page.inner_text(".casehead")
    page.goto(f"{server}/queue")
    page.screenshot(path=str(screenshots / "queue.png"))
    sign_out(page)

    # The reviewer: open the review, check the marked evidence, change a rationale, preview, sign, download.
    sign_in(page, server, "haddad")
    page.click("text=CM26-0000001")
    page.click("button:has-text('Open the review')")
    page.wait_for_selector("text=Review opened")
    # the engine drafts after the answer: the page shows the draft as pending and reloads until it is made
    page.wait_for_selector(".record-text mark.ev", timeout=120_000)
    marks = page.locator(".record-text mark.ev")
    assert marks.count() >= 3
    note = example["records"][0]["text"]
    for i in range(marks.count()):
        anchor = marks.nth(i).get_attribute("id")  # ev-<record>-<start>-<end>
        _, index, start, end = anchor.split("-")
        assert marks.nth(i).inner_text() == note[int(start) : int(end)]
    link = page.locator("#item-1 table.checklist a.evlink").first
    target = link.get_attribute("href")
    link.click()
    assert page.url.endswith(target)
    assert page.locator(f"mark{target}").evaluate("m => m.matches(':target')")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(screenshots / "case.png"))

    # Similar published decisions load into the item when opened (HTMX, under the pages' script policy).
    page.click("#item-2 details.precedents summary")
    page.wait_for_selector("#item-2 details.precedents >> text=No published decisions to compare")

    rationale = "Alprazolam has been taken daily since March 2026; the MTUS does not recommend benzodiazepines for chronic pain. Not medically necessary."
    page.fill("textarea[name=rationale_1]", rationale)
    page.click("button:has-text('Save and preview the letter')")
    page.wait_for_selector("text=Draft saved")
    assert "Changed from the engine's draft: rationale" in page.inner_text("#item-1")
    page.locator("#item-1").screenshot(path=str(screenshots / "decision.png"))
    letter = page.frame_locator("#letter iframe")
    assert rationale in letter.locator("body").inner_text()
    attest = page.locator("input[name=attest]")
    attest.scroll_into_view_if_needed()
    attest.click()
    assert attest.is_checked()
    page.click("button:has-text('Sign determination')")
    page.wait_for_selector("text=Determination signed")
    with page.expect_download() as download_info:
        page.click("text=Download the signed letter (PDF)")
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
    sign_out(page)

    # Another reviewer cannot open the case: it does not exist for them.
    sign_in(page, server, "park")
    assert "CM26-0000001" not in page.inner_text("main")
    response = page.goto(f"{server}/cases/{case_id}")
    assert response.status == 404 and "Not found" in page.inner_text("h1")
    sign_out(page)

    # The auditor sees the refused read in the audit trail, and the dashboard over every case.
    sign_in(page, server, "aud")
    page.goto(f"{server}/audit?case_id={case_id}")
    denied = page.locator("tr", has=page.locator("text=denied"))
    assert "park" in denied.first.inner_text() and "case.read" in denied.first.inner_text()
    page.goto(f"{server}/dashboard")
    assert page.locator("svg[aria-label='Drug decisions by class'] rect").count() >= 1
    page.screenshot(path=str(screenshots / "dashboard.png"), full_page=True)
    assert dialogs == []
    context.close()


def test_a_record_with_a_script_shows_as_text(server: str, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    ran: list[str] = []
    page.on("dialog", lambda d: (ran.append(d.message), d.dismiss()))
    case = yaml.safe_load((EXAMPLES / "case.yaml").read_text())
    case.update(case_number="CM17-0000900", claim_number="XSS-1", documents=[])
    case["records"][0]["text"] = "<script>alert('record')</script><img src=x onerror=\"alert('img')\"> Alprazolam 0.5 mg daily."
    path = tmp_path / "script.yaml"
    path.write_text(yaml.safe_dump(case, sort_keys=False))
    sign_in(page, server, "ian")
    import_case(page, server, path, [])
    text = page.inner_text(".record-text")
    assert "<script>alert('record')</script>" in text and "onerror" in text
    assert page.locator(".record-text script, .record-text img").count() == 0
    assert ran == []
    context.close()


def fill_open_case_form(page, worker: str, pdf: Path) -> None:  # type: ignore[no-untyped-def]
    """A fresh open-a-case form, filled in as intake would from an application received two days ago."""
    page.click("nav >> text=Open a case")
    page.fill("input[name=case_number]", "CM26-0000100")
    page.fill("input[name=received]", (dt.date.today() - dt.timedelta(days=2)).isoformat())
    page.select_option("select[name=priority]", "expedited")
    page.fill("input[name=claim_number]", "SIF-2025-004417")
    page.fill("input[name=ur_decision_date]", (dt.date.today() - dt.timedelta(days=9)).isoformat())
    page.fill("input[name=ur_organization]", "Coastal Utilization Review LLC")
    page.fill("input[name=injury_date]", "2025-03-14")
    page.fill("input[name=worker_age]", "38")
    page.select_option("select[name=worker_sex]", "female")
    page.fill("textarea[name=items]", "Tramadol ER 100mg #30\nLumbar MRI without contrast")
    page.fill("input[name=party_name_0]", worker)
    page.fill("input[name=party_name_1]", "Sierra Orchards Inc.")
    page.fill("input[name=party_name_2]", "Redwood Claims Services")
    page.fill("input[name=party_name_4]", "Dr. Amelia Ruiz")
    page.fill("input[name=party_org_4]", "Central Valley Orthopedics")
    page.set_input_files("input[name=doc_file_0]", str(pdf))
    page.fill("input[name=doc_kind_0]", "UR decision")
    page.fill("input[name=doc_date_0]", (dt.date.today() - dt.timedelta(days=9)).isoformat())


def test_intake_opens_a_case_from_the_form_and_finds_it_by_worker_and_claim(
    server: str, browser, tmp_path: Path, screenshots: Path
) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1440, "height": 960})
    page = context.new_page()
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    sign_in(page, server, "ian")
    pdf = sorted((ROOT / "tests" / "fixtures" / "letters" / "dwc").glob("*.pdf"))[0]
    # The worker's name left out: the form comes back with the message beside that field.
    fill_open_case_form(page, worker="", pdf=pdf)
    page.click("button:has-text('Open the case')")
    error = page.locator("#err-party_name_0")
    error.wait_for()
    assert "injured worker's name is required" in error.inner_text()
    name = page.locator("input[name=party_name_0]")
    assert name.get_attribute("aria-invalid") == "true"
    assert name.evaluate("n => n.closest('tr').contains(document.getElementById('err-party_name_0'))")  # beside its field
    assert page.input_value("input[name=claim_number]") == "SIF-2025-004417"  # the rest as typed
    assert page.input_value("input[name=party_org_4]") == "Central Valley Orthopedics"
    assert "choose the files again" in page.inner_text("form#open-case")  # a browser never refills a file input

    fill_open_case_form(page, worker="Dana K. Whitfield", pdf=pdf)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(screenshots / "intake.png"), full_page=True)
    page.click("button:has-text('Open the case')")
    page.wait_for_selector("text=Case opened")
    assert "CM26-0000100" in page.inner_text(".casehead") and "Expedited" in page.inner_text(".casehead")
    page.click("summary:has-text('Parties')")
    assert pdf.name in page.inner_text("details.parties") and "Central Valley Orthopedics" in page.inner_text("details.parties")

    # Search: by the worker's name and by the claim number, the table updating as one types.
    other = tmp_path / "other.yaml"
    example = yaml.safe_load((EXAMPLES / "case.yaml").read_text())  # Maria L. Garcia
    other.write_text(yaml.safe_dump({**example, "case_number": "CM26-0000101", "claim_number": "OTHER-77", "documents": []}))
    import_case(page, server, other, [])
    page.goto(f"{server}/queue")
    search = page.locator("input[name=q]")
    shown = "() => [...document.querySelectorAll('#queue-rows a.mono')].map(a => a.textContent).join(',')"
    search.press_sequentially("whitfield")
    page.wait_for_function(f"() => ({shown})() === 'CM26-0000100'")
    assert "Dana K. Whitfield" in page.inner_text("#queue-rows")
    search.fill("")
    search.press_sequentially("OTHER-77")
    page.wait_for_function(f"() => ({shown})() === 'CM26-0000101'")
    assert "q=OTHER-77" in page.url  # the search is in the address, to reload or share
    sign_out(page)

    # A reviewer searching for someone else's case finds nothing.
    sign_in(page, server, "park")
    page.locator("input[name=q]").press_sequentially("whitfield")
    page.wait_for_function("() => document.querySelector('#queue-rows').innerText.includes('No cases match')")
    assert blocked == []
    context.close()


def test_the_api_docs_render_from_local_files_under_the_policy(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    elsewhere: list[str] = []
    page.on("request", lambda r: elsewhere.append(r.url) if not r.url.startswith((server, "data:", "blob:")) else None)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{server}/docs")
    page.wait_for_selector(".opblock-summary-path:has-text('/api/token')")
    assert page.locator(".opblock").count() >= 20
    assert refused == [] and elsewhere == []
    page.goto(f"{server}/redoc")
    page.wait_for_selector("h1:has-text('imr case service')")
    assert page.locator("li[data-item-id]").count() >= 20
    # ReDoc's sidebar credits Redocly with a logo from its CDN: the policy blocks it, and nothing else.
    assert all("cdn.redoc.ly" in text for text in refused)
    assert all("cdn.redoc.ly" in url for url in elsewhere)
    context.close()
