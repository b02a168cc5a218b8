"""Confidence intervals: the statistics every finding quotes.

Bootstrap intervals resample test rows; the same resamples are used for every model and
baseline in one scan so that differences between them are paired.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as _st

__all__ = ["Interval", "bootstrap_scores", "percentile_interval", "poisson_sf", "wilson"]


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


def n_resamples_for(n: int) -> int:
    """Fewer resamples on huge test sets, where each is costly and intervals are narrow."""
    if n <= 50_000:
        return 1000
    if n <= 500_000:
        return 300
    return 200


def bootstrap_scores(
    metric: Callable[[np.ndarray], float],
    n: int,
    *,
    seed: int,
    n_resamples: int | None = None,
) -> np.ndarray:
    """Evaluate ``metric(sample_weight)`` on bootstrap resamples of ``n`` rows.

    The metric receives integer resample counts as weights; the same ``seed`` gives the same
    resamples, which pairs comparisons between models.
    """
    b = n_resamples or n_resamples_for(n)
    rng = np.random.default_rng(seed)
    out = np.empty(b)
    block = max(1, min(b, 8_000_000 // max(n, 1)))
    done = 0
    while done < b:
        k = min(block, b - done)
        idx = rng.integers(0, n, size=(k, n))
        for j in range(k):
            out[done + j] = metric(np.bincount(idx[j], minlength=n).astype(float))
        done += k
    return out


def percentile_interval(estimate: float, samples: np.ndarray, level: float = 0.95) -> Interval:
    samples = samples[np.isfinite(samples)]
    if samples.size == 0:
        return Interval(estimate, float("nan"), float("nan"), level)
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
