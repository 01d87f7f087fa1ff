"""Work every start repeats, kept between runs: the parsed YAML of imr's data files, and the compiled
code and parse trees of its regular expressions.

Both are pure functions of what is kept as their key, so a kept result can never be stale: a data file's
entry holds a digest of the file's bytes (an edited rule file is read again), a pattern's entry is
keyed by the pattern itself, and each store file is named after everything else the result depends
on (imr's cache format, Python's build, PyYAML's version and loader). Together they were half of
`imr review`'s start-up (issue 12): Python's `re` parses patterns in Python, and PyYAML builds
objects in Python even with libyaml's C parser.

The stores live in `$IMR_CACHE_DIR`, else `$XDG_CACHE_HOME/imr`, else `~/.cache/imr` (an empty
IMR_CACHE_DIR keeps nothing). Only imr's data and its own patterns go there, never case data: a
pattern built from a case's text must not be compiled through `pattern()`. A store is read only if
the user owns it and nobody else may write it; one that is missing, unreadable, corrupt or from
another build is ignored, and one that cannot be written is not written: imr then works as without
it. A store is written once, when the process ends, to a temporary file renamed into place (a
concurrent reader sees the old store or the new one, never half of one).
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import marshal
import os
import re
import sys
from array import array
from pathlib import Path
from re import _parser as _re_parser  # type: ignore[attr-defined]  # private: typeshed leaves it out
from typing import Any

import yaml

# The safe loader (plain data only), with libyaml's C parser when it is installed. Project data files
# may use anchors and aliases; the files a user writes are read by imr.input_files, which refuses them.
DATA_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_FORMAT = 2  # raise when what a store holds changes
# A store keeps the entries this process used, and the others while there are at most this many
# (a test's temporary rule directories would otherwise pile up)
_MAX_ENTRIES = 20_000


def cache_dir() -> Path | None:
    """Where the stores are, or None when IMR_CACHE_DIR is set to nothing."""
    configured = os.environ.get("IMR_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "imr"


def _tag(*parts: object) -> str:
    return hashlib.sha256(repr((_FORMAT, sys.version, sys.implementation.cache_tag, *parts)).encode()).hexdigest()[:16]


def _owned(stat: os.stat_result) -> bool:
    """The user's own file that nobody else may write: anything else could change what the engine decides."""
    if not hasattr(os, "getuid"):
        return True
    return stat.st_uid == os.getuid() and not stat.st_mode & 0o022


class _Store:
    """One file of entries (a dict of marshal-able values), read when first asked, written at exit."""

    def __init__(self, kind: str, tag: str) -> None:
        self._name = f"{kind}-{tag}.marshal"
        self._entries: dict[Any, Any] | None = None
        self._used: set[Any] = set()
        self._changed = False
        self._on = False
        self._path: Path | None = None  # where it was read from, and is written to

    def _read(self) -> dict[Any, Any]:
        path = self._path
        if path is None:
            return {}
        try:
            with path.open("rb") as handle:
                if not _owned(os.fstat(handle.fileno())):
                    return {}
                entries = marshal.loads(handle.read())
        except (OSError, EOFError, ValueError, TypeError):
            return {}
        return entries if isinstance(entries, dict) else {}

    def _loaded(self) -> dict[Any, Any]:
        if self._entries is None:
            folder = cache_dir()
            self._path = folder / self._name if folder is not None else None
            self._on = self._path is not None
            self._entries = self._read()
        return self._entries

    def on(self) -> bool:
        """Whether this store is kept (IMR_CACHE_DIR is not set to nothing); when it is not, the
        callers skip the work of making entries."""
        self._loaded()
        return self._on

    def get(self, key: Any) -> Any:
        found = self._loaded().get(key)
        if found is not None:
            self._used.add(key)
        return found

    def put(self, key: Any, value: Any) -> None:
        entries = self._loaded()
        if not self._changed:
            self._changed = True
            atexit.register(self.save)
        entries[key] = value
        self._used.add(key)

    def save(self) -> None:
        """Write the store if this process added to it; silently not, where it cannot be written."""
        path = self._path
        if not self._changed or self._entries is None or path is None:
            return
        entries = self._entries
        if len(entries) > _MAX_ENTRIES:
            entries = {key: value for key, value in entries.items() if key in self._used}
        import tempfile  # here: only a process that adds to a store pays for its import

        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{self._name}.")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(marshal.dumps(entries))
                os.replace(temporary, path)
            except BaseException:
                os.unlink(temporary)
                raise
        except (OSError, ValueError):
            return
        self._changed = False


# ---------------------------------------------------------------- YAML data files

_YAML = _Store("yaml", _tag("yaml", yaml.__version__, DATA_LOADER.__module__, DATA_LOADER.__qualname__))


def data_yaml(path: Path) -> Any:
    """A data file's YAML, parsed with DATA_LOADER (read again whenever its bytes change).

    Raises what reading and parsing raise: OSError, UnicodeDecodeError, yaml.YAMLError."""
    raw = path.read_bytes()
    return data_yaml_text(raw.decode("utf-8"), slot=os.path.abspath(path))


def data_yaml_text(text: str, *, slot: str) -> Any:
    """YAML text of a data file, parsed; `slot` names the file (one entry each, its latest text kept)."""
    if not _YAML.on():
        return yaml.load(text, Loader=DATA_LOADER)
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    entry = _YAML.get(slot)
    if isinstance(entry, tuple) and len(entry) == 3 and entry[0] == digest:
        try:
            data = marshal.loads(entry[1])  # a fresh copy: a caller may change what it was given
            return _thawed(data) if entry[2] else data
        except (EOFError, ValueError, TypeError):
            pass  # a damaged entry: parsed again, and replaced
    data = yaml.load(text, Loader=DATA_LOADER)
    try:
        _YAML.put(slot, (digest, marshal.dumps(data), False))
    except ValueError:  # a date (marshal keeps only Python's basic types)
        try:
            _YAML.put(slot, (digest, marshal.dumps(_frozen(data)), True))
        except ValueError:
            pass  # something else: parsed from the text each time
    return data


# The safe loader builds no tuples, so a tuple can stand for a date or a date and time in a store.
_DATE, _DATETIME = "date", "datetime"


def _frozen(data: Any) -> Any:
    if isinstance(data, dict):
        return {_frozen(key): _frozen(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_frozen(value) for value in data]
    if isinstance(data, (set, frozenset)):
        return {_frozen(value) for value in data}
    if isinstance(data, dt.datetime):  # before date: a datetime is a date too
        return (_DATETIME, data.isoformat())
    if isinstance(data, dt.date):
        return (_DATE, data.isoformat())
    return data


def _thawed(data: Any) -> Any:
    if isinstance(data, dict):
        return {_thawed(key): _thawed(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_thawed(value) for value in data]
    if isinstance(data, (set, frozenset)):
        return {_thawed(value) for value in data}
    if isinstance(data, tuple):
        kind, text = data
        return dt.datetime.fromisoformat(text) if kind == _DATETIME else dt.date.fromisoformat(text)
    return data


# ---------------------------------------------------------------- regular expressions

# CPython's own compiler is in Python (parser and code generator); the pattern object is built in C.
try:
    import _sre
    from re import _compiler as _re_compiler  # type: ignore[attr-defined]

    if array("I").itemsize != _sre.CODESIZE:
        raise ImportError("no array type of the compiled code's word size")
    _PATTERNS: _Store | None = _Store("re", _tag("re", _sre.MAGIC, _sre.CODESIZE))
    _TREES: _Store | None = _Store("re-tree", _tag("re-tree", _sre.MAGIC))
except (ImportError, AttributeError):  # another Python: patterns are compiled and parsed as usual
    _PATTERNS = _TREES = None


def _plain(node: Any) -> Any:
    """A parse tree as marshal-able data: a sub-pattern as a list, a constant as its int."""
    if isinstance(node, _re_parser.SubPattern):
        return [_plain(item) for item in node.data]
    if isinstance(node, tuple):
        return tuple(_plain(item) for item in node)
    if isinstance(node, list):
        return [_plain(item) for item in node]
    if isinstance(node, int):
        return int(node)
    return node


def parsed_pattern(source: str) -> tuple[int, Any]:
    """re's parse tree of a pattern of imr's code or data: (its number of groups, counting the whole
    match as one; its items). Items are (opcode, argument) as re._parser makes them, except that a
    kept tree has lists for sub-patterns and plain ints for opcodes and the other constants: iterate
    a sub-pattern, and compare constants with == (re._constants.LITERAL == op), never with `is`.
    Raises re.error for a bad pattern."""
    if _TREES is None or not _TREES.on():
        tree = _re_parser.parse(source)
        return tree.state.groups, tree  # the parser's own: its constants are ints too
    entry = _TREES.get(source)
    if entry is not None:
        try:
            return marshal.loads(entry)  # type: ignore[no-any-return]
        except (EOFError, ValueError, TypeError):
            pass  # a damaged entry: parsed again, and replaced
    tree = _re_parser.parse(source)
    found = (int(tree.state.groups), _plain(tree))
    _TREES.put(source, marshal.dumps(found))
    return found


def _built(source: str, entry: tuple[int, bytes, int, dict[str, int], tuple[str | None, ...]]) -> re.Pattern[str]:
    flags, code, groups, groupindex, indexgroup = entry
    return _sre.compile(source, flags, array("I", code).tolist(), groups, groupindex, indexgroup)  # type: ignore[no-any-return]


def _entry(source: str, flags: int) -> tuple[int, bytes, int, dict[str, int], tuple[str | None, ...]]:
    """What re._compiler.compile hands to _sre.compile, in marshal-able form."""
    parsed = _re_parser.parse(source, flags)
    code = _re_compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return int(flags | parsed.state.flags), array("I", code).tobytes(), parsed.state.groups - 1, groupindex, tuple(indexgroup)


def pattern(source: str, flags: int = 0) -> re.Pattern[str]:
    """re.compile(source, flags) for a pattern of imr's code or data (never one built from case text).

    A pattern compiled once is rebuilt from its compiled code; what is kept was checked to be the
    same pattern as re.compile's (same code, flags and groups) before it was kept."""
    if _PATTERNS is None or not _PATTERNS.on():
        return re.compile(source, flags)
    key = (int(flags), source)
    entry = _PATTERNS.get(key)
    if entry is not None:
        try:
            return _built(source, entry)
        except (TypeError, ValueError, RuntimeError, OverflowError):
            pass  # a damaged entry: compiled again, and replaced
    compiled = re.compile(source, flags)
    try:
        entry = _entry(source, flags)
        rebuilt = _built(source, entry)
    except Exception:  # noqa: BLE001  # the internals are not what this Python was expected to have
        return compiled
    if rebuilt == compiled and rebuilt.groupindex == compiled.groupindex and rebuilt.groups == compiled.groups:
        _PATTERNS.put(key, entry)
    return compiled
