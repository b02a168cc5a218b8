"""PF102 conflicting-labels."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from pitfall.checks.base import Check, Requires
from pitfall.checks.context import Context
from pitfall.checks.shared import describe_rows, matching_columns, within_duplicates_of
from pitfall.findings import Finding, Severity
from pitfall.stats import poisson_sf


class ConflictingLabels(Check):
    """Copies of the same row that carry different labels.

    ## What it finds
    Groups of training rows that are copies of each other (identical features, improbable by
    chance; see PF101) but whose labels disagree. Only classification targets are checked. It
    fires when the number of such groups exceeds what chance pairs of distinct objects could
    explain (Poisson, p < alpha): identical survey answers from two people with different
    labels are expected, a copied row with a flipped label is not.

    ## Why it matters
    The same object with two labels is a labelling error or a sign that the features miss what
    decides the label. Either way no model can be right on both rows, and the test score is
    capped by the noise.

    ## How to fix
    Look at the listed rows, correct the labels or merge the copies (majority vote), and record
    what you did in the datasheet.

    ## Example
    One object catalogued twice, once as `spiral` and once as `elliptical`.

    ## Options
    - `alpha` (default 0.001): significance level of the Poisson test against chance copies.
    """

    code = "PF102"
    name = "conflicting-labels"
    family = "integrity"
    severity = Severity.WARNING
    requires = Requires(tasks=frozenset({"binary", "multiclass"}))

    def __init__(self, *, alpha: float = 0.001):
        self.alpha = alpha

    def run(self, ctx: Context) -> Iterator[Finding]:
        cols = matching_columns(ctx)
        if not cols:
            return
        dup = within_duplicates_of(ctx, "train")
        if len(dup.rows) == 0:
            return
        frame = pd.DataFrame({"group": dup.groups, "y": ctx.y_train[dup.rows], "row": dup.rows})
        n_labels = frame.groupby("group")["y"].transform("nunique")
        conflicted = frame[n_labels > 1].sort_values(["group", "row"])
        if conflicted.empty:
            return
        groups = int(conflicted["group"].nunique())
        p = poisson_sf(groups, dup.expected)
        if p >= self.alpha:
            return
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
                "expected_by_chance": dup.expected,
                "p_value": p,
                "examples": describe_rows(ctx.split.train, conflicted["row"].tolist(), [target, *cols], limit=6),
            },
            columns=(target,),
        )
