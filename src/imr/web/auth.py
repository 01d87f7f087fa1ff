"""Sign-in and authorization for the web app (the accounts themselves: `imr.web.accounts`).

Passwords are stored as argon2id hashes. Signing in yields a signed, expiring token (itsdangerous)
that names the user and a stamp of their credentials, so that a password change, a role change or a
deactivation ends every outstanding token. The same token works as a bearer token (API) and as the
value of the `imr_session` cookie (workbench pages), so both share `current_actor`.

`authorize(permission)` is the one authorization dependency every router uses; the permission table is
`imr/cases/data/roles.yaml`, the one the case service itself enforces.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Request
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from imr.cases import Actor, Database
from imr.cases.access import record, require
from imr.cases.models import RevokedSession, SignInAttempt, User
from imr.errors import CaseServiceError
from imr.settings import Settings

SESSION_COOKIE = "imr_session"
_hasher = PasswordHasher()
# Verified when the user does not exist, so a wrong user name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))
logging.getLogger("passlib").setLevel(logging.WARNING)


class NotSignedIn(CaseServiceError):
    """No valid credentials or token."""

    status = 401


# ---------------------------------------------------------------- passwords


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


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


class TooManySignIns(NotSignedIn):
    """Too many failed sign-ins for this user or from this address: refused until the window passes."""

    status = 429


# After this many failures for one user name or one address within the window, sign-in is refused
# (without checking the password) until the window has passed since the oldest of them.
MAX_FAILURES = 10
FAILURE_WINDOW = dt.timedelta(minutes=15)
_ATTEMPTS_KEPT = dt.timedelta(days=1)


def _locked_until(session: Session, username: str, address: str, now: dt.datetime) -> dt.datetime | None:
    """When the lockout of this user name or address ends, if one is on."""
    ends = []
    for column, value in ((SignInAttempt.username, username), (SignInAttempt.address, address)):
        tenth = session.scalar(
            select(SignInAttempt.at)
            .where(column == value, SignInAttempt.succeeded.is_(False), SignInAttempt.at > now - FAILURE_WINDOW)
            .order_by(SignInAttempt.at.desc())
            .offset(MAX_FAILURES - 1)
            .limit(1)
        )
        if tenth is not None:
            ends.append(_aware(tenth) + FAILURE_WINDOW)
    return max(ends) if ends else None


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class Authenticator:
    """Issues and checks tokens; remembers users for a few seconds so a request costs no user query.

    A token names the user, a stamp of their credentials, when the session began and the session's id:
    it expires after IMR_SESSION_MINUTES idle (pages renew it), after IMR_SESSION_HOURS whatever the
    activity, and when signed out (the session id is revoked in the database)."""

    CACHE_SECONDS = 5.0
    VERIFIED_KEPT = 10_000

    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.max_age = settings.session_minutes * 60
        self.lifetime = settings.session_hours * 3600
        self._serializer = URLSafeTimedSerializer(secret_key(settings), salt="imr-session")
        self._known: dict[int, _Known] = {}
        self._lock = threading.Lock()
        self._revoked: set[str] = set()
        self._revoked_fetched = -self.CACHE_SECONDS
        self._verified: dict[str, tuple[dict[str, Any], int]] = {}
        # the serializer's signer, for its clock: the one ages are checked by
        self._clock = cast(TimestampSigner, self._serializer.make_signer())

    def issue_token(self, user: User) -> str:
        return self._serializer.dumps({"u": user.id, "s": _stamp(user), "i": int(time.time()), "j": secrets.token_hex(16)})

    def sign_in(self, username: str, password: str, address: str = "unknown") -> tuple[str, Actor]:
        """A token for the right password; audited whichever way it goes. Refused with 429, without
        checking the password, after too many failures for the user name or the address."""
        username, address = username[:80], (address or "unknown")[:64]
        attempt = Actor(username=username or "(empty)", role="anonymous")
        now = dt.datetime.now(dt.UTC)
        with self.database.reading() as session:
            locked_until = _locked_until(session, username, address, now)
            user = session.scalar(select(User).where(User.username == username)) if locked_until is None else None
            stored_hash = user.password_hash if user else _DUMMY_HASH
            found = (actor_of(user), {"u": user.id, "s": _stamp(user)}, user.active) if user else None
        if locked_until is not None:
            with self.database.transaction() as session:
                record(session, attempt, "sign_in.locked", None, outcome="denied")
            minutes = max(1, int((locked_until - now).total_seconds() // 60) + 1)
            raise TooManySignIns(f"too many failed sign-ins; try again in {minutes} minute(s)")
        # the slow hash check holds no transaction (SQLite has one writer at a time)
        succeeded = password_matches(stored_hash, password) and found is not None and found[2]
        with self.database.transaction() as session:
            session.add(SignInAttempt(at=now, username=username, address=address, succeeded=succeeded))
            record(session, attempt, "sign_in", None, outcome="ok" if succeeded else "denied")
            if not succeeded:
                session.flush()
                if _locked_until(session, username, address, now) is not None:
                    record(session, attempt, "sign_in.lockout", None, outcome="denied")
                session.execute(delete(SignInAttempt).where(SignInAttempt.at < now - _ATTEMPTS_KEPT))
        if not succeeded or found is None:
            raise NotSignedIn("wrong user name or password")
        actor, claims = found[0], found[1]
        return self._serializer.dumps({**claims, "i": int(time.time()), "j": secrets.token_hex(16)}), actor

    def renew(self, token: str) -> str:
        """A fresh token for the holder of a valid one: sliding expiry for cookie sessions (the pages
        renew on each request, so a session expires after IMR_SESSION_MINUTES idle), within the
        session's absolute lifetime (the start time and session id are carried over)."""
        self.actor_for_token(token)
        claims = self._serializer.loads(token, max_age=self.max_age)
        return self._serializer.dumps({"u": claims["u"], "s": claims["s"], "i": claims["i"], "j": claims["j"]})

    def _claims(self, token: str) -> dict[str, Any]:
        """The claims of a token whose signature is good and not older than IMR_SESSION_MINUTES. A
        token's signature is checked once (decoding, HMAC, JSON: a noticeable part of a small
        request's CPU): after that its claims and signing time are remembered, and only its age is
        checked again, as the serializer checks it. Revocation and credential changes are checked on
        every request by the caller, whatever is remembered here."""
        known = self._verified.get(token)
        if known is not None and self._clock.get_timestamp() - known[1] <= self.max_age:
            return known[0]
        try:
            claims, signed = self._serializer.loads(token, max_age=self.max_age, return_timestamp=True)
        except SignatureExpired:
            raise NotSignedIn("session expired; sign in again") from None
        except BadSignature:
            raise NotSignedIn("invalid token; sign in again") from None
        if not isinstance(claims, dict) or not {"u", "s", "i", "j"} <= claims.keys():
            raise NotSignedIn("invalid token; sign in again")
        if len(self._verified) >= self.VERIFIED_KEPT:
            self._verified.clear()  # bounded: the tokens in use are verified again once
        self._verified[token] = (claims, int(signed.timestamp()))
        return claims

    def actor_for_token(self, token: str) -> Actor:
        claims = self._claims(token)
        if time.time() - claims["i"] > self.lifetime:
            raise NotSignedIn("session expired; sign in again")
        if self._is_revoked(claims["j"]):
            raise NotSignedIn("signed out; sign in again")
        known = self._lookup(int(claims["u"]))
        if known is None or known.stamp != claims["s"]:
            raise NotSignedIn("credentials changed or user deactivated; sign in again")
        return known.actor

    def revoke(self, token: str) -> None:
        """Sign out: the token's session is refused from now on (by every worker within seconds)."""
        try:
            claims = self._serializer.loads(token)  # an idle-expired token is revoked all the same
        except BadSignature:
            return
        if not isinstance(claims, dict) or "j" not in claims:
            return
        expires = dt.datetime.fromtimestamp(claims["i"] + self.lifetime, dt.UTC)
        with self.database.transaction() as session:
            if session.get(RevokedSession, claims["j"]) is None:
                session.add(RevokedSession(session_id=claims["j"], expires_at=expires))
            session.execute(delete(RevokedSession).where(RevokedSession.expires_at < dt.datetime.now(dt.UTC)))
            record(session, Actor(username=self._username(claims), role="anonymous"), "sign_out", None)
        with self._lock:
            self._revoked.add(claims["j"])

    def _username(self, claims: dict[str, Any]) -> str:
        known = self._lookup(int(claims["u"]))
        return known.actor.username if known else f"user {claims['u']}"

    def _is_revoked(self, session_id: str) -> bool:
        now = time.monotonic()
        if now - self._revoked_fetched >= self.CACHE_SECONDS:
            with self.database.reading() as session:
                current = set(
                    session.scalars(select(RevokedSession.session_id).where(RevokedSession.expires_at > dt.datetime.now(dt.UTC)))
                )
            with self._lock:
                self._revoked, self._revoked_fetched = current, now
        return session_id in self._revoked

    def forget(self, user_id: int) -> None:
        """Drop a user from the cache after a change to their account (other workers: within seconds)."""
        with self._lock:
            self._known.pop(user_id, None)

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


def authorize(permission: str) -> Callable[..., Awaitable[Actor]]:
    """The dependency of every protected route: the signed-in actor, if their role has `permission`."""

    async def dependency(request: Request) -> Actor:
        # `current_actor` called here, not as a dependency of its own: each level of dependencies
        # costs FastAPI a resolution on every request
        actor = current_actor(request)
        require(actor, permission)
        return actor

    dependency.__name__ = f"authorize_{permission.replace('.', '_')}"
    return dependency
