"""The domain classifier of PF502: out-of-fold scores telling current rows from reference rows,
their AUC with a bootstrap interval, and permutation importances.

The classifier is deliberately light: boosted shallow trees (7 leaves, 50 rounds, learning rate
0.1) on 2 folds. On the recall case of ``benchmarks/false_alarms_binned.py`` (a 0.25 sd shift of
one of five features, domain AUC ≈ 0.57) its out-of-fold AUC's lower bound matched that of
pitfall's default model (up to 300 regularised rounds of 15 leaves on 3 folds), at a fraction of
the fitting time; a stronger learner gains nothing when the question is whether two samples
differ at all. Columns are encoded once (categories as codes of their most frequent levels),
so folds, predictions and permutations share one matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pitfall.stats import Interval, percentile_interval

__all__ = ["DomainScores", "auc_interval", "encode", "importance", "out_of_fold"]

N_FOLDS = 2
N_BOOT = 200
MAX_LEVELS = 254  # most frequent levels of a categorical column kept as their own code; the rest share one
TREE = dict(max_iter=50, learning_rate=0.1, max_leaf_nodes=7, l2_regularization=1.0, early_stopping=False)
MAX_IMPORTANCE_FEATURES = 40
IMPORTANCE_ROWS = 4000  # held-out rows (over all folds) scored with each feature permuted: a paired AUC drop


def encode(frame: pd.DataFrame, features: list[str], kinds: dict[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """Features as one float matrix (missing as NaN) and which columns are categorical. A
    categorical column's codes rank its levels by frequency in ``frame``: the first
    ``MAX_LEVELS`` keep their own code, the rarer ones share the next."""
    columns, categorical = [], []
    for col in features:
        values = frame[col]
        if kinds.get(col) == "numeric":
            columns.append(np.asarray(values, dtype=float))
            categorical.append(False)
            continue
        codes, levels = pd.factorize(values, use_na_sentinel=True)
        counts = np.bincount(codes[codes >= 0], minlength=len(levels))
        rank = np.empty(len(levels), dtype=float)
        rank[np.argsort(-counts, kind="stable")] = np.arange(len(levels))
        rank = np.minimum(rank, MAX_LEVELS)
        columns.append(np.where(codes >= 0, rank[np.maximum(codes, 0)] if len(levels) else 0.0, np.nan))
        categorical.append(True)
    return np.column_stack(columns), np.asarray(categorical)


def _classifier(categorical: np.ndarray, seed: int):
    from sklearn.ensemble import HistGradientBoostingClassifier

    # a column with no value at all breaks the binning: the caller gives it a constant
    return HistGradientBoostingClassifier(
        random_state=seed, categorical_features=categorical if categorical.any() else None, **TREE
    )


def _one_thread():
    """One OpenMP thread, as pitfall's default model: on a busy machine more threads than free
    cores make histogram gradient boosting many times slower."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1, user_api="openmp")


@dataclass
class DomainScores:
    """Out-of-fold probability that each row is current, and each fold's model with its held-out rows."""

    oof: np.ndarray
    models: list[tuple[object, np.ndarray]]


def out_of_fold(X: np.ndarray, categorical: np.ndarray, y: np.ndarray, seed: int) -> DomainScores:
    """Stratified ``N_FOLDS``-fold out-of-fold scores of the domain classifier."""
    from sklearn.model_selection import StratifiedKFold

    X = X.copy()
    X[:, np.isnan(X).all(axis=0)] = 0.0
    oof = np.empty(len(y))
    models = []
    with _one_thread():
        for train_idx, test_idx in StratifiedKFold(N_FOLDS, shuffle=True, random_state=seed).split(X, y):
            model = _classifier(categorical, seed).fit(X[train_idx], y[train_idx])
            oof[test_idx] = model.predict_proba(X[test_idx])[:, 1]
            models.append((model, test_idx))
    return DomainScores(oof, models)


def _weighted_auc(inv: np.ndarray, pos: np.ndarray, w: np.ndarray, n_unique: int) -> np.ndarray:
    """AUC of scores (as ranks ``inv`` into their distinct values) for each row of weights ``w``."""
    out = np.empty(w.shape[0])
    for b in range(w.shape[0]):
        wp = np.bincount(inv[pos], w[b, pos], n_unique)
        wn = np.bincount(inv[~pos], w[b, ~pos], n_unique)
        below = np.cumsum(wn) - wn
        denom = wp.sum() * wn.sum()
        out[b] = (np.sum(wp * (below + 0.5 * wn)) / denom) if denom > 0 else np.nan
    return out


def _poisson_one(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Poisson(1) counts by inverse CDF on 16-bit uniforms (each probability within 2⁻¹⁶ of the
    exact one): an order of magnitude faster than ``rng.poisson`` on the millions of weights
    a bootstrap of a large sample draws."""
    from scipy.stats import poisson

    cdf = poisson.cdf(np.arange(16), 1.0)
    table = np.searchsorted(cdf, (np.arange(2**16) + 0.5) / 2**16).astype(np.uint8)
    return table[rng.integers(0, 2**16, size=shape, dtype=np.uint16)]


def auc_interval(scores: np.ndarray, is_current: np.ndarray, seed: int, n_boot: int = N_BOOT) -> Interval:
    """ROC AUC of current-vs-reference scores with a 95% bootstrap interval (Poisson weights,
    resampling reference and current rows independently)."""
    scores = np.asarray(scores, dtype=float)
    pos = np.asarray(is_current, dtype=bool)
    uniq, inv = np.unique(scores, return_inverse=True)
    est = float(_weighted_auc(inv, pos, np.ones((1, len(scores))), len(uniq))[0])
    rng = np.random.default_rng([seed, 502])
    w = _poisson_one(rng, (n_boot, len(scores)))
    return percentile_interval(est, _weighted_auc(inv, pos, w, len(uniq)))


def importance(
    scores: DomainScores, X: np.ndarray, y: np.ndarray, features: list[str], seed: int
) -> list[dict[str, float | str]]:
    """Permutation importance on held-out rows: the drop of AUC with one feature shuffled, largest first."""
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng([seed, 5021])
    chosen = features[:MAX_IMPORTANCE_FEATURES]
    per_fold = IMPORTANCE_ROWS // len(scores.models)
    parts = []
    for model, test_idx in scores.models:
        idx = test_idx if len(test_idx) <= per_fold else np.sort(rng.choice(test_idx, per_fold, replace=False))
        parts.append((model, idx))
    rows = np.concatenate([idx for _, idx in parts])
    if len(np.unique(y[rows])) < 2:
        return []
    base = roc_auc_score(y[rows], scores.oof[rows])
    X = X.copy()
    X[:, np.isnan(X).all(axis=0)] = 0.0
    permuted = []
    with _one_thread():
        for model, idx in parts:  # every permuted copy of a fold's rows in one prediction call
            held = X[idx]
            copies = np.repeat(held[None], len(chosen), axis=0)
            for c in range(len(chosen)):
                copies[c, :, c] = held[rng.permutation(len(idx)), c]
            p = model.predict_proba(copies.reshape(-1, X.shape[1]))[:, 1]
            permuted.append(p.reshape(len(chosen), len(idx)))
    out = []
    for c, col in enumerate(chosen):
        permuted_scores = np.concatenate([p[c] for p in permuted])
        out.append({"feature": col, "auc_drop": float(base - roc_auc_score(y[rows], permuted_scores))})
    out.sort(key=lambda d: -d["auc_drop"])
    return out
