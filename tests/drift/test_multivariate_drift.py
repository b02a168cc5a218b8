"""PF502 multivariate-drift: a broken correlation is found though every marginal is unchanged."""

from __future__ import annotations

import numpy as np
import pandas as pd

import pitfall


def pair(n, seed, corr):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    b = corr * a + np.sqrt(1 - corr**2) * rng.normal(size=n)
    return pd.DataFrame({"a": a, "b": b, "noise": rng.normal(size=n), "c": rng.choice(list("xyz"), size=n)})


def test_broken_correlation_fires_pf502_but_not_pf501():
    ref, cur = pair(1500, 1, 0.9), pair(1500, 2, -0.9)
    report = pitfall.drift(ref, cur, select="PF501,PF502", config=False, seed=3)
    assert not report.crashed, report.crashed
    assert report.codes() == ["PF502"]
    ev = report.by_code("PF502")[0].evidence
    assert ev["auc"]["low"] > 0.75 and ev["seed"] == 3
    assert {d["feature"] for d in ev["importance"][:2]} == {"a", "b"}
    assert report.metrics["drift"]["multivariate"]["auc"]["estimate"] > 0.8


def test_same_distribution_is_not_separable():
    ref, cur = pair(800, 4, 0.5), pair(800, 5, 0.5)
    report = pitfall.drift(ref, cur, select="PF502", config=False)
    assert not report.crashed and not report.findings
    assert report.metrics["drift"]["multivariate"]["auc"]["low"] < 0.55


def test_tiny_data_skips():
    report = pitfall.drift(pair(4, 1, 0.0), pair(4, 2, 0.0), select="PF502", config=False)
    assert "PF502" in report.skipped
