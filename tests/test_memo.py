"""What imr keeps between runs (parsed data files, compiled patterns) is never stale, never needed:
an edited rule file is read again, a store that cannot be read or written is done without, and a
kept pattern is the pattern re.compile makes."""

from __future__ import annotations

import datetime as dt
import json
import marshal
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from imr import memo
from imr.guidelines.loader import DATA_DIR

ROOT = Path(__file__).parents[1]
CASE = ROOT / "src" / "imr" / "examples" / "cases" / "benzodiazepine-alprazolam.yaml"


@pytest.fixture
def stores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Fresh stores of this process, kept in a folder of the test's own."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("IMR_CACHE_DIR", str(folder))
    monkeypatch.setattr(memo, "_YAML", memo._Store("yaml", "test"))
    monkeypatch.setattr(memo, "_PATTERNS", memo._Store("re", "test"))
    monkeypatch.setattr(memo, "_TREES", memo._Store("re-tree", "test"))
    return folder


def _next_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Write the stores as at exit, and start from what is on disk, as the next command would."""
    for store in (memo._YAML, memo._PATTERNS, memo._TREES):
        store.save()
    monkeypatch.setattr(memo, "_YAML", memo._Store("yaml", "test"))
    monkeypatch.setattr(memo, "_PATTERNS", memo._Store("re", "test"))
    monkeypatch.setattr(memo, "_TREES", memo._Store("re-tree", "test"))


def _run(code: str, cache: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "IMR_CACHE_DIR": str(cache)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=True)
    return done.stdout


def test_an_edited_rule_file_is_read_again_by_the_next_command(tmp_path):
    root = tmp_path / "guidelines"
    shutil.copytree(DATA_DIR, root)
    cache = tmp_path / "cache"
    rule_file = root / "rules" / "mtus-chronic-pain" / "benzodiazepines.yaml"
    text = rule_file.read_text(encoding="utf-8")
    first_id = yaml.safe_load(text)["rules"][0]["id"]
    show = (
        "from pathlib import Path; from imr.guidelines import load_rulebook; "
        f"book = load_rulebook(Path({str(root)!r})); "
        f"print(next(r.statement for r in book.rules if r.id == {first_id!r}))"
    )
    before = _run(show, cache)
    assert any(cache.glob("yaml-*.marshal")), "the first command keeps the parsed rule files"
    assert _run(show, cache) == before  # read from the store
    assert before.strip() and before.strip() != "An edited statement."
    edited = yaml.safe_load(text)
    edited["rules"][0]["statement"] = "An edited statement."
    rule_file.write_text(yaml.safe_dump(edited, sort_keys=False), encoding="utf-8")
    assert _run(show, cache).strip() == "An edited statement."


def test_review_is_the_same_with_a_store_without_one_and_with_a_cache_dir_it_cannot_write(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    outputs = []
    for cache in ("", str(tmp_path / "cache"), str(tmp_path / "cache"), str(blocked / "cache")):
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "IMR_CACHE_DIR": cache}
        done = subprocess.run(
            [sys.executable, "-m", "imr", "review", str(CASE), "--json"], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0 and not done.stderr, done.stderr
        outputs.append(json.loads(done.stdout))
    assert outputs[1:] == [outputs[0]] * 3
    assert sorted(p.name.rsplit("-", 1)[0] for p in (tmp_path / "cache").iterdir()) == ["re", "re-tree", "yaml"]
    assert not (tmp_path / "cache").stat().st_mode & 0o077, "the cache folder is the user's own"


def test_every_kept_pattern_of_a_review_is_the_pattern_re_compile_makes(tmp_path):
    cache = tmp_path / "cache"
    _run(
        f"import runpy, sys; sys.argv = ['imr', 'review', {str(CASE)!r}, '--json']; runpy.run_module('imr', run_name='__main__')",
        cache,
    )
    (kept,) = cache.glob("re-" + "?" * 16 + ".marshal")
    entries = marshal.loads(kept.read_bytes())
    assert len(entries) > 100
    for (flags, source), entry in entries.items():
        rebuilt, compiled = memo._built(source, entry), re.compile(source, flags)
        assert rebuilt == compiled and rebuilt.groupindex == compiled.groupindex and rebuilt.groups == compiled.groups


def test_a_kept_pattern_matches_as_the_compiled_one(stores, monkeypatch):
    sources = [(r"(?P<count>\d+)\s*(?:tabs?|tablets?)\b", 0), (r"low back|lumbar", re.IGNORECASE), (r"(a)(?:b)(c)?", 0)]
    fresh = [memo.pattern(source, flags) for source, flags in sources]
    _next_run(monkeypatch)
    kept = [memo.pattern(source, flags) for source, flags in sources]
    assert memo._PATTERNS.get((int(re.IGNORECASE), "low back|lumbar")) is not None, "not read from the store"
    text = "Norco 60 tablets for LOW BACK pain, abc"
    for one, other in zip(fresh, kept, strict=True):
        assert one == other and one.groupindex == other.groupindex
        assert [m.groups() for m in one.finditer(text)] == [m.groups() for m in other.finditer(text)]


def test_a_stored_parse_is_served_until_the_file_changes(stores, monkeypatch, tmp_path):
    path = tmp_path / "data.yaml"
    path.write_text("shared: &x {a: 1}\nagain: *x\nwhen: 2017-12-01\nat: 2001-12-14 21:59:43.10\n", encoding="utf-8")
    first = memo.data_yaml(path)
    assert first == yaml.load(path.read_text(encoding="utf-8"), Loader=memo.DATA_LOADER)
    assert first["when"] == dt.date(2017, 12, 1) and first["again"] == {"a": 1}
    _next_run(monkeypatch)
    assert memo.data_yaml(path) == first  # dates come back as dates
    # what is served is the store's (here changed behind its back), while the file is unchanged...
    slot = os.path.abspath(path)
    digest = memo._YAML.get(slot)[0]
    memo._YAML.put(slot, (digest, marshal.dumps({"from": "the store"}), False))
    _next_run(monkeypatch)
    assert memo.data_yaml(path) == {"from": "the store"}
    # ...and never once the file's bytes differ
    path.write_text("edited: true\n", encoding="utf-8")
    assert memo.data_yaml(path) == {"edited": True}
    _next_run(monkeypatch)
    assert memo.data_yaml(path) == {"edited": True}


def test_a_caller_changing_its_data_does_not_change_the_next_callers(stores, tmp_path):
    path = tmp_path / "data.yaml"
    path.write_text("names: [a, b]\n", encoding="utf-8")
    memo.data_yaml(path)
    memo.data_yaml(path)["names"].append("c")
    assert memo.data_yaml(path) == {"names": ["a", "b"]}


def test_a_store_others_may_write_or_that_is_corrupt_is_not_read(stores, monkeypatch, tmp_path):
    path = tmp_path / "data.yaml"
    path.write_text("k: v\n", encoding="utf-8")
    memo.data_yaml(path)
    memo._YAML.save()
    (store,) = stores.glob("yaml-*.marshal")
    assert store.stat().st_mode & 0o777 == 0o600
    store.chmod(0o666)
    assert memo._Store("yaml", "test")._loaded() == {}
    store.chmod(0o600)
    assert memo._Store("yaml", "test")._loaded() != {}
    store.write_bytes(b"\x00 not marshal")
    monkeypatch.setattr(memo, "_YAML", memo._Store("yaml", "test"))
    assert memo.data_yaml(path) == {"k": "v"}
    memo._YAML.save()
    assert memo._Store("yaml", "test")._loaded() != {}, "a corrupt store is replaced"


def test_an_empty_cache_dir_setting_keeps_nothing(stores, monkeypatch, tmp_path):
    monkeypatch.setenv("IMR_CACHE_DIR", "")
    path = tmp_path / "data.yaml"
    path.write_text("k: v\n", encoding="utf-8")
    assert memo.data_yaml(path) == {"k": "v"}
    assert memo.pattern("a+b") == re.compile("a+b")
    memo._YAML.save()
    memo._PATTERNS.save()
    assert not stores.exists()


def test_every_kept_parse_tree_of_a_review_indexes_its_pattern_as_re_s_own_tree(tmp_path):
    from re import _parser

    from imr.items.vocabulary import _expand, _prefixes

    cache = tmp_path / "cache"
    _run(f"from imr.review import review_case; from imr.casefile import load_case; review_case(load_case({str(CASE)!r}))", cache)
    (kept,) = cache.glob("re-tree-*.marshal")
    entries = marshal.loads(kept.read_bytes())
    assert len(entries) > 1000
    for source, entry in entries.items():
        groups, tree = marshal.loads(entry)
        own = _parser.parse(source)
        assert groups == own.state.groups, source
        assert _prefixes(tree, 2) == _prefixes(own, 2) and _prefixes(tree, 1) == _prefixes(own, 1), source
        assert _expand(tree, 64) == _expand(own, 64), source


def test_a_damaged_entry_is_made_again(stores, monkeypatch, tmp_path):
    path = tmp_path / "data.yaml"
    path.write_text("k: v\n", encoding="utf-8")
    memo.data_yaml(path)
    slot = os.path.abspath(path)
    memo._YAML.put(slot, (memo._YAML.get(slot)[0], b"\xff not marshal", False))
    memo._PATTERNS.put((0, "a+b"), (32, b"\x01\x02\x03", 0, {}, (None,)))  # not valid compiled code
    memo._TREES.put("a+b", 12)
    _next_run(monkeypatch)
    assert memo.data_yaml(path) == {"k": "v"}
    assert memo.pattern("a+b") == re.compile("a+b")
    assert memo.parsed_pattern("a+b")[0] == 1
