"""One-feature rules from binned counts: the counts give the same scores as the rows, add up
across chunks, and the trees find planted thresholds."""

from __future__ import annotations

import numpy as np
import pytest

from pitfall.checks.binned_rules import N_FINE, fine_bins, fine_cuts, fold_ids, label_counts, score_rules
from pitfall.checks.matching import effective_dimension
from pitfall.metrics import METRICS


def _data(n: int, seed: int, k: int):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    X[rng.random(n) < 0.1, 1] = np.nan
    X[:, 2] = rng.integers(0, 6, n)  # codes
    signal = (X[:, 0] > 0.3).astype(int) + (rng.random(n) < 0.1)
    y = signal % k if k else 2 * X[:, 0] + rng.normal(scale=0.5, size=n)
    cols = [("x0", 0, "numeric"), ("x1", 1, "numeric"), ("c", 2, "codes"), ("missing(x1)", 1, "missing")]
    return X, y, cols


@pytest.mark.parametrize("k", [2, 3, 0])
def test_scores_from_counts_equal_the_metric_on_the_out_of_fold_rows(k):
    X, y, cols = _data(3000, 1, k)
    folds = fold_ids(y, k, 5, seed=0)
    fitted = score_rules(X, y, folds, cols, n_classes=k, seed=0)
    metric = METRICS["r2" if k == 0 else "balanced_accuracy"]
    for name, rule in fitted.items():
        pred = rule.oof(X, folds, k)
        assert rule.score == pytest.approx(metric(y, pred.label, pred.proba), abs=1e-9), name


def test_a_planted_threshold_is_an_edge_and_the_rule_is_near_perfect():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 10, 20_000)
    y = (x > 6.3).astype(int)
    X = x[:, None]
    folds = fold_ids(y, 2, 5, seed=0)
    [(name, rule)] = score_rules(X, y, folds, [("x", 0, "numeric")], n_classes=2, seed=0).items()
    assert rule.score > 0.995
    assert np.min(np.abs(rule.rule.edges - 6.3)) < 0.05


def test_an_unrelated_feature_scores_near_chance_out_of_fold():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(5000, 1))
    y = rng.integers(0, 2, 5000)
    folds = fold_ids(y, 2, 5, seed=0)
    [rule] = score_rules(X, y, folds, [("x", 0, "numeric")], n_classes=2, seed=0).values()
    assert abs(rule.score - 0.5) < 0.03


def test_counts_of_two_chunks_add_up_to_the_counts_of_all_rows():
    X, y, _ = _data(4000, 3, 2)
    folds = fold_ids(y, 2, 5, seed=0)
    cuts = fine_cuts(X[:, 0])
    bins = fine_bins(X[:, 0], "numeric", cuts)
    whole = label_counts(bins, y, folds, 5, 2)
    halves = sum(label_counts(bins[s], y[s], folds[s], 5, 2) for s in (slice(0, 1700), slice(1700, None)))
    np.testing.assert_array_equal(whole, halves)
    assert whole.shape == (5, N_FINE + 1, 2) and whole.sum() == len(y)


def test_folds_are_stratified_and_balanced():
    y = np.r_[np.zeros(900, int), np.ones(100, int)]
    folds = fold_ids(y, 2, 5, seed=0)
    assert np.bincount(folds[y == 1]).tolist() == [20] * 5
    assert np.bincount(folds).tolist() == [200] * 5


@pytest.mark.parametrize("shape", [(300, 40), (40, 300)])
def test_effective_dimension_from_the_smaller_gram_matrix_equals_the_spectrum(shape):
    rng = np.random.default_rng(0)
    X = rng.normal(size=shape)
    X[:, 1] = 3 * X[:, 0]
    Z = (X - X.mean(0)) / X.std(0)
    eig = np.linalg.eigvalsh(Z.T @ Z / len(Z))
    assert effective_dimension(X) == pytest.approx(eig.sum() ** 2 / (eig**2).sum(), rel=1e-9)
