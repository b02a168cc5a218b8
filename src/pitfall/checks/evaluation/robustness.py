"""PF406 fragile-to-perturbation."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from pitfall.checks.base import Check, Requires, Skip
from pitfall.checks.context import Context, Predictions
from pitfall.checks.refits import Predicted, numeric_scales, perturb, predict_frame, row_mean_interval
from pitfall.findings import Finding, Severity

MAX_ROWS = 10_000  # test rows perturbed; a bigger test set is sampled (seeded)
# single-feature changes tried by the evasion search, in training SDs
EVASION_STEPS = (0.005, 0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.2, 0.5, 1.0, 2.0)
EVASION_BUDGET = 66_000  # rows predicted by the evasion search at most
EVASION_FEATURES = 20  # numeric features searched at most (a seeded sample beyond)
REGRESSION_JUMP = 0.5  # a regression prediction "flips" when it moves by this share of their SD


class FragileToPerturbation(Check):
    """The model's predictions flip under noise far below the data's own scale.

    ## What it finds
    Two measurements of how the model's test predictions respond to small changes of the input.

    - *Noise*: Gaussian noise of `scales` × the training standard deviation (0.01, 0.05 and 0.1
      by default) is added to every numeric feature of the test rows (categories are left
      alone), `repeats` times per scale with seeded draws. For each scale the check reports
      the score and the *flip rate*: the share of test predictions that change, averaged over
      the repeats, with a bootstrap 95% interval over rows. A test set of more than 10,000
      rows is sampled (seeded).
    - *Evasion*: for up to `evasion_rows` test rows, the smallest change of one numeric
      feature that changes the prediction, searched over ±0.005, 0.01, 0.02, 0.03, 0.05, 0.07,
      0.1, 0.2, 0.5, 1 and 2 training SDs. It reports the share of rows flipped within 0.1 SD
      and the median distance (null when most rows do not flip within 2 SD). The model is
      queried as a black box through `predict`; to bound the cost, at most 20 features (a
      seeded sample) and 66,000 predictions are used, so wide data get fewer rows. A grid
      search can step over a narrow flip, so the share is a lower bound.

    Rows on the decision boundary flip under any noise, and a model that gives them
    probabilities near 0.5 is honest about it: gradient boosting on noisy labels flips 3–11% of
    its predictions at 0.05 SD that way, depending on how many rows lie near its boundary.
    So the check judges *contradicting flips*: the prediction changes and both the original and
    the new label have a probability of at least `confidence` (after the same prior correction
    the decision uses). A smooth model cannot jump from 75% sure of one class to 75% sure of
    another under noise of 5% of a feature's spread; a model that memorised its training rows
    (one nearest neighbour, an unpruned tree on noisy labels) or keys on a feature's last
    decimals does. For regression a flip is a move larger than 0.5 × the SD of the test
    predictions.

    `warning`: at a scale of at most `judged_scale` (0.05 SD), the interval of the contradicting
    flip rate lies above `min_flip_rate`. A classifier without `predict_proba` cannot say which
    rows it is unsure of: its raw flip rate is then reported as `info` when above the minimum.

    ## Why it matters
    Noise of 1–5% of a feature's spread is below the measurement error of most data (a
    repeated photometric measurement, a re-typed lab value, a rescanned page). A prediction
    that flips under it is not a property of the object but of the model's accident, and a
    score measured on exactly these test rows overstates what a re-measured copy would get.

    ## How to fix
    Regularise the model (minimum leaf size, fewer neighbours, weight decay), remove features
    it keys on at a resolution the data do not have (round them to their measurement
    precision), or train with noise augmentation at the measurement error. Quote the score
    under noise next to the clean score.

    ## Example
    An unpruned decision tree on noisy labels: 12% [10%, 14%] of its test predictions change
    from one certain class to another when 0.05 SD of noise is added to the features, and half
    of the rows change class when a single feature moves by 0.1 SD.

    ## Options
    - `scales` (default (0.01, 0.05, 0.1)): noise levels, in training standard deviations.
    - `repeats` (default 3): noise draws per level.
    - `judged_scale` (default 0.05): the largest noise level judged; larger ones are reported only.
    - `confidence` (default 0.75): probability both labels of a flip must have to count as a
      contradiction.
    - `min_flip_rate` (default 0.05): the smallest share of contradicting flips that matters.
    - `evasion_rows` (default 500): test rows given the single-feature evasion search.
    """

    code = "PF406"
    name = "fragile-to-perturbation"
    family = "evaluation"
    severity = Severity.WARNING
    requires = Requires(model=True)
    model_based = True

    def __init__(
        self,
        *,
        scales: tuple[float, ...] = (0.01, 0.05, 0.1),
        repeats: int = 3,
        judged_scale: float = 0.05,
        confidence: float = 0.75,
        min_flip_rate: float = 0.05,
        evasion_rows: int = 500,
    ):
        self.scales = tuple(scales)
        self.repeats = repeats
        self.judged_scale = judged_scale
        self.confidence = confidence
        self.min_flip_rate = min_flip_rate
        self.evasion_rows = evasion_rows

    def run(self, ctx: Context) -> Iterator[Finding]:
        scales = numeric_scales(ctx)
        if not scales:
            raise Skip("no numeric feature with spread in train to perturb")
        if len(ctx.y_test) < 2:
            raise Skip("needs at least 2 test rows")
        rng = np.random.default_rng([ctx.seed, 406])
        rows = np.arange(len(ctx.y_test))
        if len(rows) > MAX_ROWS:
            rows = np.sort(rng.choice(rows, MAX_ROWS, replace=False))
        X = ctx.split.test[list(ctx.split.features)].iloc[rows]
        y = ctx.y_test[rows]
        model = ctx.model
        base = predict_frame(ctx, model, X)
        jump = None if ctx.is_classification else REGRESSION_JUMP * float(np.nanstd(base.label))
        judge_proba = not ctx.is_classification or base.confidence is not None
        noise = []
        for k in sorted(self.scales):
            flips, contra, score_pred = np.zeros(len(rows)), np.zeros(len(rows)), None
            for _ in range(max(int(self.repeats), 1)):
                try:
                    p = predict_frame(ctx, model, perturb(X, scales, float(k), rng))
                except Exception as exc:
                    reason = f"{type(exc).__name__}: {str(exc)[:120]}"
                    raise Skip(f"the model failed to predict on perturbed rows ({reason})") from None
                changed, sure = self._flips(base, p, jump)
                flips += changed
                contra += sure if sure is not None else changed
                score_pred = p if score_pred is None else score_pred
            flips /= max(int(self.repeats), 1)
            contra /= max(int(self.repeats), 1)
            noise.append(
                {
                    "scale": float(k),
                    "score": ctx.score(Predictions(score_pred.label, score_pred.proba), y=y).to_dict(),
                    "flip_rate": row_mean_interval(ctx, flips).to_dict(),
                    "contradicting_flip_rate": row_mean_interval(ctx, contra).to_dict() if judge_proba else None,
                }
            )
        try:
            evasion = self._evasion(ctx, model, X, base, scales, jump, rng)
        except Exception as exc:
            reason = f"{type(exc).__name__}: {str(exc)[:120]}"
            raise Skip(f"the model failed to predict on changed rows ({reason})") from None
        ctx.metrics["robustness"] = {
            "noise": noise,
            "evasion": evasion,
            "rows": len(rows),
            "clean_score": ctx.score(Predictions(base.label, base.proba), y=y).to_dict(),
        }
        key = "contradicting_flip_rate" if judge_proba else "flip_rate"
        judged = [lv for lv in noise if lv["scale"] <= self.judged_scale]
        hits = [lv for lv in judged if lv[key]["low"] > self.min_flip_rate]
        if not hits:
            return
        worst = hits[0]  # the smallest noise at which too many predictions flip
        rate = worst[key]
        evidence = {
            **ctx.metrics["robustness"],
            "judged_scale": self.judged_scale,
            "min_flip_rate": self.min_flip_rate,
            "confidence": self.confidence,
            "seed": ctx.seed,
            "numeric_features": len(scales),
        }
        span = f"{rate['estimate']:.3f} [{rate['low']:.3f}, {rate['high']:.3f}]"
        score = worst["score"]
        clean = ctx.metrics["robustness"]["clean_score"]["estimate"]
        if not judge_proba:
            yield self.finding(
                f"Noise of {worst['scale']:g} training SD on the numeric features changes {span} of the test "
                f"predictions ({ctx.metric.name} {clean:.3f} -> {score['estimate']:.3f}); without predict_proba "
                "pitfall cannot tell boundary rows from fragile ones.",
                "Give the model predict_proba, or check by hand whether the flipped rows are uncertain ones.",
                evidence=evidence,
                severity=Severity.INFO,
            )
            return
        what = (
            f"changes {span} of the test predictions from one class to another, both at least "
            f"{self.confidence:.0%} sure"
            if ctx.is_classification
            else f"moves {span} of the test predictions by more than {REGRESSION_JUMP:g} SD of the predictions"
        )
        yield self.finding(
            f"Noise of {worst['scale']:g} training SD on the numeric features {what} "
            f"({ctx.metric.name} {clean:.3f} -> {score['estimate']:.3f}; "
            f"{evasion['flipped_within_0.1sd']:.0%} of {evasion['rows']} rows flip by changing one feature by "
            "at most 0.1 SD).",
            "Regularise the model, round features to their measurement precision, or train with noise at the "
            "measurement error; quote the score under noise.",
            evidence=evidence,
        )

    def _flips(self, base: Predicted, p: Predicted, jump: float | None) -> tuple[np.ndarray, np.ndarray | None]:
        """Which rows changed prediction, and which changed between two confident labels.

        ``jump`` is None for classification; for regression, the move that counts as a flip.
        """
        if jump is not None:
            changed = np.abs(p.label - base.label) > jump
            return changed, changed
        changed = p.label != base.label
        if base.confidence is None or p.confidence is None:
            return changed, None
        return changed, changed & (base.confidence >= self.confidence) & (p.confidence >= self.confidence)

    def _evasion(
        self,
        ctx: Context,
        model,
        X: pd.DataFrame,
        base: Predicted,
        scales: dict[str, float],
        jump: float | None,
        rng: np.random.Generator,
    ) -> dict:
        """Smallest single-feature change (in training SDs) that changes each sampled row's prediction."""
        features = list(scales)
        if len(features) > EVASION_FEATURES:
            features = sorted(rng.choice(features, EVASION_FEATURES, replace=False).tolist())
        steps = np.array([s * sign for s in EVASION_STEPS for sign in (-1, 1)])
        m = min(int(self.evasion_rows), len(X), max(EVASION_BUDGET // (len(steps) * len(features)), 1))
        rows = np.sort(rng.choice(len(X), m, replace=False))
        sample = X.iloc[rows]
        reference = base.label[rows]
        stacked = sample.iloc[np.tile(np.arange(m), len(steps))].reset_index(drop=True)
        shift = np.repeat(steps, m)
        distance = np.full(m, np.inf)
        per_feature: dict[str, float] = {}
        for col in features:
            values = pd.to_numeric(sample[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            trial = stacked.copy()
            trial[col] = np.tile(values, len(steps)) + shift * scales[col]
            pred = predict_frame(ctx, model, trial, with_proba=False).label.reshape(len(steps), m)
            changed = pred != reference if jump is None else np.abs(pred - reference) > jump
            size = np.where(changed, np.abs(steps)[:, None], np.inf).min(axis=0)
            per_feature[col] = float((size <= 0.1).mean())
            distance = np.minimum(distance, size)
        median = float(np.median(distance))
        fragile = max(per_feature, key=per_feature.get) if per_feature else None
        return {
            "rows": int(m),
            "features_searched": len(features),
            "flipped_within_0.1sd": float((distance <= 0.1).mean()),
            "median_distance_sd": median if np.isfinite(median) else None,
            "most_fragile_feature": fragile,
            "most_fragile_share": per_feature.get(fragile, 0.0) if fragile else 0.0,
        }
