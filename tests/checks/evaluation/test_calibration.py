"""PF405 miscalibrated: ECE against a calibrated null, reliability bins, conformal sets."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier

from pitfall.checks.evaluation.calibration import equal_mass_bins, null_ece
from tests.checks.evaluation.synthetic import binary, loud, multiclass, regression, scan, split
from tests.checks.shapes import correlated


class SharpenedForest(ClassifierMixin, BaseEstimator):
    """A random forest whose probabilities are raised to a power: confident beyond its accuracy."""

    def __init__(self, power: float = 4.0):
        self.power = power

    def fit(self, X, y):
        self.forest_ = RandomForestClassifier(100, min_samples_leaf=5, random_state=0).fit(X, y)
        self.classes_ = self.forest_.classes_
        return self

    def predict_proba(self, X):
        p = self.forest_.predict_proba(X) ** self.power
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, X):
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


def _fitted(model, train):
    return model.fit(train.drop(columns="label"), train["label"])


def _logreg():
    return make_pipeline(StandardScaler(), LogisticRegression())


@pytest.mark.parametrize(
    "data, model, test_share",
    [
        (lambda: binary(1500), lambda: DecisionTreeClassifier(random_state=0), 0.3),
        (lambda: binary(300), lambda: DecisionTreeClassifier(random_state=0), 0.2),  # 60 test rows
        (lambda: correlated(0, n=1500), GaussianNB, 0.3),
        (lambda: binary(1500), SharpenedForest, 0.3),
        (lambda: multiclass(1500, k=4), lambda: DecisionTreeClassifier(random_state=0), 0.3),
    ],
    ids=["deep-tree", "deep-tree-60-test-rows", "naive-bayes-correlated", "sharpened-forest", "tree-4-classes"],
)
def test_an_overconfident_model_is_a_warning(data, model, test_share):
    train, test = split(data(), test_share=test_share)
    report = scan(train, test, select="PF405", model=_fitted(model(), train))
    [found] = loud(report, "PF405")
    ev = found.evidence
    assert ev["direction"] == "overconfident"
    assert ev["ece"]["estimate"] > ev["null_ece_quantile"]
    assert ev["ece_minus_null_mean"] >= 0.05
    assert ev["seed"] == 0 and ev["model_source"] == "user"
    assert sum(b["count"] for b in ev["bins"]) == len(test)
    assert "CalibratedClassifierCV" in found.fix
    cal = report.metrics["calibration"]
    assert set(cal) >= {"ece", "null_ece_95", "brier", "bins", "conformal"}
    assert set(cal["bins"][0]) >= {"confidence", "accuracy", "low", "high", "count"}
    assert cal["conformal"]["target"] == 0.9 and "test halves" in cal["conformal"]["method"]


def test_a_deep_tree_has_the_error_rate_as_its_ece():
    train, test = split(binary(1500))
    model = _fitted(DecisionTreeClassifier(random_state=0), train)
    report = scan(train, test, select="PF405", model=model)
    cal = report.metrics["calibration"]
    error = np.mean(model.predict(test.drop(columns="label")) != test["label"])
    # every confidence is 1.0, so the gap in each bin is its error rate
    assert cal["ece"]["estimate"] == pytest.approx(error)
    assert cal["brier"] == pytest.approx(error)
    assert cal["null_ece_95"] == 0.0


@pytest.mark.parametrize(
    "data, test_share",
    [
        (lambda: binary(1500), 0.3),
        (lambda: binary(3000, positives=0.03), 0.3),
        (lambda: multiclass(1500, k=4), 0.3),
        (lambda: binary(300), 0.2),
    ],
    ids=["binary", "3%-positives", "4-classes", "60-test-rows"],
)
def test_logistic_regression_on_logistic_data_is_silent(data, test_share):
    train, test = split(data(), test_share=test_share)
    report = scan(train, test, select="PF405", model=_fitted(_logreg(), train))
    assert loud(report, "PF405") == []
    conformal = report.metrics["calibration"]["conformal"]
    assert conformal["coverage"]["low"] <= 0.9 <= conformal["coverage"]["high"]


@pytest.mark.parametrize(
    "data, test_share",
    [
        (lambda: binary(1500), 0.3),
        (lambda: binary(2000, positives=0.03), 0.3),
        (lambda: multiclass(900, k=3), 0.3),
        (lambda: binary(300), 0.2),
    ],
    ids=["binary", "3%-positives", "3-classes", "60-test-rows"],
)
def test_the_default_model_is_silent(data, test_share):
    report = scan(*split(data(), test_share=test_share), select="PF405")
    assert loud(report, "PF405") == []
    cal = report.metrics["calibration"]
    assert cal["model_source"] == "default"
    assert "out-of-fold" in cal["conformal"]["method"]
    assert cal["conformal"]["coverage"]["high"] >= 0.85


def test_a_random_forest_is_silent():
    train, test = split(binary(1500))
    report = scan(train, test, select="PF405", model=_fitted(RandomForestClassifier(100, random_state=0), train))
    assert loud(report, "PF405") == []


def test_false_alarm_rate_over_30_seeds_is_at_most_one():
    shapes = [
        lambda s: binary(400, seed=s),
        lambda s: binary(1000, seed=s, positives=0.03),
        lambda s: multiclass(400, seed=s, k=3),
    ]
    alarms = 0
    for seed in range(30):
        train, test = split(shapes[seed % 3](seed), seed=seed)
        report = scan(train, test, select="PF405", model=_fitted(_logreg(), train), seed=seed)
        alarms += bool(loud(report, "PF405"))
    assert alarms <= 1


def test_a_model_without_predict_proba_is_skipped():
    train, test = split(binary(600))
    report = scan(train, test, select="PF405", model=_fitted(make_pipeline(StandardScaler(), LinearSVC()), train))
    assert "predict_proba" in report.skipped["PF405"]


def test_regression_and_tiny_test_sets_are_skipped():
    assert "PF405" in scan(*split(regression(300)), select="PF405").skipped
    train, test = split(binary(300), test_share=0.05)
    report = scan(train, test, select="PF405", model=_fitted(_logreg(), train))
    assert "too few" in report.skipped["PF405"]


def test_nan_and_string_features_and_a_class_missing_from_test():
    df = multiclass(450, k=3)
    df.loc[::7, "x0"] = np.nan
    df["colour"] = np.where(df["x1"] > 0, "red", "blue")
    train, test = split(df)
    test = test[test["label"] != "class_2"]
    report = scan(train, test, select="PF405")
    assert "calibration" in report.metrics


def test_null_ece_of_a_calibrated_model_matches_simulation():
    rng = np.random.default_rng(1)
    conf = rng.uniform(0.5, 1.0, 200)
    bins = equal_mass_bins(conf, 5)
    null = null_ece(conf, bins, 5, 2000, seed=0)
    # ECE of labels actually drawn from the confidences falls inside the null's bulk
    observed = []
    for _ in range(200):
        correct = rng.random(200) < conf
        gaps = np.bincount(bins, weights=correct - conf, minlength=5)
        observed.append(np.abs(gaps).sum() / 200)
    assert np.mean(np.array(observed) > np.quantile(null, 0.95)) == pytest.approx(0.05, abs=0.04)


def test_an_overconfident_default_model_is_only_a_hint():
    # boosted trees on 300 rows of a 4-class problem are overconfident; the finding is about
    # pitfall's stand-in model, not the user's, so it stays at info
    report = scan(*split(multiclass(500, seed=0, k=4, d=10), test_share=0.4), select="PF405")
    [found] = [f for f in report.findings if f.code == "PF405"]
    assert found.severity.value == "info"
    assert found.message.startswith("pitfall's default model is overconfident")
    assert found.evidence["model_source"] == "default"


def test_an_underconfident_random_forest_on_four_classes_is_a_warning():
    # averaging 100 trees pulls multiclass probabilities toward the middle: about 0.6 confidence
    # for rows the forest gets right 73% of the time
    train, test = split(multiclass(1500, seed=1, k=4), seed=1)
    model = RandomForestClassifier(100, random_state=1).fit(train.drop(columns="label"), train["label"])
    [found] = loud(scan(train, test, select="PF405", model=model, seed=1), "PF405")
    assert found.evidence["direction"] == "underconfident"


def test_refits_of_pf404_are_reported_as_an_ensemble():
    """Uncertainty without changing the model: with PF404 in the scan, its seeded refits are
    averaged; without it, nothing extra is fitted."""
    import pitfall
    from tests.conftest import clean_classification, split_frame

    train, test = split_frame(clean_classification(n=1200, d=4, seed=2))
    both = pitfall.scan(train, test, target="label", select=["PF404", "PF405"], config=False, seed=2)
    assert not both.crashed
    ensemble = both.metrics["calibration"]["ensemble"]
    members = both.metrics["seeds"]["refits_fitted"]  # PF404 stops at 3 when they settle its verdict
    assert ensemble["members"] == members and ensemble["source"] == "seed"
    assert ensemble["seeds"] == list(range(2, 2 + members))
    assert 0.5 < ensemble["accuracy"] <= 1 and 0 <= ensemble["ece"] < 0.2
    assert 0 < ensemble["mean_spread"] < 0.2 and 0 < ensemble["share_members_disagree"] < 0.5
    alone = pitfall.scan(train, test, target="label", select=["PF405"], config=False, seed=2)
    assert alone.metrics["calibration"]["ensemble"] is None
