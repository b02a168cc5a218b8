"""Near copies judged by nearest-neighbour distance ratios: noisy repeats in many dimensions.

The grids of ``pitfall.checks.matching`` need a copy in the same cell on every column; with
noise of a few percent of each column's spread in thirty columns that almost never happens,
so repeated measurements of one specimen go unseen. Here a sample of test rows is matched to
its ``K`` nearest training rows (columns scaled by their robust SD), and a copy is a first
neighbour far closer than the ``K``-th.

## Chance model
Around a point, rows that are not copies of it are locally like a Poisson process of some
dimension ``m``; then, given the distance ``d_K`` to the ``K``-th neighbour, ``(d_j / d_K) ** m``
of the nearer ``K - 1`` are independent uniforms. The first neighbour is improbably close when
``1 - (1 - (d_1 / d_K) ** m) ** (K - 1)`` is below ``TAU``; under the null this happens to a
share ``TAU`` of rows, so the count over the sample is compared with ``TAU`` times its size
(Poisson). The j-th neighbour is a copy too when its order statistic is improbable
(``Beta(j, K - j)`` at ``(d_j / d_K) ** m``): the number of such neighbours counts the other
measurements of the specimen in train.

``m`` is the maximum-likelihood dimension (Levina and Bickel) from neighbours ``K`` to ``K2``
only, beyond the few copies of a specimen, pooled over the sample. Rows with an exact copy
(distance 0) are left to PF201.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from pitfall.checks.context import Context
from pitfall.checks.matching import DISCRETE_LEVELS, robust_scale
from pitfall.data.encode import as_float, column_kind

__all__ = ["NeighbourCopies", "neighbour_copies"]

K = 20  # a copy must be closer than the 20th neighbour by far: up to 18 siblings in train
K2 = 40  # neighbours K..K2 give the local dimension
TAU = 0.001  # a row counts when its first neighbour is this improbable
SAMPLE = 2000  # test rows examined


@dataclass(frozen=True)
class NeighbourCopies:
    """Sampled test rows whose nearest training row is improbably close.

    Attributes:
        rows: Test rows counted (positions in the test frame).
        partners: Their nearest training row.
        siblings: Training rows improbably close to each counted row (its specimen's repeats).
        examined: Test rows examined (sampled, without exact copies).
        expected: Count expected by chance (``TAU * examined``).
        dimension: Local dimension used.
        columns: Columns compared.
    """

    rows: np.ndarray
    partners: np.ndarray
    siblings: np.ndarray
    examined: int
    expected: float
    dimension: float
    columns: list[str]


def _continuous(ctx: Context, columns: list[str]) -> dict[str, tuple[float, float]]:
    """The numeric columns with more than ``DISCRETE_LEVELS`` values, with their median and
    robust scale (read one column at a time)."""
    train = ctx.split.train
    out = {}
    for name in columns:
        if column_kind(pd.Series(dtype=train.dtypes[name])) != "numeric":
            continue
        values = as_float(train[name])
        finite = values[np.isfinite(values)]
        screen = np.unique(finite[:: max(1, finite.size // 5_000)])
        if screen.size > DISCRETE_LEVELS or np.unique(finite).size > DISCRETE_LEVELS:
            out[name] = (float(np.nanmedian(values)), robust_scale(values))
    return out


def neighbour_copies(ctx: Context, columns: list[str]) -> NeighbourCopies | None:
    """Improbably close training neighbours of sampled test rows; None when not applicable."""
    return ctx.cached("neighbour_copies", lambda: _compute(ctx, columns))


def _matrix(frame, columns: list[str], centre: np.ndarray, scale: np.ndarray) -> np.ndarray:
    X = np.column_stack([as_float(frame[c]) for c in columns])
    X = (X - centre) / scale
    return np.where(np.isfinite(X), X, 0.0)


def _nearest(train, cols: list[str], centre: np.ndarray, scale: np.ndarray, B: np.ndarray):
    """Distances and positions of the ``K2`` nearest training rows of each row of ``B``.

    Each piece of a training set held on a cluster finds its own ``K2`` nearest rows on its
    worker; the nearest ``K2`` of those are the nearest overall, so the merge is exact.
    """
    fn = partial(_piece_neighbours, cols=cols, centre=centre, scale=scale, B=B)
    parts = train.map_partitions(fn) if hasattr(train, "map_partitions") else [fn(train, 0)]
    if len(parts) == 1:
        return parts[0]
    dist = np.concatenate([d for d, _ in parts], axis=1)
    idx = np.concatenate([i for _, i in parts], axis=1)
    order = np.argsort(dist, axis=1, kind="stable")[:, :K2]
    return np.take_along_axis(dist, order, axis=1), np.take_along_axis(idx, order, axis=1)


def _piece_neighbours(chunk, offset: int, cols: list[str], centre: np.ndarray, scale: np.ndarray, B: np.ndarray):
    from sklearn.neighbors import NearestNeighbors

    A = _matrix(chunk, cols, centre, scale)
    dist, idx = NearestNeighbors(n_neighbors=min(K2, len(A))).fit(A).kneighbors(B)
    return dist, idx + offset


def _compute(ctx: Context, columns: list[str]) -> NeighbourCopies | None:
    from scipy.stats import beta

    stats = _continuous(ctx, columns)
    cols = list(stats)
    train, test = ctx.split.train, ctx.split.test
    if len(cols) < 2 or len(train) <= K2 + 1:
        return None
    centre = np.array([m for m, _ in stats.values()])
    scale = np.array([s for _, s in stats.values()])
    rng = np.random.default_rng([ctx.seed, 2021])
    sample = np.sort(rng.choice(len(test), min(SAMPLE, len(test)), replace=False))
    B = _matrix(test.iloc[sample], cols, centre, scale)
    dist, idx = _nearest(train, cols, centre, scale, B)
    keep = dist[:, 0] > 0  # exact copies are PF201's
    dist, idx, sample = dist[keep], idx[keep], sample[keep]
    if len(dist) == 0:
        return None
    # pooled maximum-likelihood dimension from neighbours K..K2 (0-based K-1..K2-1)
    j = np.arange(K, K2)  # 1-based ranks K..K2-1
    harmonic = np.array([np.sum(1.0 / np.arange(r, K2)) for r in j])
    with np.errstate(divide="ignore"):
        logs = np.log(dist[:, K2 - 1][:, None] / dist[:, j - 1])
    ok = np.all(np.isfinite(logs), axis=1) & (dist[:, K - 1] > 0)
    if ok.sum() < 10 or logs[ok].sum() <= 0:
        return None
    m = float(harmonic.sum() * ok.sum() / logs[ok].sum())
    ratio = dist[ok, : K - 1] / dist[ok, K - 1][:, None]
    s = ratio**m
    first = 1.0 - (1.0 - s[:, 0]) ** (K - 1)
    counted = first < TAU
    ranks = np.arange(1, K)
    improbable = beta.cdf(s, ranks, K - ranks) < TAU
    siblings = np.cumprod(improbable, axis=1).sum(axis=1)
    rows = sample[ok][counted]
    return NeighbourCopies(
        rows=rows,
        partners=idx[ok][counted, 0],
        siblings=siblings[counted],
        examined=int(ok.sum()),
        expected=TAU * float(ok.sum()),
        dimension=m,
        columns=cols,
    )
