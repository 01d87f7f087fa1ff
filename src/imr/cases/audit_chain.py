"""The audit log as a hash chain: each entry stores a hash of the previous entry's hash and its own
content, so that an entry changed, removed or slipped in shows up as the first broken link
(`imr audit verify`), even in a database whose triggers were dropped.

Entries are written when a unit of work commits (`seal`), all at once and in a lock: SQLite has one
writer at a time anyway; on PostgreSQL a transaction-scoped advisory lock orders the writers, so the
chain follows the entries' ids (every id is drawn while the lock is held).

On PostgreSQL the lock is held until the commit, and a commit normally waits for the disk (the
write-ahead log's flush: 4 to 20 ms on a busy disk). Held through that wait, the lock would let one
audited unit of work commit at a time, about a hundred a second whatever the CPU. So a sealed
transaction commits without waiting for the disk and `await_durable` waits afterwards, outside the
lock, where concurrent transactions share one flush. The caller answers only after that wait, so an
acknowledged change and its audit entries are on disk as before; a crash in between loses the
transaction whole (PostgreSQL replays its log in order: a later entry is never kept without the
earlier ones it is chained to).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any, cast

import orjson
import psycopg
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from imr.cases.models import AuditEntry, DeterminationVersion

GENESIS = "0" * 64
# pg_advisory_xact_lock key of the audit chain ("imr audit" in ASCII).
_PG_LOCK = 0x696D7220617564
PENDING = "imr.audit.pending"


def _moment(value: dt.datetime) -> str:
    # SQLite hands stored times back without their zone: they were written in UTC
    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")  # %Y-%m-%dT%H:%M:%S.%f


# json.dumps with these settings, made once (json.dumps makes an encoder per call when given settings)
_CANONICAL = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def link_hash(previous: str, at: dt.datetime, username: str, action: str, case_id: int | None, outcome: str) -> str:
    """The hash of one entry: the previous entry's hash and this entry's content, canonical JSON."""
    return _link(previous, _moment(at), username, action, case_id, outcome)


def _link(previous: str, moment: str, username: str, action: str, case_id: int | None, outcome: str) -> str:
    content = _CANONICAL.encode([previous, moment, username, action, case_id, outcome])
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def pending(session: Session) -> list[dict[str, Any]]:
    """The entries this unit of work will write when it commits."""
    return session.info.setdefault(PENDING, [])


# The statements of the chain on PostgreSQL, sent by the driver itself (`seal`, `append_pipelined`).
_PG_INSERT_ROWS_SQL = (
    f"INSERT INTO {AuditEntry.__tablename__} (at, username, action, case_id, outcome, chain_hash) "
    "SELECT CAST(e->>0 AS timestamptz), e->>1, e->>2, CAST(e->>3 AS integer), e->>4, e->>5 "
    "FROM json_array_elements(CAST(%s AS json)) WITH ORDINALITY AS entry(e, position) ORDER BY position"
)
_LOCK_WITHOUT_FLUSH_WAIT_SQL = "SELECT pg_advisory_xact_lock(%s), set_config('synchronous_commit', 'off', true)"
_LAST_HASH_SQL = f"SELECT chain_hash FROM {AuditEntry.__tablename__} ORDER BY id DESC LIMIT 1"
_TAKE_TRANSACTION_ID_SQL = "SELECT pg_current_xact_id()"
_LAST_HASH = select(AuditEntry.chain_hash).order_by(AuditEntry.id.desc()).limit(1)


def seal(session: Session) -> bool:
    """Write the pending entries, each chained to the one before (call last, just before commit).
    True when the commit will not wait for the disk: call `await_durable` after it, before answering.

    On PostgreSQL the statements go to the driver on the transaction's own connection, the lock and the
    last hash in one round trip (psycopg's pipeline; two statements, so that the last hash is read after
    the lock is held: a statement's snapshot is taken when it starts), then the entries in one INSERT:
    two round trips where SQLAlchemy made three, and none of its work per statement."""
    rows = session.info.pop(PENDING, [])
    if not rows:
        return False
    if session.get_bind().dialect.name != "postgresql":
        _chain(session.scalar(_LAST_HASH) or GENESIS, rows)
        session.execute(insert(AuditEntry), rows)
        return False
    driver = cast("psycopg.Connection[Any]", session.connection().connection.dbapi_connection)
    with driver.cursor() as cursor:
        with driver.pipeline():
            # the lock, and this transaction's commit without waiting for the disk (see the module's note)
            cursor.execute(_LOCK_WITHOUT_FLUSH_WAIT_SQL, (_PG_LOCK,))
            cursor.execute(_LAST_HASH_SQL)
        last = cursor.fetchone()
        # one statement for all the entries (a list shows 20 or 40 cases: one entry each), ids drawn in order
        cursor.execute(_PG_INSERT_ROWS_SQL, (_chain(last[0] if last else GENESIS, rows),))
    return True


def _chain(previous: str, rows: list[dict[str, Any]]) -> str:
    """Chain `rows` to the entry whose hash is `previous` (each row's `chain_hash` set); the rows as the
    JSON parameter of `_PG_INSERT_ROWS_SQL`: made in C (arrays of parameters cost the driver Python work
    per value), each time in UTC to the microsecond, as hashed."""
    entries = []
    for row in rows:
        moment = _moment(row["at"])
        previous = row["chain_hash"] = _link(previous, moment, row["username"], row["action"], row["case_id"], row["outcome"])
        entries.append([f"{moment}+00:00", row["username"], row["action"], row["case_id"], row["outcome"], previous])
    return orjson.dumps(entries).decode()


def append_pipelined(connection: psycopg.Connection[Any], rows: list[dict[str, Any]]) -> None:
    """PostgreSQL: write `rows` in a transaction of their own, chained, and return once they are on
    disk: what `seal`, the commit and `await_durable` do, in two round trips instead of six (psycopg's
    pipeline mode sends statements without waiting for each answer). The first sends the lock and
    asks for the last hash; the second the entries, the commit (without waiting for the disk: the lock
    ends with it) and a transaction that takes an id, whose commit waits for the disk."""
    with connection.cursor() as cursor:
        with connection.pipeline():
            cursor.execute(_LOCK_WITHOUT_FLUSH_WAIT_SQL, (_PG_LOCK,))
            cursor.execute(_LAST_HASH_SQL)
        last = cursor.fetchone()
        entries = _chain(last[0] if last else GENESIS, rows)
        with connection.pipeline():
            cursor.execute(_PG_INSERT_ROWS_SQL, (entries,))
            connection.commit()
            cursor.execute(_TAKE_TRANSACTION_ID_SQL)
            connection.commit()


def await_durable(connection: psycopg.Connection[Any]) -> None:
    """Wait until the last commit of this process is on disk (PostgreSQL). A transaction that takes a
    transaction id commits with a flush of the log up to its own commit record, which comes after the
    earlier commit's; concurrent waiters share the flush. The statement and its commit in one round trip
    (`connection`: outside any transaction)."""
    with connection.cursor() as cursor, connection.pipeline():
        cursor.execute(_TAKE_TRANSACTION_ID_SQL)
        connection.commit()


@dataclass(frozen=True)
class Break:
    """Where the evidence stops matching: the first audit entry or signed version that is not what was written."""

    where: str
    reason: str


@dataclass(frozen=True)
class Verification:
    entries: int
    signed_versions: int
    breaks: list[Break]


def verify(session: Session) -> Verification:
    """Check the whole chain and every signed determination version. Only the first broken link of
    the chain is reported: every later one follows from it."""
    breaks: list[Break] = []
    previous, count, versions_checked = GENESIS, 0, 0
    columns = (
        AuditEntry.id,
        AuditEntry.at,
        AuditEntry.username,
        AuditEntry.action,
        AuditEntry.case_id,
        AuditEntry.outcome,
        AuditEntry.chain_hash,
    )
    for row in session.execute(select(*columns).order_by(AuditEntry.id).execution_options(yield_per=5000)):
        count += 1
        expected = link_hash(previous, row.at, row.username, row.action, row.case_id, row.outcome)
        if row.chain_hash != expected:
            breaks.append(
                Break(
                    f"audit entry {row.id}",
                    "its hash does not cover the entry before it and its own content "
                    "(an entry was changed, removed or inserted here)",
                )
            )
            break
        previous = row.chain_hash
    versions = select(DeterminationVersion).where(DeterminationVersion.status != "draft").order_by(DeterminationVersion.id)
    for version in session.scalars(versions.execution_options(yield_per=500)):
        versions_checked += 1
        where = f"case id {version.case_id}, determination version {version.number}"
        if version.content_hash is None or signed_content_hash(version.content) != version.content_hash:
            breaks.append(Break(where, "the signed content does not match the hash it was signed with"))
        if not letter_matches(version):
            breaks.append(Break(where, "the issued letter PDF does not match the hash recorded when it was issued"))
    return Verification(count, versions_checked, breaks)


def signed_content_hash(content: dict[str, Any]) -> str:
    """The signed content's fingerprint: SHA-256 of its canonical JSON (sorted keys, no spaces)."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def letter_hash(pdf: bytes) -> str:
    return hashlib.sha256(pdf).hexdigest()


def letter_matches(version: DeterminationVersion) -> bool:
    """Whether an issued letter is the PDF that was issued (no letter yet: nothing to mismatch)."""
    if version.letter_pdf is None:
        return version.letter_sha256 is None
    return version.letter_sha256 is not None and letter_hash(version.letter_pdf) == version.letter_sha256
