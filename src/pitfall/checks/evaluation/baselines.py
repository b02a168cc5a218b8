"""PF401 weaker-than-baseline."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from pitfall.checks.base import Check, Requires
from pitfall.checks.context import Context, Predictions
from pitfall.checks.single_feature import fit_rule_predict, single_feature_scores
from pitfall.findings import Finding, Severity
from pitfall.stats import Interval


def dummy_predictions(ctx: Context) -> dict[str, Predictions]:
    """Baselines that ignore the features, fitted on train."""
    n = len(ctx.y_test)
    y = ctx.y_train
    if not ctx.is_classification:
        return {
            "mean": Predictions(np.full(n, float(np.mean(y))), None),
            "median": Predictions(np.full(n, float(np.median(y))), None),
        }
    k = len(ctx.classes)
    prior = np.bincount(y, minlength=k) / len(y)
    rng = np.random.default_rng(ctx.seed)
    proba = np.tile(prior, (n, 1))
    return {
        "majority": Predictions(np.full(n, int(np.argmax(prior)), dtype=np.int64), proba),
        "stratified": Predictions(rng.choice(k, size=n, p=prior).astype(np.int64), proba),
    }


class WeakerThanBaseline(Check):
    """The model does not beat a dummy guess or a one-feature rule, with confidence intervals.

    ## What it finds
    The model's test score next to baselines scored on the same test rows with the same metric:
    the majority class and a stratified random guess (for regression: the training mean and
    median), and the best one-feature rule (chosen by out-of-fold score on the training data,
    so the choice does not peek at test). Each gets a bootstrap 95% interval, and the model is
    compared with each baseline by a paired bootstrap of the score difference.

    - `error`: the interval of (model − best dummy) does not lie above zero.
    - `warning`: the model beats the dummies but the interval of (model − best one-feature rule)
      does not lie above zero.

    ## Why it matters
    A 70% accuracy sounds good until you learn that 70% of the pictures are cats. A model that
    does not beat guessing, or a single threshold on one column, has not learnt anything its
    complexity pays for, and a paper should say so.

    ## How to fix
    Report the baselines next to the model. If the model does not beat them, revisit features,
    labels and the amount of data before tuning the model further; consider shipping the rule.

    ## Example
    A 1,000-row test set where the majority class is 70%: the model's accuracy of 0.72
    [0.69, 0.75] does not clear the majority baseline's 0.70.

    ## Options
    - `level` (default 0.95): confidence level of the paired intervals.
    """

    code = "PF401"
    name = "weaker-than-baseline"
    family = "evaluation"
    severity = Severity.ERROR
    requires = Requires(model=True)
    model_based = True

    def __init__(self, *, level: float = 0.95):
        self.level = level

    def run(self, ctx: Context) -> Iterator[Finding]:
        metric = ctx.metric
        model_pred = ctx.predictions
        model_iv = ctx.score(model_pred)
        baselines = dummy_predictions(ctx)
        sfs = single_feature_scores(ctx)
        ranked = sfs.ranked()
        rule_name = None
        if ranked:
            rule_name = ranked[0][0]
            balanced = metric.name == "balanced_accuracy"
            baselines[f"rule: {rule_name}"] = fit_rule_predict(ctx, rule_name, balanced=balanced)
        scores: dict[str, Interval] = {"model": model_iv}
        diffs: dict[str, Interval] = {}
        for name, pred in baselines.items():
            if metric.needs_proba and pred.proba is None:
                continue
            scores[name] = ctx.score(pred)
            diffs[name] = ctx.score_difference(model_pred, pred)
        ctx.metrics["scores"] = {
            "metric": metric.name,
            "greater_is_better": metric.greater_is_better,
            "model_source": ctx.model_source,
            "values": {k: v.to_dict() for k, v in scores.items()},
            "model_minus_baseline": {k: v.to_dict() for k, v in diffs.items()},
        }
        dummies = [n for n in diffs if not n.startswith("rule:")]
        if not dummies:
            return
        best_dummy = min(dummies, key=lambda n: diffs[n].low)  # the one the model beats least
        d = diffs[best_dummy]
        evidence = {
            "metric": metric.name,
            "model": model_iv.to_dict(),
            "baselines": {k: v.to_dict() for k, v in scores.items() if k != "model"},
            "difference": {k: v.to_dict() for k, v in diffs.items()},
        }
        if not d.low > 0:
            yield self.finding(
                f"The model's {metric.name} {model_iv} does not beat the {best_dummy} baseline's "
                f"{scores[best_dummy]} (difference {d}).",
                "Report the baselines; revisit the features, labels and amount of data before tuning the model.",
                evidence=evidence,
            )
            return
        rule_key = f"rule: {rule_name}" if rule_name else None
        if rule_key in diffs and not diffs[rule_key].low > 0:
            yield self.finding(
                f"The model's {metric.name} {model_iv} does not clearly beat a one-feature rule on "
                f"{rule_name!r}: {scores[rule_key]} (difference {diffs[rule_key]}).",
                f"Compare the model with a simple threshold on {rule_name!r}; the extra complexity may not pay.",
                evidence=evidence,
                columns=(rule_name.removeprefix("missing(").removesuffix(")"),),
                severity=Severity.WARNING,
            )
