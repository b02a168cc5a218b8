"""Stored items: ``GET /items/{id}``, ``POST /items/{id}/review`` and ``GET /queue`` (the last two for reviewers)."""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query

from pitfall.deploy.store import User
from pitfall.serve.deps import ServeState, get_state, one_line, readable, reviewer
from pitfall.serve.schemas import ReviewRequest

__all__ = ["item_json", "router"]

router = APIRouter()


def item_json(item: Any, **extra: Any) -> dict[str, Any]:
    return {
        "item_id": item.id,
        "model_version": item.model_version,
        "batch_id": item.batch_id,
        "record": item.record,
        "label": item.suggestion,
        "confidence": item.confidence if math.isfinite(item.confidence) else None,
        "decision": item.decision,
        "reason": item.reason,
        "created_at": item.created_at.isoformat(),
        **extra,
    }


@router.get("/items/{item_id}", summary="One stored item with its routing and reviews (names with a token)")
def get_item(
    item_id: str,
    state: Annotated[ServeState, Depends(get_state)],
    user: Annotated[User | None, Depends(readable("items"))],
) -> dict[str, Any]:
    item = state.store.get_item(item_id)
    if item is None:
        raise HTTPException(404, f"item {item_id[:60]!r} does not exist.")
    reviews = []
    for r in state.store.reviews_of(item.id):
        shown = {"action": r.action, "label": r.label, "created_at": r.created_at.isoformat()}
        reviews.append({"reviewer": r.reviewer, **shown} if user is not None else shown)
    return item_json(item, reviews=reviews)


@router.post("/items/{item_id}/review", summary="Accept, correct or skip an item (reviewer token)")
def review(
    item_id: str,
    body: ReviewRequest,
    user: Annotated[User, Depends(reviewer)],
    state: Annotated[ServeState, Depends(get_state)],
) -> dict[str, Any]:
    if state.store.get_item(item_id) is None:
        raise HTTPException(404, f"item {item_id[:60]!r} does not exist.")
    try:
        done = state.store.add_review(item_id, user.name, body.action, body.label)
    except ValueError as exc:
        raise HTTPException(409 if "already has a final review" in str(exc) else 400, one_line(exc)) from None
    return {"item_id": done.item_id, "reviewer": done.reviewer, "action": done.action, "label": done.label}


@router.get("/queue", summary="Items waiting for a person, least confident first (reviewer token)")
def queue(
    user: Annotated[User, Depends(reviewer)],
    state: Annotated[ServeState, Depends(get_state)],
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> dict[str, Any]:
    shown = state.store.queue(limit, max_record_chars=max(state.limits.max_record_bytes, 64 * 1024))
    return {"items": [item_json(item) for item in shown]}
