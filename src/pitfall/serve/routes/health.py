"""``GET /health`` (liveness and the database) and ``GET /metrics`` (counts per decision, review rate)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from pitfall.deploy.store import User
from pitfall.serve.deps import ServeState, get_state, readable

__all__ = ["router"]

router = APIRouter()


@router.get("/health", summary="Liveness and database check (the model version when public or with a token)")
def health(
    state: Annotated[ServeState, Depends(get_state)],
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(HTTPBearer(auto_error=False))],
) -> JSONResponse:
    try:
        ok = state.store.get_model(state.model_version) is not None
    except Exception:  # the database is down: say so (the log has why) instead of failing with a traceback
        return JSONResponse({"status": "error", "detail": "the database does not answer."}, status_code=503)
    body: dict[str, Any] = {"status": "ok" if ok else "error"}
    if "version" in state.public or (creds is not None and state.store.check_token(creds.credentials)):
        body["model_version"] = state.model_version
    return JSONResponse(body, status_code=200 if ok else 503)


@router.get("/metrics", summary="Items per decision, reviewed, pending and the share sent to people")
def metrics(
    state: Annotated[ServeState, Depends(get_state)], _user: Annotated[User | None, Depends(readable("metrics"))]
) -> dict[str, Any]:
    counts = state.store.counts()
    total = counts["total"]
    routed = counts["review"] + counts["abstain"] + counts["blocked"]
    return {
        **counts,
        "review_rate": routed / total if total else None,
        "reviewed_share": counts["reviewed"] / routed if routed else None,
    }
