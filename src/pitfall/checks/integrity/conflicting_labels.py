"""PF102 conflicting-labels."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from pitfall.checks.base import Check, Requires
from pitfall.checks.context import Context
from pitfall.checks.shared import describe_rows, matching_columns, within_duplicates_of
from pitfall.findings import Finding, Severity


class ConflictingLabels(Check):
    """Copies of the same row that carry different labels.

    ## What it finds
    Groups of training rows that are copies of each other (identical features, improbable by
    chance; see PF101) but whose labels disagree. Only classification targets are checked.

    ## Why it matters
    The same object with two labels is a labelling error or a sign that the features miss what
    decides the label. Either way no model can be right on both rows, and the test score is
    capped by the noise.

    ## How to fix
    Look at the listed rows, correct the labels or merge the copies (majority vote), and record
    what you did in the datasheet.

    ## Example
    One object catalogued twice, once as `spiral` and once as `elliptical`.
    """

    code = "PF102"
    name = "conflicting-labels"
    family = "integrity"
    severity = Severity.WARNING
    requires = Requires(tasks=frozenset({"binary", "multiclass"}))

    def run(self, ctx: Context) -> Iterator[Finding]:
        if not matching_columns(ctx):
            return
        dup = within_duplicates_of(ctx, "train")
        if not dup.copies.any():
            return
        rows = np.flatnonzero(dup.copies)
        frame = pd.DataFrame({"h": dup.hashes[rows], "y": ctx.y_train[rows], "row": rows})
        n_labels = frame.groupby("h")["y"].transform("nunique")
        conflicted = frame[n_labels > 1]
        if conflicted.empty:
            return
        groups = conflicted["h"].nunique()
        n = len(ctx.split.train)
        target = ctx.split.target
        yield self.finding(
            f"{groups:,} groups of identical training rows ({len(conflicted):,} rows, "
            f"{len(conflicted) / n:.1%} of train) have conflicting labels in {target!r}.",
            "Review these rows: correct the labels or merge each group into one row.",
            evidence={
                "groups": groups,
                "rows": len(conflicted),
                "share": len(conflicted) / n,
                "examples": describe_rows(
                    ctx.split.train, conflicted.sort_values("h")["row"].tolist(), [target, *matching_columns(ctx)], limit=6
                ),
            },
            columns=(target,),
        )
