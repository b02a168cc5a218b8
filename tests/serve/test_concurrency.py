"""Nothing is lost under concurrent writers, and a writer killed mid-batch leaves no half-written batch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

sa = pytest.importorskip("sqlalchemy", reason="the serve extra (SQLAlchemy) is not installed")

from pitfall.deploy.store import NewItem, Store, items, reviews  # noqa: E402

from .conftest import PG_URL  # noqa: E402

THREADS, PER_THREAD, BATCH = 8, 200, 20
SRC = str(Path(__file__).resolve().parents[2] / "src")


def test_threads_adding_batches_and_reviews_lose_nothing(store):
    store.add_model("v1", sha256="0" * 64, classes=["a", "b"])
    barrier = threading.Barrier(THREADS)
    wins = [0] * THREADS
    conflicts = [0] * THREADS
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            barrier.wait()
            for b in range(PER_THREAD // BATCH):
                batch = [
                    NewItem(
                        record={"t": t, "b": b, "i": i},
                        label="a",
                        confidence=((t * 31 + b * 7 + i) % 100) / 100,
                        decision="review",
                        reason="thread",
                    )
                    for i in range(BATCH)
                ]
                store.add_items("v1", batch, batch_id=f"t{t}-b{b}")
                # Reviewers race on the same least-confident items: exactly one final review may win each.
                for item in store.queue(4):
                    try:
                        store.add_review(item.id, f"r{t}", "accept" if b % 2 else "correct", None if b % 2 else "b")
                        wins[t] += 1
                    except ValueError as err:
                        assert "already has a final review" in str(err)
                        conflicts[t] += 1
                    store.add_review(item.id, f"r{t}", "skip")
        except BaseException as err:  # surfaced in the main thread
            errors.append(err)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(THREADS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert not errors, errors
    counts = store.counts()
    assert counts["total"] == THREADS * PER_THREAD
    assert counts["reviewed"] == sum(wins) > 0
    assert counts["pending"] == THREADS * PER_THREAD - sum(wins)
    for t in range(THREADS):
        for b in range(PER_THREAD // BATCH):
            assert store.batch_size(f"t{t}-b{b}") == BATCH
    with store.engine.connect() as conn:
        finals = conn.execute(
            sa.select(reviews.c.item_id, sa.func.count()).where(reviews.c.action != "skip").group_by(reviews.c.item_id)
        ).all()
        skips = conn.execute(sa.select(sa.func.count()).where(reviews.c.action == "skip")).scalar_one()
    assert len(finals) == sum(wins) and all(n == 1 for _, n in finals)
    assert skips == sum(wins) + sum(conflicts)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_writer_killed_mid_load_keeps_every_acknowledged_batch_whole(backend, tmp_path, request):
    if backend == "sqlite":
        url, args = f"sqlite:///{tmp_path / 'crash.db'}", []
    else:
        schema = request.getfixturevalue("pg_schema")
        url, args = PG_URL, [schema]
    with Store(url, schema=args[0] if args else None) as store:
        store.add_model("v1", sha256="0" * 64, classes=["a"])
    acked: list[str] = []
    for round_, pause in enumerate((0.002, 0.007, 0.013)):  # kill at different points of the next batch
        acked += _run_and_kill(url, f"r{round_}", args, pause)
    with Store(url, schema=args[0] if args else None) as store:
        for batch_id in acked:
            assert store.batch_size(batch_id) == 100, batch_id
        with store.engine.connect() as conn:
            query = sa.select(items.c.batch_id, sa.func.count()).group_by(items.c.batch_id)
            per_batch = dict(conn.execute(query).all())
        assert set(acked) <= set(per_batch)
        assert all(n == 100 for n in per_batch.values()), per_batch  # no half-written batch
        assert len(per_batch) - len(acked) <= 3  # per kill, at most the batch committed just before it, unacknowledged
        # The store is writable again after the crash (no stale lock).
        store.add_items("v1", [NewItem(record={}, label="a", confidence=0.5, decision="review", reason="")])


def _run_and_kill(url: str, prefix: str, args: list[str], pause: float) -> list[str]:
    """Start a writer, read >= 6 acknowledgements from its pipe, SIGKILL it mid-load, return every ack it sent."""
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("_writer.py")), url, prefix, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    acked: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while len(acked) < 6 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            acked.append(line.strip())
        time.sleep(pause)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        acked += [line.strip() for line in proc.stdout.read().splitlines() if line.strip()]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        stderr = proc.stderr.read()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert len(acked) >= 6, f"writer acknowledged only {acked}; stderr: {stderr[-2000:]}"
    return acked
