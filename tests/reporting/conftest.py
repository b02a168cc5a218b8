"""Reports for the renderer tests: one built by hand (every section, hostile strings, NaN) and
one from a real scan of a small split with a planted leaky column."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import pitfall
from pitfall.findings import Finding, Severity
from pitfall.report import Report

from ..conftest import clean_classification, split_frame

EVIL = "<script>alert(1)</script>"
EVIL_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
EVIL_ATTR = 'x" onmouseover="alert(2)'


def interval(estimate: float, half: float = 0.03) -> dict[str, float]:
    return {"estimate": estimate, "low": estimate - half, "high": estimate + half, "level": 0.95}


def hand_built_report(n_features: int = 8) -> Report:
    """A Report with one finding per severity, a skipped and a crashed check, and plot metrics."""
    features = {EVIL: {"estimate": 0.97}, EVIL_ATTR: {"estimate": 0.71}}
    features.update({f"f{j:02d}": {"estimate": 0.69 - 0.005 * j} for j in range(n_features - 2)})
    findings = [
        Finding(
            code="PF205",
            name="target-leakage",
            family="leakage",
            severity=Severity.ERROR,
            message=f"Feature {EVIL!r} alone predicts the label almost perfectly.",
            fix=f"Check that {EVIL!r} is known before the label; run `pitfall explain PF205`.",
            evidence={
                "feature": EVIL,
                "feature_score": interval(0.97),
                "model_score": {"estimate": np.float64(0.91), "low": 0.88, "high": float("nan")},
                "count": np.int64(3),
                "ids": list(range(40)),
            },
            columns=(EVIL,),
            docs="What it finds: one column predicts the label.",
        ),
        Finding(
            code="PF201",
            name="train-test-duplicates",
            family="leakage",
            severity=Severity.WARNING,
            message="5 of 105 test rows (4.8%) are exact copies of training rows.",
            fix="Deduplicate before splitting.",
            evidence={"count": 5, "share_of_test": 0.0476, "p_value": float("nan")},
        ),
        Finding(
            code="PF403",
            name="small-test-set",
            family="evaluation",
            severity=Severity.INFO,
            message="The test set gives a 95% CI half-width of 0.04.",
            fix="Quote the interval with the score.",
            evidence={"half_width": 0.04, "claimed_precision": None},
        ),
    ]
    return Report(
        inputs={
            "train": f"data/{EVIL}.csv",
            "test": "data/test.csv",
            "target": "label",
            "task": "binary",
            "split": "given",
            "n_train": 300,
            "n_test": 105,
            "n_features": 8,
            "group": None,
            "model": "default (HistGradientBoosting)",
            "model_class": "DefaultModel",
            "metric": "balanced_accuracy",
            "seed": 0,
        },
        findings=findings,
        skipped={"PF204": f"needs --time ({EVIL})"},
        crashed={"PF202": f"ValueError: bad column {EVIL}"},
        metrics={
            "scores": {
                "metric": "balanced_accuracy",
                "greater_is_better": True,
                "model_source": "default",
                "values": {
                    "model": interval(0.91),
                    "majority": interval(0.5, 0.0),
                    "stratified": interval(0.49, 0.05),
                    f"rule: {EVIL}": interval(0.97),
                },
                "model_minus_baseline": {
                    "majority": interval(0.41),
                    "stratified": interval(0.42),
                    f"rule: {EVIL}": interval(-0.06),
                },
            },
            "single_feature": {
                "metric": "balanced_accuracy",
                "model": interval(0.91),
                "features": features,
                "top": {EVIL: interval(0.97), EVIL_ATTR: interval(0.71)},
            },
            "nan_metric": math.nan,
        },
        timings={"PF101": 0.002, "PF201": 0.01, "PF202": 0.2, "PF205": 1.5, "PF403": 0.05, "PF204": 0.0, "total": 1.8},
    )


@pytest.fixture
def built() -> Report:
    return hand_built_report()


def leaky_split(n: int = 300, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A clean classification split plus a column computed from the label (PF205 must fire)
    and a noise column whose name is markup."""
    df = clean_classification(n=n, d=4, seed=seed)
    rng = np.random.default_rng(seed + 1)
    df["leak"] = df["label"] * 2 + rng.normal(scale=0.01, size=len(df))
    df[EVIL] = rng.normal(size=len(df))
    return split_frame(df, seed=seed)


@pytest.fixture(scope="session")
def scanned() -> Report:
    train, test = leaky_split()
    return pitfall.scan(train, test, target="label", config=False)
