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
import io
import json
import math
import pickle
import tempfile
import uuid
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from fastapi import Depends, FastAPI, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, StrictBool, StrictFloat, StrictInt, StrictStr, TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from pitfall.deploy import policy as policy_file
from pitfall.errors import ModelError
from pitfall.serve.routing import Policy, SafetyRule, decide
from pitfall.serve.store import Store, User

__all__ = ["MAX_BYTES", "MAX_RECORDS", "create_app", "ensure_model", "routing_policy"]

MAX_BYTES = 10 * 1024 * 1024
MAX_RECORDS = 10_000

Scalar = StrictStr | StrictInt | StrictFloat | StrictBool | None


class PredictRequest(BaseModel):
    """A batch of records to predict; ``batch_id`` makes a retry safe (a stored batch is refused, not doubled)."""

    model_config = ConfigDict(extra="forbid")
    records: list[dict[str, Scalar]]
    batch_id: StrictStr | None = None


class Prediction(BaseModel):
    item_id: str
    label: str | None
    confidence: float
    decision: str
    reason: str


class PredictResponse(BaseModel):
    model_version: str
    batch_id: str | None
    items: list[Prediction]


class ReviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["accept", "correct", "skip"]
    label: StrictStr | None = None


_predict_adapter = TypeAdapter(PredictRequest)


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


def _one_line(text: str) -> str:
    return " ".join(part.strip() for part in str(text).splitlines() if part.strip())


def _validation_detail(exc: PydanticValidationError | RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(x) for x in err.get("loc", ()) if x != "body")
        parts.append(f"{loc}: {err.get('msg')}" if loc else str(err.get("msg")))
    more = len(exc.errors()) - len(parts)
    return _one_line("; ".join(parts) + (f" (and {more} more)" if more > 0 else ""))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON; send null for a missing value")


def create_app(
    store: Store,
    model: Any,
    policy: policy_file.Policy | Policy,
    model_version: str,
    *,
    max_bytes: int = MAX_BYTES,
    max_records: int = MAX_RECORDS,
    reference: pd.DataFrame | None = None,
    secure_cookie: bool = False,
    image_root: str | Path | None = None,
) -> FastAPI:
    """The FastAPI app serving ``model`` under ``policy``; items go to ``store`` as ``model_version``.

    ``reference`` (the training data) lets the monitoring page show drift. ``secure_cookie`` marks the review
    page's session cookie Secure, for a service reached over HTTPS (browsers do not send it over plain HTTP).
    ``image_root``: the folder the review page serves records' image paths from (never a path outside it)."""
    rules = routing_policy(policy)
    classes = _classes(model)
    ensure_model(store, model_version, model)
    features = [str(c) for c in getattr(model, "feature_names_in_", [])] or None
    bearer = HTTPBearer(auto_error=False)

    app = FastAPI(title="pitfall serve", version=model_version,
                  description="Predictions routed to automatic use, human review, abstention or blocking.")

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _validation_detail(exc)}, status_code=422)

    @app.middleware("http")
    async def _limit(request: Request, call_next: Any) -> Any:
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > max_bytes:
            return JSONResponse({"detail": f"request body is {int(length)} bytes; the limit is {max_bytes}."},
                                status_code=413)
        return await call_next(request)

    def reviewer(creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> User:
        user = store.check_token(creds.credentials) if creds is not None else None
        if user is None:
            raise HTTPException(401, "a valid reviewer token is needed: Authorization: Bearer <token> "
                                     "(make one with `pitfall users add NAME`).",
                                headers={"WWW-Authenticate": "Bearer"})
        return user

    def predict_batch(records: list[dict[str, Any]], batch_id: str | None) -> PredictResponse:
        if not records:
            raise HTTPException(422, "records is empty; send at least one record.")
        if len(records) > max_records:
            raise HTTPException(413, f"{len(records)} records in one request; the limit is {max_records}.")
        if features is not None:
            missing = sorted({c for r in records for c in features if c not in r}, key=features.index)
            if missing:
                first = next(i for i, r in enumerate(records) if any(c not in r for c in missing))
                raise HTTPException(422, f"records lack column(s) the model needs: {', '.join(missing)} "
                                         f"(first in record {first}).")
            frame = pd.DataFrame.from_records([{c: r[c] for c in features} for r in records], columns=features)
        else:
            # Without fitted column names the model sees the fields in the first record's order; records with other
            # fields would be misaligned silently, so they are refused.
            names = list(records[0])
            odd = next((i for i, r in enumerate(records) if set(r) != set(names)), None)
            if odd is not None:
                raise HTTPException(422, f"record {odd} has other fields than record 0 ({', '.join(names)}); the "
                                         "model has no feature_names_in_, so every record needs the same fields.")
            frame = pd.DataFrame.from_records([[r[c] for c in names] for r in records], columns=names)
        try:
            proba = np.asarray(model.predict_proba(frame if features is not None else frame.to_numpy()), dtype=float)
        except (ValueError, TypeError, KeyError) as exc:
            raise HTTPException(422, f"the model cannot predict these records: {_one_line(exc)[:300]}") from None
        if proba.shape != (len(records), len(classes)) or not np.isfinite(proba).all():
            raise HTTPException(500, "the model returned probabilities of the wrong shape or non-finite values.")
        best = proba.argmax(axis=1)
        batch, out = [], []
        for record, k, p in zip(records, best, proba, strict=True):
            item_id = str(uuid.uuid4())
            label, confidence = classes[k], min(1.0, max(0.0, float(p[k])))
            routed = decide(label, confidence, record, rules, item_id=item_id)
            batch.append({"id": item_id, "record": record, "label": label, "confidence": confidence,
                          "decision": routed.decision, "reason": routed.reason})
            out.append(Prediction(item_id=item_id, label=routed.label, confidence=confidence,
                                  decision=routed.decision, reason=routed.reason))
        try:
            store.add_items(model_version, batch, batch_id=batch_id)
        except ValueError as exc:
            status = 409 if "already stored" in str(exc) else 422
            raise HTTPException(status, _one_line(exc)) from None
        return PredictResponse(model_version=model_version, batch_id=batch_id, items=out)

    @app.post("/predict", response_model=PredictResponse, summary="Predict, route and store a batch of records",
              openapi_extra={"requestBody": {"required": True, "content": {
                  "application/json": {"schema": PredictRequest.model_json_schema()}}}})
    async def predict(request: Request) -> PredictResponse:
        size, chunks = 0, []
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_bytes:
                raise HTTPException(413, f"request body is over {max_bytes} bytes, the limit.")
            chunks.append(chunk)
        return await run_in_threadpool(parse_and_predict, b"".join(chunks))

    def parse_and_predict(raw: bytes) -> PredictResponse:
        try:
            data = json.loads(raw, parse_constant=_reject_constant)
        except (ValueError, UnicodeDecodeError) as exc:
            raise HTTPException(422, f"body is not valid JSON: {_one_line(exc)}") from None
        if isinstance(data, dict) and isinstance(data.get("records"), list) and len(data["records"]) > max_records:
            raise HTTPException(413, f"{len(data['records'])} records in one request; the limit is {max_records}.")
        try:
            body = _predict_adapter.validate_python(data)
        except PydanticValidationError as exc:
            raise HTTPException(422, _validation_detail(exc)) from None
        return predict_batch(body.records, body.batch_id)

    @app.post("/predict/csv", response_model=PredictResponse, summary="Predict, route and store the rows of a CSV")
    def predict_csv(file: Annotated[UploadFile, File()],
                    batch_id: Annotated[str | None, Form()] = None) -> PredictResponse:
        data = file.file.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise HTTPException(413, f"CSV is over {max_bytes} bytes, the limit.")
        try:
            frame = pd.read_csv(io.BytesIO(data))
        except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
            raise HTTPException(422, f"file is not a readable CSV: {_one_line(exc)[:300]}") from None
        records = json.loads(frame.to_json(orient="records"))
        return predict_batch(records, batch_id or None)

    @app.get("/items/{item_id}", summary="One stored item with its routing and reviews")
    def get_item(item_id: str) -> dict[str, Any]:
        item = store.get_item(item_id)
        if item is None:
            raise HTTPException(404, f"item {item_id!r} does not exist.")
        return _item_json(item, reviews=[
            {"reviewer": r.reviewer, "action": r.action, "label": r.label, "created_at": r.created_at.isoformat()}
            for r in store.reviews_of(item.id)
        ])

    @app.post("/items/{item_id}/review", summary="Accept, correct or skip an item (reviewer token)")
    def review(item_id: str, body: ReviewRequest, user: Annotated[User, Depends(reviewer)]) -> dict[str, Any]:
        if store.get_item(item_id) is None:
            raise HTTPException(404, f"item {item_id!r} does not exist.")
        try:
            done = store.add_review(item_id, user.name, body.action, body.label)
        except ValueError as exc:
            raise HTTPException(409 if "already has a final review" in str(exc) else 400, _one_line(exc)) from None
        return {"item_id": done.item_id, "reviewer": done.reviewer, "action": done.action, "label": done.label}

    @app.get("/queue", summary="Items waiting for a person, least confident first (reviewer token)")
    def queue(user: Annotated[User, Depends(reviewer)],
              limit: Annotated[int, Query(ge=1, le=1000)] = 50) -> dict[str, Any]:
        return {"items": [_item_json(item) for item in store.queue(limit)]}

    @app.get("/export", summary="Reviewed items with their final label, as CSV or Parquet (reviewer token)")
    def export(user: Annotated[User, Depends(reviewer)],
               format: Annotated[Literal["csv", "parquet"], Query()] = "csv") -> Response:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"reviewed.{format}"
            try:
                store.export_reviewed(path, format)
            except ValueError as exc:
                raise HTTPException(409, _one_line(exc)) from None
            content = path.read_bytes()
        media = "text/csv" if format == "csv" else "application/vnd.apache.parquet"
        return Response(content, media_type=media,
                        headers={"Content-Disposition": f'attachment; filename="reviewed.{format}"'})

    @app.get("/health", summary="Liveness and database check")
    def health() -> JSONResponse:
        try:
            ok = store.get_model(model_version) is not None
        except Exception as exc:  # the database is down: say so instead of failing the probe with a traceback
            return JSONResponse({"status": "error", "detail": _one_line(exc)[:200]}, status_code=503)
        return JSONResponse({"status": "ok" if ok else "error", "model_version": model_version},
                            status_code=200 if ok else 503)

    @app.get("/metrics", summary="Items per decision, reviewed, pending and the share sent to people")
    def metrics() -> dict[str, Any]:
        counts = store.counts()
        total = counts["total"]
        routed = counts["review"] + counts["abstain"] + counts["blocked"]
        return {**counts, "review_rate": routed / total if total else None,
                "reviewed_share": counts["reviewed"] / routed if routed else None}

    from pitfall.serve.monitor_page import add_monitor_pages  # workload, audited accuracy, drift
    from pitfall.serve.pages import add_review_pages  # the browser front end for the same queue and reviews

    add_review_pages(app, store, classes, secure_cookie=secure_cookie)
    add_monitor_pages(app, store, model=model, policy=policy, reference=reference)  # GET /monitor
    from pitfall.serve.review_routes import register as add_review_queue  # GET /review and its actions
    add_review_queue(app, store, model, classes, image_root=image_root)
    return app


def _item_json(item: Any, **extra: Any) -> dict[str, Any]:
    return {
        "item_id": item.id, "model_version": item.model_version, "batch_id": item.batch_id, "record": item.record,
        "label": item.suggestion, "confidence": item.confidence if math.isfinite(item.confidence) else None,
        "decision": item.decision, "reason": item.reason, "created_at": item.created_at.isoformat(), **extra,
    }

