"""``GET /health`` (liveness and the database) and ``GET /metrics`` (counts per decision, review rate)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from pitfall.serve.deps import ServeState, get_state, one_line

__all__ = ["router"]

router = APIRouter()


@router.get("/health", summary="Liveness and database check")
def health(state: Annotated[ServeState, Depends(get_state)]) -> JSONResponse:
    try:
        ok = state.store.get_model(state.model_version) is not None
    except Exception as exc:  # the database is down: say so instead of failing the probe with a traceback
        return JSONResponse({"status": "error", "detail": one_line(exc)[:200]}, status_code=503)
    return JSONResponse({"status": "ok" if ok else "error", "model_version": state.model_version},
                        status_code=200 if ok else 503)


@router.get("/metrics", summary="Items per decision, reviewed, pending and the share sent to people")
def metrics(state: Annotated[ServeState, Depends(get_state)]) -> dict[str, Any]:
    counts = state.store.counts()
    total = counts["total"]
    routed = counts["review"] + counts["abstain"] + counts["blocked"]
    return {**counts, "review_rate": routed / total if total else None,
            "reviewed_share": counts["reviewed"] / routed if routed else None}
