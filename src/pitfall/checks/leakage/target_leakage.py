"""PF205 target-leakage."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from pitfall.checks.base import Check, Requires
from pitfall.checks.context import Context, Predictions
from pitfall.checks.shared import id_like_columns
from pitfall.checks.single_feature import fit_rule_predict, rule_metric_name, single_feature_scores
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
    """A single feature that predicts the label almost perfectly, on its own.

    ## What it finds
    Every feature, and the missingness of every partly-missing feature, is turned into a
    one-feature rule (the label distribution in each of up to 32 bins cut by a small tree) and
    scored out-of-fold on the training data (balanced accuracy, or R² for regression). Scores
    are put on a 0 (chance) to 1 (perfect) scale with bootstrap 95% intervals. A feature is
    *near-perfect* when the interval's lower bound is at least `near_perfect` (default 0.9).

    A near-perfect feature is an `error` when it also bears a sign of leakage:

    - it is an identifier (row numbers, codes) or the missingness of a column: neither should
      say anything about the label, so rows were sorted or filled by class;
    - it *dominates*: on the test set, its rule is better than pitfall's model trained on all
      the other features together (the paired bootstrap 95% interval of the difference lies
      above zero) and makes at most half as many errors (`dominance`, default 0.5: the share of
      the other features' errors that the feature alone avoids; errors are 1 − balanced
      accuracy, or 1 − R²). The label's information then sits in this one column, and the
      reported score stands or falls with it.

    Otherwise it is `info`: the feature is strong, but the other features carry the same
    information (iris petal width is near-perfect, and so are the other petal measurements).

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
    - `dominance` (default 0.5): share of the errors of all other features together that a
      near-perfect feature must avoid, alone, to count as dominating.
    """

    code = "PF205"
    name = "target-leakage"
    family = "leakage"
    severity = Severity.ERROR
    requires = Requires(model=True)
    model_based = True

    def __init__(self, *, near_perfect: float = 0.9, dominance: float = 0.5):
        self.near_perfect = near_perfect
        self.dominance = dominance

    def run(self, ctx: Context) -> Iterator[Finding]:
        sfs = single_feature_scores(ctx)
        ranked = sfs.ranked()
        k = len(ctx.classes)
        metric = METRICS[rule_metric_name(ctx.task)]
        # the model's score is context for the plot; fitted for it only when a finding quotes it
        model_iv = ctx.score(ctx.predictions, metric) if ctx.predictions_made_anyway(self.code) else None
        top = [(name, sfs.interval(name, ctx.resamples(len(sfs.y)))) for name, _ in ranked[:TOP]]
        ctx.metrics["single_feature"] = {
            "metric": metric.name,
            "model": model_iv.to_dict() if model_iv else None,
            "features": {n: {"estimate": s} for n, s in ranked},
            "top": {n: iv.to_dict() for n, iv in top},
        }
        ids = id_like_columns(ctx)
        reported: set[str] = set()
        # missingness first: for a column whose missingness leaks, that is the explanation
        near = [(n, iv) for n, iv in top if normalise(iv.low, ctx.task, k) >= self.near_perfect]
        near.sort(key=lambda item: not item[0].startswith("missing("))
        for name, iv in near:
            indicator = name.startswith("missing(")
            column = name[len("missing(") : -1] if indicator else name
            if column in reported:
                continue
            reported.add(column)
            evidence = {
                "feature": name,
                "metric": metric.name,
                "feature_score": iv.to_dict(),
                "feature_normalised": normalise(iv.estimate, ctx.task, k),
                "model_score": (model_iv or ctx.score(ctx.predictions, metric)).to_dict(),
                "missingness_indicator": indicator,
                "identifier": column in ids,
            }
            if indicator or column in ids:
                severity = Severity.ERROR
                why = "its missingness" if indicator else "an identifier"
                what = f"The missingness of {column!r}" if indicator else f"Identifier {column!r}"
                message = (
                    f"{what} alone predicts the label almost perfectly: {metric.name} {iv} "
                    f"out-of-fold ({why} should carry no information about the label)."
                )
            else:
                rule, rest, gain = self._dominance(ctx, name, column)
                reduction = error_reduction(rule.estimate, rest.estimate)
                dominant = gain.low > 0 and reduction >= self.dominance
                evidence.update(
                    rule_test_score=rule.to_dict(),
                    rest_test_score=rest.to_dict(),
                    gain_over_rest=gain.to_dict(),
                    error_reduction=reduction,
                    dominant=dominant,
                )
                severity = Severity.ERROR if dominant else Severity.INFO
                alone = (
                    f"Feature {column!r} alone predicts the label almost perfectly "
                    f"({metric.name} {iv} out-of-fold"
                )
                if dominant:
                    message = (
                        f"{alone}; {rule} on test), with {reduction:.0%} fewer errors than all "
                        f"other features together ({rest} on test)."
                    )
                else:
                    message = f"{alone}), as do the other features together ({rest} on test)."
            yield self.finding(
                message,
                f"Check that {column!r} is known before the label at prediction time; "
                "if not, drop it.",
                evidence=evidence,
                columns=(column,),
                severity=severity,
            )

    def _dominance(
        self, ctx: Context, name: str, column: str
    ) -> tuple[Interval, Interval, Interval]:
        """Test scores of the feature's rule and of a model on all other features, and the gain."""
        metric = METRICS[rule_metric_name(ctx.task)]
        rule = fit_rule_predict(ctx, name, balanced=True)
        rest = ctx.cached(f"PF205-rest:{column}", lambda: _rest_predictions(ctx, column))
        return (
            ctx.score(rule, metric),
            ctx.score(rest, metric),
            ctx.score_difference(rule, rest, metric),
        )


def error_reduction(score: float, reference: float) -> float:
    """Share of ``reference``'s errors that ``score`` avoids (errors: 1 − score; ≤ 1)."""
    if not (np.isfinite(score) and np.isfinite(reference)) or reference >= 1.0:
        return 0.0
    return 1.0 - (1.0 - score) / (1.0 - reference)


def _rest_predictions(ctx: Context, column: str) -> Predictions:
    """Test predictions of pitfall's model trained on every feature but ``column``.

    With no other feature, the best constant: the majority class or the training mean.
    """
    others = [c for c in ctx.split.features if c != column]
    n = len(ctx.y_test)
    if not others:
        if ctx.is_classification:
            prior = np.bincount(ctx.y_train, minlength=len(ctx.classes)) / len(ctx.y_train)
            return Predictions(
                np.full(n, int(np.argmax(prior)), dtype=np.int64), np.tile(prior, (n, 1))
            )
        return Predictions(np.full(n, float(np.mean(ctx.y_train))), None)
    model = ctx.fit_default_model(others, rows=ctx.cv_rows, balanced=True)
    return ctx.predict(model, others)
