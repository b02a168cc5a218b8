"""``POST /predict`` and ``POST /predict/csv``: predict, route and store a batch, answering only once it is stored.

The request is checked here (``serve/intake``, ``batcher.prepare``) and handed to the app's ``Batcher``, which
predicts and stores it together with whatever other requests are waiting; the answer is sent after that commit.
A ``batch_id`` already stored is answered from the store (``replayed: true``) when the records are the same, and is
a 409 when they are not.
"""

from __future__ import annotations

import asyncio
import io
import json
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic_core import to_json

from pitfall.serve.batcher import Job, prepare
from pitfall.serve.deps import ServeState, get_state, one_line
from pitfall.serve.intake import parse_body
from pitfall.serve.schemas import PredictRequest, PredictResponse

__all__ = ["predict_batch", "router"]

router = APIRouter()
_INLINE_BYTES = 16 * 1024  # smaller bodies are parsed on the event loop; larger ones in a worker thread


def _answer(version: str, batch_id: str | None, items: list[dict[str, Any]], replayed: bool = False) -> Response:
    body = {"model_version": version, "batch_id": batch_id, "items": items, "replayed": replayed}
    return Response(to_json(body), media_type="application/json")


def _replay(state: ServeState, job: Job) -> Response | None:
    """The stored answer to ``job``'s batch id when it is stored with these records; a 409 when with others."""
    stored = state.store.stored_batch(job.batch_id)  # type: ignore[arg-type]
    if stored is None:
        return None
    if stored.digest is not None and stored.digest != job.digest:
        raise HTTPException(
            409, f"batch {job.batch_id!r} is already stored with other records; send new records under a new batch_id."
        )
    items = [
        {"item_id": i.id, "label": i.suggestion, "confidence": i.confidence, "decision": i.decision, "reason": i.reason}
        for i in stored.items
    ]
    version = stored.items[0].model_version if stored.items else state.model_version
    return _answer(version, job.batch_id, items, replayed=True)


def predict_batch(state: ServeState, records: list[dict[str, Any]], batch_id: str | None) -> Response:
    """Predict, route and store ``records`` (blocking: for a worker thread); the answer once they are stored."""
    job = prepare(state, records, batch_id)
    if job.batch_id is not None:
        replay = _replay(state, job)
        if replay is not None:
            return replay
    items = state.batcher.submit(job).result()
    return _finish(state, job, items)


def _finish(state: ServeState, job: Job, items: list[dict[str, Any]] | None) -> Response:
    if items is None:  # the batch id was stored by a racing retry between our check and our commit
        replay = _replay(state, job)
        if replay is None:
            raise HTTPException(409, f"batch {job.batch_id!r} is being stored by another request; retry.")
        return replay
    return _answer(state.model_version, job.batch_id, items)


def _parse_and_prepare(state: ServeState, raw: bytes) -> tuple[Job, Response | None]:
    job = prepare(state, *parse_body(raw))
    return job, (_replay(state, job) if job.batch_id is not None else None)


@router.post(
    "/predict",
    response_model=PredictResponse,
    summary="Predict, route and store a batch of records",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": PredictRequest.model_json_schema()}},
        }
    },
)
async def predict(request: Request, state: Annotated[ServeState, Depends(get_state)]) -> Response:
    size, chunks = 0, []
    async for chunk in request.stream():
        size += len(chunk)
        if size > state.limits.max_bytes:
            raise HTTPException(413, f"request body is over {state.limits.max_bytes} bytes, the limit.")
        chunks.append(chunk)
    raw = b"".join(chunks)
    if size <= _INLINE_BYTES and b"batch_id" not in raw:  # small and nothing to look up: no thread hop
        job, replay = prepare(state, *parse_body(raw)), None
    else:
        job, replay = await run_in_threadpool(_parse_and_prepare, state, raw)
    if replay is not None:
        return replay
    items = await asyncio.wrap_future(state.batcher.submit(job))
    if items is None:
        return await run_in_threadpool(_finish, state, job, items)
    return _answer(state.model_version, job.batch_id, items)


@router.post("/predict/csv", response_model=PredictResponse, summary="Predict, route and store the rows of a CSV")
def predict_csv(
    state: Annotated[ServeState, Depends(get_state)],
    file: Annotated[UploadFile, File()],
    batch_id: Annotated[str | None, Form()] = None,
) -> Response:
    data = file.file.read(state.limits.max_bytes + 1)
    if len(data) > state.limits.max_bytes:
        raise HTTPException(413, f"CSV is over {state.limits.max_bytes} bytes, the limit.")
    try:
        frame = pd.read_csv(io.BytesIO(data))
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise HTTPException(422, f"file is not a readable CSV: {one_line(exc)[:300]}") from None
    records = json.loads(frame.to_json(orient="records"))
    return predict_batch(state, records, batch_id or None)
