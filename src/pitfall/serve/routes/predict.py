"""``POST /predict`` and ``POST /predict/csv``: predict, route and store a batch, answering only once it is stored."""

from __future__ import annotations

import io
import json
import uuid
from typing import Annotated, Any

import numpy as np
import pandas as pd
from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from pitfall.serve.deps import ServeState, get_state, one_line
from pitfall.serve.routing import decide
from pitfall.serve.schemas import Prediction, PredictRequest, PredictResponse

__all__ = ["predict_batch", "router", "validation_detail"]

router = APIRouter()
_predict_adapter = TypeAdapter(PredictRequest)


def validation_detail(exc: Any) -> str:
    """The first three errors of a pydantic (or FastAPI) validation error, on one line."""
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(x) for x in err.get("loc", ()) if x != "body")
        parts.append(f"{loc}: {err.get('msg')}" if loc else str(err.get("msg")))
    more = len(exc.errors()) - len(parts)
    return one_line("; ".join(parts) + (f" (and {more} more)" if more > 0 else ""))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON; send null for a missing value")


def predict_batch(state: ServeState, records: list[dict[str, Any]], batch_id: str | None) -> PredictResponse:
    """Predict, route and store ``records`` in one transaction; the answer lists each item's routing."""
    if not records:
        raise HTTPException(422, "records is empty; send at least one record.")
    if len(records) > state.max_records:
        raise HTTPException(413, f"{len(records)} records in one request; the limit is {state.max_records}.")
    features, model, classes = state.features, state.model, state.classes
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
        raise HTTPException(422, f"the model cannot predict these records: {one_line(exc)[:300]}") from None
    if proba.shape != (len(records), len(classes)) or not np.isfinite(proba).all():
        raise HTTPException(500, "the model returned probabilities of the wrong shape or non-finite values.")
    best = proba.argmax(axis=1)
    batch, out = [], []
    for record, k, p in zip(records, best, proba, strict=True):
        item_id = str(uuid.uuid4())
        label, confidence = classes[k], min(1.0, max(0.0, float(p[k])))
        routed = decide(label, confidence, record, state.rules, item_id=item_id)
        batch.append({"id": item_id, "record": record, "label": label, "confidence": confidence,
                      "decision": routed.decision, "reason": routed.reason})
        out.append(Prediction(item_id=item_id, label=routed.label, confidence=confidence,
                              decision=routed.decision, reason=routed.reason))
    try:
        state.store.add_items(state.model_version, batch, batch_id=batch_id)
    except ValueError as exc:
        status = 409 if "already stored" in str(exc) else 422
        raise HTTPException(status, one_line(exc)) from None
    return PredictResponse(model_version=state.model_version, batch_id=batch_id, items=out)


def _parse_and_predict(state: ServeState, raw: bytes) -> PredictResponse:
    try:
        data = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError) as exc:
        raise HTTPException(422, f"body is not valid JSON: {one_line(exc)}") from None
    if isinstance(data, dict) and isinstance(data.get("records"), list) and len(data["records"]) > state.max_records:
        raise HTTPException(413, f"{len(data['records'])} records in one request; the limit is {state.max_records}.")
    try:
        body = _predict_adapter.validate_python(data)
    except PydanticValidationError as exc:
        raise HTTPException(422, validation_detail(exc)) from None
    return predict_batch(state, body.records, body.batch_id)


@router.post("/predict", response_model=PredictResponse, summary="Predict, route and store a batch of records",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": PredictRequest.model_json_schema()}}}})
async def predict(request: Request, state: Annotated[ServeState, Depends(get_state)]) -> PredictResponse:
    size, chunks = 0, []
    async for chunk in request.stream():
        size += len(chunk)
        if size > state.max_bytes:
            raise HTTPException(413, f"request body is over {state.max_bytes} bytes, the limit.")
        chunks.append(chunk)
    return await run_in_threadpool(_parse_and_predict, state, b"".join(chunks))


@router.post("/predict/csv", response_model=PredictResponse, summary="Predict, route and store the rows of a CSV")
def predict_csv(state: Annotated[ServeState, Depends(get_state)], file: Annotated[UploadFile, File()],
                batch_id: Annotated[str | None, Form()] = None) -> PredictResponse:
    data = file.file.read(state.max_bytes + 1)
    if len(data) > state.max_bytes:
        raise HTTPException(413, f"CSV is over {state.max_bytes} bytes, the limit.")
    try:
        frame = pd.read_csv(io.BytesIO(data))
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise HTTPException(422, f"file is not a readable CSV: {one_line(exc)[:300]}") from None
    records = json.loads(frame.to_json(orient="records"))
    return predict_batch(state, records, batch_id or None)
