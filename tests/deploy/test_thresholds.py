"""Thresholds from the Wilson lower bound: the promised accuracy holds on fresh data."""

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import pitfall
from pitfall.findings import Severity
from pitfall.runners.thresholds import min_rows
from pitfall.stats import wilson
from tests.deploy.synthetic import fitted_logistic, logistic_frame, three_labels


def _fresh_accuracy(model, frame: pd.DataFrame, accept: float) -> float:
    proba = model.predict_proba(frame.drop(columns="label"))
    right = proba.argmax(axis=1) == frame["label"].to_numpy()
    return float(right[proba.max(axis=1) >= accept].mean())


def test_chosen_threshold_meets_the_target_on_fresh_data_in_95_percent_of_seeds():
    """Measured: 29/30 here; 196/200 seeds at target 0.95 and 198/200 at 0.9 in a longer run."""
    met, shares = 0, []
    for seed in range(30):
        rng = np.random.default_rng(seed)
        model = fitted_logistic(logistic_frame(rng, 2000))
        result = pitfall.thresholds(model, logistic_frame(rng, 2000), target="label", accuracy=0.95)
        assert result.accept is not None
        met += _fresh_accuracy(model, logistic_frame(rng, 100_000), result.accept) >= 0.95
        shares.append(result.accept_share)
    assert met >= 29
    assert 0.2 < np.mean(shares) < 0.6  # and it does accept a useful share, not only the certain few


def test_the_choice_is_the_lowest_threshold_whose_lower_bound_meets_the_target():
    rng = np.random.default_rng(1)
    model = fitted_logistic(logistic_frame(rng, 2000))
    valid = logistic_frame(rng, 450)  # fewer rows than MAX_CANDIDATES: every distinct confidence is a candidate
    result = pitfall.thresholds(model, valid, target="label", accuracy=0.9)
    proba = model.predict_proba(valid.drop(columns="label"))
    conf, right = proba.max(axis=1), proba.argmax(axis=1) == valid["label"].to_numpy()
    accepted = conf >= result.accept
    iv = wilson(int(right[accepted].sum()), int(accepted.sum()))
    assert iv.low >= 0.9
    assert result.accepted["low"] == pytest.approx(iv.low)
    assert result.accept_share == pytest.approx(accepted.mean())
    lower = conf[conf < result.accept].max()  # the next lower candidate does not qualify
    below = conf >= lower
    assert wilson(int(right[below].sum()), int(below.sum())).low < 0.9
    assert result.review <= result.accept
    assert result.accept_share + result.review_share + result.abstain_share == pytest.approx(1.0)
    assert not any(f.severity == Severity.ERROR for f in result.findings)


def test_impossible_target_is_an_error_finding():
    rng = np.random.default_rng(2)
    model = fitted_logistic(logistic_frame(rng, 1000, w=np.array([0.3, 0.2, 0.1])))
    result = pitfall.thresholds(
        model, logistic_frame(rng, 500, w=np.array([0.3, 0.2, 0.1])), target="label", accuracy=0.99
    )
    assert result.accept is None and result.accept_share == 0
    (finding,) = result.findings
    assert finding.code == "PF602" and finding.severity == Severity.ERROR
    assert finding.evidence["best"]["low"] < 0.99
    assert result.exit_code() == 1
    with pytest.raises(pitfall.ConfigError):
        result.to_policy()


def test_review_overload_warns_and_a_light_load_is_silent():
    rng = np.random.default_rng(3)
    model = fitted_logistic(logistic_frame(rng, 2000))
    valid = logistic_frame(rng, 2000)
    heavy = pitfall.thresholds(model, valid, target="label", accuracy=0.97)
    assert heavy.human_share > 0.5
    (finding,) = heavy.findings
    assert finding.severity == Severity.WARNING and finding.evidence["human_share"] == pytest.approx(heavy.human_share)
    light = pitfall.thresholds(model, valid, target="label", accuracy=0.8)
    assert light.human_share < 0.5 and not light.findings and light.exit_code() == 0


def test_review_floor_and_the_default_review_threshold():
    valid = three_labels(1)
    model = LogisticRegression().fit(three_labels(0).drop(columns="label"), three_labels(0)["label"])
    result = pitfall.thresholds(model, valid, target="label", accuracy=0.9)
    assert 1 / 3 <= result.review <= result.accept  # a 3-class top confidence is at least 1/3
    floored = pitfall.thresholds(model, valid, target="label", accuracy=0.9, review_floor=0.7)
    assert floored.review == 0.7 and floored.abstain_share > result.abstain_share


def test_per_label_thresholds_and_fallback_for_rare_labels():
    train, valid = three_labels(0), three_labels(1)
    valid = pd.concat([valid, valid.head(10).assign(label="a")])
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(train.drop(columns="label"), train["label"])
    result = pitfall.thresholds(model, valid, target="label", accuracy=0.9, per_label=True)
    assert set(result.per_label) == {"a", "b", "c"}
    for entry in result.per_label.values():
        assert not entry["fallback"] and entry["accepted"]["low"] >= 0.9
    # a label predicted on fewer rows than a perfect record needs keeps the global thresholds
    rare = three_labels(2, n=600)
    rare = rare[(rare["label"] != "c") | (np.arange(len(rare)) % 10 == 0)]
    model = LogisticRegression().fit(rare.drop(columns="label"), rare["label"])
    result = pitfall.thresholds(model, rare, target="label", accuracy=0.9, per_label=True)
    entry = result.per_label["c"]
    assert entry["n_predicted"] < min_rows(0.9) and entry["fallback"] and entry["accept"] == result.accept
    assert any("global thresholds" in n for n in result.notes)


def test_random_forest_string_labels_and_reports_escape_user_strings():
    df = three_labels(0, names=("<script>", "b&b", 'q"t'))
    model = RandomForestClassifier(n_estimators=30, random_state=0).fit(
        df.drop(columns="label")[:1500], df["label"][:1500]
    )
    result = pitfall.thresholds(model, df[1500:], target="label", accuracy=0.8, per_label=True)
    html = result.to_html()
    assert "<script>" not in html and "&lt;script&gt;" in html and "<svg" in html
    assert "http" not in html.replace("http-equiv", "")
    data = json.loads(result.to_json())
    assert data["accept"] == result.accept and len(data["curve"]) <= 200
    assert "<script>" in result.to_text()


def test_missing_labels_are_left_out_with_a_note():
    rng = np.random.default_rng(4)
    model = fitted_logistic(logistic_frame(rng, 500))
    valid = logistic_frame(rng, 500).astype({"label": float})
    valid.loc[:9, "label"] = np.nan
    result = pitfall.thresholds(model, valid, target="label", accuracy=0.9)
    assert result.n == 490 and "10 rows without a label" in result.notes[0]
