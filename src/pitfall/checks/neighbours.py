"""Nearest training row of each test row, found by banded grid hashing, never all pairs.

Numeric columns are put on a common scale (divided by a robust spread). Each of ``n_bands``
bands hashes the categorical values plus ``k`` randomly chosen numeric columns cut into cells of
width ``width`` (with a random offset per band); test and training rows sharing a cell in any
band become candidate pairs, and each candidate is verified by its largest scaled difference
over all numeric columns (the L∞ distance, exact on categorical ones). ``k`` grows with the log
of the number of rows so that a cell holds about one row by chance, which keeps the candidate
count linear in the number of rows. Two rows closer than a fifth of a cell on every axis share
a cell in one band with probability ≥ 1 - (1 - 0.8^k)^n_bands (about 0.95 for k = 6, 12 bands).

How surprising is a neighbour? For a test row x and a training row t, let
``u_j = P(|X_j - x_j| <= |t_j - x_j|)``: the share of training values of column j at least as
close to x_j as t's (read off the column's empirical distribution; for categorical columns and
exact ties, the value's frequency). For a random training row with independent columns each
``u_j`` is uniform, so ``S = -sum_j log u_j`` follows Gamma(d, 1) and a random row is this close
with probability ``Q(d, S)`` (the regularised upper incomplete gamma function). Correlated
columns carry less independent evidence: the sum is rescaled to ``d_eff`` independent columns,
``S' = S * d_eff / d`` against Gamma(d_eff, 1), with ``d_eff`` the participation ratio of the
correlation spectrum. The expected number of training rows this close by chance is then
``n_train * Q(d_eff, S')``: exact copies of rows with continuous values score near zero, while
equal rows of a few discrete columns, or close neighbours in two dimensions, do not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pitfall.checks.matching import robust_scale
from pitfall.data.encode import as_float, column_kind

__all__ = ["Neighbours", "nearest_train_rows"]

_PRIME = np.uint64(1_000_003)
MAX_CANDIDATES = 8  # per test row and band: dense cells are capped, not enumerated


@dataclass
class Neighbours:
    """For each test row: its nearest candidate training row, the distance, the chance expectation."""

    train_row: np.ndarray  # -1 when no candidate was found
    distance: np.ndarray  # scaled L∞ distance over numeric columns (inf when none)
    expected: np.ndarray  # expected number of training rows this close by chance (inf when none)


def _mix(h: np.ndarray, codes: np.ndarray) -> np.ndarray:
    hashed = pd.util.hash_array(codes, categorize=False)
    with np.errstate(over="ignore"):
        return (h * _PRIME) ^ hashed


def _split_columns(train: pd.DataFrame, columns: list[str]):
    numeric, categorical = [], []
    for c in columns:
        (numeric if column_kind(train[c]) in ("numeric", "datetime") else categorical).append(c)
    return numeric, categorical


def _band_keys(Z_tr, Z_te, cat_tr, cat_te, axes, width, offsets):
    h_tr, h_te = cat_tr.copy(), cat_te.copy()
    for a, off in zip(axes, offsets, strict=True):
        for Z, h, out in ((Z_tr, h_tr, "tr"), (Z_te, h_te, "te")):
            cell = np.floor(Z[:, a] / width + off)
            cell = np.where(np.isfinite(cell), cell, -(2**62)).astype(np.int64)
            if out == "tr":
                h_tr = _mix(h, cell)
            else:
                h_te = _mix(h, cell)
    return h_tr, h_te


def _candidates(key_tr: np.ndarray, key_te: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(key_tr, kind="stable")
    sorted_keys = key_tr[order]
    lo = np.searchsorted(sorted_keys, key_te, side="left")
    hi = np.minimum(np.searchsorted(sorted_keys, key_te, side="right"), lo + MAX_CANDIDATES)
    counts = hi - lo
    te = np.repeat(np.arange(len(key_te)), counts)
    starts = np.repeat(lo, counts)
    within = np.arange(len(te)) - np.repeat(np.cumsum(counts) - counts, counts)
    return te, order[starts + within]


def _linf(Z_tr, Z_te, te, tr, chunk: int = 2_000_000) -> np.ndarray:
    out = np.empty(len(te))
    for s in range(0, len(te), chunk):
        a, b = Z_te[te[s : s + chunk]], Z_tr[tr[s : s + chunk]]
        diff = np.abs(a - b)
        both_nan = np.isnan(a) & np.isnan(b)
        diff = np.where(both_nan, 0.0, diff)
        diff = np.where(np.isnan(diff), np.inf, diff)  # one missing, one not: not a copy
        out[s : s + chunk] = diff.max(axis=1) if diff.shape[1] else 0.0
    return out


def nearest_train_rows(
    train: pd.DataFrame,
    test: pd.DataFrame,
    columns: list[str],
    *,
    d_eff: float,
    width: float = 0.25,
    n_bands: int = 12,
    seed: int = 0,
) -> Neighbours:
    """Find, for each test row, a close training row and how surprising that closeness is."""
    rng = np.random.default_rng(seed)
    numeric, categorical = _split_columns(train, columns)
    n_tr, n_te = len(train), len(test)
    scales = []
    Z_tr = np.empty((n_tr, len(numeric)), dtype=np.float64)
    Z_te = np.empty((n_te, len(numeric)), dtype=np.float64)
    for j, c in enumerate(numeric):
        a = as_float(train[c])
        s = robust_scale(a)
        scales.append(s)
        Z_tr[:, j] = a / s
        Z_te[:, j] = as_float(test[c]) / s
    cat_tr = np.zeros(n_tr, dtype=np.uint64)
    cat_te = np.zeros(n_te, dtype=np.uint64)
    cat_codes = []
    for c in categorical:
        codes, _ = pd.factorize(pd.concat([train[c], test[c]], ignore_index=True), use_na_sentinel=False)
        codes = codes.astype(np.int64)
        cat_tr, cat_te = _mix(cat_tr, codes[:n_tr]), _mix(cat_te, codes[n_tr:])
        cat_codes.append((codes[:n_tr], codes[n_tr:]))

    best_row = np.full(n_te, -1, dtype=np.int64)
    best_dist = np.full(n_te, np.inf)
    d = len(numeric)
    if d == 0:
        bands = [()]
    else:
        k = int(min(d, max(1, np.ceil(np.log(max(n_tr, 2)) / np.log(1.0 / (0.4 * width))))))
        bands = [tuple(rng.choice(d, size=k, replace=False)) for _ in range(n_bands if d > k else 3)]
    for axes in bands:
        offsets = rng.random(len(axes))
        key_tr, key_te = _band_keys(Z_tr, Z_te, cat_tr, cat_te, axes, width, offsets)
        te, tr = _candidates(key_tr, key_te)
        if len(te) == 0:
            continue
        dist = _linf(Z_tr, Z_te, te, tr)
        # keep the closest candidate per test row
        order = np.lexsort((dist, te))
        te, tr, dist = te[order], tr[order], dist[order]
        first = np.r_[True, te[1:] != te[:-1]]
        te, tr, dist = te[first], tr[first], dist[first]
        better = dist < best_dist[te]
        best_row[te[better]] = tr[better]
        best_dist[te[better]] = dist[better]

    found = best_row >= 0
    log_p = np.zeros(n_te)
    rows = np.flatnonzero(found)
    for j in range(d):
        col = np.sort(Z_tr[:, j][np.isfinite(Z_tr[:, j])])
        x = Z_te[rows, j]
        if col.size == 0:
            continue
        r = np.abs(Z_tr[best_row[rows], j] - x)
        lo = np.searchsorted(col, x - r, side="left")
        hi = np.searchsorted(col, x + r, side="right")
        share = np.maximum(hi - lo, 1) / n_tr
        share = np.where(np.isfinite(x), share, np.mean(~np.isfinite(Z_tr[:, j])) + 1 / n_tr)
        log_p[rows] += np.log(np.minimum(share, 1.0))
    for codes_tr, codes_te in cat_codes:
        uniq, counts = np.unique(codes_tr, return_counts=True)
        pos = np.clip(np.searchsorted(uniq, codes_te[rows]), 0, len(uniq) - 1)
        c = np.where(uniq[pos] == codes_te[rows], counts[pos], 1)
        log_p[rows] += np.log(c / n_tr)
    from scipy.special import gammaincc

    n_cols = max(d + len(cat_codes), 1)
    k = max(min(d_eff, n_cols), 1.0)
    expected = np.full(n_te, np.inf)
    expected[rows] = n_tr * gammaincc(k, -log_p[rows] * (k / n_cols))
    return Neighbours(best_row, best_dist, expected)
