"""PF505 estimated-performance-drop: the model's score, estimated without labels, fell."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from pitfall.checks.base import Check, Requires, Skip
from pitfall.checks.drift.context import PREDICTION, WINDOW, DriftContext, Segment
from pitfall.checks.drift.performance import ESTIMABLE_METRICS, Calibrator, estimate_metric
from pitfall.findings import Finding, Severity
from pitfall.metrics import METRICS, bootstrap
from pitfall.stats import Interval, Resamples, percentile_interval

__all__ = ["EstimatedPerformanceDrop"]

PROBA = "__proba_{}__"
MIN_LABELLED = 200  # labelled reference rows needed: half calibrate, half measure the reference score


class EstimatedPerformanceDrop(Check):
    """The model's score on current data, estimated from its calibrated confidence, is below its reference score.

    ## What it finds
    With `--model` (a classifier with `predict_proba`) and `--target` in the reference: a seeded
    half of the labelled reference sample calibrates the model's probabilities (isotonic, or
    Platt on few rows); the other half gives the reference score, the metric of the model's
    predictions against the labels with a 95% bootstrap interval. For the current data and each
    window, the score the model would get if the labels followed its calibrated probabilities is
    estimated with a 95% interval (confidence-based performance estimation). Where the current
    data have labels, the realised score is reported next to the estimate.

    - `warning`: the estimate's upper bound lies below the reference score's lower bound (the two
      intervals do not overlap, a conservative test) and the drop is at least `min_drop`.

    The reference must be data the model was not trained on (its validation or test set): on its
    training rows a model scores too well, and every later data set looks like a drop.

    The estimate assumes the relation between features and label is unchanged (covariate shift
    only): it sees a model moving into regions where it is less sure, not a world where the same
    inputs now mean a different label. Only labels show that (PF503, and the realised score).

    ## Why it matters
    Labels arrive late: whether a visitor showed up is known after the visit, a loan's default
    after years. Drifted inputs do not always hurt a model; an estimate of the score on the
    current rows says whether this drift does, before the labels come in.

    ## How to fix
    Collect labels for recent rows to confirm the drop, find the drifted inputs (PF501, PF502),
    and retrain or recalibrate on recent data.

    ## Example
    Reference balanced accuracy 0.78 [0.76, 0.80]; estimated on the window starting 2026-03-05:
    0.64 [0.61, 0.67], realised 0.62.

    ## Options
    - `metric` (default `balanced_accuracy`): `accuracy`, `balanced_accuracy`, `f1_macro` or `roc_auc`.
    - `min_drop` (default 0.02): the smallest drop of the score that counts.
    """

    code = "PF505"
    name = "estimated-performance-drop"
    family = "drift"
    severity = Severity.WARNING
    requires = Requires(drift=True, model=True, tasks=frozenset({"binary", "multiclass"}))
    model_based = True

    def __init__(self, *, metric: str = "balanced_accuracy", min_drop: float = 0.02):
        self.metric = metric
        self.min_drop = min_drop

    def run(self, ctx: DriftContext) -> Iterator[Finding]:
        if self.metric not in ESTIMABLE_METRICS:
            raise Skip(f"metric {self.metric!r} cannot be estimated without labels ({', '.join(ESTIMABLE_METRICS)})")
        if not ctx.target:
            raise Skip("needs --target in the reference data (labels to calibrate on)")
        if ctx.task == "regression":
            raise Skip("estimating a score without labels needs a classifier")
        if not ctx.classes or PROBA.format(0) not in ctx.ref_sample:
            raise Skip("the model has no predict_proba() or classes_")
        k = len(ctx.classes)
        names = [str(c) for c in ctx.classes]
        ref = ctx.ref_sample
        y = ref[ctx.target].map({c: i for i, c in enumerate(names)})
        labelled = y.notna().to_numpy()
        if labelled.sum() < MIN_LABELLED:
            raise Skip(f"too few labelled reference rows with a class the model knows ({int(labelled.sum())})")
        proba = ref[[PROBA.format(j) for j in range(k)]].to_numpy(dtype=float)[labelled]
        pred = ref[PREDICTION].map({c: i for i, c in enumerate(names)}).to_numpy()[labelled]
        y = y.to_numpy()[labelled].astype(int)
        rng = np.random.default_rng([ctx.seed, 505])
        order = rng.permutation(len(y))
        cal_rows, hold = order[: len(y) // 2], order[len(y) // 2 :]
        calibrator = Calibrator().fit(proba[cal_rows], y[cal_rows])
        metric = METRICS[self.metric]
        pred = np.where(np.isnan(pred.astype(float)), proba.argmax(axis=1), pred).astype(int)
        reference = self._realised(metric, y[hold], pred[hold], proba[hold], ctx.seed)
        ref_est = estimate_metric(
            calibrator.transform(proba[hold]), self.metric, seed=ctx.seed, pred=pred[hold], scores=proba[hold]
        )
        results = []
        for seg in ctx.segments:
            res = self._segment(ctx, seg, calibrator, metric, names, k)
            if res is None:
                continue
            results.append((seg, *res))
            entry = ctx.window_entry(seg) if seg.key != "all" else None
            if entry is not None:
                entry["estimated"] = res[0].to_dict()
                entry["realised"] = res[1].to_dict() if res[1] is not None else None
        m = ctx.drift_metrics()
        m["performance"] = {
            "metric": self.metric,
            "reference": reference.to_dict(),
            "reference_estimated": ref_est.to_dict(),
            "calibration": calibrator.method_,
            "n_calibration": len(cal_rows),
            "n_reference": len(hold),
            "current": {
                seg.key: {"estimated": est.to_dict(), "realised": real.to_dict() if real else None, "n": n}
                for seg, est, real, n in results
            },
            "seed": ctx.seed,
        }
        drops = [
            (seg, est, real, n)
            for seg, est, real, n in results
            if est.high < reference.low and reference.estimate - est.estimate >= self.min_drop
        ]
        if not drops:
            return
        whole = [d for d in drops if d[0].key == "all"]
        seg, est, real, n = whole[0] if whole else min(drops, key=lambda d: d[1].estimate)
        where = "the current data" if seg.key == "all" else f"the window starting {seg.start}"
        message = (
            f"The model's {self.metric} estimated on {where} ({n:,} rows, no labels needed) is {est}, below its "
            f"reference score {reference}"
        )
        if real is not None:
            message += f"; realised on the labelled current rows: {real}"
        windows = [d[0].start for d in drops if d[0].key != "all"]
        if ctx.windows:
            message += f"; {len(windows)} of {len(ctx.windows)} windows below"
        yield self.finding(
            message + ".",
            "Collect labels for recent rows to confirm the drop, find the drifted inputs (PF501, PF502), and "
            "retrain or recalibrate on recent data.",
            evidence={
                "metric": self.metric,
                "reference": reference.to_dict(),
                "estimated": est.to_dict(),
                "realised": real.to_dict() if real is not None else None,
                "compared": where,
                "n": n,
                "windows_below": windows,
                "min_drop": self.min_drop,
                "calibration": calibrator.method_,
                "seed": ctx.seed,
            },
        )

    def _segment(self, ctx: DriftContext, seg: Segment, calibrator: Calibrator, metric, names, k):
        cur = ctx.cur_sample if seg.key == "all" else ctx.cur_sample[ctx.cur_sample[WINDOW] == seg.key]
        if len(cur) < 2:
            return None
        proba = cur[[PROBA.format(j) for j in range(k)]].to_numpy(dtype=float)
        pred = cur[PREDICTION].map({c: i for i, c in enumerate(names)}).to_numpy(dtype=float)
        pred = np.where(np.isnan(pred), proba.argmax(axis=1), pred).astype(int)
        est = estimate_metric(calibrator.transform(proba), self.metric, seed=ctx.seed, pred=pred, scores=proba)
        real = None
        if ctx.target_in_current:
            y = cur[ctx.target].map({c: i for i, c in enumerate(names)}).to_numpy(dtype=float)
            ok = np.isfinite(y)
            if ok.sum() >= 2:
                real = self._realised(metric, y[ok].astype(int), pred[ok], proba[ok], ctx.seed)
        return est, real, len(cur)

    @staticmethod
    def _realised(metric, y: np.ndarray, pred: np.ndarray, proba: np.ndarray, seed: int) -> Interval:
        """The metric against the labels, with a 95% bootstrap interval over rows."""
        resamples = Resamples(len(y), seed=seed, n_resamples=1000)
        samples = bootstrap(metric, y, [(pred, proba)], resamples)[0]
        return percentile_interval(metric(y, pred, proba), samples)
