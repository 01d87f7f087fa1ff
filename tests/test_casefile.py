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


def test_a_record_says_which_file_and_pages_it_came_from() -> None:
    case = parse_case({"requests": [{"text": "x"}], "records": [{
        "text": "page one\npage two", "author": "Laura Sato, MD",
        "source": {"file": "packet.pdf", "pages": [4, 5], "offsets": [0, 9], "confidence": [None, 0.91]}}]})
    record = case.records[0]
    assert (record.author, record.source.file, record.source.page_at(10)) == ("Laura Sato, MD", "packet.pdf", 5)


def test_a_misspelled_source_field_is_named() -> None:
    with pytest.raises(CaseFileError, match=r"records\.0\.source\.page"):
        parse_case({"requests": [{"text": "x"}], "records": [{"text": "t", "source": {"file": "p.pdf", "page": [1]}}]})
