"""The group-committing writer keeps the promise of ``kill -9``: every batch a client got an answer for is stored
whole, with ``pitfall serve --workers 2`` killed (the whole process group) under 8 concurrent clients, and a
retry of an acknowledged batch after the restart gets its stored answer back."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import joblib
import pytest
import sqlalchemy as sa

from pitfall.deploy.store import Store, items
from tests.serve._review import fit_model
from tests.serve.conftest import PG_URL

POLICY = "[thresholds]\naccept = 0.9\nreview = 0.6\n"
CLIENTS, SIZE = 8, 20


def _start(model: Path, policy: Path, url: str, workers: int) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from pitfall.cli.main import run; run()",
            "serve",
            str(model),
            "--trust-model",
            "--policy",
            str(policy),
            "--store",
            url,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--rate-limit",
            "0,0",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "pitfall serve did not start"
        time.sleep(0.1)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_kill_9_under_load_loses_no_acknowledged_batch(backend, tmp_path, request):
    if backend == "sqlite":
        url, schema = f"sqlite:///{tmp_path / 'crash.db'}", None
    else:
        schema = request.getfixturevalue("pg_schema")
        engine = sa.create_engine(PG_URL)
        with engine.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        engine.dispose()
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    joblib.dump(fit_model(), tmp_path / "model.joblib")
    (tmp_path / "policy.toml").write_text(POLICY)
    proc, base = _start(tmp_path / "model.joblib", tmp_path / "policy.toml", url, workers=2)
    acked: dict[str, list[str]] = {}
    stop = threading.Event()

    def client(worker: int) -> None:
        with httpx.Client(base_url=base, timeout=10) as c:
            for n in range(10_000):
                if stop.is_set():
                    return
                batch_id = f"w{worker}-{n}"
                records = [{"x1": (i - SIZE / 2) / 4, "x2": float(worker), "n": n} for i in range(SIZE)]
                try:
                    r = c.post("/predict", json={"records": records, "batch_id": batch_id})
                except httpx.TransportError:
                    return  # the server died mid-request: this batch was never acknowledged
                if r.status_code == 200:
                    acked[batch_id] = [i["item_id"] for i in r.json()["items"]]

    threads = [threading.Thread(target=client, args=(w,)) for w in range(CLIENTS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while len(acked) < 24 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the server and its workers, mid-load
    proc.wait(10)
    stop.set()
    for t in threads:
        t.join(15)
    assert len(acked) >= 24
    with Store(url if schema is None else PG_URL, schema=schema) as store:
        for batch_id, ids in acked.items():
            assert store.batch_size(batch_id) == SIZE, batch_id
            assert store.get_item(ids[0]) is not None and store.get_item(ids[-1]) is not None
        with store.engine.connect() as conn:
            per_batch = dict(
                conn.execute(sa.select(items.c.batch_id, sa.func.count()).group_by(items.c.batch_id)).all()
            )
        assert all(n == SIZE for n in per_batch.values()), per_batch  # no partial batch
    proc, base = _start(tmp_path / "model.joblib", tmp_path / "policy.toml", url, workers=1)
    try:
        batch_id, ids = next(iter(acked.items()))
        worker, n = batch_id[1:].split("-")
        records = [{"x1": (i - SIZE / 2) / 4, "x2": float(worker), "n": int(n)} for i in range(SIZE)]
        again = httpx.post(f"{base}/predict", json={"records": records, "batch_id": batch_id}, timeout=30)
        assert again.status_code == 200 and [i["item_id"] for i in again.json()["items"]] == ids
        assert again.json()["replayed"] is True
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(15)
