"""One-feature rules scored out-of-fold from counts: no model fit, one pass over the rows.

Each column is cut once into at most ``N_FINE`` quantile bins (label-free, so the cut may see
every row), missing values in a bin of their own. The labels are then counted per (fold, bin):
class counts, or the count, sum and sum of squares of a numeric label. From these counts alone:

- the rule of each fold: a tree of depth ``DEPTH`` (at most 32 leaves) that merges adjacent
  fine bins by the usual impurity decrease (Gini, or squared error), grown on the counts of
  the other folds; a leaf holds at least ``max(5, 0.2%)`` of those rows. Categorical codes and
  missingness indicators keep one leaf per value;
- its table: the label distribution per leaf smoothed toward the prior (the mean label for
  regression), and the class with the highest posterior-to-prior ratio (balanced accuracy's
  decision) or the mean;
- its out-of-fold score: the held-out fold's counts per bin against that fold's predictions,
  summed over folds into a confusion matrix (balanced accuracy) or a squared error (R²).

The trees of every column and fold are grown together, level by level, as array operations.
Counts of two chunks of rows add up, so the expensive part is mergeable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pitfall.checks.context import Predictions

__all__ = ["FittedRule", "fine_cuts", "fold_ids", "score_rules", "N_FINE", "DEPTH"]

N_FINE = 256  # quantile bins of a numeric column (codes: 0..255); bin N_FINE is "missing"
NB = N_FINE + 1
DEPTH = 5  # 2**5 = 32 leaves at most
QUANTILE_SAMPLE = 200_000  # finite values a column's quantile cuts are taken from
BLOCK = 64  # columns whose trees are grown together


def fold_ids(y: np.ndarray, n_classes: int, n_folds: int, seed: int) -> np.ndarray:
    """A fold for every row, shuffled with ``seed``; stratified by class for classification."""
    rng = np.random.default_rng(seed)
    n = len(y)
    folds = np.empty(n, dtype=np.int64)
    if n_classes:
        order = np.argsort(y * 1.0 + rng.random(n), kind="stable")  # classes in turn, shuffled within
        folds[order] = np.arange(n) % n_folds
    else:
        folds[rng.permutation(n)] = np.arange(n) % n_folds
    return folds


def fine_cuts(x: np.ndarray, seed: int = 0) -> np.ndarray:
    """At most ``N_FINE - 1`` quantile cuts of the finite values, each above the smallest."""
    xf = x[np.isfinite(x)]
    if xf.size < 2:
        return np.array([])
    if xf.size > QUANTILE_SAMPLE:  # drawn with replacement: no permutation of every row
        xf = xf[np.random.default_rng(seed).integers(0, xf.size, QUANTILE_SAMPLE)]
    lo = xf.min()
    if xf.max() == lo:
        return np.array([])
    n_fine = min(N_FINE, max(2, xf.size // 2))  # a fine bin of a small column holds two rows or more
    cuts = np.unique(np.quantile(xf, np.linspace(0, 1, n_fine + 1)[1:-1]))
    return cuts[cuts > lo]


def fine_bins(x: np.ndarray, kind: str, cuts: np.ndarray | None) -> np.ndarray:
    """Fine bin of every row: 0..N_FINE-1 for values (or codes, or 0/1 missingness), N_FINE missing."""
    missing = ~np.isfinite(x)
    if kind == "missing":
        return missing.astype(np.int64)
    if kind == "codes":
        out = np.clip(np.where(missing, 0, x), 0, N_FINE - 1).astype(np.int64)
    else:
        out = np.searchsorted(cuts, np.where(missing, 0, x), side="right").astype(np.int64)
    out[missing] = N_FINE
    return out


def label_counts(bins: np.ndarray, y: np.ndarray, folds: np.ndarray, n_folds: int, n_classes: int) -> np.ndarray:
    """Counts per (fold, fine bin, channel): class counts, or [n, Σy, Σy²] of a numeric label."""
    cell = folds * NB + bins
    if n_classes:
        c = np.bincount(cell * n_classes + y, minlength=n_folds * NB * n_classes)
        return c.reshape(n_folds, NB, n_classes).astype(np.float64)
    parts = [np.bincount(cell, weights=w, minlength=n_folds * NB) for w in (None, y, y * y)]
    return np.stack(parts, axis=-1).reshape(n_folds, NB, 3)


@dataclass
class FittedRule:
    """A scored rule: its final form (fitted on all training rows) and its per-fold tables."""

    rule: object  # pitfall.checks.single_feature.FeatureRule
    score: float
    kind: str
    cuts: np.ndarray | None
    fold_label: np.ndarray  # (folds, NB): each fold's prediction per fine bin
    fold_proba: np.ndarray | None  # (folds, NB, classes)

    def oof(self, X: np.ndarray, folds: np.ndarray, n_classes: int) -> Predictions:
        b = fine_bins(X[:, self.rule.column], self.kind, self.cuts)
        label = self.fold_label[folds, b]
        proba = self.fold_proba[folds, b] if self.fold_proba is not None else None
        return Predictions(label=label.astype(np.int64) if n_classes else label, proba=proba)


def score_rules(
    X: np.ndarray,
    y: np.ndarray,
    folds: np.ndarray,
    columns: list[tuple[str, int, str]],
    *,
    n_classes: int,
    seed: int,
) -> dict[str, FittedRule]:
    """Fit and score the rule of each (name, column, kind) in ``columns`` (see module docs)."""
    n_folds = int(folds.max()) + 1 if len(folds) else 1
    offset = 0.0 if n_classes else float(np.mean(y))
    yy = y.astype(np.int64) if n_classes else y.astype(float) - offset  # centred: sums of squares stay exact
    out: dict[str, FittedRule] = {}
    for start in range(0, len(columns), BLOCK):
        block = columns[start : start + BLOCK]
        cuts = [fine_cuts(X[:, j], seed) if kind == "numeric" else None for _, j, kind in block]
        counts = np.stack(
            [
                label_counts(fine_bins(X[:, j], kind, c), yy, folds, n_folds, n_classes)
                for (_, j, kind), c in zip(block, cuts, strict=True)
            ]
        )  # (C, F, NB, ch)
        out.update(_solve(block, cuts, counts, n_classes, offset))
    return out


def _solve(block, cuts, counts: np.ndarray, k: int, offset: float) -> dict[str, FittedRule]:
    from pitfall.checks.single_feature import FeatureRule

    C, F = counts.shape[:2]
    total = counts.sum(axis=1, keepdims=True)  # (C, 1, NB, ch)
    train = np.concatenate([total - counts, total], axis=1)  # (C, F + 1, NB, ch): folds, then all rows
    if k:
        S, w = train[..., :N_FINE, :], train[..., :N_FINE, :].sum(-1)
    else:
        S, w = train[..., :N_FINE, 1:2], train[..., :N_FINE, 0]
    numeric = np.array([kind == "numeric" for _, _, kind in block])
    starts = np.ones(w.shape, dtype=bool)  # codes and indicators: one leaf per value
    if numeric.any():
        used = max(c.size + 1 for c, is_num in zip(cuts, numeric, strict=True) if is_num)  # bins beyond: empty
        wn = w[numeric][..., :used].reshape(-1, used)
        min_leaf = np.maximum(5.0, 0.002 * wn.sum(axis=1))
        grown = np.zeros((int(numeric.sum()), F + 1, N_FINE), dtype=bool)
        grown[..., :used] = _grow(S[numeric][..., :used, :].reshape(-1, used, S.shape[-1]), wn, min_leaf).reshape(
            -1, F + 1, used
        )
        starts[numeric] = grown
    leaf = _leaf_sums(train[..., :N_FINE, :], starts)  # each bin's leaf totals
    leaf = np.concatenate([leaf, train[..., N_FINE:, :]], axis=2)  # the missing bin is its own leaf
    held = counts  # (C, F, NB, ch)
    out = {}
    if k:
        n_leaf = leaf.sum(-1, keepdims=True)
        prior = train.sum(axis=2, keepdims=True) / np.maximum(train.sum(axis=(2, 3), keepdims=True), 1)
        proba = (leaf + prior) / (n_leaf + 1.0)  # (C, F + 1, NB, k)
        label = np.argmax(proba / np.maximum(prior, 1e-12), axis=-1)  # (C, F + 1, NB)
        onehot = np.eye(k)[label[:, :F]].reshape(C, F * NB, k)  # (C, F·NB, k_pred)
        conf = np.matmul(held.reshape(C, F * NB, k).transpose(0, 2, 1), onehot)  # (C, k_true, k_pred)
        support = conf.sum(axis=2)
        hits = np.diagonal(conf, axis1=1, axis2=2)
        present = support > 0
        recall = np.where(present, hits / np.where(present, support, 1), 0.0)
        scores = recall.sum(axis=1) / np.maximum(present.sum(axis=1), 1)
    else:
        n_tr = train[..., 0].sum(axis=2, keepdims=True)
        prior = train[..., 1].sum(axis=2, keepdims=True) / np.maximum(n_tr, 1)
        mean = (leaf[..., 1] + prior) / (leaf[..., 0] + 1.0)  # (C, F + 1, NB)
        m = mean[:, :F]
        sse = (held[..., 2] - 2 * m * held[..., 1] + held[..., 0] * m * m).sum(axis=(1, 2))
        tot = total[:, 0]
        sst = tot[:, :, 2].sum(axis=1) - tot[:, :, 1].sum(axis=1) ** 2 / np.maximum(tot[:, :, 0].sum(axis=1), 1)
        scores = np.where(sst > 0, 1.0 - sse / np.where(sst > 0, sst, 1.0), np.nan)
        label, proba = mean + offset, None
    for i, (name, j, kind) in enumerate(block):
        edges = None
        if kind == "numeric":
            split_after = np.flatnonzero(starts[i, F, 1:])  # a leaf starts at fine bin s + 1
            edges = np.unique(cuts[i][split_after]) if cuts[i].size else np.array([])
        rule = FeatureRule(name, j, kind == "missing", edges)
        out[name] = FittedRule(
            rule,
            float(scores[i]),
            kind,
            cuts[i],
            label[i, :F],
            proba[i, :F] if proba is not None else None,
        )
    return out


def _grow(S: np.ndarray, w: np.ndarray, min_leaf: np.ndarray, depth: int = DEPTH) -> np.ndarray:
    """Leaf starts (M, B) of a depth-``depth`` tree over ordered bins, for M problems at once.

    ``S`` (M, B, ch): per-bin label sums (class counts, or sums of the centred label); ``w``
    (M, B): per-bin row counts. A split of a segment maximises Σ S_L²/w_L + Σ S_R²/w_R − Σ S²/w
    (the decrease of Gini impurity, or of the squared error), both sides with ``min_leaf`` rows.
    """
    M, B = w.shape
    pos = np.arange(B)
    rows = np.arange(M)[:, None]
    starts = np.zeros((M, B), dtype=bool)
    starts[:, 0] = True
    Pw = np.concatenate([np.zeros((M, 1)), np.cumsum(w, axis=1)], axis=1)
    PS = np.concatenate([np.zeros((M, 1, S.shape[2])), np.cumsum(S, axis=1)], axis=1)

    def q(s, n):
        return (s * s).sum(-1) / np.where(n > 0, n, 1.0)

    for _ in range(depth):
        lo = np.maximum.accumulate(np.where(starts, pos, 0), axis=1)
        nxt = np.concatenate([np.where(starts[:, 1:], pos[1:], B), np.full((M, 1), B)], axis=1)
        hi = np.minimum.accumulate(nxt[:, ::-1], axis=1)[:, ::-1] - 1  # last bin of each segment
        base_w, base_S = Pw[rows, lo], PS[rows, lo]
        tot_w, tot_S = Pw[rows, hi + 1] - base_w, PS[rows, hi + 1] - base_S
        left_w, left_S = Pw[:, 1:] - base_w, PS[:, 1:] - base_S
        right_w, right_S = tot_w - left_w, tot_S - left_S
        gain = q(left_S, left_w) + q(right_S, right_w) - q(tot_S, tot_w)
        ok = (
            (left_w >= min_leaf[:, None])
            & (right_w >= min_leaf[:, None])
            & (pos < hi)
            & (gain > 1e-9 * np.maximum(tot_w, 1.0))
        )
        flat = np.where(ok, gain, -np.inf).ravel()
        seg_starts = np.flatnonzero(starts.ravel())
        best = np.maximum.reduceat(flat, seg_starts)
        seg_of = np.cumsum(starts.ravel()) - 1
        cand = np.where((flat == best[seg_of]) & np.isfinite(flat), np.arange(M * B), M * B)
        first = np.minimum.reduceat(cand, seg_starts)
        first = first[first < M * B]
        if first.size == 0:
            break
        new = starts.ravel().copy()
        new[first + 1] = True
        starts = new.reshape(M, B)
    return starts


def _leaf_sums(T: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """For each bin, the totals of its leaf (the run of bins from a start to the next)."""
    shape = T.shape
    B = shape[-2]
    T2 = T.reshape(-1, B, shape[-1])
    st = starts.reshape(-1, B)
    M = st.shape[0]
    pos = np.arange(B)
    rows = np.arange(M)[:, None]
    P = np.concatenate([np.zeros((M, 1, shape[-1])), np.cumsum(T2, axis=1)], axis=1)
    lo = np.maximum.accumulate(np.where(st, pos, 0), axis=1)
    nxt = np.concatenate([np.where(st[:, 1:], pos[1:], B), np.full((M, 1), B)], axis=1)
    hi = np.minimum.accumulate(nxt[:, ::-1], axis=1)[:, ::-1]
    return (P[rows, hi] - P[rows, lo]).reshape(shape)
