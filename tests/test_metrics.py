"""pitfall.metrics: each metric against scikit-learn, and its vectorised bootstrap."""

import numpy as np
import pytest
from sklearn import metrics as skm

from pitfall.errors import ConfigError
from pitfall.metrics import METRICS, bootstrap, get_metric
from pitfall.stats import Resamples


def _classification(n: int, k: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k)) + 1.5 * np.eye(k)[y]
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    proba[:, 0] = np.round(proba[:, 0], 1)  # ties in the scores
    proba /= proba.sum(axis=1, keepdims=True)
    return y, proba.argmax(axis=1), proba


def _sklearn(name, y, p, proba, w):
    binary = proba.shape[1] == 2
    if name == "accuracy":
        return skm.accuracy_score(y, p, sample_weight=w)
    if name == "balanced_accuracy":
        return skm.balanced_accuracy_score(y, p, sample_weight=w)
    if name == "f1_macro":
        return skm.f1_score(y, p, average="macro", sample_weight=w)
    if name == "roc_auc":
        if binary:
            return skm.roc_auc_score(y, proba[:, 1], sample_weight=w)
        return skm.roc_auc_score(y, proba, multi_class="ovr", sample_weight=w)
    if binary:
        return skm.average_precision_score(y, proba[:, 1], sample_weight=w)
    return skm.average_precision_score(np.eye(proba.shape[1])[y], proba, sample_weight=w)


CLASSIFICATION = ["accuracy", "balanced_accuracy", "f1_macro", "roc_auc", "average_precision"]


@pytest.mark.parametrize("k", [2, 4])
@pytest.mark.parametrize("name", CLASSIFICATION)
@pytest.mark.parametrize("weighted", [False, True])
def test_classification_metrics_equal_scikit_learn(name, k, weighted):
    y, p, proba = _classification(400, k)
    w = np.random.default_rng(1).integers(0, 3, len(y)).astype(float) if weighted else None
    assert METRICS[name](y, p, proba, w) == pytest.approx(_sklearn(name, y, p, proba, w), abs=1e-12)


@pytest.mark.parametrize("weighted", [False, True])
def test_regression_metrics_equal_scikit_learn(weighted):
    rng = np.random.default_rng(0)
    y = rng.normal(size=300) * 10 + 100  # an offset tests the centring in R²
    pred = y + rng.normal(size=300) * 4
    w = rng.integers(0, 3, 300).astype(float) if weighted else None
    assert METRICS["r2"](y, pred, None, w) == pytest.approx(skm.r2_score(y, pred, sample_weight=w))
    assert METRICS["mae"](y, pred, None, w) == pytest.approx(skm.mean_absolute_error(y, pred, sample_weight=w))
    rmse = np.sqrt(skm.mean_squared_error(y, pred, sample_weight=w))
    assert METRICS["rmse"](y, pred, None, w) == pytest.approx(rmse)


def test_macro_averages_skip_classes_absent_from_the_rows():
    y, p = np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1])
    w = np.array([1.0, 1.0, 0.0, 0.0])  # class 1 not drawn
    assert METRICS["balanced_accuracy"](y, p, None, w) == pytest.approx(0.5)
    assert np.isnan(METRICS["roc_auc"](y, p, np.eye(2)[p], w))  # one class: undefined


def _naive_sd(name, y, pred, proba, n_resamples=400):
    rng = np.random.default_rng(5)
    scores = []
    for _ in range(n_resamples):
        i = rng.integers(0, len(y), len(y))
        scores.append(METRICS[name](y[i], pred[i], None if proba is None else proba[i]))
    return np.std(scores)


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_bootstrap_spread_matches_resampling_rows_one_at_a_time(name):
    y, p, proba = _classification(600, 3)
    samples = bootstrap(METRICS[name], y, [(p, proba)], Resamples(len(y), seed=0))[0]
    assert samples.shape == (1000,)
    assert samples.mean() == pytest.approx(METRICS[name](y, p, proba), abs=0.01)
    assert samples.std() == pytest.approx(_naive_sd(name, y, p, proba), rel=0.15)


def test_label_metrics_use_cells_and_agree_with_the_row_weights():
    y, p, _ = _classification(600, 3)
    r = Resamples(len(y), seed=0)
    cells = bootstrap(METRICS["balanced_accuracy"], y, [(p, None)], r)[0]
    rows = METRICS["balanced_accuracy"].batch(y, p, None, r.weights)
    assert r.cells(y * 9 + p * 3 + p) is not None
    assert cells.std() == pytest.approx(rows.std(), rel=0.1)
    assert cells.mean() == pytest.approx(rows.mean(), abs=0.005)


@pytest.mark.parametrize("name", ["r2", "roc_auc", "average_precision"])
def test_subsampled_resamples_keep_the_spread_of_all_rows(name):
    n = 6000
    rng = np.random.default_rng(2)
    if name == "r2":
        y = rng.normal(size=n)
        pred, proba = y + rng.normal(size=n), None
    else:
        y, pred, proba = _classification(n, 2, seed=2)
    exact = bootstrap(METRICS[name], y, [(pred, proba)], Resamples(n, seed=0))[0]
    little = bootstrap(METRICS[name], y, [(pred, proba)], Resamples(n, seed=0, max_rows=1500))[0]
    assert little.std() == pytest.approx(exact.std(), rel=0.15)
    assert np.median(little) == pytest.approx(METRICS[name](y, pred, proba), abs=0.5 * exact.std())


def test_paired_differences_cancel_shared_noise():
    y, p, proba = _classification(800, 2)
    other = np.where(np.random.default_rng(3).random(len(y)) < 0.05, 1 - p, p)  # 5% changed
    metric = METRICS["accuracy"]
    a, b = bootstrap(metric, y, [(p, None), (other, None)], Resamples(len(y), seed=0))
    per_row = (p == y).astype(float) - (other == y)  # -1, 0 or 1: only disagreements vary
    assert np.std(a - b) == pytest.approx(per_row.std() / np.sqrt(len(y)), rel=0.1)
    assert np.std(a - b) < 0.7 * np.std(a)  # unpaired, the spread would be about 1.4x np.std(a)
    same = bootstrap(metric, y, [(p, None), (p, None)], Resamples(len(y), seed=0))
    assert np.all(same[0] == same[1])


def test_metric_names_and_tasks_are_validated():
    assert get_metric("auto", "binary").name == "balanced_accuracy"
    assert get_metric("auto", "regression").name == "r2"
    with pytest.raises(ConfigError, match="must be one of"):
        get_metric("accuracyy", "binary")
    with pytest.raises(ConfigError, match="regression target"):
        get_metric("roc_auc", "regression")
