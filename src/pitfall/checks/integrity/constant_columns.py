"""PF103 constant-column."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from pitfall.checks.base import Check
from pitfall.checks.context import Context
from pitfall.checks.shared import column_reduce, python_value
from pitfall.findings import Finding, Severity


def single_value(values: pd.Series):
    """``(n_non_missing, value)`` when the non-missing values are all equal, else None.

    Compares every value with the first one (linear time), so no distinct values are counted.
    """
    present = values.dropna()
    if present.empty:
        return 0, None
    first = present.iloc[0]
    if _numeric(present):
        x = present.to_numpy(dtype=float)
        same = bool(np.all(x == x[0]))
    else:
        same = bool((present == first).all())
    return (len(present), first) if same else None


def _numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _same(a, b) -> bool:
    if isinstance(a, (int, float, np.number)) and isinstance(b, (int, float, np.number)):
        return float(a) == float(b)
    return bool(a == b)


def merge_single(a, b):
    """Combine ``single_value`` of two parts of a column (associative)."""
    if a is None or b is None:
        return None
    if a[0] == 0:
        return b
    if b[0] == 0:
        return a
    return (a[0] + b[0], a[1]) if _same(a[1], b[1]) else None


def _differing(value):
    """(present values, values other than ``value``) of a part of a column."""

    def count(values: pd.Series) -> tuple[int, int]:
        other = values.dropna()
        return len(other), int((other != value).sum()) if len(other) else 0

    return count


def _add(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    return a[0] + b[0], a[1] + b[1]


def all_in_test_p(n_train: int, n_test: int, k: int) -> float:
    """Chance that ``k`` given rows all land in test when ``n_train + n_test`` rows are split."""
    n = n_train + n_test
    if k > n_test:
        return 0.0
    i = np.arange(k)
    return float(np.exp(np.sum(np.log(n_test - i) - np.log(n - i))))


class ConstantColumn(Check):
    """A feature that is empty or takes a single value in the training data.

    ## What it finds
    Feature columns that are entirely missing in train (warning) or hold one value in every
    training row (info). Missing values are not counted as a second value. A constant column is
    a warning when the test set holds other values in more rows than a random split explains:
    if `k` test rows differ from the training value, all `k` landing in test by chance has
    probability `C(n_test, k) / C(n, k)`, and the warning needs it below alpha (0.001). One
    rare value that happened to fall into test stays an info.

    ## Why it matters
    Such a column carries no information for the model. An empty column usually means a join or
    an export went wrong; a constant one often means a filter kept one subgroup only, so the
    model will meet values in deployment it never saw.

    ## How to fix
    Drop the column, or fix the export or join that emptied it; if test varies where train does
    not, widen the training data to cover those values.

    ## Example
    `telescope` is `"VLT"` in every training row because the query selected one instrument.

    ## Options
    - `alpha` (default 0.001): significance level for "test varies where train does not".
    """

    code = "PF103"
    name = "constant-column"
    family = "integrity"
    severity = Severity.WARNING

    def __init__(self, *, alpha: float = 0.001):
        self.alpha = alpha

    def run(self, ctx: Context) -> Iterator[Finding]:
        train, test = ctx.split.train, ctx.split.test
        empty, constant = [], []
        for col in ctx.split.features:
            found = column_reduce([train], col, single_value, merge_single)
            if found is None:
                continue
            n_present, value = found
            if n_present == 0:
                empty.append(col)
                continue
            n_other, k = column_reduce([test], col, _differing(value), _add)
            p = all_in_test_p(n_present, n_other, k) if k else 1.0
            constant.append((col, python_value(value), k, p))
        if empty:
            yield self.finding(
                f"{len(empty)} feature column(s) are empty in train: {', '.join(map(repr, empty[:10]))}.",
                "Drop the empty columns or fix the export/join that emptied them.",
                evidence={"columns": empty},
                columns=empty,
            )
        if constant:
            names = [c for c, _, _, _ in constant]
            shifted = [c for c, _, _, p in constant if p < self.alpha]
            yield self.finding(
                f"{len(constant)} feature column(s) hold a single value in train: "
                + ", ".join(f"{c!r}={v!r}" for c, v, _, _ in constant[:10])
                + (f"; {len(shifted)} of them take other values in test" if shifted else "")
                + ".",
                "Drop constant columns; if test varies where train does not, widen the training data.",
                evidence={
                    "columns": names,
                    "values": {c: v for c, v, _, _ in constant},
                    "test_rows_with_other_values": {c: k for c, _, k, _ in constant if k},
                    "vary_in_test": shifted,
                },
                columns=names,
                severity=Severity.WARNING if shifted else Severity.INFO,
            )
