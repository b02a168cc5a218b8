"""PF301's missing-value shortcut: whether one column is empty predicts the label on its own.

A measurement taken only when the outcome was already suspected (a test ordered for the sick,
a field filled in after the event) is missing for most negatives and present for most
positives. Its missingness then encodes the label: a model learns "measured, so positive",
which holds only where the data were collected that way. The row statistics of PF301 see this
as a count of missing values; this module names the column and grades it by its own effect.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

from pitfall.checks.context import Context
from pitfall.checks.evaluation.baselines import dummy_predictions
from pitfall.checks.single_feature import fit_rule_predict, single_feature_scores
from pitfall.findings import Finding, Severity

if TYPE_CHECKING:
    from pitfall.checks.shortcuts.trivial_statistics import TrivialStatisticShortcut

__all__ = ["missing_indicator_findings"]


def missing_indicator_findings(check: TrivialStatisticShortcut, ctx: Context) -> Iterator[Finding]:
    """One finding per column whose missing-value indicator alone predicts the test labels.

    The indicator's rule (the label distribution among rows where the column is empty and
    among rows where it is filled, learnt on train) is scored on the test set with the scan's
    metric. Its gain over the dummy gets a paired bootstrap interval at a Bonferroni-corrected
    level (one test per partly-missing column). It is a `warning` when that interval lies above
    zero and the gain is at least ``check.missing_share`` of the model's own gain over the dummy
    (or of the largest gain possible, when the model gains nothing).
    """
    rules = single_feature_scores(ctx).rules
    names = [n for n in rules if n.startswith("missing(")]
    if not names or len(ctx.y_test) < 10:
        return
    metric = ctx.metric
    level = 1 - (1 - check.level) / len(names)
    balanced = metric.name == "balanced_accuracy"
    dummy = next(iter(dummy_predictions(ctx).values()))
    model_gain = ctx.score_difference(ctx.predictions, dummy, level=level)
    reference = model_gain.estimate if model_gain.estimate > 0 else float("nan")
    found: dict[str, dict] = {}
    for name in names:
        col = name[len("missing(") : -1]
        pred = fit_rule_predict(ctx, name, balanced=balanced)
        gain = ctx.score_difference(pred, dummy, level=level)
        share = gain.estimate / reference if np.isfinite(reference) else float("nan")
        j = ctx.split.features.index(col)
        miss_train = ~np.isfinite(ctx.X_train[:, j])
        rates = _rates(ctx, miss_train)
        found[col] = {"gain": gain.to_dict(), "share_of_model_gain": share, "missing_by_class": rates}
        if not (gain.low > 0 and (share >= check.missing_share or not np.isfinite(share))):
            continue
        score = ctx.score(pred, level=level)
        spread = ", ".join(f"{k}: {v:.0%}" for k, v in rates.items())
        yield check.finding(
            f"Whether {col!r} is missing predicts the label on its own: {metric.name} {score} on the test "
            f"set from the missing-value indicator alone, {share:.0%} of the model's gain over the dummy; "
            f"{col!r} is missing in {spread} of the training rows of each "
            f"{'class' if ctx.is_classification else 'target band'}. A measurement taken only when the "
            "outcome was suspected leaks the label.",
            f"Find out when {col!r} was recorded. If it was measured because of (or after) the outcome, "
            "drop it or its missingness from the features; otherwise make sure test and deployment data "
            "are missing it the same way, and report the model's score without it.",
            evidence={
                "column": col,
                "metric": metric.name,
                "indicator_score": score.to_dict(),
                "indicator_minus_dummy": gain.to_dict(),
                "model_minus_dummy": model_gain.to_dict(),
                "share_of_model_gain": round(float(share), 4) if np.isfinite(share) else None,
                "share_threshold": check.missing_share,
                "missing_by_class": rates,
                "level": level,
                "n_tested_columns": len(names),
                "seed": ctx.seed,
            },
            columns=(col,),
            severity=Severity.WARNING,
        )
    ctx.metrics["missing_indicators"] = found


def _rates(ctx: Context, missing: np.ndarray) -> dict[str, float]:
    """Share of training rows missing the column, per class (or per target tercile)."""
    y = ctx.y_train
    if ctx.is_classification:
        return {str(c): float(missing[y == i].mean()) for i, c in enumerate(ctx.classes) if (y == i).any()}
    cuts = np.nanquantile(y, [1 / 3, 2 / 3])
    band = np.searchsorted(cuts, y, side="right")
    labels = ("low", "middle", "high")
    return {labels[b]: float(missing[band == b].mean()) for b in range(3) if (band == b).any()}
