"""Out-of-fold class probabilities of pitfall's default model on the training rows.

Several checks need to know what a model that has *not* seen a training row thinks of it (label
errors, calibration, conformal sets). Fitting five models is expensive, so the probabilities are
computed once per scan on ``ctx.cv_rows`` (at most ``MAX_CV_ROWS`` rows) and shared through
``ctx.cached``. The fold models boost at four times the default model's learning rate for a
quarter of its rounds (``ctx.fit_default_model(fast=True)``): they only supply probabilities
for statistics that are recalibrated anyway (PF106 fits a temperature), and on digits their
out-of-fold log-loss matched the default's at a fifth of the fitting time. Test rows are
predicted only where a check reads them: the labelled ones, at most ``MAX_CV_ROWS`` (seeded).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold, StratifiedKFold

from pitfall.checks.context import MAX_CV_ROWS, Context

__all__ = [
    "N_FOLDS",
    "OutOfFold",
    "align_proba",
    "apply_temperature",
    "fit_temperature",
    "labelled_test_rows",
    "normalize_rows",
    "out_of_fold_proba",
]

N_FOLDS = 5


@dataclass(frozen=True)
class OutOfFold:
    """Each training row's class probabilities from the fold model that did not see it.

    Attributes:
        rows: Positions of the rows in ``ctx.split.train`` (``ctx.cv_rows``).
        y: Their labels as class indices (into ``ctx.classes``).
        proba: Shape (len(rows), n_classes), columns follow ``ctx.classes``; each row sums to 1.
        test_rows: Positions in ``ctx.split.test`` of the test rows predicted: those with a
            known class, a seeded sample of ``MAX_CV_ROWS`` of them on bigger test sets.
        test_proba: The fold models' probabilities on ``test_rows``, combined by their
            geometric mean (mean log-probability, which keeps the sharpness of one model where
            an arithmetic mean would blur it): a model that saw neither the test rows nor
            their labels.
        fold: The fold each row was held out in.
        n_folds: Number of folds.
        seed: Seed of the fold assignment and of the models.
    """

    rows: np.ndarray
    y: np.ndarray
    proba: np.ndarray
    test_rows: np.ndarray
    test_proba: np.ndarray
    fold: np.ndarray
    n_folds: int
    seed: int


def out_of_fold_proba(ctx: Context, n_folds: int = N_FOLDS) -> OutOfFold:
    """Out-of-fold probabilities of the default model (classification only), cached per scan."""
    if not ctx.is_classification:
        raise ValueError("out-of-fold class probabilities need a classification task")
    return ctx.cached(f"out-of-fold-proba:{n_folds}", lambda: _compute(ctx, n_folds))


def _compute(ctx: Context, n_folds: int) -> OutOfFold:
    rows = np.asarray(ctx.cv_rows)
    y = ctx.y_train[rows]
    k = len(ctx.classes)
    counts = np.bincount(y, minlength=k)
    present = counts[counts > 0]
    n_folds = int(min(n_folds, max(2, len(rows) // 2)))
    if present.min() >= n_folds:
        splitter = StratifiedKFold(n_folds, shuffle=True, random_state=ctx.seed)
    else:  # a class too rare to be in every fold: plain folds, the rare class may be unseen
        splitter = KFold(n_folds, shuffle=True, random_state=ctx.seed)
    proba = np.zeros((len(rows), k))
    fold = np.zeros(len(rows), dtype=np.int64)
    features = list(ctx.split.features)
    test_rows = labelled_test_rows(ctx)
    test_X = ctx.split.test.iloc[test_rows][features]
    test_logp = np.zeros((len(test_rows), k))
    for f, (fit_idx, held_idx) in enumerate(splitter.split(rows, y)):
        fold[held_idx] = f
        fit_rows = rows[fit_idx]
        if len(np.unique(y[fit_idx])) < 2:  # nothing to learn: the fold's class shares
            proba[held_idx] = np.bincount(y[fit_idx], minlength=k) / len(fit_idx)
            test_logp += _log(np.bincount(y[fit_idx], minlength=k) / len(fit_idx))
            continue
        model = ctx.fit_default_model(features, rows=fit_rows, balanced=False, fast=True)
        X = ctx.split.train.iloc[rows[held_idx]][features]
        proba[held_idx] = align_proba(model.predict_proba(X), model.classes_, ctx.classes)
        if len(test_rows):
            test_logp += _log(align_proba(model.predict_proba(test_X), model.classes_, ctx.classes))
    return OutOfFold(
        rows=rows,
        y=y,
        proba=proba,
        test_rows=test_rows,
        test_proba=_softmax(test_logp / n_folds),
        fold=fold,
        n_folds=n_folds,
        seed=ctx.seed,
    )


def labelled_test_rows(ctx: Context) -> np.ndarray:
    """Test rows with a known class; on a bigger test set a seeded sample of ``MAX_CV_ROWS``
    (as many as the training side uses)."""
    valid = np.flatnonzero(ctx.y_test >= 0)
    if len(valid) > MAX_CV_ROWS:
        valid = np.sort(np.random.default_rng([ctx.seed, 1061]).choice(valid, MAX_CV_ROWS, replace=False))
    return valid


def align_proba(proba: np.ndarray, model_classes, classes: list) -> np.ndarray:
    """Reorder a model's probability columns to ``classes`` (zeros for unseen classes), rows summing to 1."""
    proba = np.asarray(proba, dtype=float)
    out = np.zeros((len(proba), len(classes)))
    cols = pd.Index(classes).get_indexer(list(model_classes))
    for j, c in enumerate(cols):
        if c >= 0:
            out[:, c] = proba[:, j]
    return normalize_rows(out)


def normalize_rows(proba: np.ndarray) -> np.ndarray:
    """Rows scaled to sum to 1; a row of zeros or NaN becomes uniform."""
    p = np.nan_to_num(np.clip(np.asarray(proba, dtype=float), 0.0, None), nan=0.0)
    total = p.sum(axis=1, keepdims=True)
    uniform = np.full_like(p, 1.0 / max(p.shape[1], 1))
    return np.where(total > 0, p / np.where(total > 0, total, 1.0), uniform)


def _log(p: np.ndarray) -> np.ndarray:
    return np.log(np.clip(p, 1e-12, 1.0))


def _softmax(z: np.ndarray) -> np.ndarray:
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def fit_temperature(proba: np.ndarray, y: np.ndarray) -> float:
    """The temperature T that maximises the likelihood of ``y`` under ``softmax(log(proba) / T)``.

    One parameter: it removes a model's overall over- (T > 1) or under-confidence (T < 1) and
    keeps the ranking of the classes in every row (Guo et al. 2017).
    """
    from scipy.optimize import minimize_scalar

    logp = np.log(np.clip(proba, 1e-12, 1.0))
    rows = np.arange(len(y))

    def nll(log_t: float) -> float:
        z = logp / np.exp(log_t)
        z = z - z.max(axis=1, keepdims=True)
        return float(-(z[rows, y] - np.log(np.exp(z).sum(axis=1))).mean())

    if len(y) == 0:
        return 1.0
    return float(np.exp(minimize_scalar(nll, bounds=(-3.0, 3.0), method="bounded").x))


def apply_temperature(proba: np.ndarray, temperature: float) -> np.ndarray:
    """``softmax(log(proba) / temperature)``, row by row."""
    return _softmax(_log(proba) / temperature)
