"""Users, sign-in and authorization for the web app.

Passwords are stored as argon2id hashes. Signing in yields a signed, expiring token (itsdangerous)
that names the user and a stamp of their credentials, so that a password change, a role change or a
deactivation ends every outstanding token. The same token works as a bearer token (API) and as the
value of the `imr_session` cookie (workbench pages), so both share `current_actor`.

`authorize(permission)` is the one authorization dependency every router uses; the permission table is
`imr/cases/data/roles.yaml`, the one the case service itself enforces.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, Request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from imr.cases import Actor, Database
from imr.cases.access import record, require, roles
from imr.cases.db import add_unique
from imr.cases.errors import InvalidInput, NotFoundError
from imr.cases.models import Reviewer, User
from imr.errors import CaseServiceError
from imr.settings import Settings

SESSION_COOKIE = "imr_session"
MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()
# Verified when the user does not exist, so a wrong user name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))
logging.getLogger("passlib").setLevel(logging.WARNING)


class NotSignedIn(CaseServiceError):
    """No valid credentials or token."""

    status = 401


# ---------------------------------------------------------------- users


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_user(session: Session, actor: Actor, username: str, password: str, role: str, *, reviewer_id: int | None = None) -> User:
    require(actor, "users.write")
    if role not in roles():
        raise InvalidInput(f"unknown role {role!r} (one of: {', '.join(roles())})")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"password for {username!r} is too short (at least {MIN_PASSWORD_LENGTH} characters)")
    if (role == "reviewer") != (reviewer_id is not None):
        raise InvalidInput("a reviewer user needs a reviewer id from the registry, and only a reviewer user has one")
    if reviewer_id is not None and session.get(Reviewer, reviewer_id) is None:
        raise NotFoundError(f"no reviewer {reviewer_id}")
    user = User(username=username, password_hash=hash_password(password), role=role, reviewer_id=reviewer_id)
    add_unique(session, user, InvalidInput(f"user {username!r} already exists"))
    record(session, actor, "user.add", None)
    return user


def list_users(session: Session, actor: Actor) -> list[dict[str, Any]]:
    require(actor, "users.read")
    return [user_view(u) for u in session.scalars(select(User).order_by(User.id))]


def user_view(user: User) -> dict[str, Any]:
    return {"id": user.id, "username": user.username, "role": user.role, "reviewer_id": user.reviewer_id, "active": user.active}


def authenticate(session: Session, username: str, password: str) -> User:
    """The active user with this name and password; otherwise one message for every failure."""
    user = session.scalar(select(User).where(User.username == username))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        user = None
    if user is None or not user.active:
        raise NotSignedIn("wrong user name or password")
    return user


def actor_of(user: User) -> Actor:
    return Actor(username=user.username, role=user.role, reviewer_id=user.reviewer_id)


def _stamp(user: User) -> str:
    return hashlib.sha256(f"{user.password_hash}|{user.role}|{user.active}|{user.reviewer_id}".encode()).hexdigest()[:16]


# ---------------------------------------------------------------- tokens


def secret_key(settings: Settings) -> str:
    """IMR_SECRET_KEY, else a key generated once and kept in the data directory (mode 600)."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.data_dir) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48))
    return path.read_text().strip()


@dataclass
class _Known:
    actor: Actor
    stamp: str
    fetched: float


class Authenticator:
    """Issues and checks tokens; remembers users for a few seconds so a request costs no user query."""

    CACHE_SECONDS = 5.0

    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.max_age = settings.session_minutes * 60
        self._serializer = URLSafeTimedSerializer(secret_key(settings), salt="imr-session")
        self._known: dict[int, _Known] = {}
        self._lock = threading.Lock()

    def issue_token(self, user: User) -> str:
        return self._serializer.dumps({"u": user.id, "s": _stamp(user)})

    def sign_in(self, username: str, password: str) -> tuple[str, Actor]:
        with self.database.transaction() as session:
            user = authenticate(session, username, password)
            return self.issue_token(user), actor_of(user)

    def renew(self, token: str) -> str:
        """A fresh token for the holder of a valid one: sliding expiry for cookie sessions (the pages
        renew on each request, so a session expires after IMR_SESSION_MINUTES idle)."""
        self.actor_for_token(token)
        claims = self._serializer.loads(token, max_age=self.max_age)
        return self._serializer.dumps({"u": claims["u"], "s": claims["s"]})

    def actor_for_token(self, token: str) -> Actor:
        try:
            claims = self._serializer.loads(token, max_age=self.max_age)
        except SignatureExpired:
            raise NotSignedIn("session expired; sign in again") from None
        except BadSignature:
            raise NotSignedIn("invalid token; sign in again") from None
        known = self._lookup(int(claims["u"]))
        if known is None or known.stamp != claims["s"]:
            raise NotSignedIn("credentials changed or user deactivated; sign in again")
        return known.actor

    def _lookup(self, user_id: int) -> _Known | None:
        now = time.monotonic()
        with self._lock:
            known = self._known.get(user_id)
        if known is not None and now - known.fetched < self.CACHE_SECONDS:
            return known
        with self.database.reading() as session:
            user = session.get(User, user_id)
            if user is None or not user.active:
                return None
            known = _Known(actor_of(user), _stamp(user), now)
        with self._lock:
            self._known[user_id] = known
        return known


# ---------------------------------------------------------------- dependencies


def _token_of(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value:
        return value.strip()
    return request.cookies.get(SESSION_COOKIE)


def current_actor(request: Request) -> Actor:
    """The signed-in user of this request (bearer token, or the session cookie of the pages)."""
    token = _token_of(request)
    if not token:
        raise NotSignedIn("not signed in: send 'Authorization: Bearer <token>' from POST /api/token")
    return request.app.state.authenticator.actor_for_token(token)


async def signed_in(request: Request) -> Actor:
    """`current_actor` as a dependency. Async on purpose: a sync dependency costs a thread hand-off per
    request, and this one only checks a signature (its user lookup reads the database once every few
    seconds per user)."""
    return current_actor(request)


def authorize(permission: str) -> Callable[..., Actor]:
    """The dependency of every protected route: the signed-in actor, if their role has `permission`."""

    async def dependency(actor: Actor = Depends(signed_in)) -> Actor:
        require(actor, permission)
        return actor

    dependency.__name__ = f"authorize_{permission.replace('.', '_')}"
    return dependency
