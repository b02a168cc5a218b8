"""JSON report: strict JSON (NaN -> null), the documented keys, and docs in step with the code."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np

from pitfall.findings import Finding, Severity
from pitfall.report import Report

from .conftest import EVIL

DOC = Path(__file__).resolve().parents[2] / "docs" / "json-report.md"
TOP_KEYS = {"pitfall_version", "inputs", "findings", "summary", "metrics", "skipped", "crashed", "notes", "timings"}
FINDING_KEYS = {"code", "name", "family", "severity", "message", "fix", "evidence", "columns", "explain"}


def test_round_trip_with_nan_and_numpy(built):
    text = built.to_json()  # allow_nan=False inside: would raise on a NaN left behind
    assert "NaN" not in text and "Infinity" not in text
    data = json.loads(text)
    assert set(data) == TOP_KEYS
    assert data["summary"] == {"error": 1, "warning": 1, "info": 1}
    first = data["findings"][0]
    assert set(first) == FINDING_KEYS
    assert first["code"] == "PF205" and first["severity"] == "error"
    assert first["columns"] == [EVIL] and first["evidence"]["feature"] == EVIL
    assert first["evidence"]["count"] == 3 and isinstance(first["evidence"]["count"], int)
    assert first["evidence"]["model_score"] == {"estimate": 0.91, "low": 0.88, "high": None}
    assert data["findings"][1]["evidence"]["p_value"] is None
    assert data["metrics"]["nan_metric"] is None
    assert data["metrics"]["scores"]["values"]["model"]["estimate"] == 0.91
    assert data["skipped"] == {"PF204": f"needs --time ({EVIL})"}
    assert data["timings"]["total"] == 1.8
    assert json.loads(built.to_json(indent=None)) == data


def test_non_finite_everywhere_becomes_null():
    f = Finding(
        code="PF401",
        name="weaker-than-baseline",
        family="evaluation",
        severity=Severity.WARNING,
        message="m",
        fix="f",
        evidence={
            "a": np.float32("nan"),
            "b": [math.inf, -math.inf, 1.5],
            "c": np.array([np.nan, 2.0]),
            "d": (np.int64(4), np.bool_(True)),
        },
    )
    data = json.loads(Report(findings=[f], metrics={"x": {"y": float("nan")}}).to_json())
    assert data["findings"][0]["evidence"] == {"a": None, "b": [None, None, 1.5], "c": [None, 2.0], "d": [4, True]}
    assert data["metrics"] == {"x": {"y": None}}


def test_end_to_end_scan(scanned):
    data = json.loads(scanned.to_json())
    assert set(data) == TOP_KEYS
    assert data["summary"] == scanned.summary
    assert sum(data["summary"].values()) == len(data["findings"])
    leak = [f for f in data["findings"] if f["code"] == "PF205" and f["columns"] == ["leak"]]
    assert leak and leak[0]["severity"] == "error"
    assert all(set(f) == FINDING_KEYS for f in data["findings"])
    ranks = [{"error": 2, "warning": 1, "info": 0}[f["severity"]] for f in data["findings"]]
    assert ranks == sorted(ranks, reverse=True)  # most severe first
    scores = data["metrics"]["scores"]
    assert {"model", "majority", "stratified"} <= set(scores["values"])
    assert set(scores["values"]["model"]) == {"estimate", "low", "high", "level"}
    features = data["metrics"]["single_feature"]["features"]
    assert next(iter(features)) == "leak" and EVIL in features
    assert data["inputs"]["target"] == "label" and data["inputs"]["n_features"] == 6


def test_documented_example_matches_the_schema(scanned):
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```json\n(.*?)```", text, flags=re.S)
    assert blocks, "docs/json-report.md must hold a JSON example"
    example = json.loads(blocks[0])
    real = json.loads(scanned.to_json())
    assert set(example) == set(real) == TOP_KEYS
    assert set(example["inputs"]) == set(real["inputs"])
    assert all(set(f) == FINDING_KEYS for f in example["findings"])
    assert set(example["metrics"]) <= set(real["metrics"])
    for key in ("scores", "single_feature"):
        assert set(example["metrics"][key]) == set(real["metrics"][key])
    # every metrics entry a scan writes is documented
    for key in real["metrics"]:
        assert f"`metrics.{key}`" in text, key
    # every top-level, input and finding key is documented
    for key in TOP_KEYS | FINDING_KEYS | set(real["inputs"]):
        assert f"`{key}`" in text, key
