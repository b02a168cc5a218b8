"""PF503 label-drift, PF504 prediction-drift and PF505 estimated-performance-drop."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import pitfall
from tests.drift.synthetic import frame

NUM = ["x0", "x1", "x2", "x3", "x4"]


def run(ref, cur, **kw):
    report = pitfall.drift(ref, cur, config=False, **kw)
    assert not report.crashed, report.crashed
    return report


@pytest.fixture(scope="module")
def logistic():
    ref = frame(3000, seed=1)
    return make_pipeline(StandardScaler(), LogisticRegression()).fit(ref[NUM], ref["label"])


def _numeric(df):
    return df.drop(columns=["c"])


def test_label_share_change_fires():
    ref, cur = frame(3000, seed=1), frame(3000, seed=2)
    flip = cur.index[(cur["label"] == 0).to_numpy()][:600]
    cur.loc[flip, "label"] = 1
    found = run(ref, cur, target="label", select="PF503").by_code("PF503")
    assert len(found) == 1
    ev = found[0].evidence
    assert ev["effect_name"] == "cohens_h_class" and ev["effect"] >= 0.3  # 49% → 69% positives
    assert ev["psi"] < ev["effect"]
    shares = dict(ev["current"]["top"])
    assert shares["1"] == pytest.approx((cur["label"] == 1).mean())


def test_label_drift_needs_labels_in_current():
    ref, cur = frame(500, seed=1), frame(500, seed=2).drop(columns="label")
    report = run(ref, cur, target="label", select="PF503")
    assert "PF503" in report.skipped and not report.findings


def test_regression_target_distribution_drift():
    ref, cur = frame(2000, seed=1), frame(2000, seed=2)
    ref["y"], cur["y"] = ref["x2"] * 3 + 10, cur["x2"] * 3 + 12
    ref, cur = ref.drop(columns="label"), cur.drop(columns="label")
    found = run(ref, cur, target="y", select="PF503").by_code("PF503")
    assert len(found) == 1 and found[0].evidence["effect_name"] == "wasserstein_sd"


def test_prediction_shift_fires_for_a_pipeline(logistic):
    ref, cur = _numeric(frame(3000, seed=1)), _numeric(frame(3000, seed=2, shift=1.0))
    report = run(ref, cur, target="label", model=logistic, select="PF504")
    found = report.by_code("PF504")
    assert len(found) == 1 and found[0].evidence["effect"] >= 0.1
    assert report.metrics["drift"]["prediction"]["__prediction__"]["drifted"]


def test_prediction_drift_of_a_regressor_and_random_forest_is_silent_on_clean_data():
    ref, cur = _numeric(frame(2000, seed=1)), _numeric(frame(2000, seed=2))
    reg = RandomForestRegressor(n_estimators=20, random_state=0).fit(ref[NUM], ref["x0"] * 2)
    report = run(ref.drop(columns="label"), cur.drop(columns="label"), model=reg, select="PF504")
    assert not report.findings and report.metrics["drift"]["prediction"]["__prediction__"]["kind"] == "numeric"
    train = frame(2000, seed=9)  # the reference is held-out data, not the training rows
    rf = RandomForestClassifier(n_estimators=20, random_state=0).fit(train[NUM], train["label"])
    report = run(ref, cur, target="label", model=rf, select="PF504,PF505")
    assert not report.findings


def _boundary(n, seed):
    """Current rows crowd the decision boundary: the model is unsure there, its score falls."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.normal(size=(n, 5)) * 0.15, columns=NUM)
    df["x0"] += rng.normal(size=n) * 0.05
    logit = 1.5 * df["x0"] - df["x1"]
    df["label"] = (logit + rng.logistic(size=n) > 0).astype(int)
    return df


def test_estimated_performance_drop_fires_and_matches_realised(logistic):
    ref = _numeric(frame(4000, seed=3))
    cur = _boundary(3000, seed=4)
    report = run(ref, cur, target="label", model=logistic, select="PF505")
    found = report.by_code("PF505")
    assert len(found) == 1
    ev = found[0].evidence
    assert ev["estimated"]["high"] < ev["reference"]["low"]
    # the realised score on the (labelled) current rows lies in the estimate's interval
    assert ev["estimated"]["low"] - 0.03 <= ev["realised"]["estimate"] <= ev["estimated"]["high"] + 0.03


def test_estimated_performance_is_silent_without_drift_and_per_window(logistic):
    ref = _numeric(frame(3000, seed=5))
    cur = _numeric(frame(3000, seed=6, days=21)).drop(columns="label")
    report = run(ref, cur, target="label", model=logistic, time="t", window="7d", select="PF505")
    assert not report.findings
    windows = report.metrics["drift"]["windows"]
    assert len(windows) == 3 and all(w["estimated"] is not None and w["realised"] is None for w in windows)


def test_performance_needs_probabilities_and_labels(logistic):
    ref, cur = _numeric(frame(400, seed=1)), _numeric(frame(400, seed=2))
    report = run(ref.drop(columns="label"), cur.drop(columns="label"), model=logistic, select="PF505")
    assert "needs --target" in report.skipped["PF505"]
    assert run(ref, cur, target="label", select="PF504,PF505").skipped == {
        "PF504": "needs --model",
        "PF505": "needs --model",
    }


def test_rare_label_doubling_is_flagged_though_its_psi_is_small():
    rng = np.random.default_rng(7)
    ref = pd.DataFrame({"x": rng.normal(size=4000), "y": (rng.random(4000) < 0.05).astype(int)})
    cur = pd.DataFrame({"x": rng.normal(size=4000), "y": (rng.random(4000) < 0.10).astype(int)})
    found = run(ref, cur, target="y", select="PF503").by_code("PF503")
    assert len(found) == 1 and found[0].evidence["psi"] < 0.1
    assert found[0].evidence["effect"] == pytest.approx(0.19, abs=0.04)
