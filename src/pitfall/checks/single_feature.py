"""One-feature models: how much of the label each column explains on its own.

Each numeric feature is cut into at most 32 intervals by a decision tree fitted on that
feature alone (categorical codes are their own bins; missing values get a bin), and the model
is the label distribution per bin (classification, smoothed toward the prior) or the mean label
per bin (regression): the best one-feature rule up to 32 thresholds. Bins and tables are
learnt inside each of five folds and scored out-of-fold, on at most ``MAX_CV_ROWS`` rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import KFold, StratifiedKFold

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
    tree = tree_cls(
        max_leaf_nodes=N_BINS, min_weight_fraction_leaf=min(min_leaf, 0.5), random_state=0
    )
    tree.fit(X_agg.reshape(-1, 1).astype(float), y_agg, sample_weight=w_agg.astype(float))
    t = tree.tree_
    split_bins = t.threshold[t.feature >= 0]  # between bin j and j + 1: the cut cuts[j]
    return np.unique(cuts[np.floor(split_bins).astype(np.int64)])


def _fit_table(
    bins: np.ndarray, y: np.ndarray, n_bins: int, n_classes: int, prior: np.ndarray | float
):
    if n_classes:
        counts = np.bincount(bins * n_classes + y, minlength=n_bins * n_classes).reshape(
            n_bins, n_classes
        )
        table = (counts + prior) / (counts.sum(axis=1, keepdims=True) + 1.0)
        return table
    sums = np.bincount(bins, weights=y, minlength=n_bins)
    counts = np.bincount(bins, minlength=n_bins)
    return (sums + prior) / (counts + 1.0)


def _predict(table, bins: np.ndarray, n_classes: int, prior, balanced: bool) -> Predictions:
    if n_classes:
        proba = table[bins]
        scores = proba / prior if balanced else proba
        return Predictions(label=np.argmax(scores, axis=1).astype(np.int64), proba=proba)
    return Predictions(label=table[bins].astype(float), proba=None)


@dataclass
class SingleFeatureScores:
    """Out-of-fold score of each one-feature rule on the training rows (``ctx.cv_rows``)."""

    metric: str
    scores: dict[str, float]
    rules: dict[str, FeatureRule]
    oof: dict[str, Predictions]
    y: np.ndarray

    def ranked(self) -> list[tuple[str, float]]:
        return sorted(
            ((k, v) for k, v in self.scores.items() if np.isfinite(v)), key=lambda kv: -kv[1]
        )

    def interval(self, name: str, resamples: Resamples) -> Interval:
        """Bootstrap interval of one rule's out-of-fold score (resamples of the CV rows)."""
        pred = self.oof[name]
        samples = bootstrap(METRICS[self.metric], self.y, [(pred.label, pred.proba)], resamples)[0]
        return percentile_interval(self.scores[name], samples)


def _rules(ctx: Context, X: np.ndarray, y: np.ndarray) -> dict[str, FeatureRule]:
    """One rule per feature, plus one per partly-missing feature's missingness."""
    rules = {}
    cat = ctx.encoder.categorical_mask
    clf = ctx.is_classification
    for j, name in enumerate(ctx.split.features):
        if name in ctx.split.roles.modality:  # text and images: encoded as missing, no value to cut
            continue
        rules[name] = FeatureRule.fit(
            name, j, X[:, j], y, classification=clf, categorical=bool(cat[j])
        )
        missing = float(np.mean(~np.isfinite(X[:, j])))
        if 0.005 <= missing <= 0.995:
            rules[f"missing({name})"] = FeatureRule.fit(
                f"missing({name})",
                j,
                X[:, j],
                y,
                classification=clf,
                categorical=False,
                missing_indicator=True,
            )
    return rules


def single_feature_scores(ctx: Context) -> SingleFeatureScores:
    def compute():
        rows = ctx.cv_rows
        X = ctx.X_train[rows]
        y = ctx.y_train[rows]
        k = len(ctx.classes)
        metric_name = rule_metric_name(ctx.task)
        metric = METRICS[metric_name]
        if k:
            splitter = StratifiedKFold(N_FOLDS, shuffle=True, random_state=ctx.seed)
            min_count = np.bincount(y, minlength=k)
            if min_count[min_count > 0].min() < N_FOLDS:
                splitter = KFold(N_FOLDS, shuffle=True, random_state=ctx.seed)
        else:
            splitter = KFold(N_FOLDS, shuffle=True, random_state=ctx.seed)
        folds = list(splitter.split(X, y))
        rules = _rules(ctx, X, y)
        scores, oof = {}, {}
        for name, rule in rules.items():
            x = X[:, rule.column]
            label = np.zeros(len(y), dtype=np.int64 if k else float)
            proba = np.zeros((len(y), k)) if k else None
            for tr, te in folds:
                fold_rule = rule
                if rule.edges is not None:  # thresholds are learnt inside the fold
                    fold_rule = FeatureRule(
                        name, rule.column, False, _tree_edges(x[tr], y[tr], bool(k))
                    )
                b_tr, b_te = fold_rule.bins(x[tr]), fold_rule.bins(x[te])
                prior = np.bincount(y[tr], minlength=k) / len(tr) if k else float(np.mean(y[tr]))
                table = _fit_table(b_tr, y[tr], fold_rule.n_bins, k, prior)
                pred = _predict(
                    table, b_te, k, np.maximum(prior, 1e-12) if k else prior, balanced=True
                )
                label[te] = pred.label
                if k:
                    proba[te] = pred.proba
            pred = Predictions(label=label, proba=proba)
            oof[name] = pred
            scores[name] = metric(y, pred.label, pred.proba)
        return SingleFeatureScores(metric_name, scores, rules, oof, y)

    return ctx.cached("single_feature", compute)


def fit_rule_predict(ctx: Context, name: str, *, balanced: bool) -> Predictions:
    """Fit the named one-feature rule on all training rows and predict the test set."""
    sfs = single_feature_scores(ctx)
    rule = sfs.rules[name]
    k = len(ctx.classes)
    b_train = rule.bins(ctx.X_train[:, rule.column])
    b_test = rule.bins(ctx.X_test[:, rule.column])
    y = ctx.y_train
    prior = np.bincount(y, minlength=k) / len(y) if k else float(np.mean(y))
    table = _fit_table(b_train, y, rule.n_bins, k, prior)
    return _predict(table, b_test, k, np.maximum(prior, 1e-12) if k else prior, balanced=balanced)
