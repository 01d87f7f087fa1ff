"""Reads guideline editions (`data/sources/*.yaml`) and rules (`data/rules/**/*.yaml`) and validates them.

Every error names the file and, where there is one, the rule: a guideline author fixes data, not code.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from imr.errors import GuidelineError
from imr.model.anatomy import is_part
from imr.guidelines.language import Test
from imr.guidelines.model import AppliesTo, Criterion, GuidelineSource, Rule
from imr.memo import data_yaml

DATA_DIR = Path(__file__).parent / "data"
_TESTS: TypeAdapter[Test] = TypeAdapter(Test)


def _read_yaml(path: Path) -> Any:
    try:
        return data_yaml(path)
    except (OSError, UnicodeDecodeError) as error:
        raise GuidelineError(f"{path}: cannot read ({error.__class__.__name__})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise GuidelineError(f"{path}: not valid YAML{at}") from None


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    # the tagged-union wrapper names are pydantic's, not the rule author's: keep only the field path
    path: list[str] = []
    for part in (str(p) for p in first["loc"]):
        # a union member is named by its tag and then by its field: 'any.any.0' reads as 'any.0'
        if not part.startswith(("tagged-union", "function-")) and (not path or path[-1] != part):
            path.append(part)
    where = ".".join(path) or "(top level)"
    got = first.get("input")
    shown = f" (got {got!r})" if isinstance(got, (str, int, float)) else ""
    return f"{where}: {first['msg'].removeprefix('Value error, ')}{shown}"


def load_sources(directory: Path) -> dict[str, GuidelineSource]:
    sources: dict[str, GuidelineSource] = {}
    for path in sorted(directory.glob("*.yaml")):
        data = _read_yaml(path)
        entries = data if isinstance(data, list) else [data]
        for entry in entries:
            try:
                source = GuidelineSource.model_validate(entry)
            except ValidationError as error:
                raise GuidelineError(f"{path}: invalid source field {_first_error(error)}") from None
            if source.id in sources:
                raise GuidelineError(f"{path}: source {source.id!r} is defined twice")
            sources[source.id] = source
    return sources


def _canonical_scope(scope: dict[str, Any], where: str) -> dict[str, Any]:
    """Procedures and body parts in the items vocabulary's canonical names.

    Items are matched by canonical name only, so a synonym in a rule file ('tens unit', 'low back')
    would otherwise match nothing, silently. A name the vocabulary does not know is an error.
    """
    from imr.items import canonical_body_part, canonical_procedure

    scope = dict(scope)
    for key, canonical in (("procedures", canonical_procedure), ("body_parts", canonical_body_part)):
        if scope.get(key) is None:
            continue
        names: list[str] = []
        for name in scope[key]:
            found = canonical(str(name))
            if found is None:
                raise GuidelineError(f"{where}: applies_to.{key}: {name!r} is not in the items vocabulary (src/imr/items/data/)")
            if found not in names:
                names.append(found)
        scope[key] = names
    return scope


def _rule_from(entry: Any, *, topic: str, path: Path, sources: dict[str, GuidelineSource]) -> Rule:
    if not isinstance(entry, dict) or "id" not in entry:
        raise GuidelineError(f"{path}: every rule needs an 'id' (got {str(entry)[:60]!r})")
    rule_id = entry["id"]
    where = f"{path}: rule {rule_id}"
    data = dict(entry)
    raw_source = data.pop("source", None)
    editions = tuple(raw_source) if isinstance(raw_source, list) else (raw_source,) if raw_source else ()
    if not editions:
        raise GuidelineError(f"{where}: 'source' is required (an edition id from sources/)")
    for edition in editions:
        if edition not in sources:
            raise GuidelineError(f"{where}: unknown source {edition!r} (known: {', '.join(sorted(sources))})")
    if data.get("site") is not None and not is_part(str(data["site"])):
        raise GuidelineError(f"{where}: site: {data['site']!r} is not a body part of the anatomy (src/imr/model/data/)")
    criteria = []
    for index, entry in enumerate(data.get("criteria") or []):
        name = entry.get("id", index) if isinstance(entry, dict) else index
        try:
            criteria.append(Criterion.model_validate(entry))
        except ValidationError as error:
            raise GuidelineError(f"{where}: criterion {name}: {_first_error(error)}") from None
    when = []
    for index, test in enumerate(data.get("when") or []):
        try:
            when.append(_TESTS.validate_python(test))
        except ValidationError as error:
            raise GuidelineError(f"{where}: when[{index}]: {_first_error(error)}") from None
    try:
        return Rule.model_validate(
            {
                **data,
                "topic": topic,
                "source": editions[0],
                "editions": editions,
                "applies_to": AppliesTo.model_validate(_canonical_scope(data.get("applies_to") or {}, where)),
                "criteria": criteria,
                "when": when,
                "file": str(path),
            }
        )
    except ValidationError as error:
        raise GuidelineError(f"{where}: invalid field {_first_error(error)}") from None


def load_rules(directory: Path, sources: dict[str, GuidelineSource]) -> list[Rule]:
    rules: list[Rule] = []
    seen: dict[str, Path] = {}
    for path in sorted(directory.rglob("*.yaml")):
        data = _read_yaml(path)
        if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
            raise GuidelineError(f"{path}: a rule file needs 'topic:' and a 'rules:' list")
        topic = str(data.get("topic") or path.stem)
        for entry in data["rules"]:
            rule = _rule_from(entry, topic=topic, path=path, sources=sources)
            if rule.id in seen:
                raise GuidelineError(f"{path}: rule {rule.id} is also defined in {seen[rule.id]}")
            seen[rule.id] = path
            rules.append(rule)
    _check_references(rules)
    return rules


def _check_references(rules: Iterable[Rule]) -> None:
    ids = {r.id for r in rules}
    for rule in rules:
        for other in rule.supersedes:
            if other not in ids:
                raise GuidelineError(f"{rule.file}: rule {rule.id}: supersedes unknown rule {other!r}")
