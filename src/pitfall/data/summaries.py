"""Mergeable per-chunk statistics of a column: the only thing drift checks read from the data.

Every summary here is a pure function of one chunk of rows, and two summaries of disjoint
chunks merge into the summary of their union (``merge``), in any order and with any chunking.
That is what lets a file larger than memory be read in chunks, and what a distributed engine
(one summary per partition, then a tree of merges) needs.

- ``NumericSummary``: counts in fixed bins whose inner edges come from the reference's
  quantiles (``quantile_edges``; ``edges_fit`` says whether edges from its first rows fit the
  whole), plus exact count, sum, sum of squares, minimum and maximum.
- ``CategoricalSummary``: the count of every category.
- ``RowSample``: a seeded bottom-k sample of rows keyed by a hash of each row's content, so
  the sample does not depend on how the rows were chunked (the k rows with the smallest keys).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "CategoricalSummary",
    "NumericSummary",
    "RowSample",
    "edges_fit",
    "merge",
    "quantile_edges",
    "summarize_categorical",
    "summarize_numeric",
]

N_BINS = 100  # reference-quantile bins of a numeric column


@dataclass
class NumericSummary:
    """Histogram on fixed edges; ``counts[i]`` counts values in ``[edges[i-1], edges[i])`` with
    ``counts[0]`` below the first edge and ``counts[-1]`` at or above the last."""

    edges: np.ndarray
    counts: np.ndarray
    n: int = 0  # non-missing values
    missing: int = 0
    total: float = 0.0
    total_sq: float = 0.0
    lo: float = float("inf")
    hi: float = float("-inf")

    kind = "numeric"

    @property
    def rows(self) -> int:
        return self.n + self.missing

    @property
    def mean(self) -> float:
        return self.total / self.n if self.n else float("nan")

    @property
    def sd(self) -> float:
        if self.n < 2:
            return float("nan")
        var = (self.total_sq - self.total**2 / self.n) / (self.n - 1)
        return float(np.sqrt(max(var, 0.0)))

    def quantiles(self, qs: Iterable[float]) -> list[float]:
        """Quantiles read from the histogram, linear within a bin (outer bins end at lo/hi)."""
        if self.n == 0:
            return [float("nan") for _ in qs]
        bounds = np.concatenate([[self.lo], np.clip(self.edges, self.lo, self.hi), [self.hi]])
        cdf = np.concatenate([[0.0], np.cumsum(self.counts) / self.n])
        return [float(np.interp(q, cdf, bounds)) for q in qs]

    def merge(self, other: NumericSummary) -> NumericSummary:
        if not np.array_equal(self.edges, other.edges):
            raise ValueError("numeric summaries with different edges cannot be merged")
        return NumericSummary(
            self.edges,
            self.counts + other.counts,
            self.n + other.n,
            self.missing + other.missing,
            self.total + other.total,
            self.total_sq + other.total_sq,
            min(self.lo, other.lo),
            max(self.hi, other.hi),
        )


@dataclass
class CategoricalSummary:
    """Count of each category (as text); missing values counted apart."""

    counts: dict[str, int] = field(default_factory=dict)
    missing: int = 0

    kind = "categorical"

    @property
    def n(self) -> int:
        return int(sum(self.counts.values()))

    @property
    def rows(self) -> int:
        return self.n + self.missing

    def merge(self, other: CategoricalSummary) -> CategoricalSummary:
        counts = dict(self.counts)
        for key, value in other.counts.items():
            counts[key] = counts.get(key, 0) + value
        return CategoricalSummary(counts, self.missing + other.missing)

    def top(self, k: int = 10) -> list[tuple[str, int]]:
        return sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))[:k]


def summarize_numeric(values: np.ndarray, edges: np.ndarray) -> NumericSummary:
    """Summary of one chunk of float values (NaN = missing) on the given edges."""
    values = np.asarray(values, dtype=float)
    ok = np.isfinite(values)
    x = values[ok]
    counts = np.bincount(np.searchsorted(edges, x, side="right"), minlength=len(edges) + 1).astype(np.int64)
    return NumericSummary(
        edges=edges,
        counts=counts,
        n=int(x.size),
        missing=int((~ok).sum()),
        total=float(x.sum()),
        total_sq=float(np.square(x).sum()),
        lo=float(x.min()) if x.size else float("inf"),
        hi=float(x.max()) if x.size else float("-inf"),
    )


def summarize_categorical(values: pd.Series) -> CategoricalSummary:
    """Summary of one chunk of category values (text, missing as NA)."""
    missing = int(values.isna().sum())
    counts: dict[str, int] = {}
    for key, n in values.value_counts(dropna=True, sort=False).items():  # per level, not per row
        counts[str(key)] = counts.get(str(key), 0) + int(n)
    return CategoricalSummary(counts, missing)


def quantile_edges(sample: np.ndarray, n_bins: int = N_BINS) -> np.ndarray:
    """Inner bin edges: distinct quantiles of reference values (fewer for discrete data)."""
    x = np.asarray(sample, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return np.array([0.0])
    edges = np.unique(np.quantile(x, np.linspace(0, 1, n_bins + 1), method="inverted_cdf"))
    return edges.astype(float)


def edges_fit(sample: np.ndarray, edges: np.ndarray, n_bins: int = N_BINS, slack: float = 3.0) -> bool:
    """Whether edges taken from the first rows of a data set also fit a uniform ``sample`` of all
    its rows: no bin holds more than ``slack`` times ``1 / n_bins`` of the sample where the
    sample's own quantile edges would cut it. A bin the sample's edges leave whole (a point mass
    of discrete data, a rare tail of counts) may hold any share. Edges from rows in file order
    fail this when the file is sorted or its first rows are unlike the rest; then the edges
    are taken from the sample instead."""
    x = np.sort(np.asarray(sample, dtype=float))
    x = x[np.isfinite(x)]
    if x.size == 0:
        return True
    cuts = np.searchsorted(x, edges, side="left")  # bin i holds x[cuts[i-1]:cuts[i]]
    starts, ends = np.r_[0, cuts], np.r_[cuts, x.size]
    big = (ends - starts) > slack * x.size / n_bins
    if not big.any():
        return True
    own = quantile_edges(x, n_bins)
    lo, hi = x[starts[big]], x[ends[big] - 1]
    cut = np.searchsorted(own, hi, side="right") > np.searchsorted(own, lo, side="right")  # an own edge in (lo, hi]
    return not bool(cut.any())


@dataclass
class RowSample:
    """The ``k`` rows with the smallest keys: a uniform sample that merges exactly."""

    k: int
    keys: np.ndarray
    frame: pd.DataFrame

    @classmethod
    def of(cls, chunk: pd.DataFrame, k: int, seed: int, key_columns: list[str] | None = None) -> RowSample:
        """Sample of one chunk; keys hash ``key_columns`` (all columns by default), so columns
        derived from a row (a model's prediction) may ride along without changing the sample."""
        keys = row_keys(chunk if key_columns is None else chunk[key_columns], seed)
        order = np.argsort(keys, kind="stable")[:k]
        return cls(k, keys[order], chunk.iloc[order].reset_index(drop=True))

    def merge(self, other: RowSample) -> RowSample:
        keys = np.concatenate([self.keys, other.keys])
        frame = pd.concat([self.frame, other.frame], ignore_index=True)
        # equal keys mean equal rows, so any order among them gives the same values
        order = np.argsort(keys, kind="stable")[: self.k]
        return RowSample(self.k, keys[order], frame.iloc[order].reset_index(drop=True))

    @property
    def n(self) -> int:
        return len(self.frame)


def row_keys(chunk: pd.DataFrame, seed: int) -> np.ndarray:
    """A seeded hash of each row's values: equal rows get equal keys wherever they are read."""
    key = f"pitfall{seed:09d}"[-16:].rjust(16, "0")
    return pd.util.hash_pandas_object(chunk, index=False, hash_key=key).to_numpy(dtype=np.uint64, copy=True)


def merge(parts: Iterable):
    """Merge summaries (or samples) of disjoint chunks; ``None`` parts are skipped."""
    out = None
    for part in parts:
        if part is None:
            continue
        out = part if out is None else out.merge(part)
    return out
