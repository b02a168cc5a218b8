"""Intermediate results several checks share, computed once per scan through ``Context.cached``."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pitfall.checks.context import Context
from pitfall.checks.matching import CHANCE_TAU, RowCodes, effective_dimension, row_codes
from pitfall.stats import poisson_sf

__all__ = [
    "ExactMatches",
    "exact_matches",
    "id_like_columns",
    "impact_severity_share",
    "matching_columns",
    "describe_rows",
]

_ID_NAME = re.compile(r"(^|[_\W])(id|uuid|guid|key|idx|index|record|accession)s?$", re.IGNORECASE)


def is_id_like(values: pd.Series) -> str | None:
    """Why a column looks like a row identifier, or None.

    An identifier has a distinct value in (nearly) every row and is an integer counter or a short
    code without spaces; a float measurement or free text with unique values is not one.
    """
    s = values.dropna()
    n = len(s)
    if n < 20:
        return None
    unique_ratio = s.nunique() / n
    if unique_ratio < 0.99:
        return None
    if pd.api.types.is_bool_dtype(s):
        return None
    if pd.api.types.is_numeric_dtype(s):
        x = s.to_numpy(dtype=float)
        if not np.all(np.mod(x, 1) == 0):
            return None
        span = x.max() - x.min() + 1
        if span <= 2 * n:
            return "distinct consecutive integers in every row"
        if _ID_NAME.search(str(values.name)):
            return "distinct integers in every row and an identifier's name"
        return None
    if pd.api.types.is_datetime64_any_dtype(s):
        return None
    text = s.astype("string")
    sample = text.sample(min(n, 5000), random_state=0)
    lengths = sample.str.len()
    has_space = sample.str.contains(r"\s", regex=True)
    if lengths.median() <= 40 and has_space.mean() < 0.1:
        return "a distinct short code in every row"
    return None


def id_like_columns(ctx: Context) -> dict[str, str]:
    def compute():
        both = ctx.split.train
        return {c: why for c in ctx.split.features if (why := is_id_like(both[c]))}

    return ctx.cached("id_like", compute)


def matching_columns(ctx: Context) -> list[str]:
    """Features used to recognise the same object: all but identifiers (copies get new ids)."""
    ids = id_like_columns(ctx)
    return [c for c in ctx.split.features if c not in ids]


def data_dimension(ctx: Context) -> float:
    def compute():
        cols = matching_columns(ctx)
        idx = [ctx.split.features.index(c) for c in cols]
        return effective_dimension(ctx.X_train[:, idx], seed=ctx.seed) if idx else 0.0

    return ctx.cached("d_eff", compute)


@dataclass
class ExactMatches:
    codes: RowCodes
    match: np.ndarray  # train row matching each test row, or -1
    expected: np.ndarray  # expected chance matches per test row
    improbable: np.ndarray  # test rows matched although < CHANCE_TAU matches were expected


def exact_matches(ctx: Context) -> ExactMatches:
    from pitfall.checks.matching import expected_chance, matches

    def compute():
        cols = matching_columns(ctx)
        codes = row_codes(ctx.split.train, ctx.split.test, cols, d_eff=data_dimension(ctx), width=None)
        match = matches(codes)
        expected = expected_chance(codes.test_logp, len(ctx.split.train))
        improbable = (match >= 0) & (expected < CHANCE_TAU)
        return ExactMatches(codes, match, expected, improbable)

    return ctx.cached("exact_matches", compute)


def surprise(k: int, expected: np.ndarray, mask_eligible: np.ndarray) -> tuple[float, float]:
    """Expected chance count among eligible rows and the Poisson p-value of seeing ``k``."""
    mu = float(np.minimum(expected[mask_eligible], 1.0).sum())
    return mu, poisson_sf(k, mu)


def impact_severity_share(share: float, n_test: int) -> tuple[bool, float]:
    """Whether ``share`` of test rows can move a score by more than its own sampling noise.

    The noise is the worst-case 95% half-width of an accuracy on ``n_test`` rows,
    1.96 * sqrt(0.25 / n_test). Returns (exceeds, half_width).
    """
    half = 1.96 * np.sqrt(0.25 / max(n_test, 1))
    return share >= half, float(half)


def describe_rows(frame: pd.DataFrame, rows, columns: list[str], limit: int = 5) -> list[dict]:
    """A few example rows (row number plus up to 6 columns) for the evidence."""
    out = []
    for r in list(rows)[:limit]:
        rec = {"row": int(r)}
        for c in columns[:6]:
            v = frame[c].iloc[int(r)]
            rec[c] = None if pd.isna(v) else (v.item() if hasattr(v, "item") else v)
        out.append(rec)
    return out


@dataclass
class WithinDuplicates:
    """Copies inside one split: rows sharing all matching-column codes, improbable by chance."""

    name: str
    hashes: np.ndarray
    copies: np.ndarray  # mask of rows that have an improbable copy in the same split
    expected: float  # chance expectation of such rows
    p_value: float


def within_duplicates_of(ctx: Context, name: str) -> WithinDuplicates:
    from pitfall.checks.matching import expected_chance, within_duplicates

    def compute():
        frame = ctx.split.train if name == "train" else ctx.split.test
        cols = matching_columns(ctx)
        own = row_codes(frame, frame.iloc[:0], cols, d_eff=data_dimension(ctx))
        n = len(frame)
        dup = within_duplicates(own.train_hash)
        expected = expected_chance(own.train_logp, n - 1)
        eligible = expected < CHANCE_TAU
        copies = dup & eligible
        mu, p = surprise(int(copies.sum()), expected, eligible)
        return WithinDuplicates(name, own.train_hash, copies, mu, p)

    return ctx.cached(f"within_{name}", compute)
