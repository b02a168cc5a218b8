"""PF204 temporal-leakage."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from pitfall.checks.base import Check, Requires
from pitfall.checks.context import Context
from pitfall.checks.shared import impact_severity_share
from pitfall.data.split import parse_time
from pitfall.errors import InputError
from pitfall.findings import Finding, Severity


class TemporalLeakage(Check):
    """Test rows older than the newest training rows: the model was trained on the future.

    ## What it finds
    With `--time COLUMN`, the test rows observed strictly before the newest training row (ties
    at the boundary are allowed) and the time span where train and test overlap. Severity is
    `error` when the share of such test rows can move the score by more than its sampling noise
    (1.96·sqrt(0.25/n_test)), else `warning`.

    ## Why it matters
    A model deployed today predicts tomorrow. Scored on rows that precede some of its training
    rows, it benefits from information it will never have in use (later trends, later
    corrections, the answer itself recorded in a later row), so the score is optimistic.

    ## How to fix
    Split by time: train on rows before a cut-off date, test on rows after it
    (`--split time --time COLUMN`, or `TimeSeriesSplit`).

    ## Example
    Museum visits from 2019–2023 split at random: the model is tested on 2019 visits after
    learning from 2023's.
    """

    code = "PF204"
    name = "temporal-leakage"
    family = "leakage"
    severity = Severity.ERROR
    requires = Requires(time=True)

    def run(self, ctx: Context) -> Iterator[Finding]:
        col = ctx.split.roles.time
        t_train = parse_time(ctx.split.train[col], source="train")
        t_test = parse_time(ctx.split.test[col], source="test")
        if pd.api.types.is_datetime64_any_dtype(t_train) != pd.api.types.is_datetime64_any_dtype(t_test):
            kinds = ["dates" if pd.api.types.is_datetime64_any_dtype(t) else "numbers" for t in (t_train, t_test)]
            raise InputError(
                f"time column {col!r} holds {kinds[0]} in train but {kinds[1]} in test. "
                "Write times the same way in both files."
            )
        newest_train = t_train.max()
        older = (t_test < newest_train).to_numpy()
        k = int(older.sum())
        if k == 0:
            return
        n_test = len(t_test)
        share = k / n_test
        newer_train = int((t_train > t_test.min()).sum())
        exceeds, half = impact_severity_share(share, n_test)
        yield self.finding(
            f"{k:,} of {n_test:,} test rows ({share:.1%}) are older than the newest training row "
            f"({newest_train}); {newer_train:,} training rows are newer than the oldest test row.",
            f"Split by time: train before a cut-off, test after it (`--split time --time {col}`).",
            evidence={
                "test_rows_older_than_train": k,
                "share_of_test": share,
                "train_rows_newer_than_test": newer_train,
                "newest_train": str(newest_train),
                "oldest_test": str(t_test.min()),
                "score_noise_half_width": half,
            },
            columns=(col,),
            severity=Severity.ERROR if exceeds else Severity.WARNING,
        )
