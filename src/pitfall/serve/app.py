"""The HTTP service behind ``pitfall serve``: predict, route, store, and let reviewers label what was routed to them.

Every prediction is routed (``routing.decide``) and the whole batch is written to the store in one transaction
before the response is sent, so a client that got an answer can always find its items again. Reviews, the queue
and the export need a reviewer token (``Authorization: Bearer <token>``, made by ``pitfall users add``); the
reviewer recorded is the token's owner, never a name the client sends.

Input is checked before anything is written: a malformed body, a wrong type or a column the model needs is a 422
with a one-line ``detail``; a body over the size or record limit is a 413. The limits bound the memory one request
can take, since a whole batch is predicted and stored at once.
"""

import hashlib
import pickle
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from pitfall.deploy import policy as policy_file
from pitfall.deploy.routing import Policy, SafetyRule
from pitfall.deploy.store import Store
from pitfall.errors import ModelError
from pitfall.serve.batcher import Batcher
from pitfall.serve.deps import DEFAULT_PUBLIC, OPEN_READS, ServeState
from pitfall.serve.guard import LOOPBACK, Guard, RateLimit
from pitfall.serve.intake import Limits, validation_detail
from pitfall.serve.routes import ROUTERS
from pitfall.serve.schemas import Prediction, PredictRequest, PredictResponse, ReviewRequest

__all__ = [
    "MAX_BYTES",
    "MAX_RECORD_BYTES",
    "MAX_RECORDS",
    "Prediction",
    "PredictRequest",
    "PredictResponse",
    "ReviewRequest",
    "create_app",
    "ensure_model",
    "routing_policy",
]

MAX_BYTES = 10 * 1024 * 1024
MAX_RECORDS = 10_000
MAX_RECORD_BYTES = 64 * 1024


def routing_policy(policy: policy_file.Policy | Policy) -> Policy:
    """The routing policy for a policy file's contents (a routing ``Policy`` passes through)."""
    if isinstance(policy, Policy):
        return policy
    per_label = {str(k): (float(v["accept"]), float(v["review"])) for k, v in policy.per_label.items()}
    rules = [SafetyRule(r.label, r.action, {str(k): str(v) for k, v in r.when.items()}) for r in policy.safety]  # type: ignore[arg-type]
    return Policy(float(policy.accept), float(policy.review), per_label, rules)


def _classes(model: Any) -> list[str]:
    classes = getattr(model, "classes_", None)
    if classes is None or not hasattr(model, "predict_proba"):
        raise ModelError(
            f"a {type(model).__name__} has no classes_/predict_proba: routing needs a fitted classifier's "
            "probabilities. Serve a classifier (or calibrate it with CalibratedClassifierCV)."
        )
    return [str(c) for c in classes]


def ensure_model(store: Store, version: str, model: Any, path: str | Path | None = None) -> None:
    """Register ``version`` (promoted) unless it already is; a concurrent replica registering it too is fine."""
    if store.get_model(version) is not None:
        return
    classes = _classes(model)
    try:
        if path is not None:
            store.add_model(version, path, classes=classes, promoted=True)
        else:
            digest = hashlib.sha256(pickle.dumps(model)).hexdigest()
            store.add_model(version, sha256=digest, classes=classes, promoted=True)
    except ValueError:
        if store.get_model(version) is None:
            raise


def create_app(
    store: Store,
    model: Any,
    policy: policy_file.Policy | Policy,
    model_version: str,
    *,
    max_bytes: int = MAX_BYTES,
    max_records: int = MAX_RECORDS,
    max_record_bytes: int = MAX_RECORD_BYTES,
    reference: pd.DataFrame | None = None,
    secure_cookie: bool = False,
    allowed_hosts: Sequence[str] = LOOPBACK,
    allowed_origins: Sequence[str] = (),
    rate_limit: RateLimit | None = None,
    public: Iterable[str] = DEFAULT_PUBLIC,
    image_root: str | Path | None = None,
) -> FastAPI:
    """The FastAPI app serving ``model`` under ``policy``; items go to ``store`` as ``model_version``.

    ``reference`` (the training data) lets the monitoring page show drift. ``secure_cookie`` marks the review
    page's session cookie Secure, for a service reached over HTTPS (browsers do not send it over plain HTTP).
    ``allowed_hosts`` (names the ``Host`` header may give; ``"*"`` for any) and ``allowed_origins`` (browser
    origins besides those hosts' own) guard against other websites (``serve/guard.py``); ``rate_limit`` bounds
    anonymous writes per client address (``RateLimit()`` when None; ``RateLimit(0, 0)`` turns it off).
    ``public`` names the reads anonymous clients may make (``deps.OPEN_READS``); the others need a token.
    ``image_root``: the folder the review page serves records' image paths from (never a path outside it)."""
    public = frozenset(public)
    unknown = sorted(public - set(OPEN_READS))
    if unknown:
        raise ValueError(f"public must name reads among {sorted(OPEN_READS)}. Got {unknown} instead.")
    classes = _classes(model)
    ensure_model(store, model_version, model)
    features = [str(c) for c in getattr(model, "feature_names_in_", [])] or None
    docs = "docs" in public
    app = FastAPI(
        title="pitfall serve",
        version=model_version if "version" in public else "unpublished",
        description="Predictions routed to automatic use, human review, abstention or blocking.",
        openapi_url="/openapi.json" if public & {"openapi", "docs"} else None,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
    )
    app.state.pitfall = ServeState(
        store=store,
        model=model,
        classes=classes,
        features=features,
        rules=routing_policy(policy),
        model_version=model_version,
        limits=Limits(max_bytes, max_records, max_record_bytes),
        public=public,
    )

    app.state.pitfall.batcher = Batcher(app.state.pitfall)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": validation_detail(exc)}, status_code=422)

    @app.exception_handler(Exception)
    async def _crash(_request: Request, exc: Exception) -> JSONResponse:
        # Still a bug to fix (the server log has the traceback), but the client gets one line, not a dropped socket.
        return JSONResponse(
            {"detail": f"internal error ({type(exc).__name__}); the service log has the details."}, status_code=500
        )

    app.add_middleware(
        Guard,
        allowed_hosts=allowed_hosts,
        allowed_origins=allowed_origins,
        max_bytes=max_bytes,
        limiter=rate_limit if rate_limit is not None else RateLimit(),
    )

    for router in ROUTERS:
        app.include_router(router)

    from pitfall.serve.monitor_page import add_monitor_pages  # workload, audited accuracy, drift
    from pitfall.serve.pages import add_review_pages  # the browser front end for the same queue and reviews

    add_review_pages(app, store, classes, secure_cookie=secure_cookie)
    add_monitor_pages(app, store, model=model, policy=policy, reference=reference)  # GET /monitor
    from pitfall.serve.review_routes import register as add_review_queue  # GET /review and its actions

    add_review_queue(app, store, model, classes, image_root=image_root)
    return app
