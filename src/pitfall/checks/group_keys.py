"""A column that looks like an object key (a firm across years), and whether splitting by it matters.

Without ``--group`` a random split puts rows of one firm, patient or site on both sides. A
column is a *candidate key* when it is a code (text or arbitrary whole numbers, never a
measurement), names at least ``MIN_VALUES`` distinct objects and repeats them (a median of 2
to ``MAX_MEDIAN`` rows per value), and the split looks random along it: most test rows share
their value with training rows. It *changes the verdict* when pitfall's default model, scored
out-of-fold on the training rows, does worse with folds by that column than with random folds:
the paired bootstrap 95% interval of the drop in per-row accuracy (or, for regression, of the
rise in absolute error relative to the random folds' error) lies above zero and the drop is at
least ``MIN_DROP``. Then the score on a random split is that of objects already seen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pitfall.checks.context import Context

__all__ = ["KeySuggestion", "suggest_group_key"]

MIN_VALUES = 20  # fewer values are categories (a region, a sex), not objects
MAX_MEDIAN = 100  # more rows per value: a category again
SHARED = 0.5  # share of test rows whose value also occurs in train: the split looks random
MIN_DROP = 0.05  # the smallest drop in score that changes a conclusion
N_FOLDS = 5


@dataclass(frozen=True)
class KeySuggestion:
    column: str
    values: int
    median_rows: float
    shared_test_share: float
    random_folds: float
    grouped_folds: float
    drop: dict
    measure: str


def _candidates(ctx: Context) -> list[tuple[str, int, float, float]]:
    from pitfall.checks.leakage.group_leakage import is_code_column, is_measurement

    train, test = ctx.split.train, ctx.split.test
    roles = ctx.split.roles
    skip = roles.non_features()
    out = []
    for col in train.columns:
        if col in skip or col in roles.modality or not is_code_column(train[col]) or is_measurement(ctx, col):
            continue
        both = pd.concat([train[col], test[col]], ignore_index=True).dropna()
        counts = both.value_counts()
        median = float(counts.median()) if len(counts) else 0.0
        if len(counts) < MIN_VALUES or not 2 <= median <= MAX_MEDIAN:
            continue
        shared = float(test[col].isin(set(train[col].dropna())).mean())
        if shared >= SHARED:
            out.append((str(col), len(counts), median, shared))
    return out


def _oof_loss(ctx: Context, rows: np.ndarray, folds: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Per-row loss out-of-fold: 0/1 error (classification) or absolute error (regression)."""
    features = list(ctx.split.features)
    y = ctx.y_train[rows]
    loss = np.zeros(len(rows))
    for fit, held in folds:
        model = ctx.fit_default_model(features, rows=rows[fit], balanced=False)
        X = ctx.split.train.iloc[rows[held]][features]
        pred = np.asarray(model.predict(X))
        if ctx.is_classification:
            codes = pd.Index(ctx.classes).get_indexer(pd.Series(pred))
            loss[held] = (codes != y[held]).astype(float)
        else:
            loss[held] = np.abs(pred.astype(float) - y[held])
    return loss


def suggest_group_key(ctx: Context) -> KeySuggestion | None:
    """The first candidate key whose grouped folds score clearly worse than random folds."""
    from sklearn.model_selection import GroupKFold, KFold

    from pitfall.checks.refits import row_mean_interval

    for col, n_values, median, shared in _candidates(ctx):
        rows = ctx.cv_rows
        groups = ctx.split.train[col].iloc[rows].astype(str).to_numpy()
        if len(np.unique(groups)) < N_FOLDS:
            continue
        random_folds = list(KFold(N_FOLDS, shuffle=True, random_state=ctx.seed).split(rows))
        grouped = list(GroupKFold(N_FOLDS).split(rows, groups=groups))
        random_loss = _oof_loss(ctx, rows, random_folds)
        group_loss = _oof_loss(ctx, rows, grouped)
        if ctx.is_classification:
            scale, measure = 1.0, "accuracy"
            random_score, grouped_score = 1 - random_loss.mean(), 1 - group_loss.mean()
        else:
            scale = float(random_loss.mean()) or 1.0
            measure = "absolute error relative to random folds"
            random_score, grouped_score = float(random_loss.mean()), float(group_loss.mean())
        drop = row_mean_interval(ctx, (group_loss - random_loss) / scale)
        if drop.low > 0 and drop.estimate >= MIN_DROP:
            return KeySuggestion(
                col, n_values, median, shared, float(random_score), float(grouped_score), drop.to_dict(), measure
            )
    return None


@dataclass(frozen=True)
class TimeSuggestion:
    column: str
    older_test_share: float
    random_folds: float
    grouped_folds: float
    drop: dict
    measure: str


def suggest_time_key(ctx: Context) -> TimeSuggestion | None:
    """A date column (not declared with ``--time``) along which the split looks random and
    whose periods, held out in turn, score clearly worse than random folds.

    The training rows are cut into ``N_FOLDS`` contiguous periods (time quantiles); each fold
    holds out one period, so the comparison with random folds of the same size measures what
    knowing neighbouring dates is worth, not the number of training rows.
    """
    from sklearn.model_selection import GroupKFold, KFold

    from pitfall.checks.refits import row_mean_interval
    from pitfall.data.encode import as_float

    if ctx.split.roles.time:
        return None
    train, test = ctx.split.train, ctx.split.test
    for col in train.columns:
        if col in ctx.split.roles.non_features():
            continue
        parsed = [_as_dates(train[col]), _as_dates(test[col])]
        if parsed[0] is None or parsed[1] is None:
            continue
        t_train, t_test = (as_float(p) for p in parsed)
        if not np.isfinite(t_train).any() or not np.isfinite(t_test).any():
            continue
        older = float(np.mean(t_test[np.isfinite(t_test)] < np.nanmax(t_train)))
        if older < SHARED:
            continue
        rows = ctx.cv_rows
        t = t_train[rows]
        if not np.isfinite(t).all() or np.unique(t).size < N_FOLDS:
            continue
        edges = np.quantile(t, np.linspace(0, 1, N_FOLDS + 1)[1:-1])
        periods = np.searchsorted(edges, t, side="right")
        if np.unique(periods).size < N_FOLDS:
            continue
        random_loss = _oof_loss(ctx, rows, list(KFold(N_FOLDS, shuffle=True, random_state=ctx.seed).split(rows)))
        period_loss = _oof_loss(ctx, rows, list(GroupKFold(N_FOLDS).split(rows, groups=periods)))
        if ctx.is_classification:
            scale, measure = 1.0, "accuracy"
            random_score, grouped_score = 1 - random_loss.mean(), 1 - period_loss.mean()
        else:
            scale = float(random_loss.mean()) or 1.0
            measure = "absolute error relative to random folds"
            random_score, grouped_score = float(random_loss.mean()), float(period_loss.mean())
        drop = row_mean_interval(ctx, (period_loss - random_loss) / scale)
        if drop.low > 0 and drop.estimate >= MIN_DROP:
            return TimeSuggestion(str(col), older, float(random_score), float(grouped_score), drop.to_dict(), measure)
    return None


def _as_dates(values: pd.Series) -> pd.Series | None:
    """The column when it is typed as dates (Parquet, a DataFrame); None otherwise.

    Dates read from CSV stay text, and pitfall's model treats them as categories: holding out
    a period then costs it nothing, so the comparison would be empty.
    """
    from pitfall.data.encode import column_kind

    return values if column_kind(values) == "datetime" else None
