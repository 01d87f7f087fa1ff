"""/api/token (sign-in) and /api/users: accounts with roles (admin, intake, reviewer, auditor)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, ConfigDict, Field

from imr.cases import Actor, Database
from imr.web.api.deps import database
from imr.web.accounts import (
    change_own_password,
    create_user,
    find_user,
    list_users,
    reset_password,
    set_active,
    set_role,
    user_view,
)
from imr.web.auth import authorize, signed_in

router = APIRouter(prefix="/api", tags=["users"])


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    role: str


class NewUser(BaseModel):
    username: str = Field(min_length=1, max_length=80)
    password: str
    role: str
    reviewer_id: int | None = None


class PasswordChange(BaseModel):
    current_password: str
    new_password: str


class UserChange(BaseModel):
    """What an administrator changes on an account (only the fields sent)."""

    model_config = ConfigDict(extra="forbid")

    active: bool | None = None
    role: str | None = None
    reviewer_id: int | None = None
    password: str | None = Field(default=None, description="A new password (a reset).")


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/token", summary="Sign in (OAuth2 password form): a bearer token; 429 after too many failures")
def sign_in(request: Request, form: OAuth2PasswordRequestForm = Depends()) -> Token:
    authenticator = request.app.state.authenticator
    token, actor = authenticator.sign_in(form.username, form.password, client_address(request))
    return Token(access_token=token, expires_in=authenticator.max_age, role=actor.role)


@router.post("/logout", status_code=204, summary="Sign out: the bearer token is refused from now on")
def sign_out(request: Request, _actor: Actor = Depends(signed_in)) -> Response:
    request.app.state.authenticator.revoke(request.headers["authorization"].partition(" ")[2].strip())
    return Response(status_code=204)


@router.post("/users/me/password", status_code=204, summary="Change your password (every session of yours ends)")
def change_password(
    request: Request, body: PasswordChange, actor: Actor = Depends(signed_in), db: Database = Depends(database)
) -> Response:
    with db.transaction() as session:
        change_own_password(session, actor, body.current_password, body.new_password)
        user_id = find_user(session, actor.username).id
    request.app.state.authenticator.forget(user_id)
    return Response(status_code=204)


@router.patch("/users/{ref}", summary="Deactivate or reactivate an account, change its role, or reset its password")
def change_user(
    request: Request,
    ref: str,
    body: UserChange,
    actor: Actor = Depends(authorize("users.write")),
    db: Database = Depends(database),
) -> dict[str, Any]:
    key: int | str = int(ref) if ref.isdigit() else ref
    with db.transaction() as session:
        user = find_user(session, key)
        if body.role is not None:
            set_role(session, actor, key, body.role, reviewer_id=body.reviewer_id)
        if body.password is not None:
            reset_password(session, actor, key, body.password)
        if body.active is not None:
            set_active(session, actor, key, body.active)
        view = user_view(user)
    request.app.state.authenticator.forget(view["id"])
    return view


@router.get("/users/me", summary="Who is signed in")
def me(actor: Actor = Depends(signed_in)) -> dict[str, Any]:
    return {"username": actor.username, "role": actor.role, "reviewer_id": actor.reviewer_id}


@router.get("/users", summary="Every account")
def users(actor: Actor = Depends(authorize("users.read")), db: Database = Depends(database)) -> list[dict[str, Any]]:
    with db.transaction() as session:
        return list_users(session, actor)


@router.post("/users", status_code=201, summary="Create an account")
def add_user(
    body: NewUser, response: Response, actor: Actor = Depends(authorize("users.write")), db: Database = Depends(database)
) -> dict[str, Any]:
    with db.transaction() as session:
        user = create_user(session, actor, body.username, body.password, body.role, reviewer_id=body.reviewer_id)
        response.headers["Location"] = f"/api/users/{user.id}"
        return user_view(user)
