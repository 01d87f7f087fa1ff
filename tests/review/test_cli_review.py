"""`imr review` on the command line: JSON, directories, letters, one-line errors, a light start."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.paths import SEED_LETTERS

EXAMPLES = Path(__file__).parents[2] / "src" / "imr" / "examples" / "cases"


def imr(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "imr", *args], capture_output=True, text=True, timeout=120)


def test_review_json_has_the_letter_keys_and_the_engine_fields():
    run = imr("review", str(EXAMPLES / "opioid-norco.yaml"), "--json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert set(data) == {"case", "reviewer", "issues"}
    issue = data["issues"][0]
    assert issue["outcome"] == "Overturned"
    assert {"evidence", "missing", "confidence", "criteria", "rationale", "reviewer_basis"} <= set(issue)
    assert data["case"]["summary"]


def test_review_directory_jsonl_reviews_every_case():
    run = imr("review", str(EXAMPLES), "--jsonl")
    assert run.returncode == 0, run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    assert len(lines) == len(list(EXAMPLES.glob("*.yaml")))


def test_review_directory_json_is_one_array():
    """`--json` prints one JSON document whatever the input: for a directory, an array of its cases."""
    run = imr("review", str(EXAMPLES), "--json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    cases = sorted(EXAMPLES.glob("*.yaml"))
    assert isinstance(data, list) and [d["source"] for d in data] == [str(p) for p in cases]
    assert all(set(d) == {"source", "case", "reviewer", "issues"} and d["issues"] for d in data)


def test_invalid_case_file_is_one_line_naming_the_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("requests:\n  - text: ''\nrecords: []\n", encoding="utf-8")
    run = imr("review", str(bad))
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "requests.0.text" in run.stderr


def test_review_from_letter_decides_from_the_summary():
    run = imr("review", "--from-letter", str(SEED_LETTERS[0]), "--json")
    assert run.returncode == 0, run.stderr
    issue = json.loads(run.stdout)["issues"][0]
    assert issue["outcome"] in ("Upheld", "Overturned")
    assert any("clinical case summary" in m for m in issue["missing"])


def test_draft_letter_text(tmp_path):
    out = tmp_path / "letter.txt"
    run = imr("review", str(EXAMPLES / "benzodiazepine-alprazolam.yaml"), "--format", "text", "-o", str(out))
    assert run.returncode == 0, run.stderr
    text = out.read_text(encoding="utf-8")
    assert "Alprazolam" in text and "Upheld" in text


def test_review_does_not_load_the_web_or_database_stack():
    code = (
        "import sys\n"
        "sys.argv = ['imr', 'review', %r, '--json']\n"
        "from imr.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('LOADED', sorted(m for m in ('fastapi', 'sqlalchemy', 'weasyprint') if m in sys.modules), file=sys.stderr)\n"
    ) % str(EXAMPLES / "benzodiazepine-alprazolam.yaml")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert "LOADED []" in run.stderr, run.stderr


def test_a_bad_rule_directory_is_one_line_naming_file_and_rule(tmp_path):
    import shutil

    from imr.guidelines.loader import DATA_DIR

    shutil.copytree(DATA_DIR / "sources", tmp_path / "sources")
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "x.yaml").write_text("topic: x\nrules:\n  - id: my.bad.rule\n    source: nope\n", encoding="utf-8")
    run = imr("review", str(EXAMPLES / "opioid-norco.yaml"), "--rules", str(tmp_path))
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "x.yaml" in run.stderr and "my.bad.rule" in run.stderr


def test_directory_with_one_broken_case_names_it_and_reviews_the_others(tmp_path):
    for example in EXAMPLES.glob("*.yaml"):
        (tmp_path / example.name).write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("worker: {age: 300}\nrequests:\n  - text: MRI lumbar spine\n", encoding="utf-8")
    run = imr("review", str(tmp_path), "--jsonl")
    assert run.returncode == 2
    errors = run.stderr.strip().splitlines()
    assert len(errors) == 1 and "broken.yaml" in errors[0] and "worker.age" in errors[0]
    reviewed = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    assert len(reviewed) == len(list(EXAMPLES.glob("*.yaml")))
    assert all(d["issues"] and d["issues"][0]["reviewer_basis"] for d in reviewed)


def test_review_writes_a_pdf_draft_letter(tmp_path):
    out = tmp_path / "draft.pdf"
    run = imr("review", str(EXAMPLES / "opioid-norco.yaml"), "--format", "pdf", "--output", str(out))
    assert run.returncode == 0, run.stderr
    data = out.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 2000
    from imr.letters.parse import parse_letter

    letter = parse_letter(out)  # the draft reads back as a letter with the engine's outcome
    assert [i.outcome for i in letter.issues] == ["Overturned"]


def test_pdf_needs_an_output_file():
    run = imr("review", str(EXAMPLES / "opioid-norco.yaml"), "--format", "pdf")
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and "--output" in run.stderr
