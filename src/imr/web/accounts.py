"""Accounts: create, list and find users; deactivate or reactivate one, change a role, reset a
password (an admin), or change one's own password.

Sign-in (`imr.web.auth`) holds the argon2 hashes and the tokens. Each change here moves the user's
credential stamp, so every session and bearer token the user holds ends within the authenticator's
few seconds of caching. Only an admin (`users.write`) may change an account, and not their own: an
admin who deactivates or demotes themself by mistake could lock everyone out (their own password
they change as any user does, knowing the current one). Each change is audited (user and action,
never the password). The API, the workbench pages and the CLI all call these functions.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from imr.cases import Actor
from imr.cases.access import record, require, roles
from imr.cases.db import add_unique
from imr.cases.errors import InvalidInput, NotFoundError, PermissionRefused
from imr.cases.models import Reviewer, User
from imr.web.auth import NotSignedIn, hash_password, password_matches

MIN_PASSWORD_LENGTH = 10


def check_password_rules(username: str, password: str) -> None:
    """At least MIN_PASSWORD_LENGTH characters that are not spaces (ten spaces are no password)."""
    if len("".join(password.split())) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"password for {username!r} is too short (at least {MIN_PASSWORD_LENGTH} characters, not counting spaces)"
        )


def _check_role(session: Session, role: str, reviewer_id: int | None) -> None:
    if role not in roles():
        raise InvalidInput(f"unknown role {role!r} (one of: {', '.join(roles())})")
    if (role == "reviewer") != (reviewer_id is not None):
        raise InvalidInput("a reviewer account needs a reviewer from the registry, and only a reviewer account has one")
    if reviewer_id is not None and session.get(Reviewer, reviewer_id) is None:
        raise NotFoundError(f"no reviewer {reviewer_id}")


def create_user(
    session: Session, actor: Actor, username: str, password: str, role: str, *, reviewer_id: int | None = None
) -> User:
    require(actor, "users.write")
    _check_role(session, role, reviewer_id)
    check_password_rules(username, password)
    user = User(username=username, password_hash=hash_password(password), role=role, reviewer_id=reviewer_id)
    add_unique(session, user, InvalidInput(f"user {username!r} already exists"))
    record(session, actor, "user.add", None)
    return user


def find_user(session: Session, ref: int | str) -> User:
    """A user by id or user name."""
    user = session.get(User, int(ref)) if isinstance(ref, int) else session.scalar(select(User).where(User.username == ref))
    if user is None:
        raise NotFoundError(f"no user {ref}")
    return user


def list_users(session: Session, actor: Actor) -> list[dict[str, Any]]:
    require(actor, "users.read")
    return [user_view(u) for u in session.scalars(select(User).order_by(User.id))]


def user_view(user: User) -> dict[str, Any]:
    return {"id": user.id, "username": user.username, "role": user.role, "reviewer_id": user.reviewer_id, "active": user.active}


def change_own_password(session: Session, actor: Actor, current: str, new: str) -> None:
    """The signed-in user's new password, given the current one; every other session of theirs ends."""
    user = find_user(session, actor.username)
    if not password_matches(user.password_hash, current):
        raise NotSignedIn("the current password is wrong")
    check_password_rules(user.username, new)
    user.password_hash = hash_password(new)
    record(session, actor, "user.password", None)


def _account(session: Session, actor: Actor, ref: int | str, change: str) -> User:
    """The user an admin is about to change: never the admin's own account."""
    require(actor, "users.write")
    user = find_user(session, ref)
    if user.username == actor.username:
        raise PermissionRefused(f"{actor.username} may not {change} their own account; another admin must")
    return user


def set_active(session: Session, actor: Actor, ref: int | str, active: bool) -> User:
    """Deactivate (or reactivate) a user: a deactivated user's sessions end and sign-in is refused.
    Their audit trail stays."""
    user = _account(session, actor, ref, "reactivate" if active else "deactivate")
    user.active = active
    record(session, actor, "user.reactivate" if active else "user.deactivate", None)
    return user


def set_role(session: Session, actor: Actor, ref: int | str, role: str, *, reviewer_id: int | None = None) -> User:
    """Give the user another role; a reviewer account is tied to one registered reviewer, and only a
    reviewer account is. The user's sessions end."""
    user = _account(session, actor, ref, "change the role of")
    _check_role(session, role, reviewer_id)
    user.role, user.reviewer_id = role, reviewer_id
    record(session, actor, "user.role", None)
    return user


def reset_password(session: Session, actor: Actor, ref: int | str, new: str) -> User:
    """Set a new password (told to the user out of band); the user's sessions end."""
    user = _account(session, actor, ref, "reset the password of")
    check_password_rules(user.username, new)
    user.password_hash = hash_password(new)
    record(session, actor, "user.password_reset", None)
    return user
