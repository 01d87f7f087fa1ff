"""A case file uploaded through the workbench is checked like `imr cases import` (issue 15, item 11):
a misspelled key is refused with its file and line, and nothing is filed."""

from __future__ import annotations

from imr.examples import EXAMPLE_SERVICE
from tests.web.test_pages import Site, post, signed_in, site  # noqa: F401 - site is a fixture


def test_a_misspelled_key_in_an_uploaded_case_file_is_refused_with_its_line(site: Site) -> None:  # noqa: F811
    intake = signed_in(site, "ian")
    text = (EXAMPLE_SERVICE / "case.yaml").read_text().replace("expedited: false", "expedite: true")
    answer = post(intake, "/cases/new", files={"case_file": ("case.yaml", text.encode(), "application/x-yaml")})
    assert answer.status_code == 422
    assert "case.yaml, line 5: unknown field expedite (did you mean expedited?)" in answer.text
    assert "CM26-0000001" not in intake.get("/queue").text
