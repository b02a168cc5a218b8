"""PF402 misleading-metric: a rare class, and whether the scan's metric hides it."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from tests.checks.evaluation.synthetic import binary, multiclass, regression, scan, split

ALL_METRICS = {"accuracy", "balanced_accuracy", "f1_macro", "roc_auc", "average_precision"}


def _pf402(report):
    return [f for f in report.findings if f.code == "PF402"]


@pytest.mark.parametrize("positives", [0.07, 0.08])
def test_rare_positives_are_an_info_note_under_balanced_accuracy(positives):
    train, test = split(binary(4000, positives=positives))
    [finding] = _pf402(scan(train, test, select="PF402"))
    assert finding.evidence["majority_accuracy"] < 0.95
    assert finding.severity.value == "info"
    ev = finding.evidence
    assert ev["rare_class"] == 1 and ev["majority_class"] == 0
    assert ev["rare_share"] == pytest.approx(train["label"].mean())
    assert ev["majority_accuracy"] == pytest.approx((test["label"] == 0).mean())
    assert ev["metric_in_use"] == "balanced_accuracy"
    assert set(ev["model_metrics"]) == ALL_METRICS
    for iv in ev["model_metrics"].values():
        assert iv["low"] <= iv["estimate"] <= iv["high"]
    assert finding.columns == ("label",)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("positives", [0.02, 0.04])
def test_a_majority_guess_of_95_percent_is_a_warning_under_any_metric(positives, seed):
    train, test = split(binary(4000, seed=seed, positives=positives), seed=seed)
    [finding] = _pf402(scan(train, test, select="PF402", seed=seed))
    assert finding.evidence["metric_in_use"] == "balanced_accuracy"
    assert finding.evidence["majority_accuracy"] >= 0.95
    assert finding.severity.value == "warning" and "says nothing about the rare class" in finding.message


def test_breast_cancer_made_rare_is_a_warning():
    # a real table: keep 2% of the malignant rows
    from tests.checks.shapes import sklearn_frame

    df = sklearn_frame("breast_cancer")
    rare = df[df["label"] == 0].sample(8, random_state=0)
    df = pd.concat([df[df["label"] == 1], rare]).sample(frac=1, random_state=0)
    [finding] = _pf402(scan(*split(df, test_share=0.5), select="PF402"))
    assert finding.severity.value == "warning"


def test_rare_positives_are_a_warning_when_the_metric_is_accuracy():
    train, test = split(binary(4000, positives=0.02))
    [finding] = _pf402(scan(train, test, select="PF402", metric="accuracy"))
    assert finding.severity.value == "warning"
    assert finding.evidence["metric_in_use"] == "accuracy"
    assert finding.evidence["majority_accuracy"] > 0.97


def _deciles(n: int = 1500):
    """Ten classes of 10% each: as common as ten classes can be."""
    df = binary(n)
    score = df["x0"] - df["x1"] + np.random.default_rng(0).normal(size=n)
    df["label"] = np.argsort(np.argsort(score)) * 10 // n
    return df


@pytest.mark.parametrize("data", [lambda: binary(1500, positives=0.2), _deciles], ids=["20%-positives", "10-classes"])
def test_classes_near_their_balanced_share_are_silent(data):
    assert _pf402(scan(*split(data()), select="PF402", metric="accuracy")) == []


def test_one_rare_class_among_five_is_reported_with_its_label():
    df = multiclass(3000, k=5)
    rare = df.index[df["label"] == "class_2"]
    keep = np.ones(len(df), dtype=bool)
    keep[rare[60:]] = False  # 60 rows of class_2 left: about 2.5%, under 10% * 2 / 5 = 4%
    train, test = split(df[keep].reset_index(drop=True))
    [finding] = _pf402(scan(train, test, select="PF402"))
    assert finding.evidence["rare_class"] == "class_2"
    assert finding.evidence["rare_threshold"] == pytest.approx(0.04)
    assert finding.evidence["rare_share"] < 0.04


def test_a_model_without_probabilities_gets_label_metrics_only():
    train, test = split(binary(3000, positives=0.03))
    X = train.drop(columns="label")
    model = make_pipeline(StandardScaler(), LinearSVC(class_weight="balanced")).fit(X, train["label"])
    [finding] = _pf402(scan(train, test, select="PF402", model=model))
    assert set(finding.evidence["model_metrics"]) == {"accuracy", "balanced_accuracy", "f1_macro"}


def test_a_user_model_is_scored_as_given():
    train, test = split(binary(3000, positives=0.03))
    X = train.drop(columns="label")
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, train["label"])
    [finding] = _pf402(scan(train, test, select="PF402", model=model))
    accuracy = (model.predict(test.drop(columns="label")) == test["label"]).mean()
    assert finding.evidence["model_metrics"]["accuracy"]["estimate"] == pytest.approx(accuracy)


def test_regression_targets_are_skipped():
    report = scan(*split(regression(300)), select="PF402")
    assert report.findings == [] and "PF402" in report.skipped
