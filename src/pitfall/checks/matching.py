"""Row matching without comparing all pairs: hash per-row codes, then ask how likely each match
would be by chance.

Exact matching codes every value; near matching codes numeric values on a grid a fraction of
the column's robust spread wide (several randomly shifted grids, as in grid locality-sensitive
hashing), so that rows closer than the cell width share a cell in at least one grid with high
probability. Cost is linear in the number of rows.

A match is only evidence of a copied object when it is improbable by chance. For a row with
codes (v_1..v_d), the expected number of train rows sharing all its codes by chance is
``n_train * prod_c f_c(v_c) ** (d_eff / d)``, where ``f_c`` is the train frequency of the code
in column ``c`` and ``d_eff`` the effective number of independent columns (participation ratio
of the correlation spectrum), which keeps correlated columns from being counted as independent
evidence. Rows of purely discrete data (survey answers, categories) therefore rarely count:
their matches are expected. Aggregate findings then compare the number of improbable matches
with its Poisson expectation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pitfall.data.encode import as_float, column_kind

__all__ = ["RowCodes", "effective_dimension", "row_codes", "matches", "CHANCE_TAU"]

CHANCE_TAU = 0.01  # a match counts when fewer than 0.01 chance matches were expected
_PRIME = np.uint64(1_000_003)
_MISSING = -(2**62)


def effective_dimension(X: np.ndarray, max_rows: int = 20_000, seed: int = 0) -> float:
    """Participation ratio of the correlation eigenvalues: d for independent columns, 1 for copies."""
    n, d = X.shape
    if d <= 1:
        return float(d)
    if n > max_rows:
        X = X[np.random.default_rng(seed).choice(n, max_rows, replace=False)]
    X = np.asarray(X, dtype=float)
    means = np.nanmean(np.where(np.isfinite(X), X, np.nan), axis=0)
    means = np.where(np.isfinite(means), means, 0.0)
    X = np.where(np.isfinite(X), X, means)
    std = X.std(axis=0)
    keep = std > 0
    if keep.sum() <= 1:
        return float(max(1, keep.sum()))
    corr = np.corrcoef(X[:, keep], rowvar=False)
    corr = np.nan_to_num(corr)
    eig = np.clip(np.linalg.eigvalsh(corr), 0, None)
    pr = eig.sum() ** 2 / max((eig**2).sum(), 1e-12)
    # constant columns carry no evidence; count only the varying ones
    return float(min(max(pr, 1.0), keep.sum()))


def robust_scale(x: np.ndarray) -> float:
    finite = x[np.isfinite(x)]
    if finite.size == 0:
        return 1.0
    q1, q3 = np.quantile(finite, [0.25, 0.75])
    scale = (q3 - q1) / 1.349
    if not scale > 0:
        scale = float(finite.std())
    return float(scale) if scale > 0 else 1.0


def _column_codes(train: pd.Series, test: pd.Series, width: float | None, offset: float) -> tuple[np.ndarray, np.ndarray]:
    kind = column_kind(train)
    if width is not None and kind in ("numeric", "datetime"):
        a, b = as_float(train), as_float(test)
        step = width * robust_scale(a)
        ca = np.floor(a / step + offset)
        cb = np.floor(b / step + offset)
        ca = np.where(np.isfinite(ca), ca, _MISSING).astype(np.int64)
        cb = np.where(np.isfinite(cb), cb, _MISSING).astype(np.int64)
        return ca, cb
    both = pd.concat([train, test], ignore_index=True)
    codes, _ = pd.factorize(both, use_na_sentinel=False)
    codes = codes.astype(np.int64)
    return codes[: len(train)], codes[len(train):]


def _mix(h: np.ndarray, codes: np.ndarray) -> np.ndarray:
    hashed = pd.util.hash_array(codes, categorize=False)
    with np.errstate(over="ignore"):
        return (h * _PRIME) ^ hashed


def _log_freq(train_codes: np.ndarray, query_codes: np.ndarray) -> np.ndarray:
    """log of the share of train rows having each query code (1/n floor for unseen codes)."""
    uniq, counts = np.unique(train_codes, return_counts=True)
    pos = np.clip(np.searchsorted(uniq, query_codes), 0, len(uniq) - 1)
    found = uniq[pos] == query_codes
    c = np.where(found, counts[pos], 1)
    return np.log(c / len(train_codes))


@dataclass
class RowCodes:
    """Row hashes and per-row chance log-probabilities for one grid."""

    train_hash: np.ndarray
    test_hash: np.ndarray
    train_logp: np.ndarray  # log P(a random train row shares this train row's codes)
    test_logp: np.ndarray


def row_codes(
    train: pd.DataFrame,
    test: pd.DataFrame,
    columns: list[str],
    *,
    d_eff: float,
    width: float | None = None,
    seed: int = 0,
) -> RowCodes:
    """Hash rows column by column (memory stays at a few arrays of n)."""
    rng = np.random.default_rng(seed)
    n_tr, n_te = len(train), len(test)
    h_tr = np.zeros(n_tr, dtype=np.uint64)
    h_te = np.zeros(n_te, dtype=np.uint64)
    lp_tr = np.zeros(n_tr)
    lp_te = np.zeros(n_te)
    for col in columns:
        offset = float(rng.random()) if width is not None else 0.0
        ca, cb = _column_codes(train[col], test[col], width, offset)
        h_tr = _mix(h_tr, ca)
        h_te = _mix(h_te, cb)
        lp_tr += _log_freq(ca, ca)
        lp_te += _log_freq(ca, cb)
    shrink = d_eff / max(len(columns), 1)
    return RowCodes(h_tr, h_te, lp_tr * shrink, lp_te * shrink)


def matches(codes: RowCodes) -> np.ndarray:
    """For each test row, the index of one train row with the same hash, or -1."""
    train_index = pd.Series(np.arange(len(codes.train_hash)), index=codes.train_hash)
    first = train_index[~train_index.index.duplicated()]
    found = first.reindex(codes.test_hash)
    return found.fillna(-1).to_numpy(dtype=np.int64)


def within_duplicates(hashes: np.ndarray) -> np.ndarray:
    """Boolean mask of rows whose hash occurs more than once."""
    return pd.Series(hashes).duplicated(keep=False).to_numpy()


def expected_chance(logp: np.ndarray, n_reference: int) -> np.ndarray:
    """Expected number of reference rows matching each row by chance."""
    return n_reference * np.exp(logp)
