"""Intermediate results several checks share, computed once per scan through ``Context.cached``."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial, reduce
from typing import Any

import numpy as np
import pandas as pd

from pitfall.checks.context import Context
from pitfall.checks.matching import (
    NEAR_LEVELS,
    WIDTHS,
    Chance,
    Lookup,
    RowIndex,
    effective_dimension,
    intrinsic_dimension,
)
from pitfall.data.encode import FeatureEncoder, column_kind
from pitfall.stats import poisson_sf

__all__ = [
    "column_kind_of",
    "column_reduce",
    "CrossMatches",
    "WithinDuplicates",
    "cross_matches",
    "describe_rows",
    "id_like_columns",
    "impact_severity_share",
    "is_id_like",
    "matching_columns",
    "python_value",
    "within_duplicates_of",
]

_ID_NAME = re.compile(r"(^|[_\W])(id|uuid|guid|key|idx|index|record|accession)s?$", re.IGNORECASE)
_SCREEN_ROWS = 5000


def column_reduce(frames: list[Any], column: str, fn: Callable[[pd.Series], Any], combine: Callable[[Any, Any], Any]):
    """``fn`` of a column's values over every frame, combined: on one machine ``fn`` sees each
    frame's whole column; a frame held on a cluster runs ``fn`` on each piece where it is held
    (``combine`` must then be associative), so only the small results travel."""
    parts: list[Any] = []
    for frame in frames:
        if hasattr(frame, "map_partitions"):
            parts.extend(frame.map_partitions(partial(_piece_column, column=column, fn=fn)))
        else:
            parts.append(fn(frame[column]))
    return reduce(combine, parts)


def _piece_column(chunk: pd.DataFrame, offset: int, column: str, fn: Callable[[pd.Series], Any]) -> Any:
    return fn(chunk[column])


def column_kind_of(frame: Any, column: str) -> str:
    """``column_kind`` from the column's dtype alone (no values read)."""
    return column_kind(pd.Series(dtype=frame.dtypes[column]))


def python_value(v):
    """A plain Python scalar for messages and evidence (numpy scalars unwrapped, NaN as None)."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return v.item() if hasattr(v, "item") else v


def is_id_like(values: pd.Series) -> str | None:
    """Why a column looks like a row identifier, or None.

    An identifier has a distinct value in (nearly) every row and is an integer counter, an
    integer with an identifier's name, or a short code without spaces. Float measurements, free
    text, dates and numbers stored as text are not, however unique. An evenly spaced sample
    screens the column first (a sample of a unique column is unique too), so only candidates pay
    for a full count of distinct values.
    """
    s = values.dropna()
    n = len(s)
    if n < 20 or pd.api.types.is_bool_dtype(s) or pd.api.types.is_datetime64_any_dtype(s):
        return None
    screen = s.iloc[:: n // _SCREEN_ROWS] if n > 2 * _SCREEN_ROWS else s
    if screen.nunique() < 0.99 * len(screen):
        return None
    if not pd.api.types.is_numeric_dtype(s):
        text = screen.astype("string")
        if text.str.len().median() > 40 or text.str.contains(r"\s", regex=True).mean() >= 0.1:
            return None
        if pd.to_numeric(text, errors="coerce").notna().mean() >= 0.9:
            return _integer_id(pd.to_numeric(s.astype("string"), errors="coerce").dropna(), values.name)
        probe = text.iloc[:200]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dates = pd.to_datetime(probe, errors="coerce", format="mixed")
        if dates.notna().mean() >= 0.9:
            return None
        if s.nunique() < 0.99 * n:
            return None
        return "a distinct short code in every row"
    return _integer_id(s, values.name)


def _integer_id(s: pd.Series, name) -> str | None:
    n = len(s)
    if n < 20:
        return None
    x = s.to_numpy(dtype=float)
    if not np.all(np.mod(x, 1) == 0) or s.nunique() < 0.99 * n:
        return None
    if x.max() - x.min() + 1 <= 2 * n:
        return "distinct consecutive integers in every row"
    if _ID_NAME.search(str(name)):
        return "distinct integers in every row and an identifier's name"
    return None


def id_like_columns(ctx: Context) -> dict[str, str]:
    def compute():
        train = ctx.split.train
        content = ctx.split.roles.modality  # a path or a text differs in every row by nature
        return {c: why for c in ctx.split.features if c not in content and (why := is_id_like(train[c]))}

    return ctx.cached("id_like", compute)


def matching_columns(ctx: Context) -> list[str]:
    """Features used to recognise the same object: all but identifiers (copies get new ids) and
    content columns (text and images have their own copy detection)."""
    ids = id_like_columns(ctx)
    return [c for c in ctx.split.features if c not in ids and c not in ctx.split.roles.modality]


def data_dimension(ctx: Context) -> float:
    """Effective number of independent matching columns (participation ratio), on a sample."""

    def compute():
        cols = matching_columns(ctx)
        if not cols:
            return 0.0
        train = ctx.split.train
        rows = np.random.default_rng(ctx.seed).choice(len(train), min(len(train), 20_000), replace=False)
        sample = train.iloc[np.sort(rows)]
        X = FeatureEncoder(cols).fit(sample).transform(sample, dtype=np.float64)
        return effective_dimension(X, seed=ctx.seed)

    return ctx.cached("d_eff", compute)


def row_index(ctx: Context) -> RowIndex:
    """Level keys of train (frame 0) and test (frame 1) rows over the matching columns."""
    return ctx.cached(
        "row_index",
        lambda: RowIndex([ctx.split.train, ctx.split.test], matching_columns(ctx), seed=ctx.seed),
    )


def _gamma(ctx: Context) -> float:
    """Exponent tempering products of marginal shares: effective dimensions per column.

    The smaller of two effective dimensions: the participation ratio of the correlation
    spectrum (linear dependence) and the continuous columns' intrinsic dimension plus one per
    categorical or discrete column (curved dependence, e.g. sin and cos of one angle).
    """

    def compute():
        index = row_index(ctx)
        d = len(index.columns)
        if d == 0:
            return 1.0
        n_exact = sum(not c.numeric for c in index.columns)
        local = intrinsic_dimension(index.scaled_sample(0, seed=ctx.seed), seed=ctx.seed) + n_exact
        return min(data_dimension(ctx), local) / d

    return ctx.cached("gamma", compute)


@dataclass
class CrossMatches:
    """Test rows matched in train, improbable by chance.

    Attributes:
        chance: Per-row matches and chance expectations (see ``RowIndex.chance``).
        exact: Test rows with an improbable exact copy in train.
        near: Test rows with an improbable near copy (and no improbable exact one).
        near_level: For each ``near`` row, the finest level at which its match is improbable.
        mu_exact: Poisson expectation of ``len(exact)`` by chance.
        mu_near: Poisson expectation of ``len(near)`` by chance.
        plausible_exact: Exact matches expected by chance (not counted).
    """

    chance: Chance
    exact: np.ndarray
    near: np.ndarray
    near_level: np.ndarray
    mu_exact: float
    mu_near: float
    plausible_exact: int

    def partner(self, index: RowIndex, test_row: int, level: int) -> int:
        """One train row sharing ``test_row``'s cell at ``level``."""
        key = index.keys[level, index.part(1)][test_row]
        return int(index.members(0, level, np.array([key]))[0])


def _chances(ctx: Context) -> dict[str, Chance]:
    """Test rows looked up in train, and each split in itself, in one pass per reference."""

    def compute():
        index = row_index(ctx)
        lookups = {
            "cross": Lookup(1, 0, index.shared_with(1, 0, max(NEAR_LEVELS)), ctx.seed),
            "train": Lookup(0, 0, index.shared_with(0, 0, 0), ctx.seed + 1),
            "test": Lookup(1, 1, index.shared_with(1, 1, 0), ctx.seed + 2),
        }
        results = index.chances(list(lookups.values()), gamma=_gamma(ctx))
        index.release()  # sorted copies of the keys are not needed after the lookups
        return dict(zip(lookups, results, strict=True))

    return ctx.cached("chances", compute)


def cross_matches(ctx: Context) -> CrossMatches:
    def compute():
        ch = _chances(ctx)["cross"]
        exact_mask = ch.improbable(0)
        near_mask = np.zeros(len(ch.rows), dtype=bool)
        level = np.zeros(len(ch.rows), dtype=np.int64)
        for lv in sorted(NEAR_LEVELS, reverse=True):
            hit = ch.improbable(lv) & ~exact_mask
            level[hit] = lv
            near_mask |= hit
        plausible = int(((ch.matches[0] > 0) & ~exact_mask).sum())
        return CrossMatches(
            chance=ch,
            exact=ch.rows[exact_mask],
            near=ch.rows[near_mask],
            near_level=level[near_mask],
            mu_exact=ch.chance_count((0,)),
            mu_near=ch.chance_count(NEAR_LEVELS),
            plausible_exact=plausible,
        )

    return ctx.cached("cross_matches", compute)


@dataclass
class WithinDuplicates:
    """Copies inside one split: rows identical on the matching columns, improbable by chance.

    Attributes:
        name: ``train`` or ``test``.
        rows: Rows that have an improbable copy in the same split.
        groups: Group label of each of ``rows`` (rows of one group are identical).
        redundant: Rows beyond the first of each group (what deduplication would drop).
        expected: Poisson expectation of ``redundant`` by chance (chance pairs).
        p_value: P(Poisson(expected) >= redundant).
    """

    name: str
    rows: np.ndarray
    groups: np.ndarray
    redundant: int
    expected: float
    p_value: float


def within_duplicates_of(ctx: Context, name: str) -> WithinDuplicates:
    def compute():
        index = row_index(ctx)
        frame = 0 if name == "train" else 1
        ch = _chances(ctx)[name]
        rows = ch.rows[ch.improbable(0)]
        keys = index.keys[0, index.part(frame)][rows]
        groups = pd.factorize(keys)[0]
        redundant = int(len(rows) - (groups.max() + 1 if len(groups) else 0))
        # each chance pair is seen from both of its rows: half the row-wise expectation
        mu = ch.chance_count((0,)) / 2
        return WithinDuplicates(name, rows, groups, redundant, mu, poisson_sf(redundant, mu))

    return ctx.cached(f"within_{name}", compute)


def impact_severity_share(share: float, n_test: int) -> tuple[bool, float]:
    """Whether ``share`` of test rows can move a score by more than its own sampling noise.

    Affected rows can change an accuracy-like score by at most their share (each row moves it
    by 1/n_test at most). The noise is the worst-case 95% half-width of such a score on
    ``n_test`` rows, 1.96 * sqrt(0.25 / n_test). When the share reaches it, the affected rows
    alone could account for a difference as large as the score's own uncertainty, which makes
    the finding an error rather than a warning. Returns (exceeds, half_width).
    """
    half = 1.96 * np.sqrt(0.25 / max(n_test, 1))
    return share >= half, float(half)


def describe_rows(frame: pd.DataFrame, rows, columns: list[str], limit: int = 5) -> list[dict]:
    """A few example rows (row number plus up to 6 columns) for the evidence."""
    positions = [int(r) for r in list(rows)[:limit]]
    if not positions:
        return []
    shown = columns[:6]
    part = frame.iloc[positions][shown]  # only these rows (a frame on a cluster sends no more)
    out = []
    for i, r in enumerate(positions):
        rec = {"row": r}
        for c in shown:
            rec[c] = python_value(part[c].iloc[i])
        out.append(rec)
    return out


def near_level_width(level: int) -> float:
    """Cell width (robust SD) of a near-matching level."""
    return WIDTHS[level - 1]
