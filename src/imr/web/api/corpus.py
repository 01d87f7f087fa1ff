"""The corpus API: search the published decisions, their statistics, and precedents for an item.

`router` is mounted by the web app (`app.include_router(router, prefix="/api")`), so the paths are
/api/corpus/search, /api/corpus/stats and /api/corpus/precedents. Bad input answers 400 with the
one-line message; the handlers are plain functions because the database calls block.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from imr.errors import ImrError
from imr.model import DisputedItem, Precedent

router = APIRouter(prefix="/corpus", tags=["corpus"])


class PrecedentRequest(BaseModel):
    """An item under review: its structured form (as the review engine has it) or just its wording."""

    item: DisputedItem | None = None
    text: str | None = Field(default=None, description="The request's wording, used when `item` is not given.")
    summary: str | None = Field(default=None, description="The case facts to compare with published summaries.")
    recommendation: Literal["Upheld", "Overturned"] | None = Field(default=None, description="The engine's, to compare.")
    limit: int = Field(default=5, ge=1, le=50)
    exclude_case: str | None = None


class PrecedentAnswer(BaseModel):
    precedents: list[Precedent]
    comparison: str


def corpus(request: Request) -> Any:
    """The corpus store on the app's database (the settings it was created with), else the environment's."""
    from imr.corpus.store import corpus_store

    settings = getattr(request.app.state, "settings", None)
    return corpus_store(settings.resolved_database_url if settings is not None else None)


def _bad_input(error: ImrError) -> HTTPException:
    return HTTPException(status_code=400, detail=str(error))


@router.get("/search")
def search_decisions(
    q: str = Query(..., min_length=1, description='Words that must occur; "quoted phrases" allowed.'),
    drug: str | None = None,
    drug_class: str | None = None,
    outcome: str | None = None,
    year: int | None = None,
    kind: str | None = None,
    limit: int = Query(20, ge=1, le=500),
    store: Any = Depends(corpus),
) -> list[dict[str, Any]]:
    """Ranked full-text search of the stored decisions."""
    from imr.corpus.search import search

    try:
        hits = search(q, drug=drug, drug_class=drug_class, outcome=outcome, year=year, kind=kind, limit=limit, store=store)
    except ImrError as error:
        raise _bad_input(error) from None
    return [hit.to_json() for hit in hits]


@router.get("/stats")
def corpus_statistics(
    by: list[str] | None = Query(None, description="Breakdowns: drug, drug_class, kind, source, section, page, specialty, year."),
    top: int | None = Query(None, ge=1, le=500),
    store: Any = Depends(corpus),
) -> dict[str, Any]:
    """Decisions and uphold rates, overall and per breakdown."""
    from imr.corpus.stats import corpus_stats

    try:
        return corpus_stats(store=store, only=by, limit=top).to_json()
    except ImrError as error:
        raise _bad_input(error) from None


@router.post("/precedents")
def precedents_for_item(request: PrecedentRequest, store: Any = Depends(corpus)) -> PrecedentAnswer:
    """The most similar published decisions for an item under review, and how the recommendation compares."""
    from imr.corpus.precedents import compare_with_precedents, find_precedents, understood

    if request.item is None and not request.text:
        raise HTTPException(status_code=400, detail="precedents: give `item` or `text`")
    try:
        item = request.item or understood(request.text or "")
        found = find_precedents(item, request.summary, request.limit, exclude_case=request.exclude_case, store=store)
    except ImrError as error:
        raise _bad_input(error) from None
    return PrecedentAnswer(precedents=found, comparison=compare_with_precedents(found, request.recommendation))
