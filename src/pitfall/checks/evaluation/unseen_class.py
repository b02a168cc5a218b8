"""PF407 class-unseen-in-training."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from pitfall.checks.base import Check, Requires
from pitfall.checks.context import Context
from pitfall.checks.shared import impact_severity_share, python_value
from pitfall.findings import Finding, Severity

MACRO = {"balanced_accuracy", "f1_macro"}  # every class weighs the same in these


class ClassUnseenInTraining(Check):
    """Test rows of a class that no training row has.

    ## What it finds
    Classes of the target that occur in the test set but not in the training set (when the
    two files share no class at all, the scan stops with an input error instead: the labels
    are coded differently).

    - `error` when those rows can move the test score by more than its own noise: their share
      of the test rows, or, for a metric that weighs every class the same (balanced accuracy,
      macro F1), one class's weight 1/k, reaches the worst-case 95% half-width of a score on
      that many rows (1.96 × sqrt(0.25 / n_test), as for PF201).
    - `warning` otherwise: a handful of rows in a large test set.

    ## Why it matters
    No model fitted on the training rows can predict a class it never saw: its test rows are
    errors by construction. The test score then mixes how well the model does on the known
    classes with how many rows of the unknown one the split happened to put in test, and
    under balanced accuracy with k classes it cannot exceed (k − 1) / k.

    ## How to fix
    Split with stratification (`train_test_split(..., stratify=y)`) so every class is in both
    sets; if the class is genuinely new, report its rows apart (open-set evaluation) or drop
    them from the test set and say so.

    ## Example
    A 3-class table split by date where the third class only appears in the last month: 12
    test rows of `'virginica'`, none in train.

    ## Options
    This check has no options.
    """

    code = "PF407"
    name = "class-unseen-in-training"
    family = "evaluation"
    severity = Severity.ERROR
    requires = Requires(tasks=frozenset({"binary", "multiclass"}))

    def run(self, ctx: Context) -> Iterator[Finding]:
        k = len(ctx.classes)
        in_train = np.bincount(ctx.y_train, minlength=k)
        in_test = np.bincount(ctx.y_test, minlength=k)
        unseen = np.flatnonzero((in_train == 0) & (in_test > 0))
        if unseen.size == 0:
            return
        n_test = len(ctx.y_test)
        rows = int(in_test[unseen].sum())
        share = rows / n_test
        k_test = int(np.count_nonzero(in_test))
        weight = unseen.size / k_test if ctx.metric.name in MACRO else share
        exceeds, half = impact_severity_share(weight, n_test)
        labels = [python_value(ctx.classes[c]) for c in unseen]
        shown = ", ".join(f"{label!r} ({int(in_test[c]):,} rows)" for label, c in zip(labels, unseen, strict=True))
        cap = ""
        if ctx.metric.name in MACRO:
            cap = f"; {ctx.metric.name} cannot exceed {(k_test - unseen.size) / k_test:.3f}"
        yield self.finding(
            f"{rows:,} of {n_test:,} test rows ({share:.1%}) belong to classes no training row has: "
            f"{shown}. No model fitted on the training rows can predict them{cap}.",
            "Split with stratification so every class is in train and test, or report the rows of "
            "a genuinely new class apart from the test score.",
            evidence={
                "classes": labels,
                "test_rows": {str(label): int(in_test[c]) for label, c in zip(labels, unseen, strict=True)},
                "share_of_test": share,
                "score_weight": weight,
                "score_noise_half_width": half,
                "metric": ctx.metric.name,
            },
            columns=(ctx.split.target,),
            severity=Severity.ERROR if exceeds else Severity.WARNING,
        )
