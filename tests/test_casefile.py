import pytest

from imr.casefile import load_case, parse_case
from imr.errors import CaseFileError


def test_the_case_service_keys_travel_as_written() -> None:
    case = parse_case({"requests": [{"text": "Norco 10/325mg #120"}], "parties": {"employer": "Acme"}})
    assert case.parties == {"employer": "Acme"}


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
    case = parse_case(
        {
            "requests": [{"text": "x"}],
            "records": [
                {
                    "text": "page one\npage two",
                    "author": "Laura Sato, MD",
                    "source": {"file": "packet.pdf", "pages": [4, 5], "offsets": [0, 9], "confidence": [None, 0.91]},
                }
            ],
        }
    )
    record = case.records[0]
    assert (record.author, record.source.file, record.source.page_at(10)) == ("Laura Sato, MD", "packet.pdf", 5)


def test_a_misspelled_source_field_is_named() -> None:
    with pytest.raises(CaseFileError, match=r"unknown field page .*in records\.0\.source"):
        parse_case({"requests": [{"text": "x"}], "records": [{"text": "t", "source": {"file": "p.pdf", "page": [1]}}]})


CASE = """\
case_number: CM26-0000001
received: 2026-01-10
{extra}requests:
  - text: MRI lumbar spine
records:
  - date: 2025-12-12
    text: Low back pain.
"""


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        # a misspelled key is refused with its file and line, and the key it was probably meant to be
        ("expedite: true\n", r"case\.yaml, line 3: unknown field expedite \(did you mean expedited\?\)"),
        (
            "ur_decison_date: 2025-12-20\n",
            r"case\.yaml, line 3: unknown field ur_decison_date \(did you mean ur_decision_date\?\)",
        ),
        ("worker: {age: 52, sexe: female}\n", r"case\.yaml, line 3: unknown field sexe \(did you mean sex\?\) in worker"),
        # an impossible date or a bad scalar names the field and its line; never a crash of the decoder
        ("injury_date: 2015-06-31\n", r"case\.yaml, line 3: invalid field injury_date: .*day value is outside expected range"),
        ("expedited: maybe\n", r"case\.yaml, line 3: invalid field expedited: Input should be a valid boolean"),
        ("worker:\n  age: fifty\n", r"case\.yaml, line 4: invalid field worker\.age"),
    ],
)
def test_case_file_mistakes_name_the_file_line_and_field(tmp_path, extra: str, message: str) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(CASE.format(extra=extra))
    with pytest.raises(CaseFileError, match=message):
        load_case(path)


def test_a_misspelled_key_deep_in_a_list_names_its_line(tmp_path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(CASE.format(extra="").replace("    text: Low back pain.", "    text: Low back pain.\n    knd: progress note"))
    with pytest.raises(CaseFileError, match=r"case\.yaml, line 8: unknown field knd \(did you mean kind\?\) in records\.0"):
        load_case(path)


def test_json_case_files_name_the_line_too(tmp_path) -> None:
    path = tmp_path / "case.json"
    path.write_text('{\n  "received": "2026-01-10",\n  "expedite": true,\n  "requests": [{"text": "MRI lumbar spine"}]\n}\n')
    with pytest.raises(CaseFileError, match=r"case\.json, line 3: unknown field expedite"):
        load_case(path)


def test_dates_are_still_dates(tmp_path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(CASE.format(extra="expedited: true\n"))
    case = load_case(path)
    assert case.expedited is True and case.received.isoformat() == "2026-01-10" and case.records[0].date.year == 2025


def test_case_files_stored_before_keys_were_checked_still_open() -> None:
    """A case stored by an earlier version may hold unknown keys: they are dropped when it is read back."""
    from imr.casefile import stored_case

    stored = {
        "received": "2017-01-10",
        "expedite": True,
        "requests": [{"text": "MRI lumbar spine", "note": "x"}],
        "worker": {"age": 52, "sexe": "female"},
    }
    case = stored_case(stored)
    assert case.received.isoformat() == "2017-01-10" and case.requests[0].text == "MRI lumbar spine" and case.worker.age == 52
    assert stored["expedite"] is True  # what is stored is not changed
    with pytest.raises(Exception, match="age"):
        stored_case({"requests": [{"text": "x"}], "worker": {"age": 300}})  # a wrong value is still wrong


def _example_case() -> dict:
    import yaml

    from imr.examples import EXAMPLE_CASES

    return yaml.safe_load(sorted(EXAMPLE_CASES.glob("*.yaml"))[0].read_text(encoding="utf-8"))


def test_a_record_of_more_than_two_million_characters_is_refused_naming_it() -> None:
    # a 10 MB record took the engine past 2 GB of memory; the case file now names the record instead
    import yaml

    from imr.casefile import MAX_RECORD_CHARS, parse_text

    case = _example_case()
    case["records"][0]["text"] = "He reports pain 6/10 and walks more with Norco. " * (MAX_RECORD_CHARS // 48 + 1)
    text = yaml.safe_dump(case)
    with pytest.raises(
        CaseFileError, match=r"case\.yaml, line \d+: invalid field records\.0\.text: .*at most 2000000 characters"
    ):
        parse_text(text, source="case.yaml")


def test_more_than_a_hundred_disputed_items_are_refused() -> None:
    case = _example_case()
    case["requests"] = [{"text": f"Physical therapy {n} sessions"} for n in range(1, 102)]
    with pytest.raises(CaseFileError, match=r"invalid field requests: .*at most 100 items"):
        parse_case(case, source="case.yaml")
