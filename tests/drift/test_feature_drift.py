"""PF501 feature-drift: planted shifts fire with the right numbers; clean data stay silent."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp, wasserstein_distance

import pitfall
from pitfall.findings import Severity
from tests.drift.synthetic import frame


def run(ref, cur, **kw):
    kw.setdefault("select", "PF501")
    report = pitfall.drift(ref, cur, config=False, **kw)
    assert not report.crashed, report.crashed
    return report


def test_shifted_numeric_feature_fires_with_effect_in_sd_units():
    ref, cur = frame(3000, seed=1), frame(3000, seed=2, shift=0.6)
    report = run(ref, cur, target="label")
    found = report.by_code("PF501")
    assert [f.columns for f in found] == [("x0",)]
    ev = found[0].evidence
    assert ev["effect_name"] == "wasserstein_sd"
    assert ev["effect"] == pytest.approx(0.6, abs=0.15)
    assert ev["effect"] * ev["scale"] == pytest.approx(wasserstein_distance(ref["x0"], cur["x0"]))
    assert ev["statistic"] == pytest.approx(ks_2samp(ref["x0"], cur["x0"]).statistic)
    assert ev["p_adjusted"] < 1e-10 and ev["test"] == "ks"
    assert ev["current"]["mean"] - ev["reference"]["mean"] == pytest.approx(cur["x0"].mean() - ref["x0"].mean())
    assert found[0].severity is Severity.ERROR  # 0.6 sd ≥ large_wasserstein 0.5
    m = report.metrics["drift"]["features"]["x0"]
    assert m["kind"] == "numeric" and m["drifted"] and len(m["reference"]["counts"]) == len(m["reference"]["edges"]) - 1


def test_moderate_shift_is_a_warning():
    found = run(frame(4000, seed=1), frame(4000, seed=2, shift=0.25)).by_code("PF501")
    assert [f.columns for f in found] == [("x0",)]
    assert found[0].severity is Severity.WARNING


def test_new_category_fires_with_its_share():
    ref, cur = frame(2000, seed=1), frame(2000, seed=2)
    cur.loc[cur.index[:300], "c"] = "app"
    found = run(ref, cur).by_code("PF501")
    assert [f.columns for f in found] == [("c",)]
    ev = found[0].evidence
    assert ev["effect_name"] == "psi" and ev["effect"] >= 0.25
    assert ev["new_categories"][0][0] == "app" and ev["new_categories"][0][1] == pytest.approx(0.15)
    assert "new category" in found[0].message


def test_missing_share_drift_counts():
    ref, cur = frame(2000, seed=1), frame(2000, seed=2)
    cur.loc[cur.index[::4], "x2"] = np.nan
    found = run(ref, cur).by_code("PF501")
    assert len(found) == 1 and found[0].evidence["effect_name"] == "cohens_h"
    assert found[0].evidence["current_share"] == pytest.approx(0.25)


def test_windows_report_which_windows_drift():
    ref = frame(2000, seed=1)
    cur = frame(2800, seed=2, days=28)
    late = cur["t"] >= pd.Timestamp("2026-03-16")
    cur.loc[late, "x0"] += 1.0
    report = run(ref, cur, time="t", window="7d")
    found = report.by_code("PF501")
    assert [f.columns for f in found] == [("x0",)]
    windows = report.metrics["drift"]["windows"]
    assert len(windows) >= 4
    drifted = [w["start"] for w in windows if w["features"]["x0"]["drifted"]]
    assert drifted == [w["start"] for w in windows if w["start"] >= "2026-03-16"]
    assert found[0].evidence["windows_drifted"] == drifted
    assert all(w["features"]["x1"]["drifted"] is False for w in windows)


def test_clean_data_over_30_seeds_twenty_features_stay_silent():
    """FDR across 20 features and their missing shares: at most one alarm in 30 runs."""
    alarms = 0
    for seed in range(30):
        rng = np.random.default_rng(seed)
        ref = pd.DataFrame(rng.normal(size=(300, 20)), columns=[f"f{j}" for j in range(20)])
        cur = pd.DataFrame(rng.normal(size=(300, 20)), columns=[f"f{j}" for j in range(20)])
        for df in (ref, cur):
            df["cat"] = rng.choice(list("abcdef"), size=len(df))
            df.loc[rng.random(len(df)) < 0.05, "f1"] = np.nan
        report = run(ref, cur, seed=seed)
        alarms += bool(report.findings)
    assert alarms <= 1


def test_negligible_shift_on_200k_rows_is_not_flagged():
    rng = np.random.default_rng(0)
    n = 200_000
    ref = pd.DataFrame({"x": rng.normal(size=n), "y": rng.choice(list("ab"), size=n, p=[0.5, 0.5])})
    cur = pd.DataFrame({"x": rng.normal(size=n) + 0.01, "y": rng.choice(list("ab"), size=n, p=[0.49, 0.51])})
    report = run(ref, cur)
    assert not report.findings
    assert report.metrics["drift"]["features"]["x"]["effect"] < 0.05


def test_identifier_columns_are_not_compared():
    ref, cur = frame(500, seed=1), frame(500, seed=2)
    ref["key"] = [f"r{i}" for i in range(500)]
    cur["key"] = [f"c{i}" for i in range(500)]
    report = run(ref, cur)
    assert not report.findings
    assert any("key" in n for n in report.notes)


def test_tiny_and_awkward_data_do_not_crash():
    ref = pd.DataFrame({"x": [1.0, 2.0, np.nan], "s": ["a", None, "b"], "k": [1, 1, 1]})
    cur = pd.DataFrame({"x": [np.nan, np.nan, np.nan], "s": ["a", "a", "c"], "k": [1, 1, 1]})
    report = run(ref, cur)
    assert report.exit_code("never") == 0
