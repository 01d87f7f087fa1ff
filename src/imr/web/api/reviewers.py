"""/api/reviewers: the reviewer registry (credentials, affiliations, open workload)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response

from imr.cases import Actor, Database
from imr.cases.registry import ReviewerIn, add_reviewer, get_reviewer, list_reviewers, open_workloads, reviewer_view
from imr.web.api.deps import database
from imr.web.auth import authorize

router = APIRouter(prefix="/api/reviewers", tags=["reviewers"])


@router.get("", summary="The registry, with each reviewer's open cases")
def reviewers(actor: Actor = Depends(authorize("reviewers.read")), db: Database = Depends(database)) -> list[dict[str, Any]]:
    with db.transaction() as session:
        return list_reviewers(session, actor)


@router.post("", status_code=201, summary="Register a reviewer")
def register(
    body: ReviewerIn, response: Response, actor: Actor = Depends(authorize("reviewers.write")), db: Database = Depends(database)
) -> dict[str, Any]:
    with db.transaction() as session:
        reviewer = add_reviewer(session, actor, body)
        response.headers["Location"] = f"/api/reviewers/{reviewer.id}"
        return reviewer_view(reviewer, 0)


@router.get("/{reviewer_id}", summary="One reviewer")
def reviewer(
    reviewer_id: int, actor: Actor = Depends(authorize("reviewers.read")), db: Database = Depends(database)
) -> dict[str, Any]:
    with db.transaction() as session:
        found = get_reviewer(session, reviewer_id)
        return reviewer_view(found, open_workloads(session).get(found.id, 0))
