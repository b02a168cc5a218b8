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
    Classification targets whose rarest class is under-represented: less than `rare_share`
    (default 10%) of the training rows for a binary target, and in general less than
    `rare_share` × 2 / k of the rows for k classes (4% for five classes), i.e. a fifth of its
    share under balance. It is a `warning` when the scan's metric is `accuracy`, or when always
    guessing the majority class reaches at least `majority_accuracy` (default 0.95) accuracy
    on the test set: accuracy is what readers quote, and at that level it says nothing about
    the rare class, whatever metric the scan uses. Otherwise (balanced accuracy, the default,
    or a ranking metric, and a majority guess below 95%) it is an info note. Either way the
    finding lists the model's accuracy,
    balanced accuracy, macro F1, ROC AUC and PR AUC (average precision) with bootstrap 95%
    intervals, next to the majority baseline's accuracy.

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
    - `rare_share` (default 0.1): share of the rarest class, for a binary target, below which
      it counts as rare (scaled by 2 / k for k classes).
    - `majority_accuracy` (default 0.95): test accuracy of the majority guess from which the
      finding is a warning under any metric.
    """

    code = "PF402"
    name = "misleading-metric"
    family = "evaluation"
    severity = Severity.WARNING
    requires = Requires(model=True, tasks=frozenset({"binary", "multiclass"}))
    model_based = True

    def __init__(self, *, rare_share: float = 0.1, majority_accuracy: float = 0.95):
        self.rare_share = rare_share
        self.majority_accuracy = majority_accuracy

    def run(self, ctx: Context) -> Iterator[Finding]:
        k = len(ctx.classes)
        counts = np.bincount(ctx.y_train, minlength=k)
        shares = counts / counts.sum()
        present = np.flatnonzero(counts)
        rare = int(present[np.argmin(shares[present])])
        threshold = self.rare_share * 2 / k
        if shares[rare] >= threshold:
            return
        pred = ctx.predictions
        names = ["accuracy", "balanced_accuracy", "f1_macro"]
        if pred.proba is not None:
            names += ["roc_auc", "average_precision"]
        values = {n: ctx.score(pred, METRICS[n]) for n in names}
        majority = int(np.argmax(shares))
        majority_acc = float(np.mean(ctx.y_test == majority))
        ctx.metrics["imbalance"] = {
            "class_shares": {str(c): float(s) for c, s in zip(ctx.classes, shares, strict=True)},
            "model": {n: v.to_dict() for n, v in values.items()},
            "majority_accuracy": majority_acc,
        }
        uses_accuracy = ctx.metric.name == "accuracy"
        trivial = majority_acc >= self.majority_accuracy
        listed = ", ".join(f"{n} {v}" for n, v in values.items() if n != "accuracy")
        rare_label = ctx.classes[rare]
        verb = "is scored with accuracy" if uses_accuracy else "has accuracy"
        quoted = " (an accuracy near it says nothing about the rare class)" if trivial else ""
        yield self.finding(
            f"Class {rare_label!r} is {shares[rare]:.1%} of training rows; always guessing "
            f"{ctx.classes[majority]!r} gives test accuracy {majority_acc:.3f}{quoted}. The model "
            f"{verb} {values['accuracy']}; {listed}.",
            "Report balanced accuracy, per-class recall and PR AUC "
            "(`--metric balanced_accuracy` or `--metric average_precision`) next to the baselines.",
            evidence={
                "rare_class": rare_label,
                "rare_share": float(shares[rare]),
                "rare_threshold": threshold,
                "majority_class": ctx.classes[majority],
                "majority_accuracy": majority_acc,
                "metric_in_use": ctx.metric.name,
                "majority_accuracy_threshold": self.majority_accuracy,
                "model_metrics": {n: v.to_dict() for n, v in values.items()},
            },
            columns=(ctx.split.target,),
            severity=Severity.WARNING if uses_accuracy or trivial else Severity.INFO,
        )
