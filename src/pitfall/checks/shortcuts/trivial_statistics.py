"""PF301 trivial-statistic-shortcut."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import numpy as np
import pandas as pd

from pitfall.checks.base import Check, Requires, Skip
from pitfall.checks.context import Context, Predictions
from pitfall.checks.evaluation.baselines import dummy_predictions
from pitfall.checks.single_feature import fit_rule_predict, single_feature_scores
from pitfall.data.model import DefaultModel, default_model
from pitfall.findings import Finding, Severity
from pitfall.metrics import bootstrap
from pitfall.stats import Interval, percentile_interval

STATISTICS = ("mean", "std", "min", "max", "missing", "zeros")
_CHUNK = 10_000  # rows per block when computing statistics (bounds memory on wide data)


def numeric_columns(ctx: Context) -> list[int]:
    """Positions of the numeric and boolean features in ``ctx.X_*``: categorical codes and dates
    are labels and timestamps, not measurements, so they take no part in a row's statistics."""
    kinds = ctx.encoder.kinds
    return [j for j, c in enumerate(ctx.split.features) if kinds[c] in ("numeric", "bool")]


def row_statistics(X: np.ndarray) -> np.ndarray:
    """Mean, std, min, max, count of missing values and share of zeros of each row.

    A row with no value gets NaN statistics (and its count of missing values).
    """
    out = np.full((len(X), len(STATISTICS)), np.nan)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        for start in range(0, len(X), _CHUNK):
            block = np.asarray(X[start : start + _CHUNK], dtype=np.float64)
            present = np.isfinite(block)
            n_present = present.sum(axis=1)
            out[start : start + _CHUNK, 0] = np.nanmean(block, axis=1)
            out[start : start + _CHUNK, 1] = np.nanstd(block, axis=1)
            out[start : start + _CHUNK, 2] = np.nanmin(block, axis=1)
            out[start : start + _CHUNK, 3] = np.nanmax(block, axis=1)
            out[start : start + _CHUNK, 4] = (~present).sum(axis=1)
            zeros = (block == 0).sum(axis=1)
            out[start : start + _CHUNK, 5] = np.where(n_present > 0, zeros / np.maximum(n_present, 1), np.nan)
    return out


class TrivialStatisticShortcut(Check):
    """Summary statistics of a row (its mean, spread, extremes, missing values) predict the label
    nearly as well as the model.

    ## What it finds
    Six statistics of each row are computed over its numeric columns: mean, standard deviation,
    minimum, maximum, number of missing values and share of zeros. pitfall's default model is
    fitted on these six numbers alone (on the training rows) and scored on the test set with the
    scan's metric, next to the model and the dummy baseline (majority class, or the training mean
    for regression). A statistic of the whole row ignores which column holds which value: it
    says how bright, how contrasted, how complete an image or a record is, not what it shows.

    The share of the model's gain over the dummy that the statistics reach is
    share = (statistics − dummy) / (model − dummy). With paired bootstrap 95% intervals on the
    test rows (the same resamples for every score):

    - the model must beat the dummy, and so must the statistics (intervals above 0);
    - the statistics reach at least `share` (default 0.8) of the model's gain: the interval of
      (statistics − dummy) − `share` × (model − dummy) lies above 0;
    - the statistics beat the plain use of the columns: both the best one-feature rule (the one
      PF401 uses) and a linear model of the numeric columns (logistic or ridge regression, fitted
      on the same rows). This separates a property of the whole row from the signal of the
      columns themselves: when the label follows one column, a row's maximum may follow it too,
      and when all columns measure one quantity (survey items, repeated measurements), their
      mean is the natural score. Neither is a shortcut, and a one-feature rule or a linear model
      does as well.

    When all three hold the finding is a `warning`, and an `error` when the model is not shown to
    beat the statistics at all (the interval of model − statistics includes 0). When the first
    two hold but a linear model or one-feature rule does as well as the statistics, an `info`
    finding says so: the label follows an average of the columns, which is expected when they
    measure one quantity and is a brightness-like shortcut when they are pixels.

    With text columns the statistics are those of each record: its length in characters and in
    words, its shares of digits, uppercase letters (of its letters), punctuation and whitespace,
    the number of boilerplate strings it holds (lines of three or more words, and the first or
    last three words, found in at least 1% and 5 of the training records), and, when a column is
    named like `source`, `file` or `filename`, the source of the record. The comparison with a
    linear model or one-feature rule of the columns does not apply to text and is left out.

    With image columns (`--image`, or an image folder) the statistics are each image's
    descriptors: mean, standard deviation, minimum and maximum of its pixels (scaled to [0, 1]
    whatever the bit depth), the mean of its border, its colour saturation, width, height and
    aspect ratio, file size, bit depth, number of channels, number of EXIF fields and file format.
    They are judged as above with the comparison models left out, and the finding names the
    column. A file's size follows how well its content compresses, so with lossless formats it
    can stand for texture; the finding names the descriptor that matters most, to tell.

    **Missing values that encode the label.** Each partly-missing column's missing-value
    indicator is also judged alone: the label distribution among rows where the column is
    empty and where it is filled, learnt on train, scored on test. When its gain over the dummy
    has a paired bootstrap interval above zero (Bonferroni over the partly-missing columns) and
    reaches `missing_share` of the model's own gain, the finding is a `warning` that names the
    column: a measurement taken only when the outcome was suspected (missing for most negatives,
    present for most positives) leaks the label, however strong the other columns are.

    Each statistic is also scored alone (a small tree on that statistic) to show which matter.
    The check is skipped with fewer than `min_columns` numeric columns: a statistic of two or
    three columns is little more than the columns themselves.

    ## Why it matters
    A classifier of chest X-rays that separates the classes by the images' overall contrast, or
    of records by how many fields are empty, has learnt how the data were collected, not the
    phenomenon. Such shortcuts vanish on data from another scanner or clinic, and a reported
    score that a row's standard deviation can reach says little about the model.

    ## How to fix
    Look at how the statistic differs between the classes and why (different instruments,
    preprocessing, sources or collection per class). Normalise rows (per-image standardisation)
    or harmonise acquisition, then check the model still beats the statistics; report the
    statistics' score next to the model's.

    ## Example
    64-pixel images where the positive class was scanned with a higher contrast: a model on each
    image's pixel standard deviation alone scores a balanced accuracy of 0.88, the CNN 0.90.

    ## Options
    - `share` (default 0.8): the share of the model's gain over the dummy that the statistics
      must be shown (by the lower confidence bound) to reach.
    - `min_columns` (default 4): the fewest numeric columns for which row statistics mean
      something beyond the columns themselves.
    - `level` (default 0.95): confidence level of the paired intervals.
    - `missing_share` (default 0.5): the share of the model's gain over the dummy that one
      column's missing-value indicator must reach on its own to be a `warning`.
    - `max_rank_corr` (default 0.9): rank correlation with one column (81% of its rank variance)
      at which a statistic counts as that column, not as a property of the row.
    """

    code = "PF301"
    name = "trivial-statistic-shortcut"
    family = "shortcuts"
    severity = Severity.WARNING
    requires = Requires(model=True)
    model_based = True

    def __init__(
        self,
        *,
        share: float = 0.8,
        min_columns: int = 4,
        level: float = 0.95,
        max_rank_corr: float = 0.9,
        missing_share: float = 0.5,
    ):
        self.share = share
        self.missing_share = missing_share
        self.max_rank_corr = max_rank_corr
        self.min_columns = min_columns
        self.level = level

    def run(self, ctx: Context) -> Iterator[Finding]:
        from pitfall.checks.shortcuts.missingness import missing_indicator_findings

        missing = list(missing_indicator_findings(self, ctx))
        try:
            rows = list(self._row_statistics(ctx))
        except Skip:
            if not missing:
                raise
            rows = []
        yield from missing
        yield from rows

    def _row_statistics(self, ctx: Context) -> Iterator[Finding]:
        if ctx.split.roles.text:
            from pitfall.checks.shortcuts.text_statistics import text_statistic_shortcut

            yield from text_statistic_shortcut(self, ctx)
            if not ctx.split.roles.image:
                return
        cols = numeric_columns(ctx)
        if ctx.split.roles.image:  # each image's descriptors are its trivial statistics
            from pitfall.checks.shortcuts.image_shortcuts import image_statistic_findings

            yield from image_statistic_findings(self, ctx)
            if len(cols) < self.min_columns:
                return
        if len(cols) < self.min_columns:
            raise Skip(
                f"{len(cols)} numeric column(s): row statistics need at least {self.min_columns} "
                "to say more than the columns themselves"
            )
        rows = ctx.cv_rows
        if len(rows) < 20 or len(ctx.y_test) < 10:
            raise Skip(f"{len(rows)} training and {len(ctx.y_test)} test rows: too few to fit and score")
        X_train, X_test = ctx.X_train[np.ix_(rows, cols)], ctx.X_test[:, cols]
        S_train, S_test = row_statistics(X_train), row_statistics(X_test)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a statistic missing in every row
            varying = [j for j in range(len(STATISTICS)) if np.nanstd(S_train[:, j]) > 0]
        if not varying:
            raise Skip("every row has the same summary statistics")
        follows = dict(zip(varying, source_columns(S_train[:, varying], X_train), strict=True))
        disguised = {
            STATISTICS[j]: ctx.split.features[cols[c]] for j, (c, rho) in follows.items() if rho >= self.max_rank_corr
        }
        varying = [j for j in varying if STATISTICS[j] not in disguised]
        if disguised:
            ctx.notes.append(
                "PF301: "
                + ", ".join(f"the row {k} follows column {v!r}" for k, v in disguised.items())
                + f" (rank correlation >= {self.max_rank_corr}); judged as that column, not as a row statistic."
            )
        if not varying:
            pairs = ", ".join(f"{k} ~ {v}" for k, v in disguised.items())
            raise Skip(f"each row statistic follows one column: {pairs}")
        names = [STATISTICS[j] for j in varying]
        y = ctx.y_train[rows]
        balanced = ctx.metric.name == "balanced_accuracy"
        preds = {
            "model": ctx.predictions,
            "statistics": fit_predict(ctx, S_train[:, varying], y, S_test[:, varying], names, balanced),
            "dummy": dummy_predictions_of(ctx),
            "linear": _linear(ctx, X_train, y, X_test, balanced),
        }
        sources = sorted({follows[j][0] for j in varying})
        source_names = [ctx.split.features[cols[j]] for j in sources]
        preds[f"columns: {', '.join(source_names)}"] = fit_predict(
            ctx, X_train[:, sources], y, X_test[:, sources], source_names, balanced
        )
        ranked = single_feature_scores(ctx).ranked()
        if ranked:
            preds[f"rule: {ranked[0][0]}"] = fit_rule_predict(ctx, ranked[0][0], balanced=balanced)
        yield from self._judge(
            ctx, preds, statistic_scores(ctx, S_train, y, S_test, varying, balanced), cols, disguised
        )

    def _judge(
        self,
        ctx: Context,
        preds: dict[str, Predictions],
        stat_scores: dict[str, float],
        cols: list[int],
        disguised: dict[str, str] | None = None,
    ) -> Iterator[Finding]:
        metric, level = ctx.metric, self.level
        if metric.needs_proba and any(p.proba is None for p in preds.values()):
            raise Skip(f"--metric {metric.name} needs probabilities the model does not give")
        sign = 1.0 if metric.greater_is_better else -1.0
        keys = list(preds)
        est = {k: metric(ctx.y_test, p.label, p.proba) for k, p in preds.items()}
        samples = bootstrap(
            metric, ctx.y_test, [(preds[k].label, preds[k].proba) for k in keys], ctx.resamples(len(ctx.y_test))
        )
        smp = dict(zip(keys, samples, strict=True))
        iv = {k: percentile_interval(est[k], smp[k], level) for k in keys}

        def gain(a: str, b: str) -> Interval:
            """Paired interval of score(a) − score(b), positive when ``a`` is better."""
            return percentile_interval(sign * (est[a] - est[b]), sign * (smp[a] - smp[b]), level)

        model_gain, stats_gain = gain("model", "dummy"), gain("statistics", "dummy")
        t = self.share
        most = percentile_interval(
            stats_gain.estimate - t * model_gain.estimate,
            sign * ((smp["statistics"] - smp["dummy"]) - t * (smp["model"] - smp["dummy"])),
            level,
        )
        with np.errstate(all="ignore"):
            share = stats_gain.estimate / model_gain.estimate if model_gain.estimate > 0 else float("nan")
        plain = [k for k in keys if k == "linear" or k.startswith(("rule: ", "columns: "))]
        over_plain = {k: gain("statistics", k) for k in plain}
        model_over_stats = gain("model", "statistics")
        ctx.metrics["shortcuts"] = {
            "metric": metric.name,
            "model": iv["model"].to_dict(),
            "summary_model": iv["statistics"].to_dict(),
            "dummy": iv["dummy"].to_dict(),
            "share": float(share) if np.isfinite(share) else None,
            "statistics": stat_scores,
            "plain": {k: iv[k].to_dict() for k in plain},
            "follows_one_column": disguised or {},
        }
        if not (model_gain.low > 0 and stats_gain.low > 0 and most.low > 0):
            return
        scored = {k: v for k, v in stat_scores.items() if v is not None}
        top = max(scored, key=lambda k: sign * scored[k]) if scored else "mean"
        evidence = {
            "metric": metric.name,
            "model": iv["model"].to_dict(),
            "summary_model": iv["statistics"].to_dict(),
            "dummy": iv["dummy"].to_dict(),
            "share": round(float(share), 4),
            "share_threshold": t,
            "margin_over_share": most.to_dict(),
            "model_minus_summary": model_over_stats.to_dict(),
            "summary_minus_plain": {k: v.to_dict() for k, v in over_plain.items()},
            "plain": {k: iv[k].to_dict() for k in plain},
            "statistics": stat_scores,
            "top_statistic": top,
            "follows_one_column": disguised or {},
            "n_columns": len(cols),
            "seed": ctx.seed,
        }
        columns = [ctx.split.features[j] for j in cols]
        head = (
            f"A model on each row's summary statistics alone scores {metric.name} {iv['statistics']}, "
            f"{share:.0%} of the model's gain over the dummy ({iv['model']} vs {iv['dummy']}); "
            f"the row {top} matters most ({scored.get(top, float('nan')):.3f} alone)"
        )
        if all(v.low > 0 for v in over_plain.values()):
            error = model_over_stats.low <= 0
            yield self.finding(
                head + (", and the model is not shown to beat it." if error else "."),
                f"Find out why the row {top} differs between the classes (instrument, preprocessing, "
                "source); normalise rows or harmonise acquisition, and report the statistics' score.",
                evidence=evidence,
                columns=columns,
                severity=Severity.ERROR if error else Severity.WARNING,
            )
        elif all(v.high >= 0 for v in over_plain.values()):
            yield self.finding(
                head + ", but a linear model or one-feature rule of the columns does as well.",
                "If the columns measure one quantity this is expected; if they are pixels or "
                "unrelated fields, check what the row average stands for.",
                evidence=evidence,
                columns=columns,
                severity=Severity.INFO,
            )


def source_columns(S: np.ndarray, X: np.ndarray, max_rows: int = 5_000) -> list[tuple[int, float]]:
    """For each statistic, the column (position in ``X``) it follows most closely and their
    absolute rank correlation, over the rows (a seeded sample of at most ``max_rows``).

    On columns of different units a row's maximum is often one column (the one on the largest
    scale) and its mean and spread follow that column too: such a statistic is a column in
    disguise, not a property of the whole row.
    """
    if len(S) > max_rows:
        pick = np.random.default_rng([len(S), 301]).choice(len(S), max_rows, replace=False)
        S, X = S[pick], X[pick]
    ranks = pd.DataFrame(X).rank(na_option="keep").to_numpy()
    out: list[tuple[int, float]] = []
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        for j in range(S.shape[1]):
            s = pd.Series(S[:, j]).rank(na_option="keep").to_numpy()
            both = np.isfinite(ranks) & np.isfinite(s)[:, None]
            n = np.maximum(both.sum(axis=0), 1)
            r, v = np.where(both, ranks, 0.0), np.where(both, s[:, None], 0.0)
            mr, mv = r.sum(axis=0) / n, v.sum(axis=0) / n
            cov = (r * v).sum(axis=0) / n - mr * mv
            var_r, var_v = (r**2).sum(axis=0) / n - mr**2, (v**2).sum(axis=0) / n - mv**2
            corr = np.abs(cov / np.sqrt(var_r * var_v))
            corr = np.where((both.sum(axis=0) > 2) & np.isfinite(corr), corr, -1.0)
            best = int(np.argmax(corr))
            out.append((best, float(max(corr[best], 0.0))))
    return out


def dummy_predictions_of(ctx: Context) -> Predictions:
    pred = dummy_predictions(ctx)
    return pred["mean"] if "mean" in pred else pred["majority"]


def as_predictions(ctx: Context, model, X: np.ndarray | pd.DataFrame) -> Predictions:
    """Predictions of a model fitted on class indices, with probabilities for every class."""
    if not ctx.is_classification:
        return Predictions(np.asarray(model.predict(X)).astype(float), None)
    if isinstance(model, DefaultModel):  # labels and probabilities from one pass over the trees
        label, p = model.predict_with_proba(X)
    else:
        label, p = np.asarray(model.predict(X)), model.predict_proba(X)
    proba = np.zeros((len(label), len(ctx.classes)))
    proba[:, np.asarray(model.classes_, dtype=np.int64)] = p
    return Predictions(label.astype(np.int64), proba)


def fit_predict(
    ctx: Context, S_train: np.ndarray, y: np.ndarray, S_test: np.ndarray, names: list[str], balanced: bool
) -> Predictions:
    """pitfall's default model on the statistics (seeded, balanced like the scan's model)."""
    model = default_model(ctx.task, ctx.seed, balanced=ctx.is_classification and balanced, n_jobs=ctx.options.n_jobs)
    model.fit(pd.DataFrame(S_train, columns=names), y)
    return as_predictions(ctx, model, pd.DataFrame(S_test, columns=names))


def _linear(ctx: Context, X_train: np.ndarray, y: np.ndarray, X_test: np.ndarray, balanced: bool) -> Predictions:
    """A linear model of the numeric columns: median-imputed, standardised, lightly regularised."""
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    keep = ~np.isnan(X_train).all(axis=0)  # a column with no value in train carries nothing
    X_train, X_test = X_train[:, keep], X_test[:, keep]
    if not ctx.is_classification:
        est = Ridge(alpha=1.0)
    elif len(np.unique(y)) < 2:
        return dummy_predictions_of(ctx)
    else:
        est = LogisticRegression(C=1.0, max_iter=300, class_weight="balanced" if balanced else None)
    model = make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), est)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X_train, y)
        return as_predictions(ctx, model, X_test)


def statistic_scores(
    ctx: Context,
    S_train: np.ndarray,
    y: np.ndarray,
    S_test: np.ndarray,
    varying: list[int],
    balanced: bool,
    names: tuple[str, ...] = STATISTICS,
) -> dict[str, float]:
    """Test score of a small tree (8 leaves) on each statistic alone: which statistics carry the label."""
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    out = {}
    for j in varying:
        if ctx.is_classification:
            tree = DecisionTreeClassifier(
                max_leaf_nodes=8,
                min_samples_leaf=5,
                class_weight="balanced" if balanced else None,
                random_state=ctx.seed,
            )
        else:
            tree = DecisionTreeRegressor(max_leaf_nodes=8, min_samples_leaf=5, random_state=ctx.seed)
        tree.fit(S_train[:, [j]], y)
        pred = as_predictions(ctx, tree, S_test[:, [j]])
        score = ctx.metric(ctx.y_test, pred.label, pred.proba)
        out[names[j]] = round(float(score), 4) if np.isfinite(score) else None
    return out
