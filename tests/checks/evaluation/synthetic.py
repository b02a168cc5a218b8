"""Small generated data sets for the model-based checks (PF205, PF4xx), clean or with a plant.

Every generator draws independent rows whose label depends on several features, so that a
model beats each single feature and every dummy: anything a model check reports on them, other
than what was planted, is a false alarm.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import pitfall


def binary(n: int = 2000, seed: int = 0, *, positives: float | None = None, d: int = 6) -> pd.DataFrame:
    """Label from a logistic model on four of ``d`` gaussian features; optionally imbalanced."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    score = 1.5 * (X[:, 0] - X[:, 1] + X[:, 2] - X[:, 3]) + rng.logistic(size=n)
    cut = np.quantile(score, 1 - positives) if positives is not None else 0.0
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(d)])
    df["label"] = (score > cut).astype(int)
    return df


def multiclass(n: int = 2000, seed: int = 0, k: int = 5, d: int = 6) -> pd.DataFrame:
    """``k`` classes with string labels, each favoured by its own direction in feature space."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    directions = rng.normal(size=(d, k))
    logits = 1.5 * X @ directions
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    y = (p.cumsum(axis=1) > rng.random((n, 1))).argmax(axis=1)
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(d)])
    df["label"] = np.array([f"class_{c}" for c in range(k)])[y]
    return df


def regression(n: int = 2000, seed: int = 0, d: int = 5) -> pd.DataFrame:
    """A smooth target of three features plus noise (R² of the truth about 0.8)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = 2 * X[:, 0] - X[:, 1] + np.sin(2 * X[:, 2]) + 0.8 * rng.normal(size=n)
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(d)])
    df["label"] = y
    return df


def split(df: pd.DataFrame, test_share: float = 0.3, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    idx = np.random.default_rng(seed + 1000).permutation(len(df))
    cut = int(round(len(df) * (1 - test_share)))
    return df.iloc[idx[:cut]].reset_index(drop=True), df.iloc[idx[cut:]].reset_index(drop=True)


def scan(train: pd.DataFrame, test: pd.DataFrame, select, **kw) -> pitfall.Report:
    report = pitfall.scan(train, test, target="label", select=select, config=False, **kw)
    assert not report.crashed, report.crashed
    return report


def loud(report: pitfall.Report, code: str) -> list:
    """Findings of ``code`` at warning or error."""
    return [f for f in report.findings if f.code == code and f.severity.value != "info"]
