"""One writer per process: concurrent ``POST /predict`` requests are predicted, routed and stored together.

Each request is checked on its own (``prepare``: batch id, records, the model's columns) and becomes a ``Job``.
A single thread takes every job waiting, builds one frame, calls ``predict_proba`` once, routes each row, and
stores all jobs in one transaction (``Store.add_routed``: a savepoint per ``batch_id``, so a retried batch does not
fail the others), then answers each request. A request is answered only after that commit, so an acknowledged
record is durable exactly as before; what changes is that 32 one-record requests cost about one model call and
one commit instead of 32 of each. If the model refuses the group, each job is predicted alone so only the request
that holds the bad record gets the 422.
"""

from __future__ import annotations

import hashlib
import os
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from fastapi import HTTPException

from pitfall.deploy.routing import decide
from pitfall.deploy.store import EncodedRecord
from pitfall.serve.deps import ServeState
from pitfall.serve.intake import check_batch_id, encode_records, one_line

__all__ = ["MAX_GROUP_ROWS", "Batcher", "Job", "frame_of", "new_ids", "prepare"]

MAX_GROUP_ROWS = 20_000  # rows predicted and stored together at most (a bound on the writer's memory)


@dataclass
class Job:
    """One request's records, checked and encoded, waiting for the writer."""

    records: list[dict[str, Any]]
    encoded: list[str]
    batch_id: str | None
    digest: str
    names: list[str] | None = None  # the field order, for a model without feature_names_in_
    future: Future = field(default_factory=Future)


def frame_of(records: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """The model's input frame: one column per name, built column by column (faster than from_records)."""
    return pd.DataFrame({c: [r[c] for r in records] for c in columns}, columns=columns)


def new_ids(n: int) -> list[str]:
    """``n`` random version-4 UUIDs as strings, from one read of the OS's random source."""
    raw = os.urandom(16 * n).hex()
    out = []
    for i in range(0, 32 * n, 32):
        h = raw[i : i + 32]
        out.append(f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}")
    return out


def digest_of(encoded: list[str]) -> str:
    """sha256 of a batch's encoded records: tells a retry from other records sent under the same batch id."""
    digest = hashlib.sha256()
    for text in encoded:
        digest.update(text.encode("utf-8"))
        digest.update(b"\n")  # no encoded record holds a raw line break
    return digest.hexdigest()


def prepare(state: ServeState, records: list[dict[str, Any]], batch_id: Any) -> Job:
    """A ``Job`` for ``records``, or a 4xx: every check that needs no database and no model."""
    batch_id = check_batch_id(batch_id)
    encoded = encode_records(records, state.limits)
    features, names = state.features, None
    if features is not None:
        missing = sorted({c for r in records for c in features if c not in r}, key=features.index)
        if missing:
            first = next(i for i, r in enumerate(records) if any(c not in r for c in missing))
            raise HTTPException(
                422, f"records lack column(s) the model needs: {', '.join(missing)} (first in record {first})."
            )
    else:
        # Without fitted column names the model sees the fields in the first record's order; records with other
        # fields would be misaligned silently, so they are refused.
        names = list(records[0])
        odd = next((i for i, r in enumerate(records) if set(r) != set(names)), None)
        if odd is not None:
            raise HTTPException(
                422,
                f"record {odd} has other fields than record 0 ({', '.join(names)}); the "
                "model has no feature_names_in_, so every record needs the same fields.",
            )
    return Job(records, encoded, batch_id, digest_of(encoded), names)


def _predict(state: ServeState, records: list[dict[str, Any]], names: list[str] | None) -> np.ndarray:
    columns = state.features if state.features is not None else names
    frame = frame_of(records, columns)  # type: ignore[arg-type]
    try:
        proba = np.asarray(
            state.model.predict_proba(frame if state.features is not None else frame.to_numpy()), dtype=float
        )
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        raise HTTPException(422, f"the model cannot predict these records: {one_line(exc)[:300]}") from None
    if proba.shape != (len(records), len(state.classes)) or not np.isfinite(proba).all():
        raise HTTPException(500, "the model returned probabilities of the wrong shape or non-finite values.")
    return proba


def _route(state: ServeState, job: Job, proba: np.ndarray) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows to store and the answer's items for one job."""
    classes, rules = state.classes, state.rules
    best = proba.argmax(axis=1)
    confidence = np.clip(proba[np.arange(len(best)), best], 0.0, 1.0).tolist()
    rows, answers = [], []
    for record, text, k, conf, item_id in zip(
        job.records, job.encoded, best.tolist(), confidence, new_ids(len(best)), strict=True
    ):
        label = classes[k]
        routed = decide(label, conf, record, rules, item_id=item_id)
        rows.append(
            {
                "id": item_id,
                "record": EncodedRecord(text),
                "label": label,
                "confidence": conf,
                "decision": routed.decision,
                "reason": routed.reason,
            }
        )
        answers.append(
            {
                "item_id": item_id,
                "label": routed.label,
                "confidence": conf,
                "decision": routed.decision,
                "reason": routed.reason,
            }
        )
    return rows, answers


class Batcher:
    """The writer thread of one app (started on the first job)."""

    def __init__(self, state: ServeState, max_rows: int = MAX_GROUP_ROWS) -> None:
        self.state = state
        self.max_rows = max_rows
        self._queue: queue.SimpleQueue[Job] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, job: Job) -> Future:
        """Queue ``job``; its future gets the answer's items (or None: the batch id was stored meanwhile)."""
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="pitfall-writer", daemon=True)
                    self._thread.start()
        self._queue.put(job)
        return job.future

    def _run(self) -> None:
        while True:
            group = [self._queue.get()]
            rows = len(group[0].records)
            while rows < self.max_rows:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                group.append(job)
                rows += len(job.records)
            try:
                self._process(group)
            except BaseException as exc:  # never let the writer die: fail this group's requests instead
                for job in group:
                    if not job.future.done():
                        job.future.set_exception(exc)

    def _process(self, group: list[Job]) -> None:
        state = self.state
        probas: dict[int, np.ndarray] = {}
        if state.features is not None and len(group) > 1:
            try:
                together = _predict(state, [r for job in group for r in job.records], None)
            except HTTPException:
                together = None  # one job holds what the model refuses: predict each alone below
            if together is not None:
                start = 0
                for i, job in enumerate(group):
                    probas[i] = together[start : start + len(job.records)]
                    start += len(job.records)
        ready: list[tuple[Job, list[dict[str, Any]], list[dict[str, Any]]]] = []
        for i, job in enumerate(group):
            try:
                proba = probas[i] if i in probas else _predict(state, job.records, job.names)
                rows, answers = _route(state, job, proba)
            except Exception as exc:
                job.future.set_exception(exc)
                continue
            ready.append((job, rows, answers))
        if not ready:
            return
        try:
            stored = state.store.add_routed(
                state.model_version, [(job.batch_id, job.digest, rows) for job, rows, _ in ready]
            )
        except Exception as exc:
            for job, _, _ in ready:
                job.future.set_exception(exc)
            return
        for (job, _, answers), ok in zip(ready, stored, strict=True):
            job.future.set_result(answers if ok else None)
