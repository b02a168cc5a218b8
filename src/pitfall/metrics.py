"""Metrics pitfall scores models and baselines with, and their bootstrap intervals.

Each metric is written once, for many weightings of the same rows at a time:
``batch(y, pred, proba, W)`` scores the rows under every row of weights ``W`` (resamples ×
rows). A point estimate is the batch with unit weights; a bootstrap resample is a row of
integer counts. So one pass scores a thousand resamples, and the same resamples serve every
model and baseline (paired comparisons).

Classification labels are class indices ``0..k-1`` and ``proba`` has one column per class.
Macro averages run over the classes present in the (resampled) test rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from pitfall.errors import ConfigError
from pitfall.stats import Resamples

__all__ = ["Metric", "METRICS", "get_metric", "default_metric", "bootstrap"]

Batch = Callable[[np.ndarray, np.ndarray, "np.ndarray | None", np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Metric:
    """A score of predictions against labels.

    Attributes:
        name: Name used on the command line and in reports.
        task: ``classification`` or ``regression``.
        needs_proba: Scores probabilities (``roc_auc``, ``average_precision``), not labels.
        greater_is_better: False for errors (``mae``, ``rmse``).
        batch: Vectorised scorer, see the module docs.
        chance: Score of an uninformed guess given the number of classes, where known.
    """

    name: str
    task: str
    needs_proba: bool
    greater_is_better: bool
    batch: Batch
    chance: Callable[[int], float] | None = None

    @property
    def label_only(self) -> bool:
        """Depends only on each row's (label, predicted label) pair."""
        return self.task == "classification" and not self.needs_proba

    def __call__(self, y_true, y_pred, proba=None, sample_weight=None) -> float:
        y_true = np.asarray(y_true)
        w = np.ones(len(y_true)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        if len(y_true) == 0 or (self.needs_proba and proba is None):
            return float("nan")
        with np.errstate(invalid="ignore", divide="ignore"):
            return float(self.batch(y_true, np.asarray(y_pred), proba, w[None, :])[0])


# ----- helpers ------------------------------------------------------------------------------
def _sums(W: np.ndarray, codes: np.ndarray, n_codes: int) -> np.ndarray:
    """Sum the weight columns that share a code: (b, n) -> (b, n_codes)."""
    n = W.shape[1]
    S = sparse.csr_matrix((np.ones(n), (codes, np.arange(n))), shape=(n_codes, n))
    return np.asarray(S @ W.T.astype(np.float64, copy=False)).T


def _div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def _mean_over_present(values: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Mean over the last axis of ``values`` where ``present``; NaN when nothing is present."""
    total = np.where(present, np.nan_to_num(values), 0.0).sum(axis=-1)
    return _div(total, present.sum(axis=-1).astype(float))


def _n_classes(*arrays: np.ndarray | None) -> int:
    return int(max(int(a.max()) for a in arrays if a is not None and a.size)) + 1


# ----- classification: labels ---------------------------------------------------------------
def _accuracy(y, p, proba, W):
    correct = (y == p).astype(np.float64)
    return _div(W @ correct, W.sum(axis=1))


def _balanced_accuracy(y, p, proba, W):
    k = _n_classes(y, p)
    sums = _sums(W, y.astype(np.int64) * 2 + (y == p), 2 * k)
    hits, support = sums[:, 1::2], sums[:, 0::2] + sums[:, 1::2]
    return _mean_over_present(_div(hits, support), support > 0)


def _f1_macro(y, p, proba, W):
    k = _n_classes(y, p)
    conf = _sums(W, y.astype(np.int64) * k + p.astype(np.int64), k * k).reshape(-1, k, k)
    tp = np.diagonal(conf, axis1=1, axis2=2)
    both = conf.sum(axis=2) + conf.sum(axis=1)  # true + predicted count per class
    f1 = np.where(both > 0, 2 * tp / np.where(both > 0, both, 1), 0.0)
    return _mean_over_present(f1, both > 0)


# ----- classification: probabilities ---------------------------------------------------------
def _one_vs_rest(y, proba):
    """(positive mask, score) per class: one pair for binary targets, k for multiclass."""
    proba = np.asarray(proba, dtype=float)
    if proba.ndim == 1:
        return [(y == 1, proba)]
    if proba.shape[1] == 2:
        return [(y == 1, proba[:, 1])]
    return [(y == c, proba[:, c]) for c in range(proba.shape[1])]


def _auc_one(pos, score, W):
    _, level = np.unique(score, return_inverse=True)
    sums = _sums(W, level * 2 + pos, 2 * (int(level.max()) + 1))
    neg, hit = sums[:, 0::2], sums[:, 1::2]
    below = np.cumsum(neg, axis=1) - neg  # negatives scored strictly lower
    num = (hit * (below + 0.5 * neg)).sum(axis=1)
    return _div(num, hit.sum(axis=1) * neg.sum(axis=1))


def _ap_one(pos, score, W):
    _, level = np.unique(-score, return_inverse=True)  # level 0 = highest score
    sums = _sums(W, level * 2 + pos, 2 * (int(level.max()) + 1))
    fp, tp = sums[:, 0::2], sums[:, 1::2]
    ctp, cfp = np.cumsum(tp, axis=1), np.cumsum(fp, axis=1)
    precision = np.nan_to_num(_div(ctp, ctp + cfp))
    return _div((tp * precision).sum(axis=1), tp.sum(axis=1))


def _macro(one: Callable) -> Batch:
    def batch(y, p, proba, W):
        parts = np.stack([one(pos, s, W) for pos, s in _one_vs_rest(y, proba)], axis=-1)
        return _mean_over_present(parts, np.isfinite(parts))

    return batch


# ----- regression ------------------------------------------------------------------------------
def _r2(y, p, proba, W):
    y = np.asarray(y, dtype=float)
    yc = y - y.mean()  # centred for numerical stability
    e = y - np.asarray(p, dtype=float)
    T = W.astype(np.float64, copy=False) @ np.column_stack([np.ones_like(y), yc, yc**2, e**2])
    total = T[:, 2] - _div(T[:, 1] ** 2, T[:, 0])
    return 1.0 - _div(T[:, 3], np.where(total > 1e-12 * T[:, 2], total, 0.0))


def _mae(y, p, proba, W):
    e = np.abs(np.asarray(y, dtype=float) - np.asarray(p, dtype=float))
    return _div(W @ e, W.sum(axis=1))


def _rmse(y, p, proba, W):
    e = (np.asarray(y, dtype=float) - np.asarray(p, dtype=float)) ** 2
    return np.sqrt(_div(W @ e, W.sum(axis=1)))


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("accuracy", "classification", False, True, _accuracy),
        Metric(
            "balanced_accuracy",
            "classification",
            False,
            True,
            _balanced_accuracy,
            lambda k: 1.0 / k,
        ),
        Metric("f1_macro", "classification", False, True, _f1_macro),
        Metric("roc_auc", "classification", True, True, _macro(_auc_one), lambda k: 0.5),
        Metric("average_precision", "classification", True, True, _macro(_ap_one)),
        Metric("r2", "regression", False, True, _r2, lambda k: 0.0),
        Metric("mae", "regression", False, False, _mae),
        Metric("rmse", "regression", False, False, _rmse),
    )
}


def default_metric(task: str) -> str:
    """Balanced accuracy for classification (honest under imbalance), R² for regression."""
    return "r2" if task == "regression" else "balanced_accuracy"


def get_metric(name: str, task: str) -> Metric:
    if name == "auto":
        name = default_metric(task)
    if name not in METRICS:
        raise ConfigError(
            f"the metric (--metric or [tool.pitfall] metric) must be one of auto, {', '.join(METRICS)}. "
            f"Got {name!r} instead."
        )
    metric = METRICS[name]
    kind = "regression" if task == "regression" else "classification"
    if metric.task != kind:
        raise ConfigError(
            f"metric {name} is a {metric.task} metric but the target is a {kind} target. "
            f"Use --metric {default_metric(task)} or --task."
        )
    return metric


# ----- bootstrap -------------------------------------------------------------------------------
Prediction = tuple[np.ndarray, "np.ndarray | None"]  # (labels or values, probabilities)


def bootstrap(metric: Metric, y: np.ndarray, preds: Sequence[Prediction], resamples: Resamples) -> np.ndarray:
    """Score each prediction on the same bootstrap resamples of the rows.

    Returns:
        An array of shape (len(preds), n_resamples). Resamples drawn on a subsample (see
        ``pitfall.stats``) are recentred on each prediction's full-data score.
    """
    y = np.asarray(y)
    out = np.full((len(preds), resamples.n_resamples), np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        if metric.label_only and _cells(metric, y, preds, resamples, out):
            return out
        rows, W = resamples.rows, resamples.weights
        block = max(1, 2_000_000 // max(len(rows), 1))
        for i, (label, proba) in enumerate(preds):
            label_r = np.asarray(label)[rows]
            proba_r = None if proba is None else np.asarray(proba)[rows]
            for start in range(0, W.shape[0], block):
                chunk = W[start : start + block]
                out[i, start : start + block] = metric.batch(y[rows], label_r, proba_r, chunk)
            if resamples.subsampled:
                ones = np.ones((1, len(rows)))
                sub = metric.batch(y[rows], label_r, proba_r, ones)[0]
                out[i] += metric(y, label, proba) - sub
    return out


def _cells(metric: Metric, y: np.ndarray, preds: Sequence[Prediction], resamples, out) -> bool:
    """Draw counts of the distinct (label, prediction, ...) combinations; False if too many."""
    k = _n_classes(y, *(np.asarray(p) for p, _ in preds))
    codes = y.astype(np.int64)
    for label, _ in preds:
        codes = codes * k + np.asarray(label, dtype=np.int64)
    drawn = resamples.cells(codes)
    if drawn is None:
        return False
    first, W = drawn
    for i, (label, _) in enumerate(preds):
        out[i] = metric.batch(y[first], np.asarray(label)[first], None, W)
    return True
