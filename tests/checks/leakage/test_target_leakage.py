"""PF205 target-leakage: planted leaks are errors; strong but honest features are not."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from tests.checks.evaluation.synthetic import binary, multiclass, regression, scan, split
from tests.checks.shapes import sklearn_frame


def _pf205(report):
    return [f for f in report.findings if f.code == "PF205"]


def _noisy_copy(y: np.ndarray, noise: float, seed: int = 0) -> np.ndarray:
    """The label with ``noise`` of its values replaced by another class, plus jitter."""
    rng = np.random.default_rng(seed)
    codes, values = pd.factorize(y, sort=True)
    flip = rng.random(len(y)) < noise
    other = (codes + rng.integers(1, len(values), len(y))) % len(values)
    return np.where(flip, other, codes) + rng.normal(scale=0.05, size=len(y))


def test_a_copy_of_the_label_with_one_percent_noise_is_an_error():
    df = binary(2000)
    df["leak"] = _noisy_copy(df["label"].to_numpy(), 0.01)
    [finding] = _pf205(scan(*split(df), select="PF205"))
    ev = finding.evidence
    assert (finding.severity.value, finding.columns) == ("error", ("leak",))
    assert ev["feature_normalised"] > 0.95 and ev["feature_score"]["low"] > 0.95
    assert ev["dominant"] and ev["error_reduction"] > 0.5
    assert ev["gain_over_rest"]["low"] > 0
    assert ev["rest_test_score"]["estimate"] < ev["rule_test_score"]["estimate"]
    assert not ev["identifier"] and not ev["missingness_indicator"]


def test_an_id_that_follows_the_class_is_an_error():
    df = binary(2000).sort_values("label", kind="stable").reset_index(drop=True)
    df["row_id"] = np.arange(len(df))  # rows sorted by class, then numbered
    [finding] = _pf205(scan(*split(df), select="PF205"))
    assert (finding.severity.value, finding.columns) == ("error", ("row_id",))
    assert finding.evidence["identifier"] is True
    assert "Identifier 'row_id'" in finding.message


def test_missingness_that_is_the_label_is_one_error_on_that_column():
    df = binary(2000)
    value = np.random.default_rng(0).normal(size=len(df))
    df["follow_up"] = np.where(df["label"] == 1, value, np.nan)  # filled only for positives
    [finding] = _pf205(scan(*split(df), select="PF205"))
    assert (finding.severity.value, finding.columns) == ("error", ("follow_up",))
    assert finding.evidence["feature"] == "missing(follow_up)"
    assert finding.evidence["missingness_indicator"] is True


def test_a_leak_among_five_string_classes_is_an_error():
    df = multiclass(2000, k=5)
    df["catalog_class"] = np.where(  # the label's text, 1% of it wrong
        np.random.default_rng(1).random(len(df)) < 0.01, "class_0", df["label"]
    )
    [finding] = _pf205(scan(*split(df), select="PF205"))
    assert (finding.severity.value, finding.columns) == ("error", ("catalog_class",))
    assert finding.evidence["dominant"]


def test_a_leak_under_two_percent_positives_is_an_error():
    df = binary(6000, positives=0.02)
    df["leak"] = _noisy_copy(df["label"].to_numpy(), 0.01)
    [finding] = _pf205(scan(*split(df), select="PF205"))
    assert (finding.severity.value, finding.columns) == ("error", ("leak",))


def test_a_regression_target_plus_noise_is_an_error():
    df = regression(2000)
    df["leak"] = df["label"] + np.random.default_rng(0).normal(scale=0.05 * df["label"].std(), size=len(df))
    [finding] = _pf205(scan(*split(df), select="PF205"))
    assert (finding.severity.value, finding.columns) == ("error", ("leak",))
    assert finding.evidence["metric"] == "r2" and finding.evidence["feature_normalised"] > 0.95


def test_a_leak_is_found_next_to_a_user_model():
    df = binary(2000)
    df["leak"] = _noisy_copy(df["label"].to_numpy(), 0.01)
    train, test = split(df)
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(train.drop(columns="label"), train["label"])
    [finding] = _pf205(scan(train, test, select="PF205", model=model))
    assert (finding.severity.value, finding.columns) == ("error", ("leak",))
    assert finding.evidence["model_score"]["estimate"] > 0.95  # the user's model uses the leak


@pytest.mark.parametrize(
    "data",
    [
        lambda: binary(2000),
        lambda: binary(5000, positives=0.02),
        lambda: binary(2000, positives=0.05),
        lambda: multiclass(2000, k=5),
        lambda: regression(2000),
    ],
    ids=["binary", "2%-positives", "5%-positives", "5-classes", "regression"],
)
def test_clean_data_is_silent(data):
    report = scan(*split(data()), select="PF205")
    assert _pf205(report) == []
    single = report.metrics["single_feature"]
    assert set(single) == {"metric", "model", "features", "top"}
    assert len(single["top"]) == 5


def test_a_strong_honest_feature_is_at_most_info():
    # iris: each petal measurement alone is near-perfect, and the others agree with it
    df = sklearn_frame("iris")
    for seed in range(3):
        report = scan(*split(df, seed=seed), select="PF205")
        assert all(f.severity.value == "info" for f in _pf205(report))
        for f in _pf205(report):
            assert not f.evidence["dominant"] and "as do the other features" in f.message


def test_a_copy_of_the_label_alongside_strong_features_is_still_dominant():
    df = sklearn_frame("breast_cancer")
    df["leak"] = _noisy_copy(df["label"].to_numpy(), 0.0)  # an exact copy, jittered
    report = scan(*split(df, test_share=0.4), select="PF205")
    [finding] = [f for f in _pf205(report) if f.columns == ("leak",)]
    assert finding.severity.value == "error"
    assert finding.evidence["error_reduction"] > 0.5


def test_a_lone_leaky_feature_is_compared_with_the_best_constant():
    df = binary(1000)[["label"]]
    df["leak"] = _noisy_copy(df["label"].to_numpy(), 0.01)
    [finding] = _pf205(scan(*split(df), select="PF205"))
    assert finding.severity.value == "error"
    assert finding.evidence["rest_test_score"]["estimate"] == pytest.approx(0.5)  # majority class
