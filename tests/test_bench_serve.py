"""``benchmarks/bench_serve.py --quick`` runs end to end against a real ``pitfall serve`` and reports sane numbers."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
pytest.importorskip("httpx")

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "bench_serve.py"


def _positive(x: object) -> bool:
    return isinstance(x, float) and math.isfinite(x) and x > 0


def test_quick_run_stores_every_prediction_and_reports_each_step(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--clients", "8", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads((tmp_path / "serve.json").read_text())
    assert out["quick"] is True
    backends = {b["backend"]: b for b in out["backends"]}
    assert "sqlite" in backends
    for name, b in backends.items():
        batch, single, stored = b["batch"], b["single"], b["stored"]
        # quick: 3 timed batches of 200 plus a warm-up batch, 8 sequential warm-up singles, 200 concurrent singles
        assert batch["size"] == 200 and len(batch["seconds"]) == 3, name
        assert single["requests"] == 200 and single["clients"] == 8, name
        assert stored == {"sent": 4 * 200 + 8 + 200, "in_database": 1008}, name
        assert all(_positive(s) for s in batch["seconds"])
        steps = batch["steps_median_seconds"]
        assert set(steps) == {"parse", "check", "frame", "model", "route", "store", "respond", "http_and_framework"}
        assert all(_positive(steps[s]) for s in ("parse", "frame", "model", "route", "store", "respond"))
        assert batch["predictions_per_second"] == pytest.approx(200 / batch["median_seconds"])
        assert batch["over_model_alone"] == pytest.approx(batch["median_seconds"] / batch["model_alone_seconds"])
        assert _positive(single["p50_seconds"]) and single["p99_seconds"] >= single["p50_seconds"]
    if "postgresql" in backends:
        ratio = out["postgresql_over_sqlite"]["batch_median"]
        pg, lite = backends["postgresql"]["batch"], backends["sqlite"]["batch"]
        assert ratio == pytest.approx(pg["median_seconds"] / lite["median_seconds"])
    assert "p99" in proc.stdout


def test_bad_option_is_a_one_line_error(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--batches", "0", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "--batches must be at least 1" in proc.stderr
    assert not (tmp_path / "serve.json").exists()
