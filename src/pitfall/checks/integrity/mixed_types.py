"""PF105 mixed-types."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from pitfall.checks.base import Check
from pitfall.checks.context import Context
from pitfall.data.encode import column_kind
from pitfall.findings import Finding, Severity


class MixedTypes(Check):
    """Numbers stored as text with unparsable values mixed in, infinities, or a column whose type
    differs between train and test.

    ## What it finds
    - Text columns where most values are numbers but some are not (`"12.5"`, `"n/a"`, `"?"`);
      pitfall treats such a column as numeric and the strays as missing.
    - Numeric feature columns holding `inf` or `-inf`.
    - Columns that are numeric in one split and text in the other.

    ## Why it matters
    A stray `"?"` turns a numeric column into text in pandas, and a model then treats each
    number as its own category; placeholders such as `-999` or `"missing"` hide missingness
    that may itself predict the label.

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
            k_train, k_test = column_kind(train[col]), column_kind(test[col])
            if k_train != k_test and {k_train, k_test} <= {"numeric", "categorical"}:
                yield self.finding(
                    f"Column {col!r} is {k_train} in train but {k_test} in test.",
                    "Give the column one type in both files (look for placeholders such as 'n/a').",
                    evidence={"train_type": str(train[col].dtype), "test_type": str(test[col].dtype)},
                    columns=(col,),
                )
                continue
            if k_train == "categorical":
                values = pd.concat([train[col], test[col]], ignore_index=True).dropna()
                if values.empty:
                    continue
                text = values.astype("string").str.strip()
                parsed = pd.to_numeric(text, errors="coerce")
                ok = parsed.notna()
                share = float(ok.mean())
                if 0.5 <= share < 1.0:
                    bad = text[~ok]
                    counts = bad.value_counts().head(5)
                    yield self.finding(
                        f"Column {col!r} holds numbers as text, but {int((~ok).sum()):,} value(s) "
                        f"({1 - share:.1%}) do not parse, e.g. {', '.join(map(repr, counts.index.tolist()))}.",
                        f"Declare the placeholders as missing (`na_values=[...]`) or clean {col!r} with "
                        "`pd.to_numeric(..., errors='coerce')`.",
                        evidence={
                            "unparsable": int((~ok).sum()),
                            "share_unparsable": 1 - share,
                            "examples": {str(k): int(v) for k, v in counts.items()},
                        },
                        columns=(col,),
                    )
            elif k_train == "numeric":
                n_inf = 0
                for frame in (train, test):
                    x = frame[col].to_numpy(dtype=float, na_value=np.nan)
                    n_inf += int(np.isinf(x).sum())
                if n_inf:
                    yield self.finding(
                        f"Column {col!r} holds {n_inf:,} infinite value(s).",
                        f"Replace infinities in {col!r} (often a division by zero) with a value or NaN.",
                        evidence={"infinite": n_inf},
                        columns=(col,),
                    )
