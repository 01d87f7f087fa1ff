"""The corpus's Alembic history: upgrades keep stored decisions searchable, downgrades undo cleanly."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, inspect

from imr.corpus.extract import tags
from imr.corpus.search import search
from imr.corpus.store import VERSION_TABLE, CorpusStore, _alembic_config, close_engines


def _upgrade(url: str, revision: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), revision)
    engine.dispose()


def test_tags_added_by_migration_match_the_writer(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    _upgrade(url, "corpus_0002")
    rows = [
        (
            1,
            "Norco 10/325mg #120",
            "drug",
            "opioid analgesic/antipyretic",
            "Upheld",
            2016,
            "Opioids need documented functional improvement.",
        ),
        (2, "MRI of the lumbar spine", "imaging", None, "Overturned", 2017, "Progressive neurologic deficit."),
        (
            3,
            "Home H-wave device (rental)",
            "durable medical equipment",
            None,
            "Upheld",
            None,
            "Not recommended as an isolated intervention.",
        ),
    ]
    with sqlite3.connect(tmp_path / "c.sqlite3") as db:
        db.execute("INSERT INTO corpus_letters (id, content_hash, origin, document) VALUES (1, 'h', 'o', x'00')")
        for id_, item, kind, drug_class, outcome, year, rationale in rows:
            db.execute(
                "INSERT INTO corpus_items (id, letter_id, position, item, kind, drug_class, outcome, decision_year, rationale) "
                "VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?)",
                (id_, id_, item, kind, drug_class, outcome, year, rationale),
            )
            db.execute("INSERT INTO corpus_items_fts(rowid, item, rationale) VALUES (?, ?, ?)", (id_, item, rationale))
    close_engines()
    store = CorpusStore(url)  # opening migrates to head
    with sqlite3.connect(tmp_path / "c.sqlite3") as db:
        stored = dict(db.execute("SELECT id, tags FROM corpus_items"))
        version = db.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()[0]
    for id_, _, kind, drug_class, outcome, year, _ in rows:
        assert stored[id_].split() == tags(outcome, kind, drug_class, year).split()
    assert version == "corpus_0005"
    assert [h.item for h in search("functional improvement", drug_class="opioid analgesic/antipyretic", store=store)] == [
        "Norco 10/325mg #120"
    ]
    assert [h.item for h in search("neurologic", outcome="Overturned", year=2017, store=store)] == ["MRI of the lumbar spine"]
    assert search("neurologic", outcome="Upheld", store=store) == []
    assert [h.item for h in search("isolated", kind="durable medical equipment", store=store)] == ["Home H-wave device (rental)"]


def test_downgrade_to_base_removes_every_corpus_table(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    _upgrade(url, "head")
    engine = create_engine(url)
    with engine.begin() as connection:
        command.downgrade(_alembic_config(connection), "base")
    names = inspect(engine).get_table_names()
    engine.dispose()
    assert [name for name in names if name.startswith("corpus_")] == []
