"""Near copies in discrete data: rows equal in all but a few columns, which differ by one step.

The nested grids of ``pitfall.checks.matching`` measure closeness in robust standard
deviations, which says nothing for integer columns that are mostly zero (pixel counts, word
counts, ratings): such columns are matched exactly there, so a copy with three of 64 pixels
changed by one grey level matches at no level. Here each discrete column is ranked over its
distinct values, and a test row is a near copy of a training row when the two differ in at
most ``r`` columns (``r = max(1, d // 16)``, d discrete columns), each by one rank: the
natural distance of discrete data, free of any scale.

## Search
By the pigeonhole principle two rows that differ in at most ``r`` columns agree exactly on
one of ``r + 1`` disjoint blocks of columns. Rows are grouped by the values of each block (a
sort, no pairs); only rows sharing a block are compared. A block value shared by more than
``CAP`` training rows (a blank border of an image) is skipped: a copy almost always agrees on
another, rarer block too.

## Chance model
For a test row ``x``, each column ``c`` has the share ``a_c`` of training rows with x's value
and the share ``b_c`` with a value one rank away. Under independent columns the probability
that a random training row lies within the neighbourhood is the sum, over at most ``r``
columns allowed to differ, of the products: a dynamic programme over columns. Columns are not
independent (blank pixels co-occur), so, as in ``matching``, the product is tempered by
``gamma = d_eff / d`` (participation ratio of the correlation spectrum): the expected number
of chance neighbours is ``lambda = n_train * p ** gamma``. A row counts when ``lambda`` is below
``CHANCE_TAU``; the count is compared with its Poisson expectation (the sum of ``lambda`` over
rows that would count).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pitfall.checks.matching import CHANCE_TAU, DISCRETE_LEVELS
from pitfall.data.encode import as_float, column_kind

__all__ = ["DiscreteNear", "MIN_COLUMNS", "discrete_columns", "discrete_near_copies"]

MIN_COLUMNS = 8  # fewer discrete columns: "all but one equal" is common by chance
CAP = 200  # training rows sharing a block value beyond which that value is not searched


def discrete_columns(train: pd.DataFrame, columns: list[str]) -> list[str] | None:
    """The columns, when every one is numeric with at most DISCRETE_LEVELS values; else None."""
    out = []
    for name in columns:
        if column_kind(train[name]) != "numeric":
            return None
        values = as_float(train[name])
        if np.unique(values[np.isfinite(values)]).size > DISCRETE_LEVELS:
            return None
        out.append(name)
    return out if len(out) >= MIN_COLUMNS else None


@dataclass(frozen=True)
class DiscreteNear:
    """Test rows with an improbable near copy among the training rows.

    Attributes:
        rows: Test rows counted (positions in the test frame).
        partners: A training row for each.
        differing: How many columns differ in each pair.
        expected: Poisson expectation of such rows by chance.
        r: Columns allowed to differ.
        gamma: Exponent tempering the independence product.
    """

    rows: np.ndarray
    partners: np.ndarray
    differing: np.ndarray
    expected: float
    r: int
    gamma: float


def _ranks(train: pd.DataFrame, test: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Rank codes of every column over the distinct values of train and test; missing is -2**40."""
    R_tr = np.empty((len(train), len(columns)), dtype=np.int64)
    R_te = np.empty((len(test), len(columns)), dtype=np.int64)
    for j, name in enumerate(columns):
        a, b = as_float(train[name]), as_float(test[name])
        both = np.concatenate([a, b])
        uniq = np.unique(both[np.isfinite(both)])
        for src, out in ((a, R_tr), (b, R_te)):
            codes = np.searchsorted(uniq, np.where(np.isfinite(src), src, 0.0))
            out[:, j] = np.where(np.isfinite(src), codes, -(2**40))
    return R_tr, R_te


def _share(counts: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Share of training rows with rank ``v`` (0 for missing or unseen ranks)."""
    ok = (v >= 0) & (v < counts.size)
    out = np.zeros(len(v))
    out[ok] = counts[v[ok]]
    return out


def _neighbourhood(R_tr: np.ndarray, R_te: np.ndarray, r: int) -> np.ndarray:
    """Per test row, P(random training row differs in <= r columns, each by one rank), independent columns."""
    n_tr, d = R_tr.shape
    poly = np.zeros((len(R_te), r + 1))
    poly[:, 0] = 1.0
    for j in range(d):
        col = R_tr[:, j]
        counts = np.bincount(col[col >= 0], minlength=1).astype(float) / n_tr
        x = R_te[:, j]
        a = _share(counts, x) + (x < 0) * np.mean(col < 0)
        b = _share(counts, x - 1) + _share(counts, x + 1)
        new = poly * a[:, None]
        new[:, 1:] += poly[:, :-1] * b[:, None]
        poly = new
    return poly.sum(axis=1)


def _candidates(R_tr: np.ndarray, R_te: np.ndarray, r: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(test row, train row) pairs agreeing exactly on at least one of r + 1 random column blocks."""
    d = R_tr.shape[1]
    blocks = np.array_split(np.random.default_rng([seed, 202]).permutation(d), r + 1)
    n_tr = len(R_tr)
    pairs: list[tuple[np.ndarray, np.ndarray]] = []
    for block in blocks:
        both = np.concatenate([R_tr[:, block], R_te[:, block]])
        _, group = np.unique(both, axis=0, return_inverse=True)
        group = group.ravel()
        g_tr, g_te = group[:n_tr], group[n_tr:]
        size = np.bincount(g_tr, minlength=group.max() + 1)
        order = np.argsort(g_tr, kind="stable")
        starts = np.concatenate([[0], np.cumsum(size)])
        for t in np.flatnonzero((size[g_te] > 0) & (size[g_te] <= CAP)):
            g = g_te[t]
            members = order[starts[g] : starts[g + 1]]
            pairs.append((np.full(members.size, t), members))
    if not pairs:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    te = np.concatenate([p[0] for p in pairs])
    tr = np.concatenate([p[1] for p in pairs])
    return te, tr


def discrete_near_copies(
    train: pd.DataFrame, test: pd.DataFrame, columns: list[str], *, gamma: float, seed: int = 0
) -> DiscreteNear:
    """Near copies of training rows among the test rows, counted when improbable by chance."""
    d = len(columns)
    r = max(1, d // 16)
    R_tr, R_te = _ranks(train, test, columns)
    p = _neighbourhood(R_tr, R_te, r)
    with np.errstate(divide="ignore"):
        lam = len(R_tr) * np.exp(gamma * np.log(np.clip(p, 1e-300, 1.0)))
    te, tr = _candidates(R_tr, R_te, r, seed)
    rows = partners = differing = np.zeros(0, dtype=np.int64)
    if te.size:
        diff = R_te[te] != R_tr[tr]
        n_diff = diff.sum(axis=1)
        step = np.where(diff, np.abs(R_te[te] - R_tr[tr]), 0).max(axis=1)
        near = (n_diff > 0) & (n_diff <= r) & (step <= 1) & (lam[te] < CHANCE_TAU)
        te, tr, n_diff = te[near], tr[near], n_diff[near]
        first = np.unique(te, return_index=True)[1]
        rows, partners, differing = te[first], tr[first], n_diff[first]
    expected = float(np.where(lam < CHANCE_TAU, lam, 0.0).sum())
    return DiscreteNear(rows, partners, differing, expected, r, gamma)
