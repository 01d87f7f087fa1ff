"""One anatomy: every body-part name that requests, records and rules use is a part of
src/imr/model/data/anatomy.yaml, and a request's site is read with its detail and side."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from imr.clinical.rules import load_data
from imr.items import canonical_body_part, site_of, sites_of
from imr.items.vocabulary import BODY_PART_WORDS, PROCEDURES
from imr.model.anatomy import Site, is_part

RULES = Path(__file__).resolve().parents[2] / "src" / "imr" / "guidelines" / "data" / "rules"


def test_every_items_body_part_and_implied_part_is_an_anatomy_part():
    names = {entry.name for entry in BODY_PART_WORDS} | {p.body_part for p in PROCEDURES if p.body_part}
    assert names and not {n for n in names if not is_part(n)}


def test_every_clinical_part_is_an_anatomy_part():
    names = set(load_data("vocabulary.yaml")["implied_sites"]) | {
        s["part"] for s in load_data("exam_signs.yaml")["signs"].values()
    }
    assert not {n for n in names if not is_part(n)}
    assert "body_parts" not in load_data("vocabulary.yaml")  # the patterns are the items vocabulary's, written once


def _rule_body_parts() -> set[str]:
    found: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            scope = node.get("applies_to")
            if isinstance(scope, dict):
                found.update(str(n) for n in scope.get("body_parts") or ())
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in RULES.rglob("*.yaml"):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


def test_every_rule_body_part_names_an_anatomy_part():
    names = _rule_body_parts()
    assert len(names) > 10
    unknown = {n: canonical_body_part(n) for n in names if not (canonical_body_part(n) and is_part(canonical_body_part(n)))}
    assert unknown == {}


@pytest.mark.parametrize(
    "request_text, expected",
    [
        ("MRI of the lumbar spine L4-5", Site(part="lumbar spine", detail="L4-5")),
        ("MRI right knee medial meniscus", Site(part="knee", detail="medial meniscus", side="right")),
        ("Left thumb spica splint", Site(part="thumb", side="left")),
        ("Right index finger trigger release", Site(part="finger", side="right")),
        ("Bilateral shoulder MRI", Site(part="shoulder", side="bilateral")),
        ("Right great toe x-ray", Site(part="toe", side="right")),
        ("Cervical pillow", Site(part="cervical spine")),
    ],
)
def test_a_request_site_has_its_part_detail_and_side(request_text, expected):
    assert site_of(request_text) == expected


def test_a_drug_has_no_site_and_two_parts_are_two_sites():
    assert sites_of("Norco 10/325mg #60") == []
    assert [s.part for s in sites_of("Physical therapy for the cervical and lumbar spine")] == ["cervical spine", "lumbar spine"]
    assert site_of("Physical therapy for the cervical and lumbar spine") is None
