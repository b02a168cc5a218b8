"""Row matching without comparing pairs, and how likely each match is by chance.

## Keys
Every matching column gets an integer code per row at seven levels. Level 0 is the exact
value. Levels 1-5 put continuous values on nested grids ``WIDTHS`` robust standard deviations
wide (0.02, 0.08, 0.32, 1.28, 5.12): each cell splits into four of the next finer level, with a
random offset per column. Level 6 ignores continuous values. Categorical columns, and numeric
ones with at most ``DISCRETE_LEVELS`` distinct values (ratings, counts, one-hot and cyclic
encodings), keep their exact code at every level, so coarse cells hold rows with the same
categories. A row's codes are mixed into one 64-bit key per level; rows sharing a cell are
found by sorting keys, so time is O(n log n) and memory a few arrays of n, never all pairs.

## Chance model
A match is evidence of a copied object only when it would be improbable by chance. For a query
row ``x`` matched at level ``l`` the expected number of reference rows in its level-l cell by
chance, ``lambda``, is the largest of these estimates:

1. Whole data set: ``n * prod_c f_c(l) ** g``, with ``f_c(l)`` the share of reference rows
   having x's level-l code in column ``c``: the classical product of marginals.
2. Each coarser level ``L``: ``N'_L * prod_c (f_c(l) / f_c(L)) ** g``, where ``N'_L`` counts the
   reference rows in x's level-L cell. The joint count carries whatever structure the data
   have at that scale (clusters, classes, correlation); only below it are columns treated as
   independent.
3. The same with the exponent fitted to the counts of cells L and L+1 (when cell L holds at
   least ``MIN_COUNT`` rows): the local dimension the data show at that scale.
4. The next coarser cell with shares measured among its own rows, the matches left out and one
   pseudo-row at the global ratio: a tight cluster inside a cell is denser than the column
   margins say.

``N'`` leaves out one match, the one under test (a copy must not vouch for itself); other rows
of a dense thread still count. ``g = min(d_eff, d_local) / d`` tempers the products: ``d_eff``
is the participation ratio of the correlation spectrum (correlated columns are not independent
evidence) and ``d_local`` the intrinsic dimension of the continuous columns from neighbour
distances (sin and cos of one angle are one dimension) plus one per categorical column.

Each estimate is roughly unbiased where its assumption holds and errs high elsewhere; taking
the largest makes the model err towards calling a match chance. Discrete data are handled by
the shares of exact values: two respondents giving the same answers, or two iris flowers with
the same millimetre measurements, are expected and do not count.

## Aggregation
A query row counts when ``lambda < CHANCE_TAU`` (0.01). Checks compare the number of such rows
with its Poisson expectation, ``mu = sum of lambda over rows that would count``. ``mu`` is
estimated on a random sample of at most ``SAMPLE`` query rows plus three standard errors, so
cost stays linear; every matched row is evaluated in full. Known limits: several near copies of
one object that sit inside a cell with ten or more of its siblings are taken for a dense
thread of data; in data whose continuous part has only two or three effective dimensions, near
copies look like chance neighbours.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from pitfall.data.encode import as_float, column_kind

__all__ = [
    "CHANCE_TAU",
    "NEAR_LEVELS",
    "WIDTHS",
    "Chance",
    "Lookup",
    "RowIndex",
    "effective_dimension",
    "intrinsic_dimension",
    "robust_scale",
]

CHANCE_TAU = 0.01  # a match counts when fewer than 0.01 chance matches were expected
WIDTHS = (0.02, 0.08, 0.32, 1.28, 5.12)  # grid cell widths in robust SD, nested by 4
NEAR_LEVELS = (1, 2, 3)  # levels searched for near copies (0.02, 0.08 and 0.32 robust SD)
GRID_LEVELS = range(1, 1 + len(WIDTHS))
LEVELS = 2 + len(WIDTHS)  # exact, the grids, and "same categories, any numbers"
SAMPLE = 20_000  # query rows on which the chance expectation is estimated
DISCRETE_LEVELS = 32  # numeric columns with this few values are matched like categories
MIN_COUNT = 10  # rows a cell needs before its count fits a local exponent (relative SE <= 0.32)
_TOP = 4 ** (len(WIDTHS) - 1)
VALUE_CACHE = 32 * 2**20  # bytes of float column values a RowIndex keeps between lookups
_LIMIT = 2.0**52  # finest-grid codes are clipped here so that they fit in int64


def effective_dimension(X: np.ndarray, max_rows: int = 20_000, seed: int = 0) -> float:
    """Participation ratio of the correlation spectrum: d for independent columns, 1 for copies."""
    n, d = X.shape
    if d <= 1:
        return float(d)
    if n > max_rows:
        X = X[np.random.default_rng(seed).choice(n, max_rows, replace=False)]
    X = np.asarray(X, dtype=float)
    finite = np.where(np.isfinite(X), X, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-missing columns have no mean
        means = np.nanmean(finite, axis=0)
    means = np.where(np.isfinite(means), means, 0.0)
    X = np.clip(np.where(np.isfinite(X), X, means), -1e150, 1e150)  # squares must stay finite
    keep = X.std(axis=0) > 0
    if keep.sum() <= 1:
        return float(max(1, keep.sum()))
    Z = X[:, keep] - X[:, keep].mean(axis=0)
    Z /= Z.std(axis=0)
    # (Σλ)² / Σλ² = tr(C)² / ‖C‖²_F for C = ZᵀZ / n, and ‖ZᵀZ‖_F = ‖ZZᵀ‖_F: the smaller Gram
    # matrix gives the ratio without an eigendecomposition (2,000 columns on 200 rows: 200 × 200)
    gram = np.einsum("ij,kj->ik", Z, Z) if len(Z) < Z.shape[1] else np.einsum("ij,ik->jk", Z, Z)
    gram = np.nan_to_num(gram / len(Z))
    ratio = np.trace(gram) ** 2 / max(float((gram**2).sum()), 1e-12)
    return float(min(max(ratio, 1.0), keep.sum()))  # constant columns carry no evidence


def intrinsic_dimension(X: np.ndarray, *, k1: int = 5, k2: int = 10, max_rows: int = 5000, seed: int = 0) -> float:
    """Local dimension of a point cloud from the ratio of k2-th to k1-th neighbour distances.

    For points spread with locally uniform density in ``m`` dimensions, ``(r_k1 / r_k2) ** m``
    follows Beta(k1, k2 - k1), so ``m = (digamma(k2) - digamma(k1)) / mean(log(r_k2 / r_k1))``
    (a maximum-likelihood estimate). Unlike the correlation spectrum it sees curved relations
    (sin and cos of one angle are one dimension, not two). Using the 5th and 10th neighbours
    keeps up to four copies of an object from shrinking the estimate. Rows are scaled by the
    caller; missing values are set to the column median and repeated rows are dropped.
    """
    from scipy.special import digamma
    from sklearn.neighbors import NearestNeighbors

    X = np.asarray(X, dtype=float)
    if X.shape[1] == 0:
        return 0.0
    if len(X) > max_rows:
        X = X[np.random.default_rng(seed).choice(len(X), max_rows, replace=False)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-missing columns have no median
        medians = np.nanmedian(np.where(np.isfinite(X), X, np.nan), axis=0)
    X = np.where(np.isfinite(X), X, np.where(np.isfinite(medians), medians, 0.0))
    X = np.unique(np.clip(X, -1e150, 1e150), axis=0)  # squares of huge values must stay finite
    if len(X) <= k2:
        return float(X.shape[1])
    dist, _ = NearestNeighbors(n_neighbors=k2 + 1).fit(X).kneighbors(X)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.log(dist[:, k2] / dist[:, k1])
    ratio = ratio[np.isfinite(ratio)]
    if ratio.size == 0 or ratio.mean() <= 0:
        return float(X.shape[1])
    return float(min((digamma(k2) - digamma(k1)) / ratio.mean(), X.shape[1]))


def robust_scale(x: np.ndarray) -> float:
    """Interquartile range / 1.349 (the SD for normal data), else the SD, else 1.

    Large columns are summarised on an evenly spaced subsample of 100,000 values.
    """
    if x.size > 200_000:
        x = x[:: x.size // 100_000]
    finite = np.clip(x[np.isfinite(x)], -1e150, 1e150)
    if finite.size == 0:
        return 1.0
    q1, q3 = np.quantile(finite, [0.25, 0.75])
    scale = (q3 - q1) / 1.349
    if not scale > 0:
        scale = float(finite.std())
    return float(scale) if scale > 0 else 1.0


def _exact_numeric(x: np.ndarray) -> np.ndarray:
    """The float's bits as an integer code (-0.0 folded into 0.0, every NaN one code)."""
    x = np.where(x == 0, 0.0, x)
    codes = x.view(np.int64).copy()
    codes[np.isnan(x)] = np.iinfo(np.int64).min
    return codes


def _spread(codes: np.ndarray) -> np.ndarray:
    """Scramble int64 codes bijectively so that high and low bits both reach the whole key.

    A float's bits differ mostly in their high bits; multiplying alone would push that
    difference out of the 64-bit key. This is the splitmix64 finaliser.
    """
    z = codes.view(np.uint64)
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _counts_in(reference: np.ndarray, query: np.ndarray) -> np.ndarray:
    """How often each query code occurs in ``reference`` (bincount for compact codes)."""
    if reference.size == 0:
        return np.zeros(len(query), dtype=np.int64)
    lo, hi = int(reference.min()), int(reference.max())
    if hi - lo <= 8 * reference.size + 1024:
        table = np.bincount(reference - lo)
        pos = query - lo
        inside = (pos >= 0) & (pos < table.size)
        out = np.zeros(len(query), dtype=np.int64)
        out[inside] = table[pos[inside]]
        return out
    return _occurrences(np.sort(reference), query)


def _pair_counts(
    ref_parent: np.ndarray, ref_code: np.ndarray, query_parent: np.ndarray, query_code: np.ndarray
) -> np.ndarray:
    """How many reference rows share each query row's (cell key, column code) pair."""
    with np.errstate(over="ignore"):
        ref = ref_parent * np.uint64(0x9E3779B97F4A7C15) + _spread(ref_code)
        query = query_parent * np.uint64(0x9E3779B97F4A7C15) + _spread(query_code)
    return _occurrences(np.sort(ref), query)


def _occurrences(ordered: np.ndarray, query: np.ndarray) -> np.ndarray:
    """How often each query value occurs in the sorted array ``ordered``.

    The queries are sorted first so that the binary searches walk the array in order.
    """
    order = np.argsort(query, kind="stable")
    q = query[order]
    out = np.empty(len(query), dtype=np.int64)
    out[order] = np.searchsorted(ordered, q, "right") - np.searchsorted(ordered, q, "left")
    return out


@dataclass
class _Column:
    name: str
    numeric: bool
    scale: float = 1.0
    offset: float = 0.0
    missing: int = 0  # finest-grid code of missing values (below every real cell at every level)
    multiplier: np.uint64 = np.uint64(1)
    discrete: bool = False  # a numeric column with few values, matched on its exact values


@dataclass(frozen=True)
class Lookup:
    """Look up the rows of frame ``query`` in frame ``reference``.

    Attributes:
        query: Index of the frame whose rows are looked up.
        reference: Index of the frame searched (may equal ``query``).
        candidates: Positions (within the query frame) that must be evaluated in full.
        seed: Seed of the random sample on which the chance expectation is estimated.
    """

    query: int
    reference: int
    candidates: np.ndarray
    seed: int = 0


@dataclass
class Chance:
    """Matches of query rows in a reference and their chance expectations, per level.

    Attributes:
        rows: Query rows (positions in the stacked frames) that were evaluated.
        matches: Reference rows sharing each query row's cell, shape (LEVELS, len(rows)).
        expected: Chance expectation ``lambda`` per level (levels 0 to 3), same shape.
        sampled: Mask of ``rows`` drawn at random (the rest were evaluated because they matched).
        weight: How many query rows each sampled row stands for.
    """

    rows: np.ndarray
    matches: np.ndarray
    expected: np.ndarray
    sampled: np.ndarray
    weight: float

    def improbable(self, level: int) -> np.ndarray:
        """Mask of ``rows`` matched at ``level`` though under CHANCE_TAU matches were expected."""
        return (self.matches[level] > 0) & (self.expected[level] < CHANCE_TAU)

    def chance_count(self, levels: tuple[int, ...]) -> float:
        """Poisson expectation of rows counted at any of ``levels`` by chance (upper bound).

        Sums ``lambda`` over eligible rows of the random sample, scales to all query rows and
        adds three standard errors of that estimate (none when every row was evaluated).
        """
        s = self.sampled
        per_row = np.zeros(int(s.sum()))
        for level in levels:
            lam = self.expected[level, s]
            per_row += np.where(lam < CHANCE_TAU, np.minimum(lam, 1.0), 0.0)
        mu = float(per_row.sum() * self.weight)
        if self.weight > 1 and per_row.size > 1:
            fpc = 1 - 1 / self.weight
            mu += 3 * self.weight * float(per_row.std(ddof=1)) * np.sqrt(per_row.size * fpc)
        return mu


def _expected(level: int, matches: np.ndarray, shares: np.ndarray, n_others: int, gamma: float) -> np.ndarray:
    """Chance matches at ``level``: the largest of the estimates in the module docstring."""
    partner = np.minimum(matches[level], 1)  # the match under test never vouches for itself
    top = LEVELS - 1
    best = (n_others - partner) * np.exp(gamma * shares[level])  # the whole data set as the cell
    with np.errstate(divide="ignore", invalid="ignore"):
        for coarse in range(level + 1, LEVELS):
            others = matches[coarse] - partner
            drop = shares[level] - shares[coarse]  # log of the marginal share of the finer cell
            best = np.maximum(best, others * np.exp(gamma * drop))
            if coarse == top:
                continue
            # exponent fitted to the counts of this cell and the next coarser one
            wider = matches[coarse + 1] - partner
            step = shares[coarse] - shares[coarse + 1]
            local = np.clip(np.log(others / wider) / step, 0.0, 1.0)
            usable = (others >= MIN_COUNT) & (step < 0)
            best = np.where(usable, np.maximum(best, others * np.exp(local * drop)), best)
    return best


class RowIndex:
    """Level keys for the rows of several frames stacked in order (scales come from the first).

    Args:
        frames: Frames with the same columns, e.g. ``[train, test]``.
        columns: Columns that identify an object (features minus identifiers).
        seed: Seed of the grid offsets and the hash multipliers.
    """

    def __init__(self, frames: list[Any], columns: list[str], *, seed: int = 0):
        self.frames = frames
        self.sizes = [len(f) for f in frames]
        self.starts = np.concatenate([[0], np.cumsum(self.sizes)]).astype(np.int64)
        self._sorted_keys: dict[tuple[int, int], np.ndarray] = {}
        self._value_cache: dict[tuple[str, str], np.ndarray] = {}
        self._cached_bytes = 0
        self.columns = self._plan(columns, seed)
        self.keys = stack_over(frames, partial(level_keys, columns=self.columns))

    def _plan(self, names: list[str], seed: int) -> list[_Column]:
        """Each column's kind, grid scale and offset, missing-value code and hash multiplier.

        Numeric columns are summarised piece by piece (``numeric_summary``), so a data set held
        on a cluster is planned from the same numbers as one in memory.
        """
        rng = np.random.default_rng(seed)
        dtypes = self.frames[0].dtypes
        kinds = {name: column_kind(pd.Series(dtype=dtypes[name])) for name in names}
        numeric = [n for n in names if kinds[n] in ("numeric", "datetime")]
        summary = _merge_summaries(self.frames, numeric, self.sizes[0])
        out = []
        for name in names:
            multiplier = np.uint64(rng.integers(1, 2**62) * 2 + 1)
            if name not in summary:
                out.append(_Column(name, False, multiplier=multiplier))
                continue
            low, distinct, screen = summary[name]
            if distinct.size <= DISCRETE_LEVELS:
                out.append(_Column(name, False, multiplier=multiplier, discrete=True))
                continue
            col = _Column(name, True, robust_scale(screen), float(rng.random()) * _TOP, multiplier=multiplier)
            first = int(_floor_codes(np.array([low]), col)[0]) if np.isfinite(low) else 0
            col.missing = first - 2 * _TOP
            out.append(col)
        return out

    def scaled_sample(self, frame: int = 0, max_rows: int = 5000, seed: int = 0) -> np.ndarray:
        """Continuous columns of a sample of a frame's rows, each divided by its robust scale.

        One row per cell of the 0.32 robust SD grid is kept, so that near copies of an object
        count once (clumps of copies would look like fewer dimensions to a neighbour estimate).
        """
        grid = [c for c in self.columns if c.numeric]
        if not grid:
            return np.empty((0, 0))
        _, first = np.unique(self.keys[3, self.part(frame)], return_index=True)
        rows = np.sort(np.random.default_rng(seed).permutation(first)[:max_rows])
        part = self.frames[frame].iloc[rows]
        return np.column_stack([as_float(part[c.name]) / c.scale for c in grid])

    # ----- codes ----------------------------------------------------------------------------
    def _values(self, name: str) -> np.ndarray:
        """A column's values as floats, stacked; kept while they fit ``VALUE_CACHE`` bytes (a wide
        table's columns are read once per lookup otherwise, a pandas call each)."""
        return self._cached(("values", name), partial(_floats, name=name))

    def _codes(self, col: _Column) -> np.ndarray:
        """A non-grid column's exact codes, stacked (cached like ``_values``)."""
        return self._cached(("codes", col.name), partial(exact_codes, col=col))

    def _cached(self, key: tuple[str, str], fn) -> np.ndarray:
        if key in self._value_cache:
            return self._value_cache[key]
        values = stack_over(self.frames, fn)
        if self._cached_bytes + values.nbytes <= VALUE_CACHE:
            self._value_cache[key] = values
            self._cached_bytes += values.nbytes
        return values

    def _fine(self, values: np.ndarray, col: _Column) -> np.ndarray:
        return fine_codes(values, col)

    def part(self, i: int) -> slice:
        """Positions of frame ``i`` in the stacked rows."""
        return slice(int(self.starts[i]), int(self.starts[i + 1]))

    # ----- counting ---------------------------------------------------------------------------
    def _log_shares(self, reference: slice, rows: np.ndarray, matches: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Log marginal shares of the query rows' codes in the reference, summed over columns.

        Returns ``(shares, within)``. ``shares[level]`` uses each column's share among all
        reference rows. ``within[level]`` (match levels only) uses the share among the reference
        rows of the query row's next coarser cell, leaving out its matches and shrunk towards the
        global ratio by one pseudo-row; it is only computed where that cell has other rows.
        """
        n_ref = reference.stop - reference.start
        out = np.zeros((LEVELS, len(rows)))
        within = np.zeros((1 + max(NEAR_LEVELS), len(rows)))
        parents = self._parents(reference, rows, matches)
        for col in self.columns:
            if col.numeric:
                values = self._values(col.name)
                ref_values, query_values = values[reference], values[rows]
                ref_fine, query_fine = self._fine(ref_values, col), self._fine(query_values, col)
                ref_codes = [_exact_numeric(ref_values)] + [ref_fine >> (2 * (lv - 1)) for lv in GRID_LEVELS]
                query_codes = [_exact_numeric(query_values)] + [query_fine >> (2 * (lv - 1)) for lv in GRID_LEVELS]
                counts = [_counts_in(r, q) for r, q in zip(ref_codes, query_codes, strict=True)]
                counts.append(np.full(len(rows), n_ref))  # the top level ignores numbers
                for level, (
                    ref_keep,
                    query_keep,
                    parent_ref,
                    parent_query,
                    others,
                    m,
                ) in parents.items():
                    prior = np.maximum(counts[level], 1) / np.maximum(counts[level + 1], 1)
                    inside = _pair_counts(
                        parent_ref,
                        ref_codes[level][ref_keep],
                        parent_query,
                        query_codes[level][query_keep],
                    )
                    share = (inside - m + prior[query_keep]) / (others + 1)
                    within[level, query_keep] += np.log(np.clip(share, 1e-300, 1.0))
            else:
                codes = self._codes(col)
                counts = [_counts_in(codes[reference], codes[rows])] * LEVELS
            for level, c in enumerate(counts):
                out[level] += np.log(np.maximum(c, 1) / n_ref)
        return out, within

    def _parents(self, reference: slice, rows: np.ndarray, matches: np.ndarray) -> dict:
        """Per match level: reference and query rows whose next coarser cell holds other rows."""
        out = {}
        for level in range(1 + max(NEAR_LEVELS)):
            m = matches[level]
            others = matches[level + 1] - m
            query_keep = np.flatnonzero(others > 0)
            if query_keep.size == 0:
                continue
            parent_query = self.keys[level + 1, rows[query_keep]]
            parent_all = self.keys[level + 1, reference]
            ref_keep = np.flatnonzero(_member(parent_all, np.unique(parent_query)))
            out[level] = (
                ref_keep,
                query_keep,
                parent_all[ref_keep],
                parent_query,
                others[query_keep],
                m[query_keep],
            )
        return out

    def release(self) -> None:
        """Drop the sorted copies of the keys (they are rebuilt when needed)."""
        self._sorted_keys.clear()

    def _sorted(self, frame: int, level: int) -> np.ndarray:
        key = (frame, level)
        if key not in self._sorted_keys:
            self._sorted_keys[key] = np.sort(self.keys[level, self.part(frame)])
        return self._sorted_keys[key]

    def chances(self, lookups: list[Lookup], *, gamma: float) -> list[Chance]:
        """Matches of query rows in a reference frame and their chance expectations.

        Lookups against the same reference share one pass over its columns. For each lookup,
        a random sample of at most ``SAMPLE`` query rows (for the chance expectation) and every
        candidate row are evaluated.

        Args:
            lookups: What to look up; a frame may be its own reference (a row never matches itself).
            gamma: Exponent ``d_eff / d`` tempering the product of marginal shares.
        """
        picked, found = [], []
        for lk in lookups:
            n_query = self.sizes[lk.query]
            rng = np.random.default_rng(lk.seed)
            sample = rng.choice(n_query, SAMPLE, replace=False) if n_query > SAMPLE else np.arange(n_query)
            local = np.union1d(sample, lk.candidates).astype(np.int64)
            rows = local + self.part(lk.query).start
            matches = np.empty((LEVELS, len(rows)), dtype=np.int64)
            for level in range(LEVELS):
                matches[level] = _occurrences(self._sorted(lk.reference, level), self.keys[level, rows])
            if lk.query == lk.reference:
                matches -= 1
            picked.append((local, rows, np.isin(local, sample), len(sample)))
            found.append(matches)
        shares: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for reference in {lk.reference for lk in lookups}:
            mine = [i for i, lk in enumerate(lookups) if lk.reference == reference]
            rows = np.concatenate([picked[i][1] for i in mine])
            matches = np.concatenate([found[i] for i in mine], axis=1)
            shares[reference] = self._log_shares(self.part(reference), rows, matches)
        out, offset = [], dict.fromkeys(shares, 0)
        for (local, rows, sampled, n_sample), matches, lk in zip(picked, found, lookups, strict=True):
            start = offset[lk.reference]
            own, within = (a[:, start : start + len(rows)] for a in shares[lk.reference])
            offset[lk.reference] += len(rows)
            n_others = self.sizes[lk.reference] - (lk.query == lk.reference)
            expected = np.full((LEVELS, len(rows)), np.inf)
            for level in range(1 + max(NEAR_LEVELS)):
                expected[level] = _expected(level, matches, own, n_others, gamma)
                # shares measured inside the next coarser cell, the matches left out
                others = matches[level + 1] - matches[level]
                expected[level] = np.maximum(expected[level], others * np.exp(gamma * within[level]))
            weight = self.sizes[lk.query] / n_sample if n_sample else 1.0
            out.append(Chance(local, matches, expected, sampled, weight))
        return out

    # ----- candidates -------------------------------------------------------------------------
    def shared_with(self, query: int, reference: int, level: int) -> np.ndarray:
        """Positions (within ``query``) of rows whose level key is held by another reference row."""
        q = self.keys[level, self.part(query)]
        ordered = self._sorted(reference, level)
        if query == reference:
            repeated = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
            return np.flatnonzero(_member(q, repeated))
        return np.flatnonzero(_member(q, ordered))

    def members(self, frame: int, level: int, keys: np.ndarray) -> np.ndarray:
        """Positions (within ``frame``) of rows whose level key is among ``keys``."""
        return np.flatnonzero(_member(self.keys[level, self.part(frame)], np.unique(keys)))


def _floats(chunk: pd.DataFrame, name: str) -> np.ndarray:
    return as_float(chunk[name])


def _floor_codes(values: np.ndarray, col: _Column) -> np.ndarray:
    scaled = np.clip(values / (WIDTHS[0] * col.scale) + col.offset, -_LIMIT, _LIMIT)
    finite = np.isfinite(scaled)
    codes = np.zeros(len(values), dtype=np.int64)
    codes[finite] = np.floor(scaled[finite]).astype(np.int64)
    return codes


def fine_codes(values: np.ndarray, col: _Column) -> np.ndarray:
    """Finest-grid cell of each value; missing values get the column's missing code."""
    codes = _floor_codes(values, col)
    codes[~np.isfinite(values)] = col.missing
    return codes


def exact_codes(chunk: pd.DataFrame, col: _Column) -> np.ndarray:
    """Codes of a non-grid column: scrambled float bits of a discrete numeric column, else a
    64-bit hash of each value (missing values share one code), the same on every piece."""
    if col.discrete:
        return _spread(_exact_numeric(as_float(chunk[col.name]))).view(np.int64)
    values = chunk[col.name]
    return pd.util.hash_pandas_object(values, index=False).to_numpy().view(np.int64)


def level_keys(chunk: pd.DataFrame, columns: list[_Column]) -> np.ndarray:
    """The ``LEVELS`` keys of each row of ``chunk`` (shape ``(LEVELS, len(chunk))``).

    A row's key at a level folds in each column's code: ``key = (key + code) * multiplier``.
    With a random odd multiplier per column this is a polynomial hash; two different rows
    collide only if their code differences satisfy one linear congruence modulo 2**64, which
    small integer codes (grid cells, category numbers) practically never do. Float bits are
    scrambled first (``_spread``) because their differences sit in the high bits. Rows are
    keyed independently, so pieces of a data set can be keyed where they are held.
    """
    keys = np.zeros((LEVELS, len(chunk)), dtype=np.uint64)

    def mix(level: int, codes: np.ndarray, multiplier: np.uint64) -> None:
        with np.errstate(over="ignore"):
            keys[level] = (keys[level] + codes.view(np.uint64)) * multiplier

    for col in columns:
        if col.numeric:
            values = as_float(chunk[col.name])
            mix(0, _spread(_exact_numeric(values)), col.multiplier)
            fine = fine_codes(values, col)
            for level in GRID_LEVELS:
                mix(level, fine >> (2 * (level - 1)), col.multiplier)
        else:
            codes = exact_codes(chunk, col)
            for level in range(LEVELS):
                mix(level, codes, col.multiplier)
    return keys


def stack_over(frames: list[Any], fn) -> np.ndarray:
    """``fn(frame)`` for each frame, concatenated along the last axis. A frame held on a cluster
    (``pitfall.engine.partitioned.PartitionedFrame``) runs ``fn`` on its workers, piece by piece."""
    parts = []
    for frame in frames:
        if hasattr(frame, "map_partitions"):
            parts.extend(frame.map_partitions(partial(_on_piece, fn=fn)))
        else:
            parts.append(fn(frame))
    return np.concatenate(parts, axis=-1)


def _on_piece(chunk: pd.DataFrame, offset: int, fn) -> np.ndarray:
    return fn(chunk)


def numeric_summary(chunk: pd.DataFrame, offset: int, names: list[str], step: int, first: bool) -> dict:
    """Per numeric column of one piece: the smallest finite value, up to ``DISCRETE_LEVELS + 1``
    distinct finite values and the values at rows ``0, step, 2*step, ...`` of the whole data set
    (``first``: the piece belongs to the frame whose scales count)."""
    out = {}
    start = (-offset) % step
    for name in names:
        x = as_float(chunk[name])
        finite = x[np.isfinite(x)]
        low = float(finite.min()) if finite.size else np.inf
        if first:
            # an evenly spaced screen with more than DISCRETE_LEVELS values settles it without sorting all
            screen = np.unique(finite[:: max(1, finite.size // 5_000)])
            distinct = screen if screen.size > DISCRETE_LEVELS else np.unique(finite)
            out[name] = (low, distinct[: DISCRETE_LEVELS + 1], x[start::step])
        else:
            out[name] = (low, None, None)
    return out


def _merge_summaries(frames: list[Any], names: list[str], n_first: int) -> dict:
    """``numeric_summary`` over every piece of every frame, merged: (low, distinct, screen)."""
    if not names:
        return {}
    step = n_first // 100_000 if n_first > 200_000 else 1  # robust_scale's evenly spaced subsample
    parts: list[dict] = []
    for i, frame in enumerate(frames):
        fn = partial(numeric_summary, names=names, step=step, first=i == 0)
        parts.extend(frame.map_partitions(fn) if hasattr(frame, "map_partitions") else [fn(frame, 0)])
    out = {}
    for name in names:
        low = min(p[name][0] for p in parts)
        first = [p[name] for p in parts if p[name][1] is not None]
        distinct = np.unique(np.concatenate([d for _, d, _ in first]))
        out[name] = (low, distinct, np.concatenate([s for _, _, s in first]))
    return out


def _member(values: np.ndarray, ordered: np.ndarray) -> np.ndarray:
    """Mask of ``values`` found in the sorted array ``ordered`` (a binary search, no hashing)."""
    if ordered.size == 0:
        return np.zeros(len(values), dtype=bool)
    pos = np.minimum(np.searchsorted(ordered, values), ordered.size - 1)
    return ordered[pos] == values
