"""PF302 begging-the-question."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from pitfall.checks.base import Check, Requires, Skip
from pitfall.checks.context import Context, Predictions
from pitfall.checks.evaluation.baselines import dummy_predictions
from pitfall.checks.single_feature import FeatureRule
from pitfall.findings import Finding, Severity
from pitfall.metrics import bootstrap
from pitfall.stats import Interval, percentile_interval


def _pct(iv: Interval) -> str:
    return f"{iv.estimate:.1%} [{iv.low:.1%}, {iv.high:.1%}]"


N_FOLDS = 5  # folds of the test set for the cross-fitted bin means


def study_bins(ctx: Context, col: str) -> np.ndarray:
    """Test rows' bins of the study variable: a small tree on the training rows, as for the
    one-feature rules (categorical codes are their own bins; missing values get one)."""
    j = ctx.split.features.index(col)
    rows = ctx.cv_rows
    rule = FeatureRule.fit(
        col,
        j,
        ctx.X_train[rows, j],
        ctx.y_train[rows],
        classification=ctx.is_classification,
        categorical=bool(ctx.encoder.categorical_mask[j]),
    )
    return rule.bins(ctx.X_test[:, j])


def _association_batch(W: np.ndarray, fold: np.ndarray, bins: np.ndarray, responses: list[np.ndarray]):
    """The association statistic of each response under every row of weights (see ``association``).

    Everything reduces to weighted sums per (fold, bin) cell, one sparse product for all
    columns, so the bin means are relearnt in every resample and their noise enters the
    intervals. Returns one row per response, then one per (response − first response).
    """
    from scipy import sparse

    n_bins = int(bins.max()) + 1 if len(bins) else 1
    n_cells = N_FOLDS * n_bins
    Y = responses[0]
    columns = [np.ones(len(bins)), *(Y**2).T, *(c for R in responses for c in R.T)]
    J = len(columns)
    V = np.stack(columns, axis=1)  # (n, J)
    cells = fold * n_bins + bins
    rows_ = (cells[:, None] * J + np.arange(J)[None, :]).ravel()
    cols_ = np.repeat(np.arange(len(bins)), J)
    S_all = sparse.csr_matrix((V.ravel(), (rows_, cols_)), shape=(n_cells * J, len(bins)))
    sums = np.asarray(S_all @ W.T).T.reshape(len(W), N_FOLDS, n_bins, J)
    C = sums[..., 0]
    N = C.sum(axis=2)  # (b, F)
    C_out = C.sum(axis=1, keepdims=True) - C  # weights of each bin on the other folds
    N_out = N.sum(axis=1, keepdims=True) - N
    k = Y.shape[1]
    Q = sums[..., 1 : 1 + k].sum(axis=2)  # (b, F, k)
    out, start = [], 1 + k
    for R in responses:
        S = sums[..., start : start + R.shape[1]]  # (b, F, B, c)
        start += R.shape[1]
        T = S.sum(axis=2)  # (b, F, c)
        if not out:  # the labels: their variance within folds
            var = (Q - np.divide(T**2, N[..., None], out=np.zeros_like(T), where=N[..., None] > 0)).sum(axis=(1, 2))
        S_out = S.sum(axis=1, keepdims=True) - S
        prior = np.divide(
            T.sum(axis=1, keepdims=True) - T, N_out[..., None], out=np.zeros_like(T), where=N_out[..., None] > 0
        )
        M = (S_out + prior[:, :, None, :]) / (C_out[..., None] + 1.0)  # bin means on the other folds
        mean_m = np.divide((M * C[..., None]).sum(axis=2), N[..., None], out=np.zeros_like(T), where=N[..., None] > 0)
        cov = ((M * S).sum(axis=2) - mean_m * T).sum(axis=(1, 2))
        out.append(np.divide(cov, var, out=np.full_like(cov, np.nan), where=var > 0))
    out += [o - out[0] for o in out[1:]]
    return np.stack(out)


def association(ctx: Context, bins: np.ndarray, responses: list[np.ndarray], level: float) -> list[Interval]:
    """Share of the test labels' variance that each response ties to the study variable, with CIs.

    For a response ``R`` (one-hot labels, probabilities or predicted values; one column per
    class) the statistic is ``sum_c cov(M_c, R_c) / sum_c var(Y_c)``, where ``M`` is the bin
    mean of ``R`` learnt on the other folds of the test set (smoothed by one row of the
    prior), and the covariance is taken within folds (a fold's own mean would otherwise tie
    it negatively to the bin means learnt elsewhere). It estimates the variance of
    E[R | variable] without the upward bias of the response's own noise, as a share of the
    labels' variance: for the labels, the part of their variance the variable explains; for a
    calibrated model's probabilities the same quantity, since E[p | x] = E[y | x], whatever the
    model relies on. The intervals come from the scan's shared bootstrap resamples, so those
    of different responses are paired: one interval per response, then one per difference
    (response − the first response).
    """
    Y = responses[0]
    n = len(Y)
    fold = np.random.default_rng([ctx.seed, 302]).permutation(n) % N_FOLDS
    res = ctx.resamples(n)
    rows = res.rows
    centred = [R - R.mean(axis=0) for R in responses]
    with np.errstate(invalid="ignore", divide="ignore"):
        estimate = _association_batch(np.ones((1, n)), fold, bins, centred)[:, 0]
        width = (int(bins.max()) + 1) * N_FOLDS * (1 + sum(R.shape[1] for R in responses) + Y.shape[1])
        chunks = max(1, int(np.ceil(res.n_resamples * width / 4_000_000)))
        samples = np.concatenate(
            [
                _association_batch(W, fold[rows], bins[rows], [R[rows] for R in centred])
                for W in np.array_split(res.weights.astype(np.float64), chunks)
            ],
            axis=1,
        )
        if res.subsampled:  # recentre the spread of a subsample's resamples on the full estimate
            sub = _association_batch(np.ones((1, len(rows))), fold[rows], bins[rows], [R[rows] for R in centred])
            samples += (estimate - sub[:, 0])[:, None]
    return [percentile_interval(float(e), s, level) for e, s in zip(estimate, samples, strict=True)]


def predict_frame(ctx: Context, model: Any, X: pd.DataFrame, with_proba: bool) -> Predictions:
    """A model's predictions on a changed copy of the test set, as ``ctx.predict`` gives them."""
    raw = np.asarray(model.predict(X))
    if not ctx.is_classification:
        return Predictions(raw.astype(float), None)
    label = pd.Index(ctx.classes).get_indexer(pd.Series(raw))
    proba = None
    if with_proba:
        p = np.asarray(model.predict_proba(X), dtype=float)
        cols = pd.Index(ctx.classes).get_indexer(list(getattr(model, "classes_", ctx.classes)))
        proba = np.zeros((len(X), len(ctx.classes)))
        for j, c in enumerate(cols):
            if c >= 0:
                proba[:, c] = p[:, j]
    return Predictions(np.maximum(label, 0).astype(np.int64), proba)


class BeggingTheQuestion(Check):
    """The model exaggerates, or leans on, the link between a study variable and the label.

    ## What it finds
    For each study variable (`--study colour`) that is also a feature:

    - **Amplification.** How much of the test labels' variance the variable explains, against
      how much of it the model's predicted probabilities (predicted values for regression)
      attribute to the variable. For each, the mean per bin of the variable (bins that follow
      the label, cut on train) is learnt on four fifths of the test rows and compared by
      covariance with the rest, fold by fold: an estimate of the variance of the conditional
      mean that a response's own noise does not inflate, as a share of the labels' variance.
      A calibrated model matches the labels here whatever it relies on, since
      E[p | variable] = E[y | variable]; a model that over-uses the variable ties it to the
      label more. The difference gets a paired bootstrap 95% interval in which the bin means
      are relearnt in every resample.
    - **Reliance.** How far the score falls when the variable is shuffled in the test set
      (`repeats` seeded permutations, averaged) and when the model is refitted without it on
      the training rows (pitfall's default model, or a clone of a user's model when it can be
      refitted without the column), each with a paired bootstrap interval of the fall.

    It is a `warning` when the amplification interval lies above zero and the amplification is
    at least `min_share` of the labels' variance and at least `min_amplification` of the
    labels' own association. It is `info` when the score falls significantly (interval above
    zero) by at least `min_reliance` of the model's gain over a dummy guess, by shuffling or by
    dropping the variable. With several study variables each decision uses a Bonferroni-
    corrected level.

    Hard predicted classes are cleaner than labels and exaggerate every association a model
    uses, so alone they prove nothing. But a study or catalogue built from a model's predicted
    classes inherits that exaggeration: a model that relies on the variable (as above) and whose
    predicted classes tie it to the label more than the labels do (paired interval of the
    difference above zero, by at least the amplification minimum) turns, say, a 72/28 link
    between colour and class into near-certainty. That is a `warning` too, with or without
    `predict_proba`.

    **Images.** With image columns (`--image`, or an image folder; no `--study` needed) the
    study variable is the images' colour. The test images are copied to a temporary folder
    turned gray (and, shown but not judged, with their channels permuted), and the model
    re-predicts from the copies' paths, so any model that reads the paths is judged. When the
    score falls (paired bootstrap interval above zero, Bonferroni over image columns) by at least
    `min_reliance` of the model's gain over a dummy guess, the finding is `info`, and a `warning`
    when the fall is half that gain or more: colour, not shape, carries most of what the model
    knows. Gray images are not ablated.

    ## Why it matters
    A galaxy classifier given colour "discovers" that spirals are blue: the catalogue it
    produces ties morphology to colour because colour was one of its inputs. A study of a
    variable through a model's predictions is circular when the model relies on that variable,
    and wrong when the model ties it to the label more tightly than nature does (for instance
    when the training sample was selected so that the variable separates the classes).

    ## How to fix
    Leave the study variable out of the model's features (and check that the others do not
    proxy for it), or train on a sample whose link between the variable and the label matches
    the population; then re-derive the finding from the predictions.

    ## Example
    Training galaxies were chosen where colour separates spirals from ellipticals cleanly; in
    the test catalogue colour explains 4% of the label variance but the model's predictions
    attribute 20% to it.

    ## Options
    - `min_amplification` (default 0.25): smallest amplification that counts, as a share of the
      labels' own association with the variable (25% more).
    - `min_share` (default 0.01): smallest amplification that counts, as a share of the labels'
      variance (one percentage point).
    - `min_reliance` (default 0.1): smallest fall of the score that counts as reliance, as a
      share of the model's gain over a dummy guess.
    - `repeats` (default 3): permutations of the variable, averaged.
    - `level` (default 0.95): confidence level of the intervals.
    """

    code = "PF302"
    name = "begging-the-question"
    family = "shortcuts"
    severity = Severity.WARNING
    requires = Requires(model=True)  # and --study, or an image column (colour ablations)
    model_based = True

    def __init__(
        self,
        *,
        min_amplification: float = 0.25,
        min_share: float = 0.01,
        min_reliance: float = 0.1,
        repeats: int = 3,
        level: float = 0.95,
    ):
        self.min_amplification = min_amplification
        self.min_share = min_share
        self.min_reliance = min_reliance
        self.repeats = repeats
        self.level = level

    def run(self, ctx: Context) -> Iterator[Finding]:
        if ctx.split.roles.image:
            from pitfall.checks.shortcuts.image_shortcuts import colour_reliance_findings

            yield from colour_reliance_findings(self, ctx)
            if not ctx.split.roles.study:
                return
        if not ctx.split.roles.study:
            raise Skip("needs --study")
        features = ctx.split.features
        study = [c for c in ctx.split.roles.study if c in features]
        absent = [c for c in ctx.split.roles.study if c not in features]
        if absent:
            ctx.notes.append(f"PF302: study column(s) {', '.join(absent)} are not model features; not judged.")
        if not study:
            raise Skip("none of the --study columns is a feature of the model")
        base = ctx.predictions
        # one decision per study column: their intervals share the error rate (Bonferroni)
        level = 1 - (1 - self.level) / len(study)
        gain = ctx.score_difference(base, next(iter(dummy_predictions(ctx).values())), level=level)
        results: dict[str, Any] = {}
        for col in study:
            assoc = self._association(ctx, col, base, level)
            permute = self._permute(ctx, col, base, level)
            drop = self._drop(ctx, col, level)
            results[col] = {**assoc, "ablation": {"drop": drop and drop.to_dict(), "permute": permute.to_dict()}}
            finding = self._judge(ctx, col, assoc, permute, drop, gain)
            if finding is not None:
                yield finding
        ctx.metrics["study"] = {
            col: {k: (v.to_dict() if isinstance(v, Interval) else v) for k, v in r.items()}
            for col, r in results.items()
        }

    # ----- measurements ------------------------------------------------------------------
    def _association(self, ctx: Context, col: str, base: Predictions, level: float) -> dict[str, Any]:
        if ctx.is_classification:
            k = len(ctx.classes)
            Y = np.eye(k)[ctx.y_test]
            hard = np.eye(k)[base.label]
            soft = base.proba
        else:
            Y = ctx.y_test[:, None]
            hard = soft = base.label[:, None]
        bins = study_bins(ctx, col)
        judged = soft is not None
        if ctx.is_classification and judged:
            label, pred, hard_iv, diff, hard_diff = association(ctx, bins, [Y, soft, hard], level)
        else:
            label, pred, diff = association(ctx, bins, [Y, hard], level)
            hard_iv, hard_diff = pred, diff
        return {
            "label_association": label,
            "prediction_association": pred,
            "amplification": diff,
            "hard_prediction_association": hard_iv,
            "hard_amplification": hard_diff,
            "amplification_judged": judged,
        }

    def _permute(self, ctx: Context, col: str, base: Predictions, level: float) -> Interval:
        """Paired interval of the fall of the score when ``col`` is shuffled, over repeats."""
        rng = np.random.default_rng([ctx.seed, 302])
        X = ctx.split.test[ctx.split.features].reset_index(drop=True)
        values = X[col].to_numpy(copy=True)
        preds = []
        for _ in range(max(1, self.repeats)):
            shuffled = X.copy()
            shuffled[col] = values[rng.permutation(len(values))]
            preds.append(predict_frame(ctx, ctx.model, shuffled, base.proba is not None))
        return self._fall(ctx, base, preds, level)

    def _fall(self, ctx: Context, base: Predictions, others: list[Predictions], level: float) -> Interval:
        metric = ctx.metric
        if metric.needs_proba and (base.proba is None or any(p.proba is None for p in others)):
            return Interval(float("nan"), float("nan"), float("nan"), level)
        sign = 1.0 if metric.greater_is_better else -1.0
        y = ctx.y_test
        estimate = metric(y, base.label, base.proba) - np.mean([metric(y, p.label, p.proba) for p in others])
        s = bootstrap(metric, y, [(p.label, p.proba) for p in (base, *others)], ctx.resamples(len(y)))
        return percentile_interval(sign * float(estimate), sign * (s[0] - s[1:].mean(axis=0)), level)

    def _drop(self, ctx: Context, col: str, level: float) -> Interval | None:
        """Paired interval of the fall of the score when the model is refitted without ``col``."""
        others = [c for c in ctx.split.features if c != col]
        rows = ctx.cv_rows
        try:
            reference = ctx.cached("PF302-reference", lambda: self._reference(ctx))
            if not others:
                without = next(iter(dummy_predictions(ctx).values()))
            else:
                without = ctx.predict(self._refit(ctx, others, rows), others)
        except Exception as exc:  # a user model that cannot be refitted without the column
            ctx.notes.append(
                f"PF302: could not refit the model without {col!r} ({type(exc).__name__}); "
                "reliance measured by permutation only."
            )
            return None
        return ctx.score_difference(reference, without, level=level)

    def _refit(self, ctx: Context, features: list[str], rows: np.ndarray) -> Any:
        if ctx.user_model is None:
            return ctx.fit_default_model(features, rows=rows)
        from sklearn.base import clone

        train = ctx.split.train.iloc[rows]
        return clone(ctx.user_model).fit(train[features], train[ctx.split.target])

    def _reference(self, ctx: Context) -> Predictions:
        """The same model refitted the same way on every feature: what dropping is compared with."""
        if ctx.user_model is None and len(ctx.cv_rows) == len(ctx.y_train):
            return ctx.predictions  # the default model on all rows is exactly this refit
        return ctx.predict(self._refit(ctx, ctx.split.features, ctx.cv_rows), ctx.split.features)

    # ----- verdict ---------------------------------------------------------------------------
    def _judge(
        self,
        ctx: Context,
        col: str,
        assoc: dict[str, Any],
        permute: Interval,
        drop: Interval | None,
        gain: Interval,
    ) -> Finding | None:
        label, pred, diff = assoc["label_association"], assoc["prediction_association"], assoc["amplification"]
        needed = max(self.min_share, self.min_amplification * max(label.estimate, 0.0))
        # the labels' association is a share of variance: below zero it is noise, so the
        # predictions must exceed zero by the minimum too, not just an unlucky negative estimate
        effect = min(diff.estimate, pred.estimate - max(label.estimate, 0.0))
        amplified = bool(assoc["amplification_judged"] and diff.low > 0 and effect >= needed)
        floor = self.min_reliance * gain.estimate
        relies = {
            name: iv
            for name, iv in (("permute", permute), ("drop", drop))
            if iv is not None and gain.estimate > 0 and iv.low > 0 and iv.estimate >= floor
        }
        hard_diff = assoc["hard_amplification"]
        hard_effect = min(hard_diff.estimate, assoc["hard_prediction_association"].estimate - max(label.estimate, 0.0))
        # the predicted classes are what a catalogue or a study of the predictions uses: a model
        # that relies on the variable and turns a moderate link into (near) certainty there is
        # circular however calibrated its probabilities are
        hardened = bool(relies and hard_diff.low > 0 and hard_effect >= needed)
        if not (amplified or relies):
            return None
        metric = ctx.metric.name
        evidence = {
            "study_column": col,
            "label_association": label.to_dict(),
            "prediction_association": pred.to_dict(),
            "amplification": diff.to_dict(),
            "hard_prediction_association": assoc["hard_prediction_association"].to_dict(),
            "amplification_judged": assoc["amplification_judged"],
            "minimum_amplification": needed,
            "metric": metric,
            "model_gain_over_dummy": gain.to_dict(),
            "minimum_reliance": floor,
            "permute": permute.to_dict(),
            "drop": drop.to_dict() if drop is not None else None,
            "amplified": amplified,
            "hard_amplification": hard_diff.to_dict(),
            "hardened": hardened,
            "relies": sorted(relies),
            "repeats": self.repeats,
            "seed": ctx.seed,
            "model_source": ctx.model_source,
        }
        how = {"permute": "shuffling it", "drop": "refitting without it"}
        verb = "lowers" if ctx.metric.greater_is_better else "raises"
        falls = " and ".join(f"{how[n]} {verb} {metric} by {iv}" for n, iv in relies.items())
        if amplified:
            also = f"; the model also relies on it ({falls})" if relies else ""
            return self.finding(
                f"The model's predictions tie {col!r} to the label more than the truth does: it explains "
                f"{_pct(pred)} of the test labels' variance through the predictions but {_pct(label)} "
                f"through the true labels (amplification {_pct(diff)}){also}.",
                f"Do not study {col!r} through predictions of a model fed {col!r}: leave it out of the "
                "features, or train on a sample where its link to the label matches the population.",
                evidence=evidence,
                columns=(col,),
                severity=Severity.WARNING,
            )
        if hardened:
            hard = assoc["hard_prediction_association"]
            return self.finding(
                f"The model relies on study variable {col!r} ({falls}) and its predicted classes tie "
                f"{col!r} to the label far more than the truth does: {_pct(hard)} of the test labels' "
                f"variance through the predicted classes, {_pct(label)} through the true labels "
                f"(amplification {_pct(hard_diff)}). A catalogue or study built from these predictions "
                f"would find {col!r} nearly decides the label.",
                f"Do not study {col!r} through predictions of a model fed {col!r}: leave it out of the "
                "features, or study the predicted probabilities rather than the predicted classes.",
                evidence=evidence,
                columns=(col,),
                severity=Severity.WARNING,
            )
        compared = (
            f" (its predictions tie {col!r} to the label about as the truth does: {_pct(pred)} vs {_pct(label)} "
            "of the labels' variance)"
            if assoc["amplification_judged"]
            else ""
        )
        return self.finding(
            f"The model relies on study variable {col!r}: {falls}, so a finding about {col!r} drawn "
            f"from its predictions is partly circular{compared}.",
            f"Leave {col!r} out of the features when its link to the label is what you study, and "
            "re-derive the finding from that model's predictions.",
            evidence=evidence,
            columns=(col,),
            severity=Severity.INFO,
        )
