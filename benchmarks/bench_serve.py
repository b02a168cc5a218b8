"""Benchmark `pitfall serve` on loopback: batch cost against the model alone, single-record latency under load,
and SQLite against PostgreSQL, in one run.

    python benchmarks/bench_serve.py [--batches 20] [--batch-size 1000] [--requests 3000] [--clients 32]
                                     [--train-rows 5000] [--workers 1] [--postgres URL | --no-postgres]
                                     [--out bench-out] [--quick]

Fits pitfall's default model on a synthetic tabular set (20 numeric and 2 categorical features, 3 classes),
writes it and a policy file to a temporary directory, and for each backend (a SQLite file in WAL mode; the
PostgreSQL at ``--postgres``, default the local ``test`` database, in a schema of its own, when it answers) starts
a real ``pitfall serve`` process (``--workers`` uvicorn workers, rate limit off: every client here is one
address) on a free loopback port. Then:

- batches: ``batches`` POST /predict requests of ``batch_size`` records, one at a time, timed at the client;
  right after each, the server's steps are timed alone in this process on the same body (parsing, checking and
  encoding, building the frame, ``predict_proba``, routing, ``Store.add_routed`` on a store of its own on the
  same backend, encoding the answer). The aim: end to end at most 3x the model alone (building the frame plus
  ``predict_proba``, medians);
- single records: ``requests`` one-record POST /predict requests from ``clients`` concurrent clients: p50, p99
  (aim: p99 at most 0.25 s on SQLite) and requests per second;
- PostgreSQL against SQLite: the batch median and the single-record p99 (aim: within 1.5x).

Every prediction answered must be in the store afterwards (``/metrics`` with a reviewer token, and the database
itself), or the run fails. ``--quick`` is a smoke run of a few seconds. Results go to ``OUT/serve.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import socket
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
import pydantic_core

from pitfall.data.model import default_model, load_model
from pitfall.deploy.policy import read_policy
from pitfall.deploy.store import Store
from pitfall.serve.app import ensure_model, routing_policy
from pitfall.serve.batcher import _route, frame_of, prepare
from pitfall.serve.deps import ServeState
from pitfall.serve.intake import Limits, parse_body

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
STEPS = ("parse", "check", "frame", "model", "route", "store", "respond")
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


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


def start_server(model: Path, policy: Path, url: str, port: int, workers: int) -> subprocess.Popen:
    code = "from pitfall.cli.main import run; run()"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            code,
            "serve",
            str(model),
            "--trust-model",
            "--policy",
            str(policy),
            "--store",
            url,
            "--port",
            str(port),
            "--rate-limit",
            "0,0",
            "--workers",
            str(workers),
        ],
        stdout=subprocess.DEVNULL,
        stderr=open(model.parent / f"server-{port}.log", "wb"),  # noqa: SIM115 (a pipe fills)
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            log = (model.parent / f"server-{port}.log").read_text(errors="replace")[-2000:]
            raise SystemExit(f"pitfall serve exited with {proc.returncode}:\n{log}")
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
    # Expire idle connections before uvicorn does (5 s), or a reused one can be closed under the request.
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients, keepalive_expiry=4)
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


def steps_alone(raw: bytes, state: ServeState) -> dict[str, float]:
    """Seconds of each step ``POST /predict`` takes for one body, in this process, in the server's order."""
    out: dict[str, float] = {}
    t = time.perf_counter()
    records, batch_id = parse_body(raw)
    out["parse"] = time.perf_counter() - t
    t = time.perf_counter()
    job = prepare(state, records, batch_id)
    out["check"] = time.perf_counter() - t
    t = time.perf_counter()
    frame = frame_of(job.records, state.features)
    out["frame"] = time.perf_counter() - t
    t = time.perf_counter()
    proba = np.asarray(state.model.predict_proba(frame), dtype=float)
    out["model"] = time.perf_counter() - t
    t = time.perf_counter()
    rows, answers = _route(state, job, proba)
    out["route"] = time.perf_counter() - t
    t = time.perf_counter()
    state.store.add_routed(state.model_version, [(None, job.digest, rows)])
    out["store"] = time.perf_counter() - t
    t = time.perf_counter()
    pydantic_core.to_json({"model_version": state.model_version, "batch_id": None, "items": answers})
    out["respond"] = time.perf_counter() - t
    return out


def quantile(values: list[float], q: float) -> float:
    return float(np.quantile(np.asarray(values), q))


def pg_reachable(url: str) -> bool:
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


def run_backend(
    name: str,
    url: str,
    schema: str | None,
    tmp: Path,
    model: Any,
    rules: Any,
    args: argparse.Namespace,
    batch_bodies: list[bytes],
    batch_sizes: list[int],
    single_bodies: list[bytes],
) -> dict[str, Any]:
    """Serve, measure and check one backend; its summary."""
    server_url = url
    if schema is not None:
        import sqlalchemy as sa

        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        engine.dispose()
        server_url = f"{url}?options=-csearch_path%3D{schema}"
    port = free_port()
    server = start_server(tmp / "model.joblib", tmp / "policy.toml", server_url, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    version = f"model-{hashlib.sha256((tmp / 'model.joblib').read_bytes()).hexdigest()[:12]}"  # serve's name
    if schema is not None:
        alone = Store(url, schema=f"{schema}_alone")
    else:
        alone = Store(f"sqlite:///{tmp / f'{name}-alone.db'}")
    ensure_model(alone, version, model)
    state = ServeState(
        store=alone,
        model=model,
        classes=[str(c) for c in model.classes_],
        features=[str(c) for c in model.feature_names_in_],
        rules=rules,
        model_version=version,
        limits=Limits(),
    )
    try:
        with httpx.Client(base_url=base, timeout=120) as client:
            post(client, batch_bodies[0], batch_sizes[0])
            steps_alone(batch_bodies[0], state)  # warm-up
            batch_seconds, per_batch = [], []
            for body, n in zip(batch_bodies[1:], batch_sizes[1:], strict=True):
                batch_seconds.append(post(client, body, n))
                per_batch.append(steps_alone(body, state))
            for body in single_bodies[: args.clients]:  # one-record warm-up, sequential
                post(client, body, 1)
        try:
            latencies, wall = asyncio.run(concurrent_singles(base, single_bodies[args.clients :], args.clients))
        except httpx.TransportError as exc:
            log = (tmp / f"server-{port}.log").read_text(errors="replace")[-3000:]
            raise SystemExit(f"{name}: a single-record request failed ({exc!r}); server log:\n{log}") from None
        one_row = []  # the model's fixed cost per call, right after the load, to read the latencies against
        for body in single_bodies[:50]:
            frame = frame_of(parse_body(body)[0], state.features)
            t = time.perf_counter()
            state.model.predict_proba(frame)
            one_row.append(time.perf_counter() - t)
    finally:
        server.terminate()
        server.wait(30)
        alone.close()
    sent = sum(batch_sizes) + len(single_bodies)
    with Store(server_url if schema is None else url, schema=schema) as store:
        stored = store.counts()["total"]
    if stored != sent:
        raise SystemExit(f"{name}: {sent} predictions answered but the database holds {stored}")
    if schema is not None:
        import sqlalchemy as sa

        engine = sa.create_engine(url)
        with engine.begin() as conn:
            for s_name in (schema, f"{schema}_alone"):
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{s_name}" CASCADE')
        engine.dispose()
    steps = {s: statistics.median(b[s] for b in per_batch) for s in STEPS}
    end_to_end = statistics.median(batch_seconds)
    baseline = steps["frame"] + steps["model"]
    return {
        "backend": name,
        "workers": args.workers,
        "batch": {
            "size": batch_sizes[1],
            "timed": len(batch_seconds),
            "seconds": batch_seconds,
            "median_seconds": end_to_end,
            "predictions_per_second": batch_sizes[1] / end_to_end,
            "steps_median_seconds": {**steps, "http_and_framework": end_to_end - sum(steps.values())},
            "model_alone_seconds": baseline,
            "over_model_alone": end_to_end / baseline,
        },
        "single": {
            "requests": len(latencies),
            "clients": args.clients,
            "p50_seconds": quantile(latencies, 0.5),
            "p99_seconds": quantile(latencies, 0.99),
            "requests_per_second": len(latencies) / wall,
            "model_one_row_seconds": statistics.median(one_row),
            "p99_over_model_one_row": quantile(latencies, 0.99) / statistics.median(one_row),
        },
        "stored": {"sent": sent, "in_database": stored},
    }


def report(result: dict[str, Any]) -> None:
    batch, single = result["batch"], result["single"]
    end_to_end, steps = batch["median_seconds"], batch["steps_median_seconds"]
    print(
        f"\n{result['backend']} ({result['workers']} worker(s)): batches of {batch['size']:,} records, "
        f"{batch['timed']} timed, median"
    )
    print(f"{'step':<30}{'ms':>9}{'% of e2e':>10}")
    for name, seconds in [*steps.items(), ("end to end, at the client", end_to_end)]:
        print(f"{name:<30}{seconds * 1e3:>9.1f}{100 * seconds / end_to_end:>10.1f}")
    print(
        f"model alone (frame + predict_proba): {batch['model_alone_seconds'] * 1e3:.1f} ms; end to end is "
        f"{batch['over_model_alone']:.2f}x that (aim <= 3x); {batch['predictions_per_second']:,.0f} predictions/s"
    )
    print(
        f"{single['requests']:,} single-record requests, {single['clients']} clients: p50 "
        f"{single['p50_seconds'] * 1e3:.1f} ms, p99 {single['p99_seconds'] * 1e3:.1f} ms (aim <= 250 ms on SQLite), "
        f"{single['requests_per_second']:,.0f} requests/s (model alone on one row: "
        f"{single['model_one_row_seconds'] * 1e3:.1f} ms, p99 is {single['p99_over_model_one_row']:.0f}x that); "
        f"stored {result['stored']['in_database']:,} of "
        f"{result['stored']['sent']:,}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batches", type=int, default=20, help="timed batch requests")
    ap.add_argument("--batch-size", type=int, default=1000, help="records per batch request")
    ap.add_argument("--requests", type=int, default=3000, help="one-record requests for the latency test")
    ap.add_argument("--clients", type=int, default=32, help="concurrent clients for the latency test")
    ap.add_argument("--train-rows", type=int, default=5000, help="rows the default model is fitted on")
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes of the server")
    ap.add_argument("--postgres", default=PG_URL, help="PostgreSQL URL to compare with (a schema of its own)")
    ap.add_argument("--no-postgres", action="store_true", help="SQLite only")
    ap.add_argument("--out", type=Path, default=OUT, help="directory for serve.json")
    ap.add_argument("--quick", action="store_true", help="smoke run: 3 batches of 200, 200 requests")
    args = ap.parse_args()
    if args.quick:
        args.batches, args.batch_size, args.requests, args.train_rows = 3, 200, 200, 1500
    for name in ("batches", "batch_size", "requests", "clients", "train_rows", "workers"):
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
        rules = routing_policy(read_policy(tmp / "policy.toml"))
        pool, _ = make_data((args.batches + 1) * args.batch_size + args.requests + args.clients, seed=1)
        records = json.loads(pool.to_json(orient="records"))
        size = args.batch_size
        batches = [records[i * size : (i + 1) * size] for i in range(args.batches + 1)]  # the first warms up
        singles = records[(args.batches + 1) * size :]
        batch_bodies = [json.dumps({"records": b}).encode() for b in batches]
        single_bodies = [json.dumps({"records": [r]}).encode() for r in singles]
        print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (other work slows every number here)")
        print(
            f"default model fitted on {args.train_rows:,} rows x 22 features (3 classes) in {fit_seconds:.1f}s; "
            f"batch body {len(batch_bodies[1]) / 2**10:.0f} KiB"
        )
        backends: list[tuple[str, str, str | None]] = [("sqlite", f"sqlite:///{tmp / 'serve.db'}", None)]
        if not args.no_postgres:
            if pg_reachable(args.postgres):
                backends.append(("postgresql", args.postgres, f"bench_serve_{uuid.uuid4().hex[:10]}"))
            else:
                print(f"PostgreSQL at {args.postgres} does not answer: SQLite only")
        results = []
        for name, url, schema in backends:
            results.append(
                run_backend(
                    name, url, schema, tmp, model, rules, args, batch_bodies, [len(b) for b in batches], single_bodies
                )
            )
            report(results[-1])

    summary: dict[str, Any] = {
        "train_rows": args.train_rows,
        "features": 22,
        "classes": len(CLASSES),
        "quick": args.quick,
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "backends": results,
    }
    if len(results) == 2:
        sq, pg = results
        summary["postgresql_over_sqlite"] = {
            "batch_median": pg["batch"]["median_seconds"] / sq["batch"]["median_seconds"],
            "single_p99": pg["single"]["p99_seconds"] / sq["single"]["p99_seconds"],
        }
        ratios = summary["postgresql_over_sqlite"]
        print(
            f"\nPostgreSQL over SQLite: batch {ratios['batch_median']:.2f}x, single-record p99 "
            f"{ratios['single_p99']:.2f}x (aim <= 1.5x)"
        )
    path = args.out / "serve.json"
    path.write_text(json.dumps(summary, indent=2))
    print(f"\nwritten {path}")


if __name__ == "__main__":
    main()
