"""One-feature models: how much of the label each column explains on its own.

Each numeric feature is cut into at most 32 intervals by a small tree fitted on that feature
alone (categorical codes are their own bins; missing values get a bin), and the model is the
label distribution per bin (classification, smoothed toward the prior) or the mean label per bin
(regression): the best one-feature rule up to 32 thresholds. Bins and tables are learnt inside
each of five folds and scored out-of-fold on every training row.

Everything is computed from binned sufficient statistics (``pitfall.checks.binned_rules``):
each column is cut once into at most 256 quantile bins, the labels are counted per (fold, bin),
and the trees, tables and out-of-fold scores are computed from those counts, for all columns
at once. The cost is one pass over the rows per column and no model fit; the counts of two
chunks of rows add up, so the same code serves data split across machines.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from pitfall.checks.context import Context, Predictions
from pitfall.metrics import METRICS, bootstrap
from pitfall.stats import Interval, Resamples, percentile_interval

__all__ = ["FeatureRule", "SingleFeatureScores", "single_feature_scores", "rule_metric_name"]

N_BINS = 32
N_FOLDS = 5


def rule_metric_name(task: str) -> str:
    return "r2" if task == "regression" else "balanced_accuracy"


@dataclass
class FeatureRule:
    """Binning of one feature (or of its missingness) learnt on training data."""

    name: str
    column: int
    missing_indicator: bool
    edges: np.ndarray | None  # quantile edges for numeric columns; None for codes

    @classmethod
    def fit(
        cls,
        name: str,
        column: int,
        x: np.ndarray,
        y: np.ndarray,
        *,
        classification: bool,
        categorical: bool,
        missing_indicator: bool = False,
    ) -> FeatureRule:
        if missing_indicator or categorical:
            return cls(name, column, missing_indicator, None)
        return cls(name, column, False, _tree_edges(x, y, classification))

    @property
    def n_bins(self) -> int:
        if self.missing_indicator:
            return 2
        if self.edges is None:
            return 256 + 1  # codes < 251 plus "other", plus missing
        return len(self.edges) + 2

    def bins(self, x: np.ndarray) -> np.ndarray:
        missing = ~np.isfinite(x)
        if self.missing_indicator:
            return missing.astype(np.int64)
        if self.edges is None:
            out = np.where(missing, 0, x).astype(np.int64)
            out = np.clip(out, 0, 255)
        else:
            out = np.searchsorted(self.edges, np.where(missing, 0, x), side="right")
        out[missing] = self.n_bins - 1
        return out


def _tree_edges(x: np.ndarray, y: np.ndarray, classification: bool) -> np.ndarray:
    """Thresholds of a ≤32-leaf tree on one feature: bins that follow the label.

    The tree is grown on the feature's 256 quantile bins, weighted by the rows in each (per
    class, or with the bin's mean label): split gains on such counts equal those on the rows,
    so the tree is that of the rows up to the bins' resolution, at a fraction of the cost.
    """
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    finite = np.isfinite(x)
    xf, yf = x[finite], y[finite]
    if xf.size < 2 or np.ptp(xf) == 0:
        return np.array([])
    cuts = np.unique(np.quantile(xf, np.linspace(0, 1, 257)[1:-1]))
    cuts = cuts[cuts > xf.min()]  # every cut separates some rows
    if cuts.size == 0:
        return np.array([])
    b = np.searchsorted(cuts, xf, side="right")
    n_b = cuts.size + 1
    if classification:
        k = int(yf.max()) + 1
        counts = np.bincount(b * k + yf, minlength=n_b * k)
        keep = np.flatnonzero(counts)
        X_agg, y_agg, w_agg = keep // k, keep % k, counts[keep]
        tree_cls = DecisionTreeClassifier
    else:
        counts = np.bincount(b, minlength=n_b)
        keep = np.flatnonzero(counts)
        X_agg, w_agg = keep, counts[keep]
        y_agg = np.bincount(b, weights=yf, minlength=n_b)[keep] / w_agg
        tree_cls = DecisionTreeRegressor
    min_leaf = max(5, int(0.002 * xf.size)) / xf.size
    tree = tree_cls(max_leaf_nodes=N_BINS, min_weight_fraction_leaf=min(min_leaf, 0.5), random_state=0)
    tree.fit(X_agg.reshape(-1, 1).astype(float), y_agg, sample_weight=w_agg.astype(float))
    t = tree.tree_
    split_bins = t.threshold[t.feature >= 0]  # between bin j and j + 1: the cut cuts[j]
    return np.unique(cuts[np.floor(split_bins).astype(np.int64)])


def fit_table(bins: np.ndarray, y: np.ndarray, n_bins: int, n_classes: int, prior: np.ndarray | float):
    if n_classes:
        counts = np.bincount(bins * n_classes + y, minlength=n_bins * n_classes).reshape(n_bins, n_classes)
        table = (counts + prior) / (counts.sum(axis=1, keepdims=True) + 1.0)
        return table
    sums = np.bincount(bins, weights=y, minlength=n_bins)
    counts = np.bincount(bins, minlength=n_bins)
    return (sums + prior) / (counts + 1.0)


def predict_table(table, bins: np.ndarray, n_classes: int, prior, balanced: bool) -> Predictions:
    if n_classes:
        proba = table[bins]
        scores = proba / prior if balanced else proba
        return Predictions(label=np.argmax(scores, axis=1).astype(np.int64), proba=proba)
    return Predictions(label=table[bins].astype(float), proba=None)


@dataclass
class SingleFeatureScores:
    """Out-of-fold score of each one-feature rule on the training rows (all of them).

    ``oof`` gives a rule's out-of-fold predictions for every training row, computed when asked
    for (the scores themselves come from counts).
    """

    metric: str
    scores: dict[str, float]
    rules: dict[str, FeatureRule]
    oof: Mapping[str, Predictions]
    y: np.ndarray

    def ranked(self) -> list[tuple[str, float]]:
        return sorted(((k, v) for k, v in self.scores.items() if np.isfinite(v)), key=lambda kv: -kv[1])

    def interval(self, name: str, resamples: Resamples) -> Interval:
        """Bootstrap interval of one rule's out-of-fold score (resamples of the training rows)."""
        pred = self.oof[name]
        samples = bootstrap(METRICS[self.metric], self.y, [(pred.label, pred.proba)], resamples)[0]
        return percentile_interval(self.scores[name], samples)


def _rule_columns(ctx: Context, X: np.ndarray) -> list[tuple[str, int, str]]:
    """(rule name, column, kind) for every feature, plus the missingness of partly-missing ones;
    kind is ``numeric``, ``codes`` or ``missing``."""
    out = []
    cat = ctx.encoder.categorical_mask
    for j, name in enumerate(ctx.split.features):
        if name in ctx.split.roles.modality:  # text and images: encoded as missing, no value to cut
            continue
        out.append((name, j, "codes" if cat[j] else "numeric"))
        missing = float(np.mean(~np.isfinite(X[:, j])))
        if 0.005 <= missing <= 0.995:
            out.append((f"missing({name})", j, "missing"))
    return out


def single_feature_scores(ctx: Context) -> SingleFeatureScores:
    def compute():
        from pitfall.checks.binned_rules import fold_ids, score_rules

        X, y = ctx.X_train, ctx.y_train
        k = len(ctx.classes)
        metric_name = rule_metric_name(ctx.task)
        folds = fold_ids(y, k, N_FOLDS, ctx.seed)
        fitted = score_rules(X, y, folds, _rule_columns(ctx, X), n_classes=k, seed=ctx.seed)
        scores = {name: r.score for name, r in fitted.items()}
        rules = {name: r.rule for name, r in fitted.items()}
        return SingleFeatureScores(metric_name, scores, rules, _LazyOOF(fitted, X, folds, k), y)

    return ctx.cached("single_feature", compute)


class _LazyOOF(Mapping):
    """Out-of-fold predictions per rule, made from the per-fold tables when first asked for."""

    def __init__(self, fitted: dict, X: np.ndarray, folds: np.ndarray, n_classes: int):
        self._fitted, self._X, self._folds, self._k = fitted, X, folds, n_classes
        self._made: dict[str, Predictions] = {}

    def __getitem__(self, name: str) -> Predictions:
        if name not in self._made:
            self._made[name] = self._fitted[name].oof(self._X, self._folds, self._k)
        return self._made[name]

    def __iter__(self):
        return iter(self._fitted)

    def __len__(self) -> int:
        return len(self._fitted)


def fit_rule_predict(ctx: Context, name: str, *, balanced: bool) -> Predictions:
    """Fit the named one-feature rule on all training rows and predict the test set."""
    sfs = single_feature_scores(ctx)
    rule = sfs.rules[name]
    k = len(ctx.classes)
    b_train = rule.bins(ctx.X_train[:, rule.column])
    b_test = rule.bins(ctx.X_test[:, rule.column])
    y = ctx.y_train
    prior = np.bincount(y, minlength=k) / len(y) if k else float(np.mean(y))
    table = fit_table(b_train, y, rule.n_bins, k, prior)
    return predict_table(table, b_test, k, np.maximum(prior, 1e-12) if k else prior, balanced=balanced)
