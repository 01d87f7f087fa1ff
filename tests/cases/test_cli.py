"""`imr cases|reviewers|users`: refusals are one line and exit 2; the due check fails a scheduled job."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import yaml
from imr.examples import EXAMPLE_SERVICE

EXAMPLES = EXAMPLE_SERVICE


def imr(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "IMR_DATA_DIR": str(tmp_path / "data")}
    env.pop("IMR_DATABASE_URL", None)
    return subprocess.run(["imr", *args], cwd=EXAMPLES, env=env, input=stdin, capture_output=True, text=True, timeout=120)


def test_refusals_are_one_line_with_exit_2(tmp_path: Path) -> None:
    assert imr(tmp_path, "cases", "import", "case.yaml").returncode == 0
    for args, message in [
        (("cases", "show", "CM99-0000000"), "imr: error: no case CM99-0000000\n"),
        (
            ("cases", "assign", "CM26-0000001"),
            "imr: error: case CM26-0000001: cannot assign while received (allowed from: records_complete, assigned)\n",
        ),
        (("cases", "import", "case.yaml"), "imr: error: case CM26-0000001 is already on file\n"),
        (("cases", "import", "reviewers.yaml"), "imr: error: reviewers.yaml: expected a mapping of case fields, got list\n"),
    ]:
        result = imr(tmp_path, *args)
        assert (result.returncode, result.stderr) == (2, message)
    result = imr(tmp_path, "users", "add", "eve", "--role", "overlord", "--password-stdin", stdin="a long enough password\n")
    assert result.returncode == 2 and "unknown role 'overlord'" in result.stderr and "Traceback" not in result.stderr


def test_due_check_fails_when_a_case_is_overdue(tmp_path: Path) -> None:
    assert imr(tmp_path, "cases", "due", "--check").returncode == 0  # nothing on file
    # the bundled example is current work; a copy received a year earlier is long overdue whatever today is
    case = yaml.safe_load((EXAMPLES / "case.yaml").read_text())
    case.update(received="2025-11-17", ur_decision_date="2025-11-04")
    case["ur_decision"]["date"] = "2025-11-04"
    shutil.copytree(EXAMPLES / "records", tmp_path / "records")
    (tmp_path / "old-case.yaml").write_text(yaml.safe_dump(case, sort_keys=False))
    assert imr(tmp_path, "cases", "import", str(tmp_path / "old-case.yaml")).returncode == 0
    result = imr(tmp_path, "cases", "due", "--check")
    assert result.returncode == 1 and "CM26-0000001" in result.stdout and "overdue" in result.stdout


def test_misspelled_or_impossible_fields_are_refused_with_file_and_line(tmp_path: Path) -> None:
    """`expedite: true` must not file a standard case; `2015-06-31` is not an internal error."""
    original = (EXAMPLES / "case.yaml").read_text()
    for change, message in [
        (("expedited: false", "expedite: true"), "case.yaml, line 5: unknown field expedite (did you mean expedited?)"),
        (
            ("ur_decision_date: 2026-11-04", "ur_decison_date: 2026-11-04"),
            "case.yaml, line 7: unknown field ur_decison_date (did you mean ur_decision_date?)",
        ),
        (
            ("injury_date: 2023-05-02", "injury_date: 2015-06-31"),
            "case.yaml, line 6: invalid field injury_date: Input should be a valid date",
        ),
        (
            ("    firm: Chen & Partners", "    frim: Chen & Partners"),
            "case.yaml, line 33: unknown field frim (did you mean firm?) in parties.5",
        ),
        (
            ("  date: 2026-11-04\n  organization", "  date: 2026-11-32\n  organization"),
            "case.yaml, line 11: invalid field ur_decision.date",
        ),
    ]:
        folder = tmp_path / change[1].split(":")[0].strip()
        (folder / "records").mkdir(parents=True)
        (folder / "records" / "progress-note-2026-10-19.txt").write_text("Progress note.\n")
        assert change[0] in original
        (folder / "case.yaml").write_text(original.replace(change[0], change[1]))
        result = imr(tmp_path, "cases", "import", str(folder / "case.yaml"))
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(f"imr: error: {folder / message}"), result.stderr
        assert result.stderr.count("\n") == 1 and "internal error" not in result.stderr
    assert "CM26" not in imr(tmp_path, "cases", "list").stdout  # nothing was filed


def test_reviewer_files_name_the_entry_line(tmp_path: Path) -> None:
    path = tmp_path / "reviewers.yaml"
    path.write_text("- name: Dr. A\n  specialties: [pain medicine]\n- name: Dr. B\n  specialities: [orthopedic surgery]\n")
    result = imr(tmp_path, "reviewers", "add", str(path))
    assert result.returncode == 2
    assert result.stderr == f"imr: error: {path}, line 4: unknown field specialities (did you mean specialties?) in entry 2\n"
    assert "Dr. A" not in imr(tmp_path, "reviewers", "list").stdout  # no entry registered from a file with a mistake


def test_a_pdf_filed_later_is_read_into_the_records(tmp_path: Path) -> None:
    from tests.web.packet_files import LATER, the_packet, pages_of

    packet = tmp_path / "packet"
    packet.mkdir()
    for name, content in the_packet():
        (packet / name).write_bytes(content)
    (tmp_path / "later.pdf").write_bytes(pages_of(LATER))
    assert imr(tmp_path, "cases", "import", str(packet)).returncode == 0
    filed = imr(tmp_path, "cases", "add-document", "1", str(tmp_path / "later.pdf"))
    assert filed.returncode == 0, filed.stderr
    # pages 11-13 of the packet: a two-page progress report and a one-page one
    assert filed.stdout.startswith("filed later.pdf: application/pdf, 3 page(s)") and "; 2 record(s) read" in filed.stdout
