"""`imr intake`: a packet becomes the case file `imr review` decides; problems are named, PHI is not."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from imr.casefile import MAX_REQUESTS, load_case
from imr.packets.intake import Intake, case_data, read_packet
from imr.packets.pages import PacketError, Page, read_pages
from imr.packets.split import split_pages, title_kind
from tests.packets.conftest import PACKETS, TYPED, locked_copy, truth_of


def run_imr(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "imr", *args], capture_output=True, text=True, timeout=120, cwd=cwd)


def test_intake_json_is_a_case_file_that_imr_review_decides(tmp_path: Path) -> None:
    packet = PACKETS / "packet-11.pdf"
    result = run_imr("intake", str(packet), "--json")
    assert result.returncode == 0, result.stderr
    case_path = tmp_path / "case.json"
    case_path.write_text(result.stdout)
    case = load_case(case_path)
    truth = truth_of(packet)["case"]
    assert [r.text for r in case.requests] == [r["text"] for r in truth["requests"]]
    assert case.injury_date.isoformat() == truth["injury_date"]
    assert case.ur_decision_date.isoformat() == truth["ur_decision_date"]
    assert case.claim_number == truth["claim_number"]
    assert all(r.source and r.source.file == "packet-11.pdf" for r in case.records)
    review = run_imr("review", str(case_path), "--json")
    assert review.returncode == 0, review.stderr
    decided = json.loads(review.stdout)
    assert [i["item"]["text"] for i in decided["issues"]] == [r["text"] for r in truth["requests"]]


def test_output_option_writes_yaml_and_records_point_at_their_pages(tmp_path: Path) -> None:
    out = tmp_path / "case.yaml"
    result = run_imr("intake", str(PACKETS / "packet-13.pdf"), "-o", str(out))
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load(out.read_text())
    truth = truth_of(PACKETS / "packet-13.pdf")["documents"]
    assert [r["source"]["pages"] for r in data["records"]] == [d["pages"] for d in truth]
    assert all("confidence" not in r["source"] for r in data["records"])  # typed: no OCR


def test_a_scanned_packet_carries_page_confidence_into_its_records() -> None:
    intake = read_packet([PACKETS / "packet-16-fax.pdf"])
    case = intake.case()
    for record in case.records:
        assert record.source is not None and record.source.confidence is not None
        assert all(c is not None and 0.5 < c <= 1 for c in record.source.confidence)
    truth = truth_of(PACKETS / "packet-16-fax.pdf")["case"]
    assert [
        r.model_dump(exclude_none=True, include={"text", "ur_basis", "original_request", "authorized"}) for r in case.requests
    ] == truth["requests"]


def test_no_ur_determination_falls_back_to_the_rfa_and_says_so() -> None:
    intake = read_packet([PACKETS / "packet-14.pdf"])
    assert any("no UR determination" in p for p in intake.problems)
    case = intake.case()
    # the application still names the UR decision date
    assert case.ur_decision_date.isoformat() == truth_of(PACKETS / "packet-14.pdf")["case"]["ur_decision_date"]
    assert case.requests and all(r.ur_basis is None for r in case.requests)


def test_a_locked_file_is_named_and_the_rest_of_the_packet_is_still_read(tmp_path: Path) -> None:
    folder = tmp_path / "packet"
    folder.mkdir()
    shutil.copy(PACKETS / "packet-12.pdf", folder / "a-records.pdf")
    locked_copy(PACKETS / "packet-13.pdf", folder / "b-locked.pdf")
    result = run_imr("intake", str(folder), "--json")
    assert result.returncode == 0, result.stderr
    assert "b-locked.pdf: the PDF is encrypted" in result.stderr
    assert json.loads(result.stdout)["requests"]


def test_nothing_usable_is_exit_2_with_one_line_and_no_phi(tmp_path: Path) -> None:
    locked = locked_copy(PACKETS / "packet-12.pdf", tmp_path / "locked.pdf")
    result = run_imr("intake", str(locked), "--json")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "locked.pdf" in result.stderr and "Traceback" not in result.stderr


def test_messages_never_quote_the_records(tmp_path: Path) -> None:
    result = run_imr("intake", str(PACKETS / "packet-14.pdf"), "--json", "--documents")
    assert result.returncode == 0
    truth = truth_of(PACKETS / "packet-14.pdf")
    patient_words = {truth["case"]["claim_number"], *(r["text"] for r in truth["case"]["requests"])}
    assert not any(word in result.stderr for word in patient_words)
    assert "no UR determination" in result.stderr


def test_every_typed_fixture_yields_its_ground_truth() -> None:
    for pdf in TYPED:
        case = read_packet([pdf]).case().model_dump(mode="json", exclude_none=True)
        truth = truth_of(pdf)["case"]
        for key in ("claim_number", "injury_date", "received", "expedited"):
            assert case.get(key) == truth[key], (pdf.name, key)


def test_cases_import_files_a_case_from_a_packet(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "IMR_DATA_DIR": str(tmp_path / "data")}
    env.pop("IMR_DATABASE_URL", None)
    packet = PACKETS / "packet-12.pdf"
    result = subprocess.run(
        [sys.executable, "-m", "imr", "cases", "import", str(packet), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    view = json.loads(result.stdout)
    truth = truth_of(packet)["case"]
    assert [i["text"] for i in view["items"]] == [r["text"] for r in truth["requests"]]
    assert [d["filename"] for d in view["documents"]] == ["packet-12.pdf"]


def test_an_offset_in_a_record_names_the_page_it_is_on() -> None:
    intake = read_packet([PACKETS / "packet-11.pdf"])
    case = intake.case()
    long_records = [r for r in case.records if r.source and len(r.source.pages) > 1]
    assert long_records
    for record, document in ((r, d) for r in long_records for d in intake.documents if d.page_numbers == r.source.pages):
        for page in document.pages:
            line = next(line for line in page.text.splitlines() if len(line) > 30 and record.text.count(line) == 1)
            assert record.source.page_at(record.text.index(line)) == page.number


def _typed_pages(packet: Path) -> list[Page]:
    return list(read_pages(packet, ocr=False))


def test_a_ur_determination_listing_hundreds_of_items_is_refused_at_once() -> None:
    # the UR determination's page repeated 200 times over: every item was voted on against every run
    # of words in the forms (503 items took 40 s); a case file holds at most MAX_REQUESTS items
    pages = _typed_pages(PACKETS / "packet-11.pdf")
    ur = next(i for i, page in enumerate(pages) if title_kind(page.text) == "ur_determination")
    pages[ur] = replace(pages[ur], text=pages[ur].text + ("\n" + pages[ur].text.split("\n", 1)[1]) * 200)
    intake = Intake(documents=split_pages(pages))
    started = time.perf_counter()
    with pytest.raises(
        PacketError, match=rf"packet-11\.pdf pages {ur + 1}: the UR determination lists \d+ items, more than {MAX_REQUESTS}"
    ):
        case_data(intake)
    assert time.perf_counter() - started < 5
