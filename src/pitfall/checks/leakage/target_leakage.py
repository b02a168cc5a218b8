"""PF205 target-leakage."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from pitfall.checks.base import Check, Requires
from pitfall.checks.context import Context, Predictions
from pitfall.checks.label_function import LabelFunction, label_function
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

    Each feature reported is judged by two measurements, never by how strong the other features
    are:

    - **how close it is to a function of the label**: the share of the column's entropy that
      knowing the label leaves, `H(column | label) / H(column)` (columns of more than 32 values
      and regression targets cut into 16 quantile bins), with a bootstrap 95% interval. A
      measurement varies within a class; a column computed from the label does not.
    - **what it adds over all other features**: on the test set, its one-feature rule against
      pitfall's model trained on every other feature, with a paired bootstrap 95% interval of
      the difference, and the share of that model's errors it avoids.

    Severity:

    - `error` when a *strong* feature (interval's lower bound at least `strong`, default 0.5:
      it explains at least half of the label on its own) is nearly a function of the label:
      the upper bound of its remaining entropy share is at most `determined` (default 0.25).
      A categorical "outcome" column agreeing with the label in 99.5% of rows, or a 3-level
      band of a regression target, is an error however strong the genuine features are.
    - `error` when a near-perfect feature is an identifier (row numbers, codes) or the
      missingness of a column: neither should say anything about the label, so rows were
      sorted or filled by class.
    - `error` when a near-perfect feature *dominates*: its rule beats all the other features
      together (interval of the gain above zero) and makes at most half as many errors
      (`dominance`, default 0.5).
    - `warning` when a near-perfect feature beats all the other features together (interval
      above zero) by less than that: the score leans on this one column.
    - `info` when a near-perfect feature adds nothing significant over the others and varies
      within classes like a measurement (iris petal width: the other petal measurements carry
      the same information).

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
    - `strong` (default 0.5): lower confidence bound, on the 0–1 scale, from which a feature
      is judged as a possible function of the label.
    - `determined` (default 0.25): upper bound of `H(column | label) / H(column)` at or below
      which a strong feature counts as nearly a function of the label.
    """

    code = "PF205"
    name = "target-leakage"
    family = "leakage"
    severity = Severity.ERROR
    requires = Requires(model=True)
    model_based = True

    def __init__(
        self, *, near_perfect: float = 0.9, dominance: float = 0.5, strong: float = 0.5, determined: float = 0.25
    ):
        self.near_perfect = near_perfect
        self.dominance = dominance
        self.strong = strong
        self.determined = determined

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
        floor = min(self.near_perfect, self.strong)
        # missingness first: for a column whose missingness leaks, that is the explanation
        near = [(n, iv) for n, iv in top if normalise(iv.low, ctx.task, k) >= floor]
        near.sort(key=lambda item: not item[0].startswith("missing("))
        for name, iv in near:
            indicator = name.startswith("missing(")
            column = name[len("missing(") : -1] if indicator else name
            if column in reported:
                continue
            near_perfect = normalise(iv.low, ctx.task, k) >= self.near_perfect
            strong = normalise(iv.low, ctx.task, k) >= self.strong
            fixed = self._label_function(ctx, sfs, name)
            determined = strong and fixed.column_given_label.high <= self.determined
            if not (near_perfect or determined):
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
                "label_function": fixed.to_dict(),
                "determined_by_label": determined,
            }
            fixes = fixed.column_given_label
            if near_perfect and (indicator or column in ids):
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
                dominant = near_perfect and gain.low > 0 and reduction >= self.dominance
                evidence.update(
                    rule_test_score=rule.to_dict(),
                    rest_test_score=rest.to_dict(),
                    gain_over_rest=gain.to_dict(),
                    error_reduction=reduction,
                    dominant=dominant,
                )
                what = f"Missingness of {column!r}" if indicator else f"Feature {column!r}"
                alone = f"{what} alone predicts the label ({metric.name} {iv} out-of-fold; {rule} on test)"
                if determined:
                    severity = Severity.ERROR
                    message = (
                        f"{alone}, and is nearly a function of the label: knowing the label leaves "
                        f"{fixes.estimate:.0%} (95% CI up to {fixes.high:.0%}) of its entropy. "
                        f"All other features together: {rest} on test (gain {gain})."
                    )
                elif dominant:
                    severity = Severity.ERROR
                    message = (
                        f"{alone}, with {reduction:.0%} fewer errors than all other features "
                        f"together ({rest} on test; gain {gain})."
                    )
                elif gain.low > 0:
                    severity = Severity.WARNING
                    message = (
                        f"{alone}, better than all other features together ({rest} on test; gain "
                        f"{gain}): the label's information sits largely in this column."
                    )
                else:
                    severity = Severity.INFO
                    message = (
                        f"Feature {column!r} alone predicts the label almost perfectly "
                        f"({metric.name} {iv} out-of-fold), as do the other features together "
                        f"({rest} on test)."
                    )
            yield self.finding(
                message,
                f"Check that {column!r} is known before the label at prediction time; if not, drop it.",
                evidence=evidence,
                columns=(column,),
                severity=severity,
            )

    @staticmethod
    def _label_function(ctx: Context, sfs, name: str) -> LabelFunction:
        rule = sfs.rules[name]
        x = ctx.X_train[ctx.cv_rows, rule.column]
        if rule.missing_indicator:
            x = (~np.isfinite(x)).astype(float)
        return label_function(x, sfs.y, regression=not ctx.is_classification, seed=ctx.seed)

    def _dominance(self, ctx: Context, name: str, column: str) -> tuple[Interval, Interval, Interval]:
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
            return Predictions(np.full(n, int(np.argmax(prior)), dtype=np.int64), np.tile(prior, (n, 1)))
        return Predictions(np.full(n, float(np.mean(ctx.y_train))), None)
    model = ctx.fit_default_model(others, rows=ctx.cv_rows, balanced=True)
    return ctx.predict(model, others)
