"""Users' YAML and JSON (`imr.input_files`): plain data only; a billion-laughs file is refused at once,
not expanded; every refusal names the file and, where known, the line."""

from __future__ import annotations

import time
from typing import Any

import pytest

from imr.errors import CaseFileError, ImrError
from imr.input_files import MAX_USER_FILE_BYTES, decode


def load_yaml(text: str, *, source: str, error: type[ImrError] = ImrError) -> Any:
    return decode(text, source=source, as_json=False, error=error).data


def load_json(text: str, *, source: str) -> Any:
    return decode(text, source=source, as_json=True, error=ImrError).data


# The classic 9 x 9 levels of aliases: 637 bytes that expand to ~387 million strings.
BILLION_LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi")
)


def test_a_billion_laughs_file_is_refused_in_milliseconds() -> None:
    assert len(BILLION_LAUGHS) < 700
    started = time.perf_counter()
    with pytest.raises(CaseFileError, match=r"case\.yaml: YAML anchors and aliases .* at line 1"):
        load_yaml(BILLION_LAUGHS, source="case.yaml", error=CaseFileError)
    assert time.perf_counter() - started < 0.5


def test_a_single_alias_is_refused_too() -> None:
    with pytest.raises(ImrError, match="at line 2"):
        load_yaml("worker: {age: 40}\nsame: *w\n", source="case.yaml")


def test_plain_data_loads_as_before() -> None:
    text = 'case_number: CM17-0000001\nreceived: 2017-01-05\nrequests:\n  - text: "Alprazolam 0.5 mg #60"\n'
    data = load_yaml(text, source="case.yaml")
    assert data["requests"] == [{"text": "Alprazolam 0.5 mg #60"}] and str(data["received"]) == "2017-01-05"


def test_deep_nesting_and_huge_documents_are_refused() -> None:
    with pytest.raises(ImrError, match="nested more than"):
        load_yaml("[" * 5000, source="x.yaml")
    with pytest.raises(ImrError, match="nested"):
        load_json("[" * 100_000 + "]" * 100_000, source="x.json")
    with pytest.raises(ImrError, match="larger than"):
        load_yaml("a" * (MAX_USER_FILE_BYTES + 1), source="x.yaml")


def test_syntax_errors_name_the_line() -> None:
    with pytest.raises(ImrError, match=r"x\.yaml, line 3: not valid YAML"):
        load_yaml("a: 1\nb: [\nc: ]]\n", source="x.yaml")
    with pytest.raises(ImrError, match=r"x\.json, line 1: not valid JSON"):
        load_json("{", source="x.json")


def test_an_impossible_date_is_left_to_the_model_which_names_the_field() -> None:
    from imr.casefile import parse_case

    data = load_yaml("received: 2015-06-31\nrequests:\n  - text: MRI of the lumbar spine\n", source="case.yaml")
    assert data["received"] == "2015-06-31"
    with pytest.raises(CaseFileError, match="case.yaml: invalid field received"):
        parse_case(data, source="case.yaml")


def test_every_key_has_its_line_and_a_date_tagged_as_one_stays_text() -> None:
    document = decode(
        "case_number: CM17-1\nrequests:\n  - text: MRI\n    kind: imaging\nreceived: !!timestamp 2017-01-05\n",
        source="c.yaml",
        as_json=False,
        error=ImrError,
    )
    assert document.where(("requests", 0, "kind")) == "c.yaml, line 4" and document.data["received"] == "2017-01-05"
    as_json = decode(
        '{\n  "case_number": "CM17-1",\n  "requests": [\n    {"text": "MRI"}\n  ]\n}\n',
        source="c.json",
        as_json=True,
        error=ImrError,
    )
    assert as_json.where(("requests", 0, "text")) == "c.json, line 4"
