"""PF405 miscalibrated."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from pitfall.checks.base import Check, Requires, Skip
from pitfall.checks.context import Context
from pitfall.checks.out_of_fold import normalize_rows, out_of_fold_proba
from pitfall.findings import Finding, Severity
from pitfall.stats import Interval, percentile_interval, wilson

MIN_TEST_ROWS = 30
EXACT_NULL_ROWS = 20_000  # beyond, each bin's null sum is drawn from its normal approximation


def equal_mass_bins(confidence: np.ndarray, n_bins: int) -> np.ndarray:
    """Bin index of each row: ``n_bins`` bins of (almost) equal size by increasing confidence."""
    order = np.argsort(confidence, kind="stable")
    out = np.empty(len(confidence), dtype=np.int64)
    for b, idx in enumerate(np.array_split(order, n_bins)):
        out[idx] = b
    return out


def binned_ece(gap_sums: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """ECE from per-bin sums of (correct - confidence) and per-bin counts (last axis = bins)."""
    return np.abs(gap_sums).sum(axis=-1) / np.maximum(counts.sum(axis=-1), 1e-12)


def null_ece(confidence: np.ndarray, bins: np.ndarray, n_bins: int, n_sims: int, seed: int) -> np.ndarray:
    """ECE of a perfectly calibrated model with these confidences: a parametric bootstrap.

    Each row's top class is drawn correct with probability equal to its confidence, which is
    what calibration means; the ECE of such draws is the upward bias of ECE on ``n`` rows.
    """
    rng = np.random.default_rng([seed, 405])
    n = len(confidence)
    counts = np.bincount(bins, minlength=n_bins).astype(float)
    if n > EXACT_NULL_ROWS:
        sd = np.sqrt(np.bincount(bins, weights=confidence * (1 - confidence), minlength=n_bins))
        return binned_ece(rng.normal(size=(n_sims, n_bins)) * sd, counts)
    onehot = _onehot(bins, n_bins)
    out = np.empty(n_sims)
    block = max(1, 2_000_000 // n)
    for start in range(0, n_sims, block):
        k = min(block, n_sims - start)
        correct = rng.random((k, n)) < confidence
        out[start : start + k] = binned_ece((correct - confidence) @ onehot, counts)
    return out


def _onehot(bins: np.ndarray, n_bins: int) -> np.ndarray:
    out = np.zeros((len(bins), n_bins))
    out[np.arange(len(bins)), bins] = 1.0
    return out


def conformal_sets(cal_scores: np.ndarray, proba: np.ndarray, target: float) -> np.ndarray:
    """LAC split-conformal sets (Sadinle et al. 2019): classes whose score 1 - p clears the quantile."""
    n = len(cal_scores)
    if n == 0:
        return np.ones_like(proba, dtype=bool)
    level = min(1.0, np.ceil((n + 1) * target) / n)
    qhat = np.quantile(cal_scores, level, method="higher")
    return (1.0 - proba) <= qhat + 1e-12


class Miscalibrated(Check):
    """The model's probabilities are more (or less) confident than its accuracy, beyond chance.

    ## What it finds
    How far the model's top-class confidence is from its accuracy on the test set: the expected
    calibration error (ECE) over equal-mass bins of confidence (`bins`, fewer on small test sets
    so each bin has at least `min_bin_rows` rows), with a bootstrap 95% interval, the
    reliability diagram (per bin: mean confidence, accuracy with a Wilson interval, count) and
    the Brier score.

    ECE is biased upward on small samples: even a perfectly calibrated model shows one. The
    check draws the correctness of each test row from the model's own confidence (a parametric
    bootstrap of a calibrated model, `n_null` draws) and warns only when the observed ECE
    exceeds that null's `level` quantile **and** the ECE beyond the null's mean is at least
    `min_ece`. Without a model of yours the check judges pitfall's default model, whose
    probabilities nobody will use: it then reports at `info` severity, as a hint about models of
    that kind on these data.

    It also reports an uncertainty estimate that leaves the model unchanged: conformal
    prediction sets (LAC) aiming at 90% coverage, with their measured coverage on test (Wilson
    interval) and mean size. With pitfall's default model the sets are calibrated on
    out-of-fold probabilities of the training rows; with your model, which pitfall cannot refit,
    each half of the test set calibrates the other half. When PF404 ran, its refits with other
    seeds are also reported as an ensemble (`ensemble` in the evidence and metrics): the
    averaged probabilities' ECE and accuracy, the mean spread of the members' probability for
    the ensemble's class, and the share of rows on which members disagree.

    ## Why it matters
    A probability of 0.95 that is right 75% of the time misleads every decision that uses it:
    thresholds, risk estimates, rankings by confidence, and the expected costs in a paper.
    Boosted trees, random forests with sharpened outputs, naive Bayes and deep networks are
    often overconfident.

    ## How to fix
    Calibrate on held-out data: `CalibratedClassifierCV(model, method="isotonic")` (or
    `"sigmoid"` on small data), or temperature scaling of the logits; for guaranteed coverage,
    use conformal prediction sets. Report the calibration error after the fix.

    ## Example
    A deep decision tree predicts with confidence 1.0 and is right 81% of the time: ECE 0.19
    [0.16, 0.22] where a calibrated model would show at most 0.03.

    ## Options
    - `bins` (default 10): most equal-mass bins of confidence.
    - `min_bin_rows` (default 25): fewest test rows per bin (fewer bins on small test sets).
    - `min_ece` (default 0.05): smallest calibration error beyond chance that counts (5
      percentage points between confidence and accuracy, on average).
    - `level` (default 0.95): quantile of the null ECE the observed ECE must exceed.
    - `n_null` (default 1000): draws of the calibrated null.
    - `coverage` (default 0.9): target coverage of the conformal prediction sets.
    """

    code = "PF405"
    name = "miscalibrated"
    family = "evaluation"
    requires = Requires(model=True, tasks=frozenset({"binary", "multiclass"}))
    model_based = True

    def __init__(
        self,
        *,
        bins: int = 10,
        min_bin_rows: int = 25,
        min_ece: float = 0.05,
        level: float = 0.95,
        n_null: int = 1000,
        coverage: float = 0.9,
    ):
        self.bins = bins
        self.min_bin_rows = min_bin_rows
        self.min_ece = min_ece
        self.level = level
        self.n_null = n_null
        self.coverage = coverage

    def run(self, ctx: Context) -> Iterator[Finding]:
        pred = ctx.predictions
        if pred.proba is None:
            raise Skip(
                f"the model ({type(ctx.model).__name__}) has no working predict_proba(): "
                "there are no probabilities to calibrate"
            )
        valid = np.flatnonzero(ctx.y_test >= 0)
        if len(valid) < MIN_TEST_ROWS:
            raise Skip(f"{len(valid)} labelled test rows: too few to measure calibration (need {MIN_TEST_ROWS})")
        proba, y = normalize_rows(pred.proba[valid]), ctx.y_test[valid]
        n = len(y)
        confidence = proba.max(axis=1)
        correct = (proba.argmax(axis=1) == y).astype(float)
        n_bins = int(max(1, min(self.bins, n // self.min_bin_rows)))
        bins = equal_mass_bins(confidence, n_bins)
        gap = correct - confidence
        ece_value = float(binned_ece(np.bincount(bins, weights=gap, minlength=n_bins), np.bincount(bins)))
        ece = percentile_interval(ece_value, self._bootstrap(ctx, gap, bins, n_bins, ece_value))
        null = null_ece(confidence, bins, n_bins, self.n_null, ctx.seed)
        null_q, null_mean = float(np.quantile(null, self.level)), float(null.mean())
        reliability = [self._bin(correct, confidence, bins == b) for b in range(n_bins)]
        brier = _brier(proba, y, ctx.task)
        conformal = self._conformal(ctx, proba, y)
        ensemble = self._ensemble(ctx, valid, y, n_bins)
        ctx.metrics["calibration"] = {
            "ece": ece.to_dict(),
            "null_ece_95": null_q,
            "null_ece_mean": null_mean,
            "brier": brier,
            "bins": reliability,
            "conformal": conformal,
            "ensemble": ensemble,
            "model_source": ctx.model_source,
        }
        excess = ece_value - null_mean
        if not (ece_value > null_q and excess >= self.min_ece):
            return
        over = float(np.sum(confidence - correct)) > 0
        direction = "overconfident" if over else "underconfident"
        worst = max(reliability, key=lambda b: abs(b["confidence"] - b["accuracy"]))
        default = ctx.user_model is None
        subject = "pitfall's default model" if default else "The model"
        yield self.finding(
            f"{subject} is {direction}: expected calibration error {ece} on {n:,} test rows where a "
            f"calibrated model would show {null_mean:.3f} (95% of draws below {null_q:.3f}); at mean "
            f"confidence {worst['confidence']:.2f} it is right {worst['accuracy']:.0%} of the time "
            f"({worst['count']} rows).",
            "Calibrate the probabilities on held-out data (CalibratedClassifierCV(model, method='isotonic'), "
            "or temperature scaling), or report conformal prediction sets "
            f"(here: {conformal['coverage']['estimate']:.0%} coverage, mean size {conformal['mean_set_size']:.2f}).",
            evidence={
                "ece": ece.to_dict(),
                "ece_minus_null_mean": excess,
                "null_ece_mean": null_mean,
                "null_ece_quantile": null_q,
                "level": self.level,
                "min_ece": self.min_ece,
                "direction": direction,
                "brier": brier,
                "bins": reliability,
                "conformal": conformal,
                "ensemble": ensemble,
                "n_test": n,
                "n_null": self.n_null,
                "seed": ctx.seed,
                "model_source": ctx.model_source,
            },
            columns=(ctx.split.target,),
            # pitfall's stand-in model is nobody's deliverable: its calibration is only a hint
            severity=Severity.INFO if default else None,
        )

    @staticmethod
    def _ensemble(ctx: Context, valid: np.ndarray, y: np.ndarray, n_bins: int) -> dict | None:
        """Uncertainty without changing the model: PF404's refits (other seeds, same rows) as an
        ensemble. Reported only when PF404 ran, from PF404's own test predictions (its seeded
        sample of at most 10,000 rows on bigger test sets); averaging seeds often calibrates
        better, and the spread between members says which rows no single fit can be trusted on."""
        from pitfall.checks.refits import predict_frame

        refits = ctx.peek("refits:seeded")
        if refits is None or len(refits.models) < 2:
            return None
        shared = ctx.peek("refits:seeded-test")  # PF404's predictions: its test rows (a sample on big sets)
        if shared is not None:
            rows, preds = shared
            keep = np.isin(rows, valid)
            members = [p.proba[keep] if p.proba is not None else None for p in preds]
            y = ctx.y_test[rows[keep]]
        else:
            X = ctx.split.test.iloc[valid][list(ctx.split.features)]
            members = [predict_frame(ctx, m, X).proba for m in refits.models]
        if not len(y) or any(p is None for p in members):
            return None
        stack = np.stack([normalize_rows(p) for p in members])
        mean = stack.mean(axis=0)
        label = mean.argmax(axis=1)
        confidence = mean.max(axis=1)
        bins = equal_mass_bins(confidence, n_bins)
        gap = (label == y).astype(float) - confidence
        ece = binned_ece(np.bincount(bins, weights=gap, minlength=n_bins), np.bincount(bins))
        spread = stack[:, np.arange(len(label)), label].std(axis=0)
        disagree = (stack.argmax(axis=2) != label).any(axis=0)
        return {
            "members": len(members),
            "rows": len(y),
            "source": refits.source,
            "seeds": list(refits.seeds),
            "ece": float(ece),
            "accuracy": float(np.mean(label == y)),
            "mean_spread": float(spread.mean()),
            "share_members_disagree": float(disagree.mean()),
        }

    def _bootstrap(self, ctx: Context, gap: np.ndarray, bins: np.ndarray, n_bins: int, estimate: float) -> np.ndarray:
        """ECE on the scan's shared bootstrap resamples of the test rows (bins kept fixed)."""
        res = ctx.resamples(len(gap))
        rows, W = res.rows, res.weights
        onehot = _onehot(bins[rows], n_bins)
        out = binned_ece(W @ (onehot * gap[rows, None]), W @ onehot)
        if res.subsampled:  # recentre on the full-data estimate, as pitfall.metrics.bootstrap does
            out = out + estimate - binned_ece(gap[rows] @ onehot, onehot.sum(axis=0))
        return out

    @staticmethod
    def _bin(correct: np.ndarray, confidence: np.ndarray, mask: np.ndarray) -> dict:
        k, m = int(correct[mask].sum()), int(mask.sum())
        iv: Interval = wilson(k, m)
        return {
            "confidence": float(confidence[mask].mean()),
            "accuracy": iv.estimate,
            "low": iv.low,
            "high": iv.high,
            "count": m,
        }

    def _conformal(self, ctx: Context, proba: np.ndarray, y: np.ndarray) -> dict:
        """Conformal sets on test, calibrated without refitting the scan's model."""
        n = len(y)
        if ctx.user_model is None and len(ctx.cv_rows) >= MIN_TEST_ROWS:
            oof = out_of_fold_proba(ctx)
            scores = 1.0 - oof.proba[np.arange(len(oof.y)), oof.y]
            sets = conformal_sets(scores, proba, self.coverage)
            method = "LAC split-conformal, calibrated on out-of-fold probabilities of the training rows"
        else:
            half = np.random.default_rng([ctx.seed, 4051]).permutation(n) < n // 2
            sets = np.zeros_like(proba, dtype=bool)
            for cal in (half, ~half):
                scores = 1.0 - proba[cal][np.arange(cal.sum()), y[cal]]
                sets[~cal] = conformal_sets(scores, proba[~cal], self.coverage)
            method = "LAC split-conformal on test halves (each half calibrates the other; the model is not refitted)"
        covered = int(sets[np.arange(n), y].sum())
        return {
            "target": self.coverage,
            "coverage": wilson(covered, n).to_dict(),
            "mean_set_size": float(sets.sum(axis=1).mean()),
            "method": method,
        }


def _brier(proba: np.ndarray, y: np.ndarray, task: str) -> float:
    """Brier score: mean (p - y)^2 of the positive class (binary), summed over classes (multiclass)."""
    truth = np.zeros_like(proba)
    truth[np.arange(len(y)), y] = 1.0
    if task == "binary" and proba.shape[1] == 2:
        return float(np.mean((proba[:, 1] - truth[:, 1]) ** 2))
    return float(np.mean(((proba - truth) ** 2).sum(axis=1)))
