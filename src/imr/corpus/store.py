"""Where the corpus lives: the engine, the migrations, and the one batch writer.

SQLite (the default, in IMR_DATA_DIR) or PostgreSQL (IMR_DATABASE_URL), the same database as the case
service. Writes go through `CorpusStore.write_batch`: one transaction per batch, ids assigned under a
write lock, letters already held (same content hash) skipped, so a run killed at any point and run
again ends with every letter exactly once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text

from imr.errors import ImrError
from imr.settings import get_settings, private_sqlite_file, sqlite_path

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version_corpus"
# an arbitrary constant naming the corpus writer's PostgreSQL advisory lock
_PG_WRITE_LOCK = 6_240_017

LETTER_COLUMNS = (
    "id",
    "content_hash",
    "origin",
    "case_number",
    "decision_date",
    "decision_year",
    "date_of_injury",
    "ur_denial_date",
    "priority",
    "age",
    "sex",
    "specialties",
    "summary",
    "diagnoses",
    "document",
)
ITEM_COLUMNS = (
    "id",
    "letter_id",
    "position",
    "item",
    "kind",
    "generic",
    "drug_class",
    "procedure",
    "body_part",
    "outcome",
    "decision_year",
    "rationale",
    "reviewer_basis",
    "tags",
)
FACET_COLUMNS = ("item_id", "facet", "value", "upheld")


class CorpusError(ImrError):
    """The corpus database cannot be opened, migrated or queried as asked."""


@dataclass(slots=True)
class ParsedItem:
    """One decision, ready to store: column values in ITEM_COLUMNS order minus the two ids."""

    values: tuple
    facets: list[tuple[str, str]]
    upheld: bool | None


@dataclass(slots=True)
class ParsedLetter:
    """A parsed letter, ready to store (built in the worker so the writer only writes)."""

    content_hash: str
    origin: str
    values: tuple  # LETTER_COLUMNS order minus id, content_hash, origin
    items: list[ParsedItem] = field(default_factory=list)


@dataclass(slots=True)
class Failure:
    content_hash: str
    origin: str
    reason: str


@dataclass(slots=True)
class BatchResult:
    stored: int = 0
    items: int = 0
    already_held: int = 0


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - SQLAlchemy event signature
    cursor = dbapi_connection.cursor()
    # WAL lets searches and the ingest workers' "already held?" checks read while the writer writes
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=60000")
    cursor.close()


def close_engines() -> None:
    """Close every pooled database connection the corpus opened (tests, forked workers)."""
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()
    _engine.cache_clear()


def forget_inherited_connections() -> None:
    """In a forked worker: drop the parent's pooled connections without closing them under the parent."""
    for engine in _ENGINES.values():
        engine.dispose(close=False)
    _ENGINES.clear()
    _engine.cache_clear()
    _STORES.clear()


_ENGINES: dict[str, Engine] = {}


@cache
def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        if (path := sqlite_path(url)) is not None:
            private_sqlite_file(path)
        engine = create_engine(url, connect_args={"timeout": 60}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True, hide_parameters=True)
    _ENGINES[url] = engine
    return engine


def _alembic_config(connection) -> Config:  # noqa: ANN001
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@cache
def _head() -> str | None:
    return ScriptDirectory.from_config(_alembic_config(None)).get_current_head()


def migrate(engine: Engine) -> None:
    """Bring the corpus tables to the latest revision (no-op when they are)."""
    with engine.connect() as connection:
        current = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE}).get_current_revision()
    if current == _head():
        return
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), "head")


class CorpusStore:
    """The corpus database: batch writes, held-hash checks, counts."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or get_settings().resolved_database_url
        try:
            self.engine = _engine(self.url)
            migrate(self.engine)
        except ImrError:
            raise
        except Exception as error:
            raise CorpusError(
                f"cannot open the corpus database ({error.__class__.__name__}: {str(error).splitlines()[0]})"
            ) from None
        self.dialect = self.engine.dialect.name
        self._sqlite: sqlite3.Connection | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    # -- reading -------------------------------------------------------------------------------
    def held(self, hashes: Sequence[str]) -> set[str]:
        """Which of these content hashes the corpus already holds."""
        found: set[str] = set()
        with self.engine.connect() as connection:
            for start in range(0, len(hashes), 500):
                chunk = list(hashes[start : start + 500])
                rows = connection.execute(
                    text("SELECT content_hash FROM corpus_letters WHERE content_hash IN :hashes").bindparams(
                        _expanding("hashes")
                    ),
                    {"hashes": chunk},
                )
                found.update(row[0] for row in rows)
        return found

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as connection:
            return {
                "letters": connection.execute(text("SELECT count(*) FROM corpus_letters")).scalar_one(),
                "items": connection.execute(text("SELECT count(*) FROM corpus_items")).scalar_one(),
                "failures": connection.execute(text("SELECT count(*) FROM corpus_failures")).scalar_one(),
            }

    # -- writing -------------------------------------------------------------------------------
    def write_batch(self, letters: Sequence[ParsedLetter], failures: Sequence[Failure] = ()) -> BatchResult:
        """Store one batch in one transaction; letters already held are counted, not stored again."""
        if self.is_sqlite:
            return self._write_sqlite(letters, failures)
        return self._write_postgres(letters, failures)

    def _sqlite_connection(self) -> sqlite3.Connection:
        if self._sqlite is None:
            database = self.engine.url.database
            if not database:  # a second connection to an in-memory database would open another, empty one
                raise CorpusError("the corpus needs a database file; an in-memory SQLite database cannot be written to")
            # our own connection in autocommit mode so BEGIN IMMEDIATE takes the write lock up front
            self._sqlite = sqlite3.connect(database, isolation_level=None, timeout=60)
            self._sqlite.execute("PRAGMA journal_mode=WAL")
            self._sqlite.execute("PRAGMA synchronous=NORMAL")
            self._sqlite.execute("PRAGMA cache_size=-200000")
        return self._sqlite

    def _write_sqlite(self, letters: Sequence[ParsedLetter], failures: Sequence[Failure]) -> BatchResult:
        db = self._sqlite_connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            held = _held_in(db.execute, letters, "?")
            next_letter, next_item = (
                db.execute("SELECT coalesce(max(id), 0) + 1 FROM corpus_letters").fetchone()[0],
                db.execute("SELECT coalesce(max(id), 0) + 1 FROM corpus_items").fetchone()[0],
            )
            letter_rows, item_rows, facet_rows, result = _rows(letters, held, next_letter, next_item, sqlite=True)
            db.executemany(_insert("corpus_letters", LETTER_COLUMNS, "?"), letter_rows)
            db.executemany(_insert("corpus_items", ITEM_COLUMNS, "?"), item_rows)
            db.executemany(_insert("corpus_facets", FACET_COLUMNS, "?"), facet_rows)
            # the full-text index, once for the whole batch (see migration corpus_0002 for why)
            db.execute(
                "INSERT INTO corpus_letters_fts(rowid, summary, diagnoses) "
                "SELECT id, summary, diagnoses FROM corpus_letters WHERE id >= ?",
                (next_letter,),
            )
            db.execute(
                "INSERT INTO corpus_items_fts(rowid, item, rationale, tags) "
                "SELECT id, item, rationale, tags FROM corpus_items WHERE id >= ?",
                (next_item,),
            )
            if failures:
                db.executemany(_UPSERT_FAILURE.format(mark="?"), _failure_rows(failures))
            if letter_rows:
                db.execute(
                    "DELETE FROM corpus_failures WHERE content_hash IN (%s)" % ",".join("?" * len(letter_rows)),
                    [row[1] for row in letter_rows],
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return result

    def _write_postgres(self, letters: Sequence[ParsedLetter], failures: Sequence[Failure]) -> BatchResult:
        raw = self.engine.raw_connection()
        connection = raw.driver_connection
        if connection is None:  # only after the pool has closed the connection, which it has not here
            raise CorpusError("the corpus database connection is closed")
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", (_PG_WRITE_LOCK,))
                held = _held_in(cursor.execute, letters, "%s", fetch=cursor)
                cursor.execute("SELECT coalesce(max(id), 0) + 1 FROM corpus_letters")
                next_letter = cursor.fetchone()[0]
                cursor.execute("SELECT coalesce(max(id), 0) + 1 FROM corpus_items")
                next_item = cursor.fetchone()[0]
                letter_rows, item_rows, facet_rows, result = _rows(letters, held, next_letter, next_item, sqlite=False)
                for table, columns, rows in (
                    ("corpus_letters", LETTER_COLUMNS, letter_rows),
                    ("corpus_items", ITEM_COLUMNS, item_rows),
                    ("corpus_facets", FACET_COLUMNS, facet_rows),
                ):
                    if rows:
                        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                            for row in rows:
                                copy.write_row(row)
                if failures:
                    cursor.executemany(_UPSERT_FAILURE.format(mark="%s"), _failure_rows(failures))
                if letter_rows:
                    cursor.execute("DELETE FROM corpus_failures WHERE content_hash = ANY(%s)", ([row[1] for row in letter_rows],))
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        finally:
            raw.close()
        return result

    def optimize(self) -> None:
        """After a bulk load: merge the full-text index segments (SQLite) / refresh planner statistics."""
        if self.is_sqlite:
            db = self._sqlite_connection()
            db.execute("INSERT INTO corpus_items_fts(corpus_items_fts) VALUES ('optimize')")
            db.execute("INSERT INTO corpus_letters_fts(corpus_letters_fts) VALUES ('optimize')")
            db.execute("ANALYZE")
        else:
            with self.engine.begin() as connection:
                connection.execute(text("ANALYZE corpus_letters, corpus_items, corpus_facets"))

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None


# a letter that fails again keeps one row: the latest reason and how many runs it has failed
_UPSERT_FAILURE = (
    "INSERT INTO corpus_failures (content_hash, origin, reason, attempts) VALUES ({mark}, {mark}, {mark}, 1) "
    "ON CONFLICT (content_hash) DO UPDATE SET reason = excluded.reason, origin = excluded.origin, "
    "attempts = corpus_failures.attempts + 1"
)


def _failure_rows(failures: Sequence[Failure]) -> list[tuple[str, str, str]]:
    return [(f.content_hash, f.origin, f.reason) for f in failures]


def _expanding(name: str):  # noqa: ANN202
    from sqlalchemy import bindparam

    return bindparam(name, expanding=True)


def _insert(table: str, columns: Iterable[str], mark: str) -> str:
    columns = tuple(columns)
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"


def _held_in(execute, letters: Sequence[ParsedLetter], mark: str, fetch=None) -> set[str]:  # noqa: ANN001
    held: set[str] = set()
    hashes = [letter.content_hash for letter in letters]
    for start in range(0, len(hashes), 500):
        chunk = hashes[start : start + 500]
        result = execute(
            f"SELECT content_hash FROM corpus_letters WHERE content_hash IN ({', '.join([mark] * len(chunk))})", chunk
        )
        held.update(row[0] for row in (fetch.fetchall() if fetch is not None else result.fetchall()))
    return held


def _rows(letters: Sequence[ParsedLetter], held: set[str], next_letter: int, next_item: int, *, sqlite: bool):  # noqa: ANN202
    letter_rows: list[tuple] = []
    item_rows: list[tuple] = []
    facet_rows: list[tuple] = []
    result = BatchResult()
    seen = set(held)
    for letter in letters:
        if letter.content_hash in seen:
            result.already_held += 1
            continue
        seen.add(letter.content_hash)
        letter_id = next_letter
        next_letter += 1
        letter_rows.append((letter_id, letter.content_hash, letter.origin, *_dates(letter.values, sqlite)))
        for item in letter.items:
            item_rows.append((next_item, letter_id, *item.values))
            upheld = item.upheld if not sqlite or item.upheld is None else int(item.upheld)
            facet_rows.extend((next_item, facet, value, upheld) for facet, value in item.facets)
            next_item += 1
        result.stored += 1
        result.items += len(letter.items)
    return letter_rows, item_rows, facet_rows, result


def _dates(values: tuple, sqlite: bool) -> tuple:
    # sqlite3's implicit date adapter is deprecated; store the ISO text SQLAlchemy's Date type reads
    if not sqlite:
        return values
    return tuple(value.isoformat() if hasattr(value, "isoformat") else value for value in values)


_STORES: dict[str, CorpusStore] = {}


def corpus_store(url: str | None = None) -> CorpusStore:
    """The shared store for a database URL (default: the settings'), migrated once per process."""
    key = url or get_settings().resolved_database_url
    if key not in _STORES:
        _STORES[key] = CorpusStore(key)
    return _STORES[key]
