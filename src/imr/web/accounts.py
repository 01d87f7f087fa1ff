"""Account administration: deactivate or reactivate a user, change a role, reset a password.

Users live beside sign-in (`imr.web.auth`: the argon2 hashes and the tokens). Each change here moves the
user's credential stamp, so every session and bearer token the user holds ends within the
authenticator's few seconds of caching. Only an admin (`users.write`) may make these changes, and not
to their own account: an admin who deactivates or demotes themself by mistake could lock everyone out.
Each change is audited (user and action, never the password).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from imr.cases import Actor
from imr.cases.access import record, require, roles
from imr.cases.errors import InvalidInput, NotFoundError, PermissionRefused
from imr.cases.models import Reviewer, User
from imr.web.auth import MIN_PASSWORD_LENGTH, hash_password


def _account(session: Session, actor: Actor, user_id: int, change: str) -> User:
    require(actor, "users.write")
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"no user {user_id}")
    if user.username == actor.username:
        raise PermissionRefused(f"{actor.username} may not {change} their own account; another admin must")
    return user


def deactivate_user(session: Session, actor: Actor, user_id: int) -> User:
    """The user can no longer sign in; their sessions and tokens end. Their audit trail stays."""
    user = _account(session, actor, user_id, "deactivate")
    user.active = False
    record(session, actor, "user.deactivate", None)
    return user


def reactivate_user(session: Session, actor: Actor, user_id: int) -> User:
    user = _account(session, actor, user_id, "reactivate")
    user.active = True
    record(session, actor, "user.reactivate", None)
    return user


def set_user_role(session: Session, actor: Actor, user_id: int, role: str, *, reviewer_id: int | None = None) -> User:
    """Give the user another role; a reviewer account is tied to one registered reviewer, and only
    a reviewer account is."""
    user = _account(session, actor, user_id, "change the role of")
    if role not in roles():
        raise InvalidInput(f"unknown role {role!r} (one of: {', '.join(roles())})")
    if (role == "reviewer") != (reviewer_id is not None):
        raise InvalidInput("a reviewer account needs a reviewer from the registry, and only a reviewer account has one")
    if reviewer_id is not None and session.get(Reviewer, reviewer_id) is None:
        raise NotFoundError(f"no reviewer {reviewer_id}")
    user.role = role
    user.reviewer_id = reviewer_id
    record(session, actor, "user.role", None)
    return user


def reset_password(session: Session, actor: Actor, user_id: int, password: str) -> User:
    """Set a new password (told to the user out of band); their sessions and tokens end."""
    user = _account(session, actor, user_id, "reset the password of")
    if len(password.strip()) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"the new password for {user.username!r} is too short (at least {MIN_PASSWORD_LENGTH} characters besides spaces)"
        )
    user.password_hash = hash_password(password)
    record(session, actor, "user.password", None)
    return user
