"""/api/token (sign-in) and /api/users: accounts with roles (admin, intake, reviewer, auditor)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, Field

from imr.cases import Actor, Database
from imr.web.api.deps import database
from imr.web.auth import authorize, create_user, list_users, signed_in, user_view

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


@router.post("/token", summary="Sign in (OAuth2 password form): a bearer token")
def sign_in(request: Request, form: OAuth2PasswordRequestForm = Depends()) -> Token:
    authenticator = request.app.state.authenticator
    token, actor = authenticator.sign_in(form.username, form.password)
    return Token(access_token=token, expires_in=authenticator.max_age, role=actor.role)


@router.get("/users/me", summary="Who is signed in")
def me(actor: Actor = Depends(signed_in)) -> dict[str, Any]:
    return {"username": actor.username, "role": actor.role, "reviewer_id": actor.reviewer_id}


@router.get("/users", summary="Every account")
def users(actor: Actor = Depends(authorize("users.read")), db: Database = Depends(database)) -> list[dict[str, Any]]:
    with db.transaction() as session:
        return list_users(session, actor)


@router.post("/users", status_code=201, summary="Create an account")
def add_user(body: NewUser, response: Response, actor: Actor = Depends(authorize("users.write")), db: Database = Depends(database)) -> dict[str, Any]:
    with db.transaction() as session:
        user = create_user(session, actor, body.username, body.password, body.role, reviewer_id=body.reviewer_id)
        response.headers["Location"] = f"/api/users/{user.id}"
        return user_view(user)
