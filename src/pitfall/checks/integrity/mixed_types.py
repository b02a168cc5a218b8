"""PF105 mixed-types."""

from __future__ import annotations

import operator
from collections.abc import Iterator

import numpy as np
import pandas as pd

from pitfall.checks.base import Check
from pitfall.checks.context import Context
from pitfall.checks.matching import DISCRETE_LEVELS
from pitfall.checks.shared import column_kind_of, column_reduce
from pitfall.findings import Finding, Severity

# Spellings of "no value" (pandas' default na_values and common hand-typed ones), lowercased.
MISSING_TOKENS = frozenset(
    {
        "", "#n/a", "#n/a n/a", "#na", "-1.#ind", "-1.#qnan", "-nan", "1.#ind", "1.#qnan",
        "<na>", "n/a", "na", "nan", "null", "none", "?", "-", "--", ".", "missing", "unknown",
        "not available", "nil", "#value!", "#div/0!",
    }
)  # fmt: skip


def numbers_as_text(values: pd.Series) -> dict | None:
    """Describe a text column that mostly holds numbers but not only, or None.

    Works on the distinct values and their counts, so the cost is one ``value_counts``. A column
    counts when at least half its values parse as numbers and the others look like placeholders
    for a missing value, or the numbers take more than ``DISCRETE_LEVELS`` distinct values (a
    measurement with stray entries). A few numeric labels next to a word (``"2", "3", "4",
    "5more"``) are the levels of a category and are left alone.
    """
    return numbers_in_counts(text_counts(values))


def text_counts(values: pd.Series) -> pd.Series:
    """How often each distinct stripped text occurs (missing values left out)."""
    return values.dropna().astype("string").str.strip().value_counts()


def add_counts(a: pd.Series, b: pd.Series) -> pd.Series:
    """Counts of two parts of a column added (associative)."""
    return a.add(b, fill_value=0).astype(np.int64)


def numbers_in_counts(counts: pd.Series) -> dict | None:
    """``numbers_as_text`` from the distinct values and their counts (see there)."""
    if counts.empty:
        return None
    # most frequent first, ties in text order: the same order however the counts were summed
    order = np.lexsort((counts.index.to_numpy(dtype=object).astype(str), -counts.to_numpy()))
    counts = counts.iloc[order]
    parsed = pd.to_numeric(pd.Series(counts.index, dtype="string"), errors="coerce").to_numpy(
        dtype=float, na_value=np.nan
    )
    ok = np.isfinite(parsed) | np.isinf(parsed)
    n = counts.to_numpy()
    share = float(n[ok].sum() / n.sum())
    if not 0.5 <= share < 1.0:
        return None
    bad = counts[~ok]
    placeholders = [v for v in bad.index if str(v).lower() in MISSING_TOKENS]
    if not placeholders and int(ok.sum()) <= DISCRETE_LEVELS:
        return None
    return {
        "unparsable": int(bad.sum()),
        "share_unparsable": 1 - share,
        "examples": {str(k): int(v) for k, v in bad.head(5).items()},
        "placeholders": [str(v) for v in placeholders[:5]],
    }


def _infinite(values: pd.Series) -> int:
    return int(np.isinf(values.to_numpy(dtype=float, na_value=np.nan)).sum())


class MixedTypes(Check):
    """Numbers stored as text with unparsable values mixed in, infinities, or a column whose type
    differs between train and test.

    ## What it finds
    - Text columns where at least half the values are numbers and the rest are placeholders
      for a missing value (`"n/a"`, `"?"`, `"-"`, ...) or, when the numbers take more than 32
      distinct values, anything that does not parse (`"12.5kg"`). A few numeric labels next to a
      word (`"2"`, `"3"`, `"4"`, `"5more"`) are the levels of a category and are not reported.
    - Numeric feature columns holding `inf` or `-inf`.
    - Columns that are numeric in one split and text in the other.

    ## Why it matters
    A stray `"?"` turns a numeric column into text in pandas, and a model then treats each
    number as its own category; placeholders hide missingness that may itself predict the label.

    ## How to fix
    Read the file with `na_values=[...]` naming the placeholders, or clean the column with
    `pd.to_numeric(df[col], errors="coerce")` and decide what missing means.

    ## Example
    A `redshift` column where unmeasured values were typed as `"n/a"`.
    """

    code = "PF105"
    name = "mixed-types"
    family = "integrity"
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        train, test = ctx.split.train, ctx.split.test
        for col in ctx.split.features:
            k_train, k_test = column_kind_of(train, col), column_kind_of(test, col)
            if k_train != k_test and {k_train, k_test} <= {"numeric", "categorical"}:
                text = train[col] if k_train == "categorical" else test[col]
                strays = text.dropna().astype("string")
                strays = strays[pd.to_numeric(strays, errors="coerce").isna()].value_counts().head(5)
                yield self.finding(
                    f"Column {col!r} is {k_train} in train but {k_test} in test"
                    + (f" (e.g. {', '.join(map(repr, strays.index.tolist()))})." if len(strays) else "."),
                    "Give the column one type in both files (look for placeholders such as 'n/a').",
                    evidence={
                        "train_type": str(train.dtypes[col]),
                        "test_type": str(test.dtypes[col]),
                        "examples": {str(k): int(v) for k, v in strays.items()},
                    },
                    columns=(col,),
                )
            elif k_train == "categorical":
                found = numbers_in_counts(column_reduce([train, test], col, text_counts, add_counts))
                if found:
                    shown = ", ".join(map(repr, found["examples"]))
                    yield self.finding(
                        f"Column {col!r} holds numbers as text, but {found['unparsable']:,} "
                        "value(s) "
                        f"({found['share_unparsable']:.1%}) do not parse, e.g. {shown}.",
                        "Declare the placeholders as missing (`na_values=[...]`) or clean "
                        f"{col!r} with "
                        "`pd.to_numeric(..., errors='coerce')`.",
                        evidence=found,
                        columns=(col,),
                    )
            elif k_train == "numeric":
                n_inf = column_reduce([train, test], col, _infinite, operator.add)
                if n_inf:
                    yield self.finding(
                        f"Column {col!r} holds {n_inf:,} infinite value(s).",
                        f"Replace infinities in {col!r} (often a division by zero) with a value or NaN.",
                        evidence={"infinite": n_inf},
                        columns=(col,),
                    )
