"""``POST /predict`` and ``POST /predict/csv``: predict, route and store a batch, answering only once it is stored."""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from typing import Annotated, Any

import numpy as np
import pandas as pd
from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool

from pitfall.serve.deps import ServeState, get_state, one_line
from pitfall.serve.intake import check_batch_id, encode_records, parse_body
from pitfall.serve.routing import decide
from pitfall.serve.schemas import Prediction, PredictRequest, PredictResponse
from pitfall.serve.store import EncodedRecord

__all__ = ["predict_batch", "router"]

router = APIRouter()


def predict_batch(state: ServeState, records: list[dict[str, Any]], batch_id: str | None) -> PredictResponse:
    """Predict, route and store ``records`` in one transaction; the answer lists each item's routing."""
    batch_id = check_batch_id(batch_id)
    encoded = encode_records(records, state.limits)
    digest = _digest(encoded)
    if batch_id is not None:
        replay = _replay(state, batch_id, digest)
        if replay is not None:
            return replay
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
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        raise HTTPException(422, f"the model cannot predict these records: {one_line(exc)[:300]}") from None
    if proba.shape != (len(records), len(classes)) or not np.isfinite(proba).all():
        raise HTTPException(500, "the model returned probabilities of the wrong shape or non-finite values.")
    best = proba.argmax(axis=1)
    batch, out = [], []
    for record, text, k, p in zip(records, encoded, best, proba, strict=True):
        item_id = str(uuid.uuid4())
        label, confidence = classes[k], min(1.0, max(0.0, float(p[k])))
        routed = decide(label, confidence, record, state.rules, item_id=item_id)
        batch.append({"id": item_id, "record": EncodedRecord(text), "label": label, "confidence": confidence,
                      "decision": routed.decision, "reason": routed.reason})
        out.append(Prediction(item_id=item_id, label=routed.label, confidence=confidence,
                              decision=routed.decision, reason=routed.reason))
    try:
        state.store.add_items(state.model_version, batch, batch_id=batch_id, digest=digest)
    except ValueError as exc:
        if batch_id is not None and "already stored" in str(exc):  # a retry racing the first try: it won
            replay = _replay(state, batch_id, digest)
            if replay is not None:
                return replay
        raise HTTPException(422, one_line(exc)) from None
    return PredictResponse(model_version=state.model_version, batch_id=batch_id, items=out)


def _digest(encoded: list[str]) -> str:
    digest = hashlib.sha256()
    for text in encoded:
        digest.update(text.encode("utf-8"))
        digest.update(b"\n")  # no encoded record holds a raw line break
    return digest.hexdigest()


def _replay(state: ServeState, batch_id: str, digest: str) -> PredictResponse | None:
    """The stored answer to batch ``batch_id`` when it is stored with these records; a 409 when with others."""
    stored = state.store.stored_batch(batch_id)
    if stored is None:
        return None
    if stored.digest is not None and stored.digest != digest:
        raise HTTPException(409, f"batch {batch_id!r} is already stored with other records; send new records under "
                                 "a new batch_id.")
    items = [Prediction(item_id=i.id, label=i.suggestion, confidence=i.confidence, decision=i.decision,
                        reason=i.reason) for i in stored.items]
    version = stored.items[0].model_version if stored.items else state.model_version
    return PredictResponse(model_version=version, batch_id=batch_id, items=items, replayed=True)


def _parse_and_predict(state: ServeState, raw: bytes) -> PredictResponse:
    records, batch_id = parse_body(raw)
    return predict_batch(state, records, batch_id)


@router.post("/predict", response_model=PredictResponse, summary="Predict, route and store a batch of records",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": PredictRequest.model_json_schema()}}}})
async def predict(request: Request, state: Annotated[ServeState, Depends(get_state)]) -> PredictResponse:
    size, chunks = 0, []
    async for chunk in request.stream():
        size += len(chunk)
        if size > state.limits.max_bytes:
            raise HTTPException(413, f"request body is over {state.limits.max_bytes} bytes, the limit.")
        chunks.append(chunk)
    return await run_in_threadpool(_parse_and_predict, state, b"".join(chunks))


@router.post("/predict/csv", response_model=PredictResponse, summary="Predict, route and store the rows of a CSV")
def predict_csv(state: Annotated[ServeState, Depends(get_state)], file: Annotated[UploadFile, File()],
                batch_id: Annotated[str | None, Form()] = None) -> PredictResponse:
    data = file.file.read(state.limits.max_bytes + 1)
    if len(data) > state.limits.max_bytes:
        raise HTTPException(413, f"CSV is over {state.limits.max_bytes} bytes, the limit.")
    try:
        frame = pd.read_csv(io.BytesIO(data))
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise HTTPException(422, f"file is not a readable CSV: {one_line(exc)[:300]}") from None
    records = json.loads(frame.to_json(orient="records"))
    return predict_batch(state, records, batch_id or None)
