"""Files people write for imr (case files, reviewer entries, edited determinations): YAML or JSON,
decoded with the line of every key, so that an error can say which file and line to fix.

A user's file is plain data: mappings, lists and scalars. YAML anchors and aliases are refused, because
a few hundred bytes of nested aliases ("billion laughs") expand to gigabytes when loaded; so are
documents larger than `MAX_USER_FILE_BYTES` and nesting deeper than `MAX_DEPTH` (a deep structure
exhausts Python's stack). Every refusal is a one-line `ImrError` naming the source and the line.

Dates stay text until the model reads them: YAML would turn `2015-06-31` into a crash while decoding,
where the model names the field and says the date is impossible.
"""

from __future__ import annotations

import copy
import difflib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from imr.errors import ImrError

M = TypeVar("M", bound=BaseModel)
Location = tuple[str | int, ...]

# A case file with its records inline is a few megabytes at most; a larger one is not a case file.
MAX_USER_FILE_BYTES = 20 * 1024 * 1024
MAX_DEPTH = 64


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]  # the C loader when libyaml is there
    """The safe loader, with dates left as text (see the module docstring)."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))
_OPENS = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSES = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


@dataclass(frozen=True)
class InputFile:
    """A decoded input file: its data, its name, and the 1-based line of each key and list item."""

    data: Any
    source: str
    lines: dict[Location, int] = field(default_factory=dict)

    def where(self, location: Location = ()) -> str:
        """'FILE, line N' for the deepest part of `location` whose line is known; else 'FILE'."""
        for end in range(len(location), 0, -1):
            line = self.lines.get(tuple(location[:end]))
            if line is not None:
                return f"{self.source}, line {line}"
        return self.source


def _key_lines(node: yaml.Node, at: Location, lines: dict[Location, int], seen: set[int]) -> None:
    # Each node once: an alias repeats a node, not its lines.
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                lines.setdefault((*at, key.value), key.start_mark.line + 1)
                _key_lines(value, (*at, key.value), lines, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.setdefault((*at, index), item.start_mark.line + 1)
            _key_lines(item, (*at, index), lines, seen)


def _line(mark: Any) -> str:
    return f" at line {mark.line + 1}" if mark is not None else ""


def _check_events(text: str, source: str, error: type[ImrError]) -> None:
    """Refuse aliases, anchors and deep nesting before anything is built (the parser's events only:
    streaming, in linear time and without recursion)."""
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


def _yaml(text: str, source: str, error: type[ImrError]) -> InputFile:
    try:
        _check_events(text, source, error)
        loader = _Loader(text)
        try:
            # one parse gives both the data and, from the same nodes, the line of every key
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as problem:
        mark = getattr(problem, "problem_mark", None)
        raise error(f"{source}{f', line {mark.line + 1}' if mark is not None else ''}: not valid YAML") from None
    except RecursionError:
        raise error(f"{source}: nested too deeply") from None
    lines: dict[Location, int] = {}
    if node is not None:
        _key_lines(node, (), lines, set())
    return InputFile(data, source, lines)


def _json(text: str, source: str, error: type[ImrError]) -> InputFile:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as problem:
        raise error(f"{source}, line {problem.lineno}: not valid JSON ({problem.msg})") from None
    except RecursionError:
        raise error(f"{source}: nested too deeply") from None
    if _depth(data) > MAX_DEPTH:
        raise error(f"{source}: nested more than {MAX_DEPTH} levels deep")
    lines: dict[Location, int] = {}
    try:
        # JSON is (nearly always) YAML too: its lines come from the YAML composer
        node = yaml.compose(text, Loader=_Loader)
        if node is not None:
            _key_lines(node, (), lines, set())
    except yaml.YAMLError:
        pass  # the data is read; an error in it is then named without its line
    return InputFile(data, source, lines)


def decode(text: str, *, source: str, as_json: bool, error: type[ImrError]) -> InputFile:
    """Decode YAML (or JSON): the data and the line of every key. A file too large, too deep, with
    YAML aliases ("billion laughs") or with a syntax error is refused with `error`, naming the file
    and, where known, the line."""
    if len(text) > MAX_USER_FILE_BYTES:
        raise error(f"{source}: larger than {MAX_USER_FILE_BYTES // (1024 * 1024)} MB")
    return _json(text, source, error) if as_json else _yaml(text, source, error)


def read(path: str | Path, *, error: type[ImrError]) -> InputFile:
    """Read and decode a YAML or JSON file (JSON by its `.json` suffix)."""
    path = Path(path)
    try:
        with path.open("rb") as handle:  # no further than the bound: a huge file is refused, not read
            text = handle.read(MAX_USER_FILE_BYTES + 1).decode("utf-8")
    except (OSError, UnicodeDecodeError) as problem:
        raise error(f"{path}: cannot read ({problem.__class__.__name__})") from None
    return decode(text, source=str(path), as_json=path.suffix.lower() == ".json", error=error)


def _known_fields(model: type[BaseModel], location: Location) -> list[str]:
    """The field names of the model that sits at `location` inside `model` (for suggestions)."""
    current: Any = model
    for step in location:
        if isinstance(step, int):
            continue
        info = getattr(current, "model_fields", {}).get(step)
        if info is None:
            return []
        current = _model_in(info.annotation)
    return list(getattr(current, "model_fields", {}))


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in getattr(annotation, "__args__", ()):
        found = _model_in(argument)
        if found is not None:
            return found
    return None


def unknown_field(key: str, known: list[str]) -> str:
    """'unknown field expedite (did you mean expedited?)'."""
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f"unknown field {key}" + (f" (did you mean {close[0]}?)" if close else "")


def field_name(path: Location) -> str:
    """'parties.5.name' (as the JSON Schema counts); an entry of a file that is a list is 'entry 2'."""
    if path and isinstance(path[0], int):
        return ".".join([f"entry {path[0] + 1}", *map(str, path[1:])])
    return ".".join(map(str, path))


def explain(invalid: ValidationError, model: type[BaseModel], document: InputFile, *, within: Location = ()) -> str:
    """One line for the first problem: file, line, field and what is wrong. A misspelled key comes
    first: it explains the field that then seems to be missing."""
    problems = invalid.errors()
    first = next((p for p in problems if p["type"] == "extra_forbidden"), problems[0])
    location = tuple(first["loc"])
    path = (*within, *location)
    if first["type"] == "extra_forbidden":
        container = field_name(path[:-1])
        known = _known_fields(model, location[:-1])
        return f"{document.where(path)}: {unknown_field(str(location[-1]), known)}" + (f" in {container}" if container else "")
    return f"{document.where(path)}: invalid field {field_name(path) or '(top level)'}: {first['msg']}"


def validate(model: type[M], document: InputFile, *, error: type[ImrError], within: Location = ()) -> M:
    """The document (or its part at `within`) as a `model`, or `error` naming file, line and field."""
    data = document.data
    for step in within:
        data = data[step]
    try:
        return model.model_validate(data)
    except ValidationError as invalid:
        raise error(explain(invalid, model, document, within=within)) from None


def stored(model: type[M], data: Any) -> M:
    """Data stored by an earlier version of imr, which kept unknown keys: they meant nothing then and
    are dropped, so that what was stored can still be read."""
    try:
        return model.model_validate(data)
    except ValidationError:
        data = copy.deepcopy(data)  # copied only when keys must go: the stored value is not changed
    while True:
        try:
            return model.model_validate(data)
        except ValidationError as invalid:
            unknown = [tuple(e["loc"]) for e in invalid.errors() if e["type"] == "extra_forbidden"]
            if not unknown:
                raise
            for location in unknown:
                holder = data
                for step in location[:-1]:
                    holder = holder[step]
                holder.pop(location[-1], None)
