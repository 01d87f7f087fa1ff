import pytest

from imr.casefile import load_case, parse_case
from imr.errors import CaseFileError


def test_unknown_keys_are_kept() -> None:
    case = parse_case({"requests": [{"text": "Norco 10/325mg #120"}], "parties": {"employer": "Acme"}})
    assert case.model_extra == {"parties": {"employer": "Acme"}}


def test_invalid_field_is_named() -> None:
    with pytest.raises(CaseFileError, match=r"injury_date"):
        parse_case({"requests": [{"text": "x"}], "injury_date": "not a date"})


def test_case_without_requests_is_refused() -> None:
    with pytest.raises(CaseFileError, match=r"requests"):
        parse_case({"records": []})


def test_yaml_syntax_error_names_the_line(tmp_path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text("requests:\n  - text: [unclosed\n")
    with pytest.raises(CaseFileError, match=r"not valid YAML"):
        load_case(path)
