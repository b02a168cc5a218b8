"""Metrics pitfall scores models and baselines with, and their bootstrap intervals.

Every metric takes ``(y_true, y_pred, proba, sample_weight)`` so that one bootstrap
resample (given as integer weights) serves every model and baseline: paired comparisons.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn import metrics as skm

from pitfall.errors import ConfigError

__all__ = ["Metric", "METRICS", "get_metric", "default_metric"]


@dataclass(frozen=True)
class Metric:
    """A score where higher is better (errors are negated in ``score`` and shown positive)."""

    name: str
    task: str  # "classification" | "regression"
    needs_proba: bool
    greater_is_better: bool
    fn: Callable[..., float]
    chance: Callable[[int], float] | None = None  # score of an uninformed guess, given n classes

    def __call__(self, y_true, y_pred, proba=None, sample_weight=None) -> float:
        try:
            return float(self.fn(y_true, y_pred, proba, sample_weight))
        except ValueError:
            return float("nan")


def _acc(y, p, proba, w):
    return skm.accuracy_score(y, p, sample_weight=w)


def _bacc(y, p, proba, w):
    # Recall per class, averaged over classes present in y (sklearn warns otherwise).
    y = np.asarray(y)
    p = np.asarray(p)
    w = np.ones(len(y)) if w is None else np.asarray(w, dtype=float)
    classes = np.unique(y[w > 0])
    recalls = []
    for c in classes:
        m = (y == c) & (w > 0)
        recalls.append(np.sum(w[m] * (p[m] == c)) / np.sum(w[m]))
    return float(np.mean(recalls)) if recalls else float("nan")


def _f1_macro(y, p, proba, w):
    return skm.f1_score(y, p, average="macro", sample_weight=w, zero_division=0)


def _positive_column(proba, classes_hint=None):
    proba = np.asarray(proba)
    return proba[:, -1] if proba.ndim == 2 else proba


def _roc_auc(y, p, proba, w):
    proba = np.asarray(proba)
    if proba.ndim == 1 or proba.shape[1] == 2:
        return skm.roc_auc_score(y, _positive_column(proba), sample_weight=w)
    return skm.roc_auc_score(y, proba, multi_class="ovr", average="macro", sample_weight=w)


def _avg_precision(y, p, proba, w):
    proba = np.asarray(proba)
    if proba.ndim == 1 or proba.shape[1] == 2:
        return skm.average_precision_score(y, _positive_column(proba), sample_weight=w)
    y_bin = (np.asarray(y)[:, None] == np.arange(proba.shape[1])[None, :]).astype(int)
    return skm.average_precision_score(y_bin, proba, average="macro", sample_weight=w)


def _r2(y, p, proba, w):
    return skm.r2_score(y, p, sample_weight=w)


def _mae(y, p, proba, w):
    return skm.mean_absolute_error(y, p, sample_weight=w)


def _rmse(y, p, proba, w):
    return float(np.sqrt(skm.mean_squared_error(y, p, sample_weight=w)))


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("accuracy", "classification", False, True, _acc),
        Metric("balanced_accuracy", "classification", False, True, _bacc, chance=lambda k: 1.0 / k),
        Metric("f1_macro", "classification", False, True, _f1_macro),
        Metric("roc_auc", "classification", True, True, _roc_auc, chance=lambda k: 0.5),
        Metric("average_precision", "classification", True, True, _avg_precision),
        Metric("r2", "regression", False, True, _r2, chance=lambda k: 0.0),
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
        raise ConfigError(f"--metric must be one of auto, {', '.join(METRICS)}. Got {name!r} instead.")
    metric = METRICS[name]
    kind = "regression" if task == "regression" else "classification"
    if metric.task != kind:
        raise ConfigError(
            f"--metric {name} is a {metric.task} metric but the target is a {kind} target. "
            f"Use --metric {default_metric(task)} or --task."
        )
    return metric
