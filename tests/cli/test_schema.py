import json
import subprocess
import sys


def run_imr(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "imr", *args], capture_output=True, text=True, timeout=60)


def test_letter_schema_names_the_published_fields() -> None:
    result = run_imr("schema", "letter")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert set(schema["properties"]) == {"case", "reviewer", "issues"}
    assert "ur_denial_date" in schema["$defs"]["CaseDetails"]["properties"]


def test_case_schema_requires_requests() -> None:
    schema = json.loads(run_imr("schema", "case").stdout)
    assert "requests" in schema["required"]


def test_unknown_schema_is_a_usage_error() -> None:
    result = run_imr("schema", "nonsense")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_rules_schema_publishes_the_rule_language() -> None:
    result = run_imr("schema", "rules")
    assert result.returncode == 0
    text = result.stdout
    schema = json.loads(text)
    assert "criteria" in schema["properties"]
    for test in ("Finding", "Absent", "Documented", "QuantityTest", "AllOf", "AnyOf", "Not"):
        assert test in schema["$defs"], test
    assert "silence" in schema["$defs"]["Absent"]["properties"]
