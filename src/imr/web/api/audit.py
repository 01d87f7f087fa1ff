"""/api/audit: the append-only audit trail (who read or changed which case, when)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from imr.cases import Actor, Database, audit_trail
from imr.web.api.deps import database
from imr.web.auth import authorize

router = APIRouter(prefix="/api/audit", tags=["audit"])


@router.get("", summary="Audit entries, newest first (page with before_id)")
def audit(
    case_id: int | None = None,
    limit: int = Query(200, ge=1, le=1000),
    before_id: int | None = None,
    actor: Actor = Depends(authorize("audit.read")),
    db: Database = Depends(database),
) -> list[dict[str, Any]]:
    with db.transaction() as session:
        return audit_trail(session, actor, case_id=case_id, limit=limit, before_id=before_id)
