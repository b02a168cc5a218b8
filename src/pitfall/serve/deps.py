"""What every route of the service shares: one ``ServeState`` on ``app.state.pitfall``, and the reviewer check.

Routes read the state through ``Depends(get_state)`` instead of closing over ``create_app``'s locals, so each
router lives in its own module (``serve/routes/``) and a new one only needs this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from pitfall.deploy.routing import Policy
from pitfall.deploy.store import Store, User
from pitfall.serve.intake import Limits, one_line

__all__ = ["DEFAULT_PUBLIC", "OPEN_READS", "ServeState", "get_state", "one_line", "readable", "reviewer"]

# What anonymous clients may read, by name (``create_app(public=...)``, ``pitfall serve --public``):
OPEN_READS = {
    "items": "GET /items/{id}: an item's record, routing and review outcomes (reviewer names need a token)",
    "metrics": "GET /metrics: counts per decision, reviewed and pending",
    "version": "GET /health: the served model version (the status itself is always open, for probes)",
    "openapi": "GET /openapi.json: the API's schema (no data)",
    "docs": "GET /docs and /redoc: interactive API docs; they load their scripts from a CDN (jsdelivr)",
}
DEFAULT_PUBLIC = frozenset({"items", "metrics", "openapi"})

_bearer = HTTPBearer(auto_error=False)


@dataclass
class ServeState:
    """The served model, its routing policy, the store and the limits: set once by ``create_app``."""

    store: Store
    model: Any
    classes: list[str]
    features: list[str] | None
    rules: Policy
    model_version: str
    limits: Limits
    public: frozenset[str] = frozenset()
    batcher: Any = None  # the app's writer (serve/batcher.py), set by create_app
    extra: dict[str, Any] = field(default_factory=dict)


def get_state(request: Request) -> ServeState:
    return request.app.state.pitfall


def _unauthorized() -> HTTPException:
    return HTTPException(
        401,
        "a valid reviewer token is needed: Authorization: Bearer <token> (make one with `pitfall users add NAME`).",
        headers={"WWW-Authenticate": "Bearer"},
    )


def reviewer(
    state: Annotated[ServeState, Depends(get_state)],
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The reviewer a bearer token belongs to, or a 401 saying how to get one."""
    user = state.store.check_token(creds.credentials) if creds is not None else None
    if user is None:
        raise _unauthorized()
    return user


def readable(name: str) -> Any:
    """A dependency for a read named in ``OPEN_READS``: the reviewer when a token is sent (a wrong one is a 401),
    None for an anonymous client when ``name`` is public, and a 401 when it is not."""

    def check(
        state: Annotated[ServeState, Depends(get_state)],
        creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> User | None:
        if creds is not None:
            return reviewer(state, creds)
        if name in state.public:
            return None
        raise _unauthorized()

    return check
