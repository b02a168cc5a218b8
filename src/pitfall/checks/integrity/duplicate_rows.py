"""PF101 duplicate-rows."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from pitfall.checks.base import Check
from pitfall.checks.context import Context
from pitfall.checks.shared import describe_rows, matching_columns, within_duplicates_of
from pitfall.findings import Finding, Severity


class DuplicateRows(Check):
    """Rows repeated within the training set (or within the test set) more often than chance allows.

    ## What it finds
    Rows whose feature values are identical to another row of the same split, counting only
    copies that are improbable by chance: a repeat of a row with continuous measurements is a
    copy, while two survey respondents giving the same five answers are not. The chance model
    is described in `pitfall.checks.matching`. The finding fires when the number of redundant
    rows (what deduplication would drop) exceeds the Poisson expectation of chance pairs among
    rows that would count (p < alpha, default 0.001); a chance pair involves two rows but makes
    one redundant, so pairs rather than rows are compared. Identifier columns are ignored when
    comparing rows, since copies usually get new identifiers.

    ## Why it matters
    Duplicates weigh some objects more than others during training, and cross-validation inside
    the training set puts copies in both folds, so tuning is optimistic. Duplicates in the test
    set make its score rest on fewer independent objects than it seems.

    ## How to fix
    Drop exact copies (`df.drop_duplicates(subset=features)`) before splitting, or keep them and
    split by a group key so copies stay together.

    ## Example
    A catalogue exported twice and concatenated: each galaxy appears twice in the training set.

    ## Options
    - `alpha` (default 0.001): significance level of the Poisson test against chance copies.
    """

    code = "PF101"
    name = "duplicate-rows"
    family = "integrity"
    severity = Severity.WARNING

    def __init__(self, *, alpha: float = 0.001):
        self.alpha = alpha

    def run(self, ctx: Context) -> Iterator[Finding]:
        cols = matching_columns(ctx)
        if not cols:
            return
        for name, frame in (("train", ctx.split.train), ("test", ctx.split.test)):
            dup = within_duplicates_of(ctx, name)
            if dup.redundant == 0 or dup.p_value >= self.alpha:
                continue
            n = len(frame)
            k = len(dup.rows)
            yield self.finding(
                f"{dup.redundant:,} of {n:,} {name} rows ({dup.redundant / n:.1%}) are copies of "
                f"another {name} row ({k:,} rows involved; {dup.expected:.2g} expected by chance).",
                f"Drop duplicate rows from the {name} set (`df.drop_duplicates(subset=features)`), "
                "or split by a group key so that copies stay together.",
                evidence={
                    "split": name,
                    "rows_involved": k,
                    "redundant_rows": dup.redundant,
                    "share": dup.redundant / n,
                    "expected_by_chance": dup.expected,
                    "p_value": dup.p_value,
                    "examples": describe_rows(frame, dup.rows[np.argsort(dup.groups, kind="stable")], cols),
                },
            )
