"""Confidence intervals: the statistics every finding quotes.

Bootstrap intervals resample test rows. A resample is a vector of integer counts (how often
each row was drawn), so a score under many resamples is one matrix product, and the same
counts serve every model and baseline of one scan: differences between them are paired.

Three ways to draw the counts, all the ordinary bootstrap of rows:

- **cells**: when a score depends only on which (label, prediction, ...) combination each row
  has (accuracy, balanced accuracy, macro F1), the counts of the occupied combinations are drawn
  from a multinomial. This is exactly the row bootstrap and costs nothing per row.
- **rows**: up to ``MAX_ROWS`` rows, counts are drawn for every row.
- **subsample**: beyond, weights are drawn for a fixed random subsample of ``m = MAX_ROWS``
  rows, so that each resample stands for ``n`` rows (a bag of little bootstraps, Kleiner et al.
  2014). The weights are Gamma(n / m): the mean and variance of the Poisson counts that a
  resample of ``n`` rows puts on each of the ``m`` rows, drawn faster. The spread of the
  resampled scores is recentred on the full-data estimate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import stats as _st

__all__ = [
    "Interval",
    "Resamples",
    "percentile_interval",
    "poisson_sf",
    "wilson",
    "MAX_ROWS",
    "N_RESAMPLES",
]

N_RESAMPLES = 1000
MAX_ROWS = 20_000  # rows given their own resample counts; more rows are subsampled
MAX_CELLS = 2048  # distinct (label, prediction, ...) combinations drawn as cells


@dataclass(frozen=True)
class Interval:
    """A point estimate with a two-sided confidence interval."""

    estimate: float
    low: float
    high: float
    level: float = 0.95

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2

    def to_dict(self) -> dict[str, float]:
        return {"estimate": self.estimate, "low": self.low, "high": self.high, "level": self.level}

    def __str__(self) -> str:
        return f"{self.estimate:.3f} [{self.low:.3f}, {self.high:.3f}]"


class Resamples:
    """Bootstrap resamples of ``n`` rows, drawn once per seed and reused by every score.

    Args:
        n: Number of rows.
        seed: Seed of the draws; the same seed gives the same resamples.
        n_resamples: Number of resamples.
        max_rows: Rows beyond which resamples are drawn on a subsample (see module docs).
    """

    def __init__(self, n: int, *, seed: int, n_resamples: int = N_RESAMPLES, max_rows: int = MAX_ROWS):
        self.n = int(n)
        self.seed = int(seed)
        self.n_resamples = int(n_resamples)
        self.max_rows = int(max_rows)

    @property
    def subsampled(self) -> bool:
        return self.n > self.max_rows

    @cached_property
    def rows(self) -> np.ndarray:
        """Rows the ``weights`` refer to: all of them, or a seeded subsample."""
        if not self.subsampled:
            return np.arange(self.n)
        rng = np.random.default_rng([self.seed, 2])
        return np.sort(rng.choice(self.n, size=self.max_rows, replace=False))

    @cached_property
    def weights(self) -> np.ndarray:
        """Resample counts, shape (n_resamples, len(rows)), as float32."""
        m, b = len(self.rows), self.n_resamples
        rng = np.random.default_rng([self.seed, 1])
        if self.subsampled:
            return rng.standard_gamma(self.n / m, size=(b, m), dtype=np.float32)
        out = np.empty((b, m), dtype=np.float32)
        block = max(1, min(b, 4_000_000 // max(m, 1)))
        for start in range(0, b, block):
            k = min(block, b - start)
            draws = rng.integers(0, m, size=(k, m)) + (np.arange(k) * m)[:, None]
            out[start : start + k] = np.bincount(draws.ravel(), minlength=k * m).reshape(k, m)
        return out

    def cells(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """Resample counts of each distinct code, or None when there are too many codes.

        Returns:
            One row index per distinct code (a representative) and counts of shape
            (n_resamples, n_codes), drawn from the multinomial the row bootstrap induces.
        """
        _, first, counts = np.unique(codes, return_index=True, return_counts=True)
        if len(first) > MAX_CELLS:
            return None
        rng = np.random.default_rng([self.seed, 3])
        draws = rng.multinomial(len(codes), counts / counts.sum(), size=self.n_resamples)
        return first, draws.astype(np.float64)


def percentile_interval(estimate: float, samples: np.ndarray, level: float = 0.95) -> Interval:
    """Percentile bootstrap interval around ``estimate``; NaN when no resample was finite."""
    samples = np.asarray(samples, dtype=float)
    samples = samples[np.isfinite(samples)]
    if samples.size == 0 or not np.isfinite(estimate):
        return Interval(float(estimate), float("nan"), float("nan"), level)
    alpha = (1 - level) / 2
    low, high = np.quantile(samples, [alpha, 1 - alpha])
    return Interval(float(estimate), float(low), float(high), level)


def wilson(successes: int, n: int, level: float = 0.95) -> Interval:
    """Wilson score interval for a proportion; well behaved at 0 and 1 and on small n."""
    if n == 0:
        return Interval(float("nan"), float("nan"), float("nan"), level)
    z = _st.norm.ppf(1 - (1 - level) / 2)
    p = successes / n
    denom = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    return Interval(p, max(0.0, centre - half), min(1.0, centre + half), level)


def poisson_sf(k: int, mu: float) -> float:
    """P(X >= k) for X ~ Poisson(mu): how surprising k events are when mu are expected."""
    if k <= 0:
        return 1.0
    return float(_st.poisson.sf(k - 1, max(mu, 1e-300)))


def summarize(values: Sequence[float]) -> dict[str, float]:
    arr = np.asarray(values, dtype=float)
    return {"mean": float(arr.mean()), "std": float(arr.std(ddof=1)) if arr.size > 1 else 0.0}
