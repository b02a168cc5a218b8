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
    batch, single, stored = out["batch"], out["single"], out["stored"]

    # quick: 3 timed batches of 200 plus a warm-up batch, 8 sequential warm-up singles, 200 concurrent singles
    assert out["quick"] is True and batch["size"] == 200 and len(batch["seconds"]) == 3
    assert single["requests"] == 200 and single["clients"] == 8
    assert stored == {"sent": 4 * 200 + 8 + 200, "metrics_total": 1008, "in_database": 1008, "journal_mode": "wal"}

    assert all(_positive(s) for s in batch["seconds"])
    steps = batch["steps_median_seconds"]
    assert set(steps) == {"parse", "frame", "model", "route", "store", "respond", "http_and_framework"}
    assert all(_positive(steps[s]) for s in ("parse", "frame", "model", "route", "store", "respond"))
    assert batch["store_over_model"] == pytest.approx(steps["store"] / steps["model"])
    assert batch["predictions_per_second"] == pytest.approx(200 / batch["median_seconds"])
    assert sum(batch["share_of_end_to_end"].values()) == pytest.approx(1.0)
    assert _positive(single["p50_seconds"]) and single["p99_seconds"] >= single["p50_seconds"]
    assert "store over model" in proc.stdout and "p99" in proc.stdout


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
