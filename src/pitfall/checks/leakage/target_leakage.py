"""PF205 target-leakage."""

from __future__ import annotations

from collections.abc import Iterator

from pitfall.checks.base import Check, Requires
from pitfall.checks.context import Context
from pitfall.checks.shared import id_like_columns
from pitfall.checks.single_feature import rule_metric_name, single_feature_scores
from pitfall.findings import Finding, Severity
from pitfall.metrics import METRICS
from pitfall.stats import Interval

TOP = 5  # features given intervals and considered for findings


def normalise(value: float, task: str, n_classes: int) -> float:
    """Map a score to 0 = chance, 1 = perfect (balanced accuracy or R²)."""
    if task == "regression":
        return value
    chance = 1.0 / n_classes
    return (value - chance) / (1.0 - chance)


class TargetLeakage(Check):
    """A single feature that predicts the label (almost) as well as the whole model, or perfectly.

    ## What it finds
    Every feature, and the missingness of every partly-missing feature, is turned into a
    one-feature rule (the label distribution in each of up to 32 quantile bins) and scored
    out-of-fold on the training data (balanced accuracy, or R² for regression). Scores are put
    on a 0 (chance) to 1 (perfect) scale and compared with the model's score on the test set,
    both with bootstrap 95% intervals. A feature is reported when its interval reaches the
    model's:

    - `error` when it is near-perfect (lower bound ≥ `near_perfect`, default 0.9) and either its
      estimate is ≥ 0.99 or it is an identifier or a missingness indicator;
    - `warning` when it is near-perfect otherwise;
    - `info` when it merely matches a model that beats chance (the model rests on one feature).

    ## Why it matters
    A column computed from the label (a catalogue's own class code, a diagnosis date, a
    "reviewed" flag set after the outcome) gives a near-perfect score that vanishes in use, when
    the column does not yet exist. Identifiers that follow the class (rows sorted by class)
    and missingness that follows the class (a field filled only for one class) leak the same way.

    ## How to fix
    Ask for each reported column: would I know this value at prediction time, before the label?
    If not, drop it. Then re-run the scan.

    ## Example
    `catalog_class` from a later data release, copied into the features of a galaxy classifier.

    ## Options
    - `near_perfect` (default 0.9): lower confidence bound, on the 0–1 scale, above which a
      one-feature score counts as near-perfect.
    """

    code = "PF205"
    name = "target-leakage"
    family = "leakage"
    severity = Severity.ERROR
    requires = Requires(model=True)
    model_based = True

    def __init__(self, *, near_perfect: float = 0.9):
        self.near_perfect = near_perfect

    def run(self, ctx: Context) -> Iterator[Finding]:
        sfs = single_feature_scores(ctx)
        ranked = sfs.ranked()
        k = len(ctx.classes)
        metric = METRICS[rule_metric_name(ctx.task)]
        model_iv = ctx.score(ctx.predictions, metric)
        m_low = normalise(model_iv.low, ctx.task, k)
        m_est = normalise(model_iv.estimate, ctx.task, k)
        ids = id_like_columns(ctx)
        top = []
        for name, _ in ranked[:TOP]:
            iv = sfs.interval(name, seed=ctx.seed)
            top.append((name, iv))
        ctx.metrics["single_feature"] = {
            "metric": metric.name,
            "model": model_iv.to_dict(),
            "features": {n: {"estimate": s} for n, s in ranked},
            "top": {n: iv.to_dict() for n, iv in top},
        }
        for name, iv in top:
            est = normalise(iv.estimate, ctx.task, k)
            low = normalise(iv.low, ctx.task, k)
            high = normalise(iv.high, ctx.task, k)
            if high < m_low:
                continue  # clearly weaker than the model
            column = name[len("missing("):-1] if name.startswith("missing(") else name
            indicator = name.startswith("missing(")
            near = low >= self.near_perfect
            if near and (est >= 0.99 or indicator or column in ids):
                severity = Severity.ERROR
            elif near:
                severity = Severity.WARNING
            elif m_low > 0:
                severity = Severity.INFO
            else:
                continue
            what = "The missingness of " + repr(column) if indicator else f"Feature {column!r}"
            if column in ids and not indicator:
                what += " (an identifier)"
            verb = "predicts the label almost perfectly" if near else "predicts the label about as well as the model"
            yield self.finding(
                f"{what} alone {verb}: {metric.name} {_fmt(iv)} out-of-fold vs the model's "
                f"{_fmt(model_iv)} on test.",
                f"Check that {column!r} is known before the label at prediction time; if not, drop it.",
                evidence={
                    "feature": name,
                    "metric": metric.name,
                    "feature_score": iv.to_dict(),
                    "model_score": model_iv.to_dict(),
                    "feature_normalised": est,
                    "model_normalised": m_est,
                    "missingness_indicator": indicator,
                    "identifier": column in ids,
                },
                columns=(column,),
                severity=severity,
            )


def _fmt(iv: Interval) -> str:
    return f"{iv.estimate:.3f} [{iv.low:.3f}, {iv.high:.3f}]"
