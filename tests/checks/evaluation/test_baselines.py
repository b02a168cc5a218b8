"""PF401 weaker-than-baseline: the model against dummies and the best one-feature rule."""

import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from pitfall.data.model import default_model
from tests.checks.evaluation.synthetic import binary, loud, multiclass, regression, scan, split


def _features(df):
    return df.drop(columns="label")


def _pf401(report):
    return [f for f in report.findings if f.code == "PF401"]


@pytest.mark.parametrize(
    "data",
    [
        lambda: binary(2000),
        lambda: binary(5000, positives=0.02),
        lambda: binary(3000, positives=0.05),
        lambda: multiclass(2000, k=5),
        lambda: regression(2000),
    ],
    ids=["binary", "2%-positives", "5%-positives", "5-classes", "regression"],
)
def test_clean_data_with_the_default_model_is_silent(data):
    report = scan(*split(data()), select="PF401")
    assert loud(report, "PF401") == []
    scores = report.metrics["scores"]
    diffs = scores["model_minus_baseline"]
    assert all(d["low"] > 0 for d in diffs.values())  # beats every dummy and the best rule
    assert any(name.startswith("rule: ") for name in diffs)


def test_regression_baselines_are_the_training_mean_and_median():
    train, test = split(regression(1500))
    report = scan(train, test, select="PF401")
    values = report.metrics["scores"]["values"]
    assert set(values) >= {"model", "mean", "median"}
    # a constant prediction scores R² <= 0 up to the train/test difference of means
    assert values["mean"]["estimate"] == pytest.approx(0.0, abs=0.02)
    assert values["model"]["low"] > 0.7


def test_mae_differences_are_signed_so_that_positive_means_the_model_is_better():
    train, test = split(regression(1500))
    report = scan(train, test, select="PF401", metric="mae")
    assert _pf401(report) == []
    scores = report.metrics["scores"]
    assert scores["greater_is_better"] is False
    model, median = scores["values"]["model"], scores["values"]["median"]
    assert model["estimate"] < median["estimate"]
    diff = scores["model_minus_baseline"]["median"]
    assert diff["estimate"] == pytest.approx(median["estimate"] - model["estimate"])
    assert diff["low"] > 0


def test_a_fitted_user_pipeline_is_scored_as_given():
    train, test = split(binary(2000))
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(_features(train), train["label"])
    report = scan(train, test, select="PF401", model=model)
    assert _pf401(report) == []
    assert report.metrics["scores"]["model_source"] == "user"
    expected = balanced_accuracy_score(test["label"], model.predict(_features(test)))
    assert report.metrics["scores"]["values"]["model"]["estimate"] == pytest.approx(expected)


def test_a_dummy_user_model_is_an_error():
    train, test = split(binary(2000))
    model = DummyClassifier(strategy="most_frequent").fit(_features(train), train["label"])
    [finding] = _pf401(scan(train, test, select="PF401", model=model))
    assert finding.severity.value == "error"
    ev = finding.evidence
    assert ev["compared_with"] == "majority"
    assert ev["difference"]["majority"] == {"estimate": 0.0, "low": 0.0, "high": 0.0, "level": 0.95}
    assert ev["model"]["estimate"] == pytest.approx(0.5)


def test_a_model_fitted_on_shuffled_labels_is_an_error():
    # 30% positives: fitted on shuffled labels, the model learns only the prior and always
    # predicts the majority (a random hyperplane could otherwise agree with the signal by luck)
    train, test = binary(2000, positives=0.3), binary(2000, seed=1, positives=0.3)
    shuffled = np.random.default_rng(1).permutation(train["label"].to_numpy())
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(_features(train), shuffled)
    [finding] = _pf401(scan(train, test, select="PF401", model=model))
    assert finding.severity.value == "error"
    d = finding.evidence["difference"][finding.evidence["compared_with"]]
    assert d["low"] <= 0 and d["high"] < 0.05 * 0.5  # no gain of 5% of the headroom


def test_a_real_gain_on_a_tiny_test_set_is_a_warning_not_an_error():
    train, test = binary(2000, seed=3), binary(24, seed=4)
    weak = make_pipeline(ColumnTransformer([("x0", "passthrough", ["x0"])]), LogisticRegression())
    weak.fit(_features(train), train["label"])  # one of four signal features: a small real gain
    [finding] = _pf401(scan(train, test, select="PF401", model=weak))
    d = finding.evidence["difference"][finding.evidence["compared_with"]]
    assert finding.severity.value == "warning"
    assert d["low"] <= 0 < 0.05 * 0.5 <= d["high"]
    assert "too small to tell" in finding.message


def test_a_model_worse_than_a_one_feature_rule_is_a_warning():
    df = binary(3000)
    noise = np.random.default_rng(0).normal(size=len(df))
    df["x5"] = df["x0"] - df["x1"] + df["x2"] - df["x3"] + 0.3 * noise  # one column holds the signal
    train, test = split(df)
    weak = make_pipeline(ColumnTransformer([("x0", "passthrough", ["x0"])]), LogisticRegression())
    weak.fit(_features(train), train["label"])  # beats guessing, but not a threshold on x5
    [finding] = _pf401(scan(train, test, select="PF401", model=weak))
    assert finding.severity.value == "warning"
    assert finding.columns == ("x5",)
    assert finding.evidence["compared_with"] == "rule: x5"
    assert finding.evidence["difference"]["rule: x5"]["high"] < 0
    assert all(finding.evidence["difference"][d]["low"] > 0 for d in ("majority", "stratified"))


def test_the_default_classifier_takes_the_balanced_decision_for_balanced_accuracy():
    train, test = split(binary(3000, positives=0.05))
    X, Xt, y, yt = _features(train), _features(test), train["label"], test["label"]
    plain = default_model("binary", 0).fit(X, y)
    balanced = default_model("binary", 0, balanced=True).fit(X, y)
    prior = np.bincount(y) / len(y)
    assert np.array_equal(balanced.predict(Xt), balanced.classes_[np.argmax(plain.predict_proba(Xt) / prior, axis=1)])
    assert np.allclose(balanced.predict_proba(Xt), plain.predict_proba(Xt))  # probabilities unchanged
    assert balanced_accuracy_score(yt, balanced.predict(Xt)) > balanced_accuracy_score(yt, plain.predict(Xt))
