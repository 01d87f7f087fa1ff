"""The rule book loads, validates and selects editions by date; bad rule files name the file and rule."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from imr.errors import GuidelineError
from imr.guidelines import highest_rank, load_rulebook
from imr.guidelines.loader import DATA_DIR
from imr.model import DisputedItem


def test_packaged_rulebook_loads_and_every_rule_cites_a_known_edition():
    book = load_rulebook()
    assert book.rules, "no rules loaded"
    for rule in book.rules:
        assert all(e in book.sources for e in rule.editions), rule.id
        assert rule.statement.strip(), rule.id


def _copy_data(tmp_path: Path) -> Path:
    root = tmp_path / "guidelines"
    shutil.copytree(DATA_DIR / "sources", root / "sources")
    (root / "rules").mkdir()
    return root


def _write_rule(root: Path, body: str) -> Path:
    path = root / "rules" / "bad.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def _rule(rule_id: str = "my.rule", *, source: str = "odg", recommendation: str = "recommended", extra: str = "") -> str:
    """One rule entry of a rule file, as a guideline author writes it."""
    return (
        f"  - id: {rule_id}\n    source: {source}\n    section: S\n    applies_to: {{kinds: [drug]}}\n"
        f"    recommendation: {recommendation}\n    statement: s\n{extra}"
    )


def test_unknown_source_names_file_and_rule(tmp_path):
    root = _copy_data(tmp_path)
    path = _write_rule(root, "topic: t\nrules:\n" + _rule(source="no-such-edition"))
    with pytest.raises(GuidelineError) as error:
        load_rulebook(root)
    message = str(error.value)
    assert str(path) in message and "my.rule" in message and "no-such-edition" in message
    assert "\n" not in message


def test_bad_test_names_the_criterion(tmp_path):
    root = _copy_data(tmp_path)
    criteria = "    criteria:\n      - {id: dur, label: L, missing: m, test: {quantity: days_on_moon, at_most: 3}}\n"
    _write_rule(root, "topic: t\nrules:\n" + _rule(recommendation="conditional", extra=criteria))
    with pytest.raises(
        GuidelineError,
        match=r"my\.rule: criterion dur: test\.quantity: Input should be 'use_duration_days'.* \(got 'days_on_moon'\)",
    ):
        load_rulebook(root)


def test_bad_recommendation_is_refused(tmp_path):
    root = _copy_data(tmp_path)
    _write_rule(root, "topic: t\nrules:\n" + _rule(recommendation="maybe"))
    with pytest.raises(GuidelineError, match=r"bad\.yaml: rule my\.rule: invalid field recommendation"):
        load_rulebook(root)


def test_edition_in_force_follows_the_decision_date():
    book = load_rulebook()
    alprazolam = DisputedItem(text="Xanax 0.25mg #30", kind="drug", generic="alprazolam", drug_class="benzodiazepine")
    (rule,) = [r for r in book.applicable(alprazolam, dt.date(2015, 3, 1)) if r.topic == "benzodiazepines"]
    assert book.citation(rule, dt.date(2015, 3, 1)).source == "MTUS Chronic Pain Medical Treatment Guidelines"
    assert book.citation(rule, dt.date(2016, 11, 1)).source == "MTUS Chronic Pain Medical Treatment 2016"
    assert book.citation(rule, dt.date(2016, 11, 1)).pages == [24]


def test_opioid_rules_change_edition_in_2016():
    book = load_rulebook()
    norco = DisputedItem(text="Norco 10/325 #120", kind="drug", generic="hydrocodone/acetaminophen", drug_class="opioid")
    # the opioid rules (the rule on the remainder of a request certified in part applies to any drug)
    before = {r.source for r in book.applicable(norco, dt.date(2015, 5, 1)) if r.applies_to.drug_classes}
    after = {r.source for r in book.applicable(norco, dt.date(2016, 12, 1)) if r.applies_to.drug_classes}
    assert before == {"mtus-cpmtg-2009"}
    assert after == {"mtus-opioids-2016"}


def test_mtus_outranks_odg():
    book = load_rulebook()
    odg_rule = book.rule("odg.pain.insomnia-treatment")
    mtus_rule = book.rule("mtus.chronic-pain.benzodiazepines")
    assert highest_rank(book, [odg_rule, mtus_rule], dt.date(2015, 1, 1)) == [mtus_rule]
    assert highest_rank(book, [odg_rule], dt.date(2015, 1, 1)) == [odg_rule]


def test_topical_form_is_judged_by_topical_rules_only():
    book = load_rulebook()
    gabapentin = DisputedItem(text="gabapentin 10% cream", kind="drug", generic="gabapentin", drug_class="anti-epilepsy drug")
    on = dt.date(2015, 6, 1)
    oral = {r.id for r in book.applicable(gabapentin, on)}
    topical = {r.id for r in book.applicable(gabapentin, on, form="topical")}
    assert "mtus.chronic-pain.anti-epilepsy-drugs" in oral and "mtus.chronic-pain.topical-not-recommended" not in oral
    assert "mtus.chronic-pain.topical-not-recommended" in topical and "mtus.chronic-pain.anti-epilepsy-drugs" not in topical


def test_duplicate_rule_ids_are_refused(tmp_path):
    root = _copy_data(tmp_path)
    rule = _rule("same.rule")
    _write_rule(root, "topic: t\nrules:\n" + rule)
    (root / "rules" / "other.yaml").write_text("topic: u\nrules:\n" + rule, encoding="utf-8")
    with pytest.raises(GuidelineError, match=r"rule same\.rule is also defined in"):
        load_rulebook(root)


def test_supersedes_must_name_a_rule(tmp_path):
    root = _copy_data(tmp_path)
    _write_rule(root, "topic: t\nrules:\n" + _rule(extra="    supersedes: [no.such.rule]\n"))
    with pytest.raises(GuidelineError, match=r"my\.rule: supersedes unknown rule 'no\.such\.rule'"):
        load_rulebook(root)


def test_broken_yaml_names_the_line(tmp_path):
    root = _copy_data(tmp_path)
    _write_rule(root, "topic: t\nrules:\n  - id: [unclosed\n")
    with pytest.raises(GuidelineError, match=r"bad\.yaml: not valid YAML at line \d+"):
        load_rulebook(root)


def _service_rule(procedures: str, body_parts: str = "") -> str:
    scope = (
        f"{{kinds: [physical medicine], procedures: [{procedures}]"
        + (f", body_parts: [{body_parts}]" if body_parts else "")
        + "}"
    )
    return (
        f"  - id: my.service\n    source: odg\n    section: S\n    applies_to: {scope}\n"
        "    recommendation: recommended\n    statement: s\n"
    )


def test_synonyms_in_a_rule_match_items_by_their_canonical_name(tmp_path):
    root = _copy_data(tmp_path)
    _write_rule(root, "topic: t\nrules:\n" + _service_rule("tens unit", "low back"))
    book = load_rulebook(root)
    (rule,) = [r for r in book.rules if r.id == "my.service"]
    assert rule.applies_to.procedures == ["tens"]
    assert rule.applies_to.body_parts == ["lumbar spine"]


def test_a_procedure_the_items_vocabulary_does_not_know_is_refused(tmp_path):
    root = _copy_data(tmp_path)
    _write_rule(root, "topic: t\nrules:\n" + _service_rule("moonbeam therapy"))
    with pytest.raises(
        GuidelineError, match=r"my\.service: applies_to\.procedures: 'moonbeam therapy' is not in the items vocabulary"
    ):
        load_rulebook(root)


def test_a_rule_site_that_is_not_a_body_part_is_refused(tmp_path):
    root = _copy_data(tmp_path)
    _write_rule(root, "topic: t\nrules:\n" + _service_rule("tens") + "    site: kneee\n")
    with pytest.raises(GuidelineError, match=r"my\.service: site: 'kneee' is not a body part of the anatomy"):
        load_rulebook(root)
    _write_rule(root, "topic: t\nrules:\n" + _service_rule("tens") + "    site: knee\n")
    (rule,) = [r for r in load_rulebook(root).rules if r.id == "my.service"]
    assert rule.site == "knee"
