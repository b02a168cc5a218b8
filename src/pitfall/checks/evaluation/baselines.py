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

    The stratified guess is judged only for macro F1, the one metric where it can beat the
    majority class; for the others its expected score is no better.

    - `error`: the model does not beat the dummies: the interval of (model − dummy) lies
      below the smallest gain that counts (`margin`), so the model is no better or worse.
    - `warning`: the interval of (model − dummy) includes 0 but also gains that count: the
      test set is too small to tell whether the model beats guessing.
    - `warning`: the model beats the dummies but does worse than the best one-feature rule
      (the interval of the difference lies below zero); `info` when it merely does not beat
      the rule (as for `error`) or the test set is too small to tell.

    With `--rules FILE` (a CSV of regular expressions and labels, see
    `pitfall.checks.evaluation.rules`), the rules are one more baseline: first match wins, no match
    gives the majority class. When the model does worse than the rules or does not beat them by
    `margin` the finding is a `warning`, and `info` when the test set is too small to tell.

    A user's model is scored as given. When pitfall fits its default model and the metric is
    balanced accuracy, the model and the rule both predict the class with the highest ratio of
    posterior to training prior (the decision that maximises balanced accuracy), so neither is
    handicapped on imbalanced data.

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
    - `margin` (default 0.05): the smallest gain over a baseline that counts, as a share of the
      way from the baseline's score to a perfect one (0.05 of the 0.5 between a balanced
      accuracy of 0.5 and 1 is 0.025; for `mae` and `rmse`, 5% of the baseline's error).
    """

    code = "PF401"
    name = "weaker-than-baseline"
    family = "evaluation"
    severity = Severity.ERROR
    requires = Requires(model=True)
    model_based = True

    def __init__(self, *, level: float = 0.95, margin: float = 0.05):
        self.level = level
        self.margin = margin

    def run(self, ctx: Context) -> Iterator[Finding]:
        metric = ctx.metric
        self.greater_is_better = metric.greater_is_better
        model_pred = ctx.predictions
        model_iv = ctx.score(model_pred, level=self.level)
        baselines = dummy_predictions(ctx)
        sfs = single_feature_scores(ctx)
        ranked = sfs.ranked()
        rule_name = None
        if ranked:
            rule_name = ranked[0][0]
            balanced = metric.name == "balanced_accuracy"
            baselines[f"rule: {rule_name}"] = fit_rule_predict(ctx, rule_name, balanced=balanced)
        rule_columns: dict[str, str] = {}
        if ctx.split.roles.image:  # the blank-page rule: a threshold on each image's pixel variance
            from pitfall.checks.shortcuts.image_shortcuts import image_rule_baselines

            for key, (col, pred) in image_rule_baselines(ctx, balanced=metric.name == "balanced_accuracy").items():
                baselines[key] = pred
                if rule_name is None:
                    rule_name, rule_columns[key] = key.removeprefix("rule: "), col
        if ctx.options.rules is not None and ctx.is_classification:  # the user's regular expressions
            from pitfall.checks.evaluation.rules import rule_baseline

            baselines.update(rule_baseline(ctx, ctx.options.rules))
        scores: dict[str, Interval] = {"model": model_iv}
        diffs: dict[str, Interval] = {}
        for name, pred in baselines.items():
            if metric.needs_proba and pred.proba is None:
                continue
            scores[name] = ctx.score(pred, level=self.level)
            diffs[name] = ctx.score_difference(model_pred, pred, level=self.level)
        ctx.metrics["scores"] = {
            "metric": metric.name,
            "greater_is_better": metric.greater_is_better,
            "model_source": ctx.model_source,
            "values": {k: v.to_dict() for k, v in scores.items()},
            "model_minus_baseline": {k: v.to_dict() for k, v in diffs.items()},
        }
        # the stratified guess can beat the majority guess only on macro F1; elsewhere it differs
        # from it by the luck of its random draw alone, so it is shown but not judged
        dummies = [
            n
            for n in diffs
            if not n.startswith(("rule:", "regex:")) and (n != "stratified" or metric.name == "f1_macro")
        ]
        if ctx.options.rules is not None:
            from pitfall.checks.evaluation.rules import regex_rule_findings

            yield from regex_rule_findings(self, ctx, scores, diffs)
        if not dummies:
            return
        verdicts = {n: self._verdict(diffs[n], scores[n]) for n in diffs}
        # the dummy the model beats least: worst verdict first, then lowest upper bound
        best_dummy = min(dummies, key=lambda n: (-_RANK[verdicts[n]], diffs[n].high))
        d, verdict = diffs[best_dummy], verdicts[best_dummy]
        evidence = {
            "metric": metric.name,
            "model": model_iv.to_dict(),
            "baselines": {k: v.to_dict() for k, v in scores.items() if k != "model"},
            "difference": {k: v.to_dict() for k, v in diffs.items()},
            "margin": self.margin,
            "compared_with": best_dummy,
        }
        if verdict != "better":
            yield self.finding(
                f"The model's {metric.name} {model_iv} {VERDICT_PHRASE[verdict]} the {best_dummy} "
                f"baseline's {scores[best_dummy]} (difference {d}{VERDICT_REASON[verdict]}).",
                "Report the baselines; revisit the features, labels and amount of data (or collect "
                "more test rows) before tuning the model.",
                evidence=evidence,
                severity=Severity.WARNING if verdict == "unclear" else Severity.ERROR,
            )
            return
        rule_key = f"rule: {rule_name}" if rule_name else None
        if rule_key in diffs and verdicts[rule_key] != "better":
            verdict = verdicts[rule_key]
            yield self.finding(
                f"The model's {metric.name} {model_iv} {VERDICT_PHRASE[verdict]} a one-feature rule on "
                f"{rule_name!r}: {scores[rule_key]} (difference {diffs[rule_key]}{VERDICT_REASON[verdict]}).",
                f"Compare the model with a simple threshold on {rule_name!r}; the extra complexity may not pay.",
                evidence={**evidence, "compared_with": rule_key},
                columns=(rule_columns.get(rule_key) or rule_name.removeprefix("missing(").removesuffix(")"),),
                severity=Severity.WARNING if verdict == "worse" else Severity.INFO,
            )

    def _verdict(self, diff: Interval, baseline: Interval) -> str:
        """How the model compares with a baseline, from the paired interval of the difference.

        ``better``: the interval lies above 0. ``worse``: it lies below 0. ``not better``: it
        lies below the smallest gain that counts. ``unclear``: otherwise.
        """
        margin = self.margin * headroom(baseline.estimate, self.greater_is_better)
        if diff.low > 0:
            return "better"
        if diff.high < 0:
            return "worse"
        if diff.high < margin:
            return "not better"
        return "unclear"


_RANK = {"worse": 3, "not better": 2, "unclear": 1, "better": 0}
VERDICT_PHRASE = {
    "worse": "does worse than",
    "not better": "does not beat",
    "unclear": "is not shown to beat",
}
VERDICT_REASON = {
    "worse": "",
    "not better": "",
    "unclear": ": the interval includes 0, the test set is too small to tell",
}


def headroom(score: float, greater_is_better: bool) -> float:
    """Distance from a baseline's score to a perfect one (1, or an error of 0)."""
    if not np.isfinite(score):
        return 0.0
    return max(1.0 - score, 0.0) if greater_is_better else abs(score)
