"""Who is acting, what they may do (data/roles.yaml), and the append-only audit trail of case data.

Every service function takes an `Actor`, checks one permission here and records what it read or
wrote in the audit log, in the same transaction as the change (so a rolled-back change leaves no
audit claim that it happened). A read's entries, and refusals, are written after it by the database's
audit writer (`db.GroupCommit`, with those of concurrent reads), before the caller answers. The audit
log holds user, action, case id and time, never case content.
"""

from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from imr.cases import audit_chain, data
from imr.cases.errors import PermissionRefused
from imr.cases.clock import as_utc
from imr.cases.models import AuditEntry, utcnow

_REFUSALS = "imr.audit.refusals"


def _policy() -> dict[str, Any]:
    return data.load("roles")


def roles() -> list[str]:
    return list(_policy()["roles"])


@dataclass(frozen=True)
class Actor:
    """The signed-in user (or the local command line) on whose behalf the service acts."""

    username: str
    role: str
    reviewer_id: int | None = None

    def may(self, permission: str) -> bool:
        return self.role in _policy()["permissions"][permission]


def command_line_actor(role: str = "admin", reviewer_id: int | None = None) -> Actor:
    """The local operator of `imr cases ...`: the database file's owner, recorded by OS user name."""
    return Actor(username=f"cli:{getpass.getuser()}", role=role, reviewer_id=reviewer_id)


def require(actor: Actor, permission: str) -> None:
    if not actor.may(permission):
        raise PermissionRefused(f"{actor.username} ({actor.role}) may not {permission.replace('.', ' ')}")


def _entry(username: str, action: str, case_id: int | None, outcome: str) -> dict[str, Any]:
    return {"at": utcnow(), "username": username, "action": action, "case_id": case_id, "outcome": outcome}


def record(session: Session, actor: Actor, action: str, case_id: int | None, outcome: str = "ok") -> None:
    """Note an audit entry; it is written, chained, when the unit of work commits (`audit_chain.seal`)."""
    audit_chain.pending(session).append(_entry(actor.username, action, case_id, outcome))


def record_each(session: Session, actor: Actor, action: str, case_ids: list[int]) -> None:
    """One entry per case shown in a list (a list shows case data too); one without a case if empty."""
    shown: list[int | None] = [*case_ids] or [None]
    audit_chain.pending(session).extend(_entry(actor.username, action, case_id, "ok") for case_id in shown)


def record_refusal(session: Session, actor: Actor, action: str, case_id: int | None) -> None:
    """Note a refused access; it is written by `write_refusals` after the caller's transaction has
    been rolled back (a refusal ends in an exception, which would roll back an entry made here)."""
    session.info.setdefault(_REFUSALS, []).append(_entry(actor.username, action, case_id, "denied"))


def keep_refusals(session: Session) -> None:
    """Add the refusals noted in a session that is about to commit (the caller handled the refusal)."""
    audit_chain.pending(session).extend(session.info.pop(_REFUSALS, []))


def take_refusals(session: Session) -> list[dict[str, Any]]:
    """The refusals noted in a failed (rolled-back) session, to be written on their own
    (`Database.audit_log`); its other entries are dropped with the work they recorded."""
    session.info.pop(audit_chain.PENDING, None)
    return session.info.pop(_REFUSALS, [])


def take_entries(session: Session) -> list[dict[str, Any]]:
    """Every entry noted in a read that succeeded, refusals the caller handled included."""
    keep_refusals(session)
    return session.info.pop(audit_chain.PENDING, [])


def audit_trail(
    session: Session,
    actor: Actor,
    *,
    case_id: int | None = None,
    limit: int = 200,
    before_id: int | None = None,
    username: str | None = None,
    action: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """Newest first; `action` matches an action or its beginning (`user.` is every account change);
    `since` inclusive, `until` exclusive (aware datetimes)."""
    require(actor, "audit.read")
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if case_id is not None:
        query = query.where(AuditEntry.case_id == case_id)
    if username:
        query = query.where(AuditEntry.username == username)
    if action:
        query = query.where(AuditEntry.action.startswith(action, autoescape=True))
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    entries = session.scalars(query).all()
    record(session, actor, "audit.read", case_id)
    return [
        {"id": e.id, "at": _iso(e.at), "username": e.username, "action": e.action, "case_id": e.case_id, "outcome": e.outcome}
        for e in entries
    ]


def _iso(moment: dt.datetime) -> str:
    return as_utc(moment).isoformat()
