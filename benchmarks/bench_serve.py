"""Benchmark `pitfall serve` on loopback: batch throughput, single-prediction latency, and where the time goes.

    python benchmarks/bench_serve.py [--batches 20] [--batch-size 1000] [--requests 3000] [--clients 32]
                                     [--train-rows 5000] [--out bench-out] [--quick]

Fits pitfall's default model on a synthetic tabular set (20 numeric and 2 categorical features, 3 classes),
writes it and a policy file to a temporary directory, and starts a real ``pitfall serve`` process on a free
loopback port with a SQLite store (WAL mode) in the same directory. Then, in the same run:

- batch throughput: ``batches`` POST /predict requests of ``batch_size`` records each, one at a time, timed
  at the client (median, as predictions per second);
- single-prediction latency: ``requests`` one-record POST /predict requests from ``clients`` concurrent
  clients (p50 and p99);
- where a batch's time goes: the steps the server takes, timed alone in this process on the same body right
  after each batch request, so both see the same load (JSON parsing and validation, building the DataFrame,
  ``model.predict_proba``, routing, ``Store.add_items`` on a store of its own, encoding the response); what the
  end-to-end time has beyond their sum is HTTP and the framework. The store's time is reported over the
  model's: the service aims to add less than 20% to it.

Finally every prediction answered must be in the server's store (its ``/metrics`` total and the database
itself), or the run fails. ``--quick`` is a smoke run of a few seconds. Results go to ``OUT/serve.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import joblib
import numpy as np
import pandas as pd

from pitfall.data.model import default_model, load_model
from pitfall.deploy.policy import read_policy
from pitfall.serve.app import Prediction, PredictRequest, PredictResponse, ensure_model, routing_policy
from pitfall.serve.routing import decide
from pitfall.serve.store import Store

OUT = Path("bench-out")
CLASSES = np.array(["heron", "egret", "stork"], dtype=object)
POLICY = """
[thresholds]
accept = 0.9
review = 0.6

[[safety]]
label = "stork"
action = "review"
when = { c0 = "marsh" }
"""
STEPS = ("parse", "frame", "model", "route", "store", "respond")


def make_data(rows: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """20 numeric features (a few integer-valued) and 2 categorical ones; the label depends on 4 of them."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(rows, 20)), columns=[f"f{j:02d}" for j in range(20)])
    X[["f16", "f17", "f18", "f19"]] = np.round(X[["f16", "f17", "f18", "f19"]] * 3)
    X["c0"] = rng.choice(np.array(["marsh", "river", "coast", "lake"], dtype=object), size=rows)
    X["c1"] = rng.choice(np.array(["spring", "summer", "autumn"], dtype=object), size=rows)
    score = X["f00"] + 0.8 * X["f01"] - 0.6 * X["f02"] + 0.7 * (X["c0"] == "marsh") + rng.logistic(size=rows) * 0.7
    y = CLASSES[np.digitize(score.to_numpy(), [-0.6, 0.6])]
    return X, y


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(model: Path, policy: Path, url: str, port: int) -> subprocess.Popen:
    code = "from pitfall.cli.main import run; run()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "serve", str(model), "--trust-model", "--policy", str(policy),
         "--store", url, "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"pitfall serve exited with {proc.returncode}:\n{proc.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            proc.kill()
            raise SystemExit("pitfall serve did not answer /health within 60 s")
        time.sleep(0.1)


def post(client: httpx.Client, body: bytes, n: int) -> float:
    """Seconds for one POST /predict, checking that all ``n`` records were answered."""
    t = time.perf_counter()
    r = client.post("/predict", content=body, headers={"content-type": "application/json"})
    dt = time.perf_counter() - t
    if r.status_code != 200 or len(r.json()["items"]) != n:
        raise SystemExit(f"POST /predict answered {r.status_code}: {r.text[:300]}")
    return dt


async def concurrent_singles(base: str, bodies: list[bytes], clients: int) -> tuple[list[float], float]:
    """Latency of each one-record request, ``clients`` in flight at a time, and the wall time of them all."""
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    latencies: list[float] = []
    failures: list[str] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120) as client:

        async def worker() -> None:
            while not queue.empty():
                body = queue.get_nowait()
                t = time.perf_counter()
                r = await client.post("/predict", content=body, headers={"content-type": "application/json"})
                latencies.append(time.perf_counter() - t)
                if r.status_code != 200:
                    failures.append(f"{r.status_code}: {r.text[:200]}")

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        wall = time.perf_counter() - t0
    if failures:
        raise SystemExit(f"{len(failures)} single requests failed, first: {failures[0]}")
    return latencies, wall


def steps_alone(raw: bytes, model: Any, rules: Any, store: Store, version: str) -> dict[str, float]:
    """Seconds of each step ``POST /predict`` takes for one body, in this process, in the server's order."""
    out: dict[str, float] = {}
    t = time.perf_counter()
    body = PredictRequest.model_validate(json.loads(raw))
    out["parse"] = time.perf_counter() - t
    features = [str(c) for c in model.feature_names_in_]
    t = time.perf_counter()
    frame = pd.DataFrame.from_records([{c: r[c] for c in features} for r in body.records], columns=features)
    out["frame"] = time.perf_counter() - t
    t = time.perf_counter()
    proba = np.asarray(model.predict_proba(frame), dtype=float)
    out["model"] = time.perf_counter() - t
    t = time.perf_counter()
    classes = [str(c) for c in model.classes_]
    best = proba.argmax(axis=1)
    batch, answers = [], []
    for record, k, p in zip(body.records, best, proba, strict=True):
        item_id, label, confidence = str(uuid.uuid4()), classes[k], min(1.0, max(0.0, float(p[k])))
        routed = decide(label, confidence, record, rules, item_id=item_id)
        batch.append({"id": item_id, "record": record, "label": label, "confidence": confidence,
                      "decision": routed.decision, "reason": routed.reason})
        answers.append(Prediction(item_id=item_id, label=routed.label, confidence=confidence,
                                  decision=routed.decision, reason=routed.reason))
    out["route"] = time.perf_counter() - t
    t = time.perf_counter()
    store.add_items(version, batch)
    out["store"] = time.perf_counter() - t
    t = time.perf_counter()
    PredictResponse(model_version=version, batch_id=None, items=answers).model_dump_json()
    out["respond"] = time.perf_counter() - t
    return out


def quantile(values: list[float], q: float) -> float:
    return float(np.quantile(np.asarray(values), q))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batches", type=int, default=20, help="timed batch requests")
    ap.add_argument("--batch-size", type=int, default=1000, help="records per batch request")
    ap.add_argument("--requests", type=int, default=3000, help="one-record requests for the latency test")
    ap.add_argument("--clients", type=int, default=32, help="concurrent clients for the latency test")
    ap.add_argument("--train-rows", type=int, default=5000, help="rows the default model is fitted on")
    ap.add_argument("--out", type=Path, default=OUT, help="directory for serve.json")
    ap.add_argument("--quick", action="store_true", help="smoke run: 3 batches of 200, 200 requests")
    args = ap.parse_args()
    if args.quick:
        args.batches, args.batch_size, args.requests, args.train_rows = 3, 200, 200, 1500
    for name in ("batches", "batch_size", "requests", "clients", "train_rows"):
        if getattr(args, name) < 1:
            ap.error(f"--{name.replace('_', '-')} must be at least 1. Got {getattr(args, name)} instead.")
    args.out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="pitfall-bench-serve-") as tmp_name:
        tmp = Path(tmp_name)
        t0 = time.perf_counter()
        X, y = make_data(args.train_rows, seed=0)
        joblib.dump(default_model("multiclass", 0).fit(X, y), tmp / "model.joblib")
        (tmp / "policy.toml").write_text(POLICY)
        fit_seconds = time.perf_counter() - t0
        model = load_model(tmp / "model.joblib", trust=True)
        n_single = args.requests
        pool, _ = make_data((args.batches + 1) * args.batch_size + n_single + args.clients, seed=1)
        records = json.loads(pool.to_json(orient="records"))
        size = args.batch_size
        batches = [records[i * size:(i + 1) * size] for i in range(args.batches + 1)]  # the first warms up
        singles = records[(args.batches + 1) * size:]
        batch_bodies = [json.dumps({"records": b}).encode() for b in batches]
        single_bodies = [json.dumps({"records": [r]}).encode() for r in singles]
        print(f"default model fitted on {args.train_rows:,} rows x 22 features (3 classes) in {fit_seconds:.1f}s; "
              f"batch body {len(batch_bodies[1]) / 2**10:.0f} KiB")

        db = tmp / "serve.db"
        port = free_port()
        server = start_server(tmp / "model.joblib", tmp / "policy.toml", f"sqlite:///{db}", port)
        base = f"http://127.0.0.1:{port}"
        rules = routing_policy(read_policy(tmp / "policy.toml"))
        # The server's steps alone, in this process on a store of their own, each right after the request.
        alone = Store(f"sqlite:///{tmp / 'alone.db'}")
        try:
            version = f"model-{hashlib.sha256((tmp / 'model.joblib').read_bytes()).hexdigest()[:12]}"  # serve's name
            ensure_model(alone, version, model)
            with httpx.Client(base_url=base, timeout=120) as client:
                post(client, batch_bodies[0], len(batches[0]))
                steps_alone(batch_bodies[0], model, rules, alone, version)  # warm-up
                batch_seconds, per_batch = [], []
                for body, batch in zip(batch_bodies[1:], batches[1:], strict=True):
                    batch_seconds.append(post(client, body, len(batch)))
                    per_batch.append(steps_alone(body, model, rules, alone, version))
                one = []
                for body in single_bodies[:args.clients]:  # one-record warm-up, sequential
                    post(client, body, 1)
                    one.append(steps_alone(body, model, rules, alone, version))
            latencies, wall = asyncio.run(concurrent_singles(base, single_bodies[args.clients:], args.clients))
            metrics = httpx.get(f"{base}/metrics", timeout=30).json()
        finally:
            alone.close()
            server.terminate()
            server.wait(30)
        sent = sum(len(b) for b in batches) + len(singles)
        with sqlite3.connect(db) as conn:
            stored = conn.execute("SELECT count(*) FROM pitfall_items").fetchone()[0]
            journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
        if metrics["total"] != sent or stored != sent:
            raise SystemExit(f"{sent} predictions answered but /metrics counts {metrics['total']} and the "
                             f"database holds {stored}")

    step_median = {s: statistics.median(b[s] for b in per_batch) for s in STEPS}
    end_to_end = statistics.median(batch_seconds)
    http_rest = end_to_end - sum(step_median.values())
    single_median = {s: statistics.median(o[s] for o in one) for s in STEPS}
    store_over_model = step_median["store"] / step_median["model"]

    print(f"\nbatches of {size:,} records ({args.batches} timed, median):")
    print(f"{'step':<34}{'ms':>9}{'% of e2e':>10}{'x model':>9}")
    for name, seconds in [*step_median.items(), ("HTTP + framework (the rest)", http_rest),
                          ("end to end, at the client", end_to_end)]:
        print(f"{name:<34}{seconds * 1e3:>9.1f}{100 * seconds / end_to_end:>10.1f}"
              f"{seconds / step_median['model']:>9.2f}")
    print(f"throughput: {size / end_to_end:,.0f} predictions/s "
          f"(model alone {size / step_median['model']:,.0f}/s)")
    print(f"store over model: {100 * store_over_model:.1f}% (aim < 20%)")
    p50, p99 = quantile(latencies, 0.5), quantile(latencies, 0.99)
    print(f"\n{len(latencies):,} single-record requests, {args.clients} concurrent clients: "
          f"p50 {p50 * 1e3:.1f} ms, p99 {p99 * 1e3:.1f} ms, {len(latencies) / wall:,.0f} requests/s; "
          f"one record alone: model {single_median['model'] * 1e3:.2f} ms, "
          f"store {single_median['store'] * 1e3:.2f} ms")
    print(f"stored {stored:,} of {sent:,} predictions (journal_mode={journal})")

    summary = {
        "train_rows": args.train_rows, "features": 22, "classes": len(CLASSES), "quick": args.quick,
        "batch": {
            "size": size, "timed": args.batches, "seconds": batch_seconds, "median_seconds": end_to_end,
            "predictions_per_second": size / end_to_end,
            "steps_median_seconds": {**step_median, "http_and_framework": http_rest},
            "store_over_model": store_over_model,
            "share_of_end_to_end": {**{s: v / end_to_end for s, v in step_median.items()},
                                    "http_and_framework": http_rest / end_to_end},
            "model_predictions_per_second": size / step_median["model"],
        },
        "single": {
            "requests": len(latencies), "clients": args.clients, "p50_seconds": p50, "p99_seconds": p99,
            "requests_per_second": len(latencies) / wall, "steps_median_seconds": single_median,
            "p50_over_model_alone": p50 / single_median["model"],
        },
        "stored": {"sent": sent, "metrics_total": metrics["total"], "in_database": stored, "journal_mode": journal},
    }
    path = args.out / "serve.json"
    path.write_text(json.dumps(summary, indent=2))
    print(f"\nwritten {path}")


if __name__ == "__main__":
    main()
