"""The case database: engine, sessions and migrations (SQLite embedded, PostgreSQL by URL).

`open_database(url)` returns a `Database` whose schema is brought up to date by the Alembic history in
`cases/migrations` (version table `imr_cases_alembic_version`, so the corpus can keep its own history
in the same database).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from imr.errors import ImrError

if TYPE_CHECKING:
    import psycopg
from imr.settings import Settings, get_settings, private_sqlite_file, sqlite_path

VERSION_TABLE = "imr_cases_alembic_version"
MIGRATIONS = Path(__file__).parent / "migrations"

# Case data is protected health information: SQL echo would print parameters (names, records).
for _name in ("sqlalchemy.engine", "sqlalchemy.pool", "alembic"):
    logging.getLogger(_name).setLevel(logging.WARNING)


class FairLock:
    """A first-come, first-served lock: under load a plain lock lets some waiters starve (long tails).
    Each waiter sleeps on its own event and the holder hands the lock straight to the next one, so a
    release wakes one thread, not all of them."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._waiting: deque[threading.Event] = deque()
        self._held = False
        self._holder: int | None = None

    def __enter__(self) -> None:
        me = threading.get_ident()
        with self._mutex:
            if self._holder == me:
                # SQLite would wait for itself until the busy timeout: say what is wrong instead.
                raise RuntimeError("a case transaction is already open in this thread; finish it before opening another")
            if not self._held:
                self._held, self._holder = True, me
                return
            turn = threading.Event()
            self._waiting.append(turn)
        turn.wait()
        self._holder = me

    def __exit__(self, *exc: object) -> None:
        with self._mutex:
            self._holder = None
            if self._waiting:
                self._waiting.popleft().set()  # handed over: stays held
            else:
                self._held = False

    def held_here(self) -> bool:
        """Whether the calling thread holds the lock."""
        return self._holder == threading.get_ident()


@dataclass
class _Batch:
    entries: list[dict[str, Any]] = field(default_factory=list)
    done: bool = False
    failed: BaseException | None = None


class AuditNotWritten(ImrError):
    """The audit entries of a read could not be written: the read is not answered."""


class GroupCommit:
    """Audit entries of many requests written by one transaction (group commit).

    Every entry is chained under one lock and every chained transaction waits for the disk: one
    transaction per read would make each read pay a lock, the last hash, an insert, a commit and a
    flush. Here a caller adds its entries to the batch being collected; if no batch is being written
    it writes that batch (its own entries and those of everyone who joined), otherwise it waits for
    the write in progress, after which one of the waiting callers writes the next batch. Each caller
    returns only once its entries are written and on disk (or raises if they could not be)."""

    def __init__(self, write: Callable[[list[dict[str, Any]]], None]) -> None:
        self._write = write
        self._changed = threading.Condition(threading.Lock())
        self._collecting = _Batch()
        self._writing = False

    def submit(self, entries: list[dict[str, Any]]) -> None:
        if not entries:
            return
        with self._changed:
            batch = self._collecting
            batch.entries.extend(entries)
            while self._writing and not batch.done:
                self._changed.wait()
            if not batch.done:  # nobody is writing: this caller writes the batch, others collect the next
                self._writing, self._collecting = True, _Batch()
        if batch.done:
            if batch.failed is not None:
                raise AuditNotWritten("the audit log could not be written; nothing was answered") from batch.failed
            return
        try:
            self._write(batch.entries)
        except BaseException as error:
            batch.failed = error
            raise
        finally:
            with self._changed:
                batch.done, self._writing = True, False
                self._changed.notify_all()


@dataclass
class Database:
    engine: Engine
    sessions: sessionmaker[Session]
    # SQLite has one writer at a time and makes waiting writers sleep and retry (long, unfair tails);
    # within one process they queue on this lock instead. Other processes still meet the busy timeout.
    write_lock: FairLock | None = None
    audit_log: GroupCommit = field(init=False)
    _read_only: Engine = field(init=False)
    _quick_reads: Engine = field(init=False)

    def __post_init__(self) -> None:
        self.audit_log = GroupCommit(self._write_audit_entries)
        self._read_only = self.engine.execution_options(imr_read_only=True)
        # The API's reads of case data on PostgreSQL: a statement or a few outside a transaction. Each
        # statement of a transaction sees its own snapshot there anyway (READ COMMITTED), and BEGIN and
        # its end would be two more round trips. SQLite keeps its read transaction (one snapshot, and
        # no round trips to save).
        autocommit = {"isolation_level": "AUTOCOMMIT"} if self.engine.dialect.name == "postgresql" else {}
        self._quick_reads = self._read_only.execution_options(**autocommit)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back entirely on any error (refused
        accesses are still audited, after the rollback)."""
        from imr.cases.access import keep_refusals, take_refusals
        from imr.cases.audit_chain import seal

        session = self.sessions()
        try:
            with self.write_lock or nullcontext():
                with session.begin():
                    yield session
                    keep_refusals(session)
                    deferred = seal(session)
            if deferred:
                self._await_durable()
        except BaseException:
            self.audit_log.submit(take_refusals(session))  # the write lock released: the batch may need it
            raise
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only unit of work (no audit entry, so no write lock): for sign-in checks and lookups."""
        with Session(self._read_only) as session, session.begin():
            yield session
            session.rollback()

    @contextmanager
    def audited_reading(self) -> Iterator[Session]:
        """A read of case data: read-only (no write lock), and its audit entries (`access.record`)
        written when the block ends, in one transaction with those of concurrent reads (`GroupCommit`),
        before the caller answers. A refusal is audited the same way."""
        from imr.cases.access import take_entries, take_refusals

        if self.write_lock is not None and self.write_lock.held_here():
            raise RuntimeError("a case transaction is already open in this thread; finish it before reading")
        with Session(self._quick_reads) as session:
            try:
                with session.begin():
                    yield session
                    entries = take_entries(session)
                    session.rollback()
            except BaseException:
                self.audit_log.submit(take_refusals(session))
                raise
        self.audit_log.submit(entries)

    def _write_audit_entries(self, entries: list[dict[str, Any]]) -> None:
        from imr.cases.audit_chain import append_pipelined, pending, seal

        if self.engine.dialect.name == "postgresql":
            with self.engine.connect() as connection:
                append_pipelined(cast("psycopg.Connection[Any]", connection.connection.dbapi_connection), entries)
            return
        with self.write_lock or nullcontext(), self.sessions() as session, session.begin():  # SQLite
            pending(session).extend(entries)
            seal(session)

    def _await_durable(self) -> None:
        """`audit_chain.await_durable` on a connection of its own, outside any transaction."""
        from imr.cases.audit_chain import await_durable

        with self.engine.connect() as connection:
            await_durable(cast("psycopg.Connection[Any]", connection.connection.dbapi_connection))

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Take transaction control away from the pysqlite driver, which would otherwise open transactions
    # late and let a SAVEPOINT's release commit half of a unit of work; `_sqlite_begin` opens them.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets readers proceed while one writer commits; the busy timeout makes writers queue, not fail.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection) -> None:
    # IMMEDIATE takes the write lock up front (waiting up to the busy timeout): nearly every unit of
    # work writes (the audit log records reads too), and a deferred transaction that read first could
    # not upgrade to a writer once another commit had moved the snapshot on.
    read_only = connection.get_execution_options().get("imr_read_only", False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def make_engine(url: str, *, connections: int = 20) -> Engine:
    """An engine for `url` (a PostgreSQL URL may name its schema: `?options=-csearch_path%3Dname`),
    keeping `connections` open: one per request a process handles at once. A few more may open for a
    moment (a refused access is audited on a connection of its own). Its errors never carry the
    statement's parameters (names, claim numbers, record text)."""
    if url.startswith("sqlite"):
        if (path := sqlite_path(url)) is not None:
            private_sqlite_file(path)
        engine = create_engine(
            url,
            pool_size=connections,
            max_overflow=2 * connections,
            pool_timeout=60,
            connect_args={"timeout": 30},
            hide_parameters=True,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # Several worker processes share the server's connection limit: each keeps its own few, the most
    # recently used first (idle ones age out), and checks one that has been idle before use.
    engine = create_engine(
        url,
        pool_size=connections,
        max_overflow=max(4, connections // 4),
        pool_timeout=30,
        pool_use_lifo=True,
        pool_recycle=1800,
        hide_parameters=True,
    )
    _check_idle_connections(engine)
    return engine


# A pooled connection used this recently is taken to be alive; one idle longer is checked with a
# round trip before use (the server restarted, a firewall dropped it). Checking every connection
# (`pool_pre_ping`) would cost every request a round trip. Should the server go away within this
# time, the statement that finds out fails, and every connection older than that is replaced.
IDLE_CHECK_SECONDS = 10.0


def _check_idle_connections(engine: Engine) -> None:
    def used(_dbapi_connection: Any, record: Any) -> None:
        record.info["imr_used"] = time.monotonic()

    def check(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if time.monotonic() - record.info.get("imr_used", 0.0) < IDLE_CHECK_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError("a pooled connection was lost") from error  # the pool connects anew

    event.listen(engine, "connect", used)
    event.listen(engine, "checkin", used)
    event.listen(engine, "checkout", check)


def _alembic(engine: Engine):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection_engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the case tables up to the newest migration (idempotent)."""
    from alembic import command

    command.upgrade(_alembic(engine), "head")


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Undo migrations down to `revision` ("base": no case tables left)."""
    from alembic import command

    command.downgrade(_alembic(engine), revision)


def add_unique(session: Session, row: object, refusal: ImrError) -> None:
    """Insert `row`, or raise `refusal` if a unique key is taken (also by a concurrent request)."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise refusal from None


def open_database(
    url: str | None = None, *, settings: Settings | None = None, upgrade: bool = True, connections: int = 20
) -> Database:
    """Open (and by default migrate) the case database named by `url` or the settings."""
    url = url or (settings or get_settings()).resolved_database_url
    engine = make_engine(url, connections=connections)
    if upgrade:
        migrate(engine)
    lock = FairLock() if engine.dialect.name == "sqlite" else None
    return Database(engine=engine, sessions=sessionmaker(engine, expire_on_commit=False), write_lock=lock)
