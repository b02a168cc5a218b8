"""PF404 underspecified-model."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations

import numpy as np

from pitfall.checks.base import Check, Requires, Skip
from pitfall.checks.context import Context, Predictions
from pitfall.checks.refits import (
    Predicted,
    Refits,
    numeric_scales,
    perturb,
    predict_frame,
    row_mean_interval,
    seeded_refits,
)
from pitfall.findings import Finding, Severity

STAGES = (2, 3)  # refits fitted before each futility look (then the rest, up to `refits`)
MAX_TEST_ROWS = 10_000  # test rows predicted by the refits; a bigger test set is sampled (seeded)


class UnderspecifiedModel(Check):
    """Refits that differ only by their seed score the same but contradict each other on test rows.

    ## What it finds
    The model is refitted `refits` times (default 5) on the same training rows, changing only
    its seed: pitfall's default model with seeds `seed`, `seed + 1`, ...; a user's model cloned
    with every `random_state` parameter set to the seed. A model without a `random_state` has
    no seed to change, so it is refitted on seeded bootstrap resamples of the training rows
    instead (the evidence says `source: bootstrap`). On the test set the check measures each
    refit's score, the *churn* (for every pair of refits, the share of test rows whose predicted
    label differs, averaged over pairs), the share of rows whose label changes in any refit, and
    the refits' scores on a *stress set*: the test rows with Gaussian noise of 0.1 × the training
    standard deviation added to each numeric feature.

    Rows near the decision boundary change label with any small change of the model, and a
    model that says it is unsure of them is not at fault: gradient boosting on noisy labels
    churns 5–13% of rows between seeds while giving them probabilities near 0.5. So the check
    judges *contradictions*: rows where two refits predict different classes and each favours
    its own class over the other's at odds of at least `confidence` : 1 − `confidence` (3 to 1 by
    default, after the same prior correction its decision uses; with two classes: each gives its
    class a probability of at least `confidence`). A well-specified model does not do that: one
    seed is sure of "A", another sure of "B" only when the data do not pin the model down. A
    disagreement also counts when the refits together (their mean probabilities) favour one of
    the two classes at those odds: the row is no boundary row, only each small ensemble is too
    noisy to say so (a forest of ten trees votes in steps of 0.1, and two such forests disagree
    on rows a forest of fifty trees settles). For regression a contradiction is
    a pair of refits whose predictions differ by more than the refits' test RMSE, and the
    evidence adds `prediction_spread`: the refits' standard deviation per row, averaged over
    rows, relative to the target's standard deviation.

    `warning`: the contradiction rate's bootstrap 95% interval (over test rows) lies above
    `min_churn`. The message says whether the refits' scores agree (the paired interval of the
    best minus the worst refit includes 0): "same score, different predictions". A model
    without `predict_proba` cannot say which rows it is unsure of; its churn is then reported
    as `info` when it is above `min_churn`.

    The refits are fitted in stages: two (one pair) first, then a third, then the rest. After
    each stage, when the contradiction rate so far has an upper interval bound below half of
    `min_churn`, the verdict cannot turn into a warning and no more refits are fitted
    (`stopped_early` in the evidence, `refits_fitted` says how many were). The halving leaves
    room for what the row bootstrap does not see, the variation from one pair of seeds to the
    next. A test set of more than 10,000 rows is judged on a seeded sample of 10,000
    (`test_rows` in the evidence): the interval of a rate near `min_churn` is then about ±0.4
    points wide, finer than the verdict needs.

    ## Why it matters
    When a seed decides which class one row in ten gets while the test score stays the same, the
    score certifies the pipeline but not the predictions: a catalogue, a diagnosis or a ranking
    built from one run would change with the next. Such models also tend to part ways under
    small shifts of the data (D'Amour et al. 2020, "Underspecification presents challenges for
    credibility in modern machine learning").

    ## How to fix
    Constrain the model: regularise it (shallower trees, minimum leaf size, weight decay),
    average several seeds (bagging, an ensemble) or use a simpler model. Report predictions with
    their spread over seeds, and check that conclusions hold for every seed.

    ## Example
    An unpruned decision tree with `max_features="sqrt"` on noisy labels: five seeds score
    0.57–0.60 balanced accuracy, yet each pair of them contradicts the other on 36% of the test
    rows, every one with a probability of 1.

    ## Options
    - `refits` (default 5): number of seeded refits (at least 2).
    - `confidence` (default 0.75): probability a refit must give its predicted class for a
      disagreement to count as a contradiction (odds of 3 to 1).
    - `min_churn` (default 0.05): the smallest share of test rows contradicted between seeds
      that matters: one prediction in twenty would change with the seed.
    - `stress_scale` (default 0.1): noise on the stress set, in training standard deviations.
    """

    code = "PF404"
    name = "underspecified-model"
    family = "evaluation"
    severity = Severity.WARNING
    requires = Requires(model=True)
    model_based = True

    def __init__(
        self, *, refits: int = 5, confidence: float = 0.75, min_churn: float = 0.05, stress_scale: float = 0.1
    ):
        self.refits = refits
        self.confidence = confidence
        self.min_churn = min_churn
        self.stress_scale = stress_scale

    def run(self, ctx: Context) -> Iterator[Finding]:
        if int(self.refits) < 2:
            raise Skip("needs at least 2 refits (option `refits`)")
        if len(ctx.y_test) < 2:
            raise Skip("needs at least 2 test rows")
        k = int(self.refits)
        rows = test_sample(ctx)
        y = ctx.y_test[rows]
        X_test = ctx.split.test.iloc[rows][list(ctx.split.features)]
        stressed = perturb(X_test, numeric_scales(ctx), self.stress_scale, np.random.default_rng([ctx.seed, 404]))
        # Sequential: 2 refits (1 pair), 3, then k; when the contradiction rate's interval lies
        # below half of `min_churn` the verdict cannot change, and no more refits are fitted.
        refits: Refits | None = None
        preds: list[Predicted] = []
        stress_preds: list[Predicted] = []
        stopped = False
        for stage in [s for s in STAGES if s < k] + [k]:
            more = seeded_refits(ctx, stage, first=len(preds))
            extra, extra_stress = _predict_all(ctx, more.models, X_test, stressed)
            if refits is not None:
                more = Refits(refits.seeds + more.seeds, refits.models + more.models, more.source)
            refits = more
            preds, stress_preds = preds + extra, stress_preds + extra_stress
            if stage == k:
                break
            _, early, _ = self._disagreement(ctx, preds, y)
            if early is not None and row_mean_interval(ctx, early).high < self.min_churn / 2:
                stopped = True
                break
        assert refits is not None
        ctx.cached("refits:seeded", lambda: refits)  # PF405 reports them as an ensemble
        ctx.cached("refits:seeded-test", lambda: (rows, preds))  # ... from these predictions
        scores = [ctx.score(_as_predictions(p), y=y) for p in preds]
        estimates = np.array([s.estimate for s in scores])
        ranked = np.where(np.isfinite(estimates), estimates * (1.0 if ctx.metric.greater_is_better else -1.0), -np.inf)
        best, worst = int(np.argmax(ranked)), int(np.argmin(ranked))
        gap = ctx.score_difference(_as_predictions(preds[best]), _as_predictions(preds[worst]), y=y)
        agree = not (gap.low > 0)
        raw, contradicted, limit = self._disagreement(ctx, preds, y)
        churn = row_mean_interval(ctx, raw)
        judged = row_mean_interval(ctx, contradicted) if contradicted is not None else None
        labels = np.array([p.label for p in preds])
        # share of rows whose label changes in any refit (regression: any pair apart by the RMSE)
        flip_any = float((labels != labels[0]).any(axis=0).mean() if ctx.is_classification else (raw > 0).mean())
        stress = [ctx.metric(y, p.label, p.proba) for p in stress_preds]
        n_pairs = len(refits.models) * (len(refits.models) - 1) // 2
        edges = np.clip((np.arange(n_pairs + 2) - 0.5) / n_pairs, 0.0, 1.0)
        counts, _ = np.histogram(raw, bins=edges)
        ctx.metrics["seeds"] = {
            "seeds": refits.seeds,
            "source": refits.source,
            "metric": ctx.metric.name,
            "scores": [float(e) for e in estimates],
            "score_intervals": [s.to_dict() for s in scores],
            "best_minus_worst": gap.to_dict(),
            "churn_pairwise": churn.to_dict(),
            "churn_contradicting": judged.to_dict() if judged else None,
            "flip_any": flip_any,
            "disagreement_histogram": {"edges": edges.tolist(), "counts": counts.tolist()},
            "stress_scale": self.stress_scale,
            "stress_scores": [float(s) for s in stress],
            "refits_fitted": len(refits.models),
            "stopped_early": stopped,
            "test_rows": len(rows),
            "test_rows_total": len(ctx.y_test),
        }
        if not ctx.is_classification:
            spread = labels.std(axis=0, ddof=1).mean() / max(float(np.nanstd(y)), 1e-12)
            ctx.metrics["seeds"]["prediction_spread"] = float(spread)
            ctx.metrics["seeds"]["rmse_limit"] = limit
        evidence = {
            **ctx.metrics["seeds"],
            "score_spread": _spread(estimates),
            "stress_spread": _spread(np.array(stress)),
            "confidence": self.confidence,
            "min_churn": self.min_churn,
            "model_source": ctx.model_source,
            "example_rows": _examples(ctx, contradicted if contradicted is not None else raw, rows),
        }
        verdict = judged if judged is not None else churn
        if not verdict.low > self.min_churn:
            return
        same = (
            f"while their {ctx.metric.name} scores agree ({_span(estimates)}; best minus worst {gap})"
            if agree
            else f"and their {ctx.metric.name} scores differ too ({_span(estimates)}; best minus worst {gap})"
        )
        varied = "seeds" if refits.source == "seed" else "bootstrap resamples of the training rows"
        if judged is None:
            yield self.finding(
                f"{len(preds)} refits of the model with different {varied} give different labels to "
                f"{churn} of the test rows per pair, {same}; without predict_proba pitfall cannot tell "
                "boundary rows from contradictions.",
                "Give the model predict_proba (or check the rows' labels across seeds) before trusting single "
                "predictions.",
                evidence=evidence,
                severity=Severity.INFO,
            )
            return
        what = (
            f"contradict each other (each refit favours its own class at odds of at least "
            f"{self.confidence:.0%}:{1 - self.confidence:.0%}, or all refits together do)"
            if ctx.is_classification
            else "disagree by more than their RMSE"
        )
        yield self.finding(
            f"{len(preds)} refits of the model with different {varied} {what} on {judged} of the test rows "
            f"per pair, {same}.",
            "Constrain the model (regularise, average several seeds, or use a simpler model) and report "
            "predictions with their spread over seeds.",
            evidence=evidence,
        )

    def _disagreement(
        self, ctx: Context, preds: list[Predicted], y: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray | None, float | None]:
        """Per row: share of refit pairs that disagree, and share that contradict each other."""
        pairs = list(combinations(range(len(preds)), 2))
        n = len(y)
        raw = np.zeros(n)
        if not ctx.is_classification:
            rmse = float(np.mean([np.sqrt(np.nanmean((p.label - y) ** 2)) for p in preds]))
            for a, b in pairs:
                raw += np.abs(preds[a].label - preds[b].label) > rmse
            raw /= len(pairs)
            return raw, raw, rmse
        sure = None
        if all(p.confidence is not None for p in preds):
            sure = np.zeros(n)
            consensus = np.mean([p.decision if p.decision is not None else p.proba for p in preds], axis=0)
        odds = self.confidence / (1.0 - self.confidence) if self.confidence < 1 else np.inf
        rows = np.arange(n)
        for a, b in pairs:
            la, lb = preds[a].label, preds[b].label
            differ = la != lb
            raw += differ
            if sure is None:
                continue
            da, db = preds[a].decision, preds[b].decision
            if da is not None and db is not None:
                # each refit favours its own class over the other's at odds of at least
                # confidence : (1 - confidence); with two classes: each at least `confidence` sure
                ia, ib = np.clip(la, 0, None), np.clip(lb, 0, None)
                each = (da[rows, ia] >= odds * da[rows, ib]) & (db[rows, ib] >= odds * db[rows, ia])
            else:
                each = (preds[a].confidence >= self.confidence) & (preds[b].confidence >= self.confidence)
            # or the refits together favour one of the two classes at those odds: the row is no
            # boundary row, whatever one small ensemble (a forest of ten trees) says of it alone
            ca, cb = consensus[rows, np.clip(la, 0, None)], consensus[rows, np.clip(lb, 0, None)]
            settled = (ca >= odds * cb) | (cb >= odds * ca)
            sure += differ & (each | settled)
        raw /= len(pairs)
        return raw, None if sure is None else sure / len(pairs), None


def test_sample(ctx: Context) -> np.ndarray:
    """Positions of the test rows the refits predict: all, or a seeded sample of ``MAX_TEST_ROWS``."""
    n = len(ctx.y_test)
    if n <= MAX_TEST_ROWS:
        return np.arange(n)
    return np.sort(np.random.default_rng([ctx.seed, 4041]).choice(n, MAX_TEST_ROWS, replace=False))


def _predict_all(ctx: Context, models: list, X_test, stressed) -> tuple[list[Predicted], list[Predicted]]:
    try:
        return [predict_frame(ctx, m, X_test) for m in models], [predict_frame(ctx, m, stressed) for m in models]
    except Exception as exc:
        raise Skip(f"a refitted model failed to predict ({type(exc).__name__}: {str(exc)[:120]})") from None


def _as_predictions(p: Predicted) -> Predictions:
    return Predictions(p.label, p.proba)


def _spread(values: np.ndarray) -> dict[str, float]:
    finite = values[np.isfinite(values)]
    if not finite.size:
        return {"min": float("nan"), "max": float("nan"), "std": float("nan")}
    return {
        "min": float(finite.min()),
        "max": float(finite.max()),
        "std": float(finite.std(ddof=1)) if finite.size > 1 else 0.0,
    }


def _span(values: np.ndarray) -> str:
    s = _spread(values)
    return f"{s['min']:.3f} to {s['max']:.3f}"


def _examples(ctx: Context, per_row: np.ndarray, rows: np.ndarray, k: int = 5) -> list:
    """Identifiers of the test rows the refits disagree on most (``per_row`` follows ``rows``)."""
    order = np.argsort(-per_row, kind="stable")
    order = rows[order[per_row[order] > 0][:k]]
    id_col = ctx.split.roles.id
    ids = ctx.split.test[id_col].iloc[order] if id_col else ctx.split.test.index[order]
    return [v.item() if isinstance(v, np.generic) else v if isinstance(v, (int, float, str)) else str(v) for v in ids]
