"""Reading YAML and JSON that users hand in (case files, edited determinations, reviewer entries).

A user's file is plain data: mappings, lists and scalars. YAML anchors and aliases are refused, because
a few hundred bytes of nested aliases ("billion laughs") expand to gigabytes when loaded; so are
documents larger than `MAX_USER_FILE_BYTES` and nesting deeper than `MAX_DEPTH` (a deep structure
exhausts Python's stack). Every refusal is a one-line `ImrError` naming the source and the line.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from imr.errors import ImrError

# A case file with its records inline is a few megabytes at most; a larger one is not a case file.
MAX_USER_FILE_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 64


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader, with dates left as text: the model reading the data checks them and names the
    field of an impossible one (2015-06-31), where YAML itself would fail without saying where."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))
_OPENS = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSES = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _line(mark: Any) -> str:
    return f" at line {mark.line + 1}" if mark is not None else ""


def _check_events(text: str, source: str, error: type[ImrError]) -> None:
    """Refuse aliases, anchors and deep nesting before anything is built (the C parser's events only)."""
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise error(
                f"{source}: YAML anchors and aliases (&name, *name) are not accepted{_line(event.start_mark)}; write the value out"
            )
        if isinstance(event, _OPENS):
            depth += 1
            if depth > MAX_DEPTH:
                raise error(f"{source}: nested more than {MAX_DEPTH} levels deep{_line(event.start_mark)}")
        elif isinstance(event, _CLOSES):
            depth -= 1


def _check_size(text: str | bytes, source: str, error: type[ImrError]) -> None:
    if len(text) > MAX_USER_FILE_BYTES:
        raise error(f"{source}: larger than {MAX_USER_FILE_BYTES // (1024 * 1024)} MB")


def load_user_yaml(text: str, *, source: str, error: type[ImrError] = ImrError) -> Any:
    """The data of a user's YAML document (YAML 1.1 safe types, no aliases); `error` is raised, with
    the source and line, on anything else."""
    _check_size(text, source, error)
    try:
        _check_events(text, source, error)
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as problem:
        raise error(f"{source}: not valid YAML{_line(getattr(problem, 'problem_mark', None))}") from None
    except RecursionError:
        raise error(f"{source}: nested too deeply") from None


def check_user_text(text: str, *, source: str, json_format: bool = False, error: type[ImrError] = ImrError) -> None:
    """Refuse what a user's file must not be (too large, aliases and anchors, too deep) before it is decoded."""
    _check_size(text, source, error)
    if json_format:
        load_user_json(text, source=source, error=error)
        return
    try:
        _check_events(text, source, error)
    except yaml.YAMLError:
        return  # the decoder that follows names the syntax error and its line
    except RecursionError:
        raise error(f"{source}: nested too deeply") from None


def load_user_json(text: str, *, source: str, error: type[ImrError] = ImrError) -> Any:
    """The data of a user's JSON document, with the same size and nesting bounds as YAML."""
    _check_size(text, source, error)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as problem:
        raise error(f"{source}: not valid JSON at line {problem.lineno}") from None
    except RecursionError:
        raise error(f"{source}: nested too deeply") from None
    if _depth(data) > MAX_DEPTH:
        raise error(f"{source}: nested more than {MAX_DEPTH} levels deep")
    return data


def load_user_data(text: str, *, source: str, json_format: bool = False, error: type[ImrError] = ImrError) -> Any:
    """A user's YAML (or, with `json_format`, JSON) document."""
    if json_format:
        return load_user_json(text, source=source, error=error)
    return load_user_yaml(text, source=source, error=error)


def _depth(data: Any) -> int:
    deepest, stack = 0, [(data, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            node = list(node.values())
        if isinstance(node, list):
            deepest = max(deepest, level)
            stack.extend((child, level + 1) for child in node)
    return deepest
