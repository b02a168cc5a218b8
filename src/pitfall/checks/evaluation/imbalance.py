"""PF402 misleading-metric."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from pitfall.checks.base import Check, Requires
from pitfall.checks.context import Context
from pitfall.findings import Finding, Severity
from pitfall.metrics import METRICS


class MisleadingMetric(Check):
    """Accuracy on a data set where one class is rare.

    ## What it finds
    Classification targets whose rarest class makes up less than `rare_share` (default 10%) of
    the training rows. When the scan's metric is `accuracy` this is a warning: always guessing
    the majority class scores at least 1 − (rare share). Otherwise it is an info note. Either
    way the finding lists the model's balanced accuracy, macro F1, ROC AUC and PR AUC (average
    precision) with bootstrap 95% intervals, next to the majority baseline's accuracy.

    ## Why it matters
    With 2% positives, a model that never predicts the positive class scores 98% accuracy and
    finds nothing. Rare classes are often the point of the study (a rare galaxy type, a
    rare manuscript hand), and accuracy hides how the model does on them.

    ## How to fix
    Report balanced accuracy, per-class recall and PR AUC (`--metric balanced_accuracy`,
    `--metric average_precision`), and compare them with the baselines of PF401.

    ## Example
    A quasar/star classifier with 3% quasars reporting 97.5% accuracy.

    ## Options
    - `rare_share` (default 0.1): share of the rarest class below which it counts as rare.
    """

    code = "PF402"
    name = "misleading-metric"
    family = "evaluation"
    severity = Severity.WARNING
    requires = Requires(model=True, tasks=frozenset({"binary", "multiclass"}))
    model_based = True

    def __init__(self, *, rare_share: float = 0.1):
        self.rare_share = rare_share

    def run(self, ctx: Context) -> Iterator[Finding]:
        counts = np.bincount(ctx.y_train, minlength=len(ctx.classes))
        shares = counts / counts.sum()
        rare = int(np.argmin(shares))
        if shares[rare] >= self.rare_share:
            return
        pred = ctx.predictions
        names = ["accuracy", "balanced_accuracy", "f1_macro"]
        if pred.proba is not None:
            names += ["roc_auc", "average_precision"]
        values = {n: ctx.score(pred, METRICS[n]) for n in names}
        majority_acc = float(np.mean(ctx.y_test == int(np.argmax(shares))))
        ctx.metrics["imbalance"] = {
            "class_shares": {str(c): float(s) for c, s in zip(ctx.classes, shares, strict=True)},
            "model": {n: v.to_dict() for n, v in values.items()},
            "majority_accuracy": majority_acc,
        }
        uses_accuracy = ctx.metric.name == "accuracy"
        listed = ", ".join(f"{n} {v}" for n, v in values.items() if n != "accuracy")
        rare_label = ctx.classes[rare]
        yield self.finding(
            f"Class {rare_label!r} is {shares[rare]:.1%} of training rows; always guessing the majority "
            f"gives accuracy {majority_acc:.3f}. The model's accuracy {values['accuracy']} hides it; {listed}.",
            "Report balanced accuracy, per-class recall and PR AUC (`--metric balanced_accuracy` or "
            "`--metric average_precision`) next to the baselines.",
            evidence={
                "rare_class": rare_label,
                "rare_share": float(shares[rare]),
                "majority_accuracy": majority_acc,
                "metric_in_use": ctx.metric.name,
                "model_metrics": {n: v.to_dict() for n, v in values.items()},
            },
            columns=(ctx.split.target,),
            severity=Severity.WARNING if uses_accuracy else Severity.INFO,
        )
