"""PF406 fragile-to-perturbation: predictions that flip under noise far below the data's scale."""

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression, RidgeClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from tests.checks import shapes
from tests.checks.evaluation.synthetic import binary, loud, multiclass, regression, scan, split


def _fit(model, train):
    return model.fit(train.drop(columns="label"), train["label"])


def _pf406(report):
    return [f for f in report.findings if f.code == "PF406"]


def _last_decimals(X):
    """Every column, plus the 6th decimal of the last one (``flux``) as a feature of its own."""
    X = np.asarray(X, dtype=float)
    return np.c_[X, (X[:, -1] * 1e5) % 1]


def _with_label_in_sixth_decimal(df: pd.DataFrame) -> pd.DataFrame:
    """A ``flux`` column whose 6th decimal carries the label (a processing artefact)."""
    label = df["label"] > (0 if df["label"].dtype.kind == "f" else 0.5)
    flux = np.round(df["x4"].to_numpy(), 5) + 5e-6 * label.to_numpy()
    return df.drop(columns="label").assign(flux=flux, label=df["label"])


@pytest.mark.parametrize(
    "data",
    [
        lambda: binary(800),
        lambda: binary(2000, positives=0.03),
        lambda: multiclass(800, k=4),
        lambda: regression(800),
        lambda: binary(200),  # 60 test rows
    ],
    ids=["binary", "3%-positives", "4-classes", "regression", "60-test-rows"],
)
def test_clean_data_with_the_default_model_is_silent(data):
    train, test = split(data())
    report = scan(train, test, select="PF406")
    assert loud(report, "PF406") == []
    rob = report.metrics["robustness"]
    assert [lv["scale"] for lv in rob["noise"]] == [0.01, 0.05, 0.1]
    for lv in rob["noise"]:
        assert 0 <= lv["flip_rate"]["low"] <= lv["flip_rate"]["estimate"] <= lv["flip_rate"]["high"] <= 1
        assert np.isfinite(lv["score"]["estimate"])
    # flips grow with the noise
    assert rob["noise"][0]["flip_rate"]["estimate"] <= rob["noise"][2]["flip_rate"]["estimate"]
    ev = rob["evasion"]
    assert ev["rows"] == min(500, len(test)) and 0 <= ev["flipped_within_0.1sd"] <= 1


def test_boundary_flips_of_a_smooth_model_are_not_contradictions():
    train, test = split(shapes.gaussian(0, n=1000))
    rob = scan(train, test, select="PF406").metrics["robustness"]
    at_01 = rob["noise"][2]
    assert at_01["flip_rate"]["estimate"] > 0.02  # rows near p = 0.5 flip...
    assert at_01["contradicting_flip_rate"]["high"] < 0.02  # ...but never from one sure class to another


@pytest.mark.parametrize(
    "model",
    [
        lambda: make_pipeline(StandardScaler(), LogisticRegression()),
        lambda: RandomForestClassifier(50, random_state=0),
    ],
    ids=["logistic-pipeline", "random-forest"],
)
def test_clean_data_with_a_user_model_is_silent(model):
    train, test = split(shapes.gaussian(2, n=1000))
    report = scan(train, test, select="PF406", model=_fit(model(), train))
    assert loud(report, "PF406") == []


def test_a_model_keyed_on_the_sixth_decimal_fires_at_the_smallest_noise():
    train, test = split(_with_label_in_sixth_decimal(binary(800)))
    model = _fit(make_pipeline(FunctionTransformer(_last_decimals), DecisionTreeClassifier(max_depth=3)), train)
    [finding] = _pf406(scan(train, test, select="PF406", model=model))
    ev = finding.evidence
    assert finding.severity.value == "warning"
    assert "Noise of 0.01 training SD" in finding.message
    assert ev["noise"][0]["contradicting_flip_rate"]["low"] > 0.3
    assert ev["clean_score"]["estimate"] == pytest.approx(1.0)
    assert ev["noise"][0]["score"]["estimate"] < 0.7
    assert ev["evasion"]["flipped_within_0.1sd"] > 0.9
    assert ev["evasion"]["most_fragile_feature"] == "flux"
    assert ev["seed"] == 0


def test_an_unpruned_tree_on_noisy_labels_fires():
    train, test = split(shapes.gaussian(0, n=1000))
    model = _fit(DecisionTreeClassifier(random_state=0), train)
    [finding] = _pf406(scan(train, test, select="PF406", model=model))
    assert finding.severity.value == "warning"
    assert finding.evidence["noise"][1]["contradicting_flip_rate"]["low"] > 0.05
    assert finding.evidence["evasion"]["flipped_within_0.1sd"] > 0.3


def test_an_unpruned_regression_tree_fires():
    train, test = split(regression(1000))
    model = _fit(DecisionTreeRegressor(random_state=0), train)
    [finding] = _pf406(scan(train, test, select="PF406", model=model))
    assert "0.5 SD of the predictions" in finding.message


def test_without_predict_proba_fragility_is_info():
    train, test = split(_with_label_in_sixth_decimal(binary(600)))
    model = _fit(make_pipeline(FunctionTransformer(_last_decimals), RidgeClassifier()), train)
    report = scan(train, test, select="PF406", model=model)
    [finding] = _pf406(report)
    assert finding.severity.value == "info"
    assert report.metrics["robustness"]["noise"][0]["contradicting_flip_rate"] is None


def test_only_categorical_features_is_skipped():
    train, test = shapes.random_split(shapes.categorical(0, n=400))
    report = scan(train, test, select="PF406")
    assert "no numeric feature" in report.skipped["PF406"]


def test_missing_values_integer_columns_and_text_categories_do_not_crash():
    df = binary(600)
    rng = np.random.default_rng(0)
    df.loc[rng.random(len(df)) < 0.2, "x0"] = np.nan
    df["count"] = rng.poisson(3, len(df))
    df["colour"] = pd.Series(rng.choice(["red", "green", None], len(df)), dtype="object")
    train, test = split(df)
    report = scan(train, test, select="PF406")
    assert loud(report, "PF406") == []


def test_one_nearest_neighbour_flips_more_than_a_smooth_model():
    train, test = split(shapes.gaussian(0, n=1000))
    knn = scan(train, test, select="PF406", model=_fit(KNeighborsClassifier(1), train)).metrics["robustness"]
    smooth = scan(
        train, test, select="PF406", model=_fit(make_pipeline(StandardScaler(), LogisticRegression()), train)
    ).metrics["robustness"]
    assert knn["noise"][1]["contradicting_flip_rate"]["estimate"] > 0.03
    assert smooth["noise"][1]["contradicting_flip_rate"]["estimate"] == 0.0
    assert knn["evasion"]["flipped_within_0.1sd"] > smooth["evasion"]["flipped_within_0.1sd"]


def test_false_alarm_rate_on_clean_data_is_at_most_one_in_thirty():
    """30 seeds over three clean shapes at small n (docs/false-alarms.md: more seeds and shapes)."""
    makers = [lambda s: binary(300, s), lambda s: multiclass(300, s, k=3), lambda s: regression(300, s)]
    alarms = 0
    for seed in range(30):
        train, test = split(makers[seed % 3](seed), seed=seed)
        alarms += bool(loud(scan(train, test, select="PF406", seed=seed), "PF406"))
    assert alarms <= 1
