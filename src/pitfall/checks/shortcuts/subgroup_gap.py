"""PF303 subgroup-gap."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as st

from pitfall.checks.base import Check, Requires, Skip
from pitfall.checks.context import Context
from pitfall.checks.shared import id_like_columns
from pitfall.data.encode import as_float, column_kind
from pitfall.findings import Finding, Severity
from pitfall.stats import Interval, wilson

MAX_REPORTED = 30  # slices kept in ctx.metrics
Z95 = float(st.norm.ppf(0.975))
MIN_CLASS_ROWS = 10  # rows of each class a slice needs to be compared by balanced accuracy


@dataclass(frozen=True)
class Slicing:
    """The slices of one column: a slice code for every test (and training) row, and their names."""

    column: str
    names: list[str]
    codes: np.ndarray  # slice of each test row
    train_codes: np.ndarray  # slice of each training row
    sensitive: bool


def _fmt(v: float) -> str:
    return f"{v:.3g}"


def slice_column(
    column: str, train: pd.Series, test: pd.Series, *, max_levels: int, n_bins: int, sensitive: bool
) -> Slicing | None:
    """Cut a column into slices, learnt on train: levels for categories and columns of few
    distinct values (beyond ``max_levels``: the most frequent levels and "other"), quantile bins
    for other numbers; missing values are a slice of their own."""
    kind = column_kind(train)
    x_train = as_float(train) if kind in ("numeric", "datetime", "bool") else None
    distinct = pd.Series(x_train).nunique() if x_train is not None else train.astype("string").nunique()
    if x_train is not None and distinct > max_levels:
        edges = np.unique(np.nanquantile(x_train, np.linspace(0, 1, n_bins + 1)[1:-1]))
        names = [f"≤ {_fmt(edges[0])}"]
        names += [f"({_fmt(a)}, {_fmt(b)}]" for a, b in zip(edges[:-1], edges[1:], strict=True)]
        names.append(f"> {_fmt(edges[-1])}")

        def codes_of(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
            x = as_float(values)
            missing = np.isnan(x)
            return np.searchsorted(edges, np.where(missing, 0.0, x), side="left").astype(np.int64), missing

    else:

        def text(values: pd.Series) -> pd.Series:
            if x_train is None:
                return values.reset_index(drop=True).astype("string")
            return pd.Series(as_float(values)).map(_fmt)

        counts = text(train.dropna()).value_counts()
        if len(counts) == 0:
            return None
        top = list(counts.index[: max_levels - 1] if len(counts) > max_levels else counts.index)
        names = [str(v) for v in top]
        names.append("other")  # rarer levels, and levels never seen in train

        def codes_of(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
            missing = values.isna().to_numpy()
            codes = pd.Index(top).get_indexer(text(values)).astype(np.int64)
            codes[(codes < 0) & ~missing] = len(top)
            return codes, missing

    names.append("missing")
    (codes, miss), (train_codes, train_miss) = codes_of(test), codes_of(train)
    codes[miss], train_codes[train_miss] = len(names) - 1, len(names) - 1
    return Slicing(column, names, codes, train_codes, sensitive)


@dataclass(frozen=True)
class SliceScores:
    """A metric on each slice and on the rest of the test set, with standard errors."""

    metric: np.ndarray  # name of the metric used for each slice
    score: np.ndarray
    se: np.ndarray
    rest: np.ndarray
    rest_se: np.ndarray


def slice_metric(scan_metric: str, classification: bool) -> str:
    """The metric slices are compared with: the scan's where a slice has a standard error for it.

    Balanced accuracy stands in for the other classification metrics (macro F1, ROC AUC,
    average precision); regression slices compare errors (R² within a slice depends on the
    slice's own spread of the target, so it is not comparable between slices).
    """
    if classification:
        return scan_metric if scan_metric in ("accuracy", "balanced_accuracy") else "balanced_accuracy"
    return scan_metric if scan_metric in ("mae", "rmse") else "rmse"


def _proportion(hits: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Proportion and its standard error; the error uses (hits + 1) / (n + 2) so that a slice
    with every row right (or wrong) does not claim a zero error."""
    with np.errstate(invalid="ignore", divide="ignore"):
        p = hits / n
        q = (hits + 1) / (n + 2)
        return p, np.sqrt(q * (1 - q) / n)


def score_slices(
    metric: str, y: np.ndarray, pred: np.ndarray, codes: np.ndarray, n_slices: int, n_classes: int
) -> SliceScores:
    """Score every slice and its complement in one pass of counts.

    Balanced accuracy needs every class of the test set in both the slice and the rest, with
    ``MIN_CLASS_ROWS`` rows each (a recall of 0 of 3 rows says little, and its normal
    approximation says too much); elsewhere the slice is compared by accuracy instead.
    """
    n = np.bincount(codes, minlength=n_slices).astype(float)
    if metric in ("mae", "rmse"):
        err = np.abs(y - pred) if metric == "mae" else (y - pred) ** 2
        s1, s2 = (np.bincount(codes, weights=err**p, minlength=n_slices) for p in (1, 2))
        r1, r2, rn = err.sum() - s1, (err**2).sum() - s2, len(err) - n
        out = []
        for a, b, m in ((s1, s2, n), (r1, r2, rn)):
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = a / m
                sd = np.sqrt(np.maximum(b / m - mean**2, 0.0) * m / np.maximum(m - 1, 1))
                se = sd / np.sqrt(m)
                if metric == "rmse":
                    se, mean = se / (2 * np.sqrt(mean)), np.sqrt(mean)
            out += [mean, se]
        return SliceScores(np.full(n_slices, metric, dtype=object), out[0], out[1], out[2], out[3])
    correct = (y == pred).astype(float)
    hits = np.bincount(codes, weights=correct, minlength=n_slices)
    acc, acc_se = _proportion(hits, n)
    racc, racc_se = _proportion(correct.sum() - hits, len(y) - n)
    names = np.full(n_slices, "accuracy", dtype=object)
    if metric == "accuracy":
        return SliceScores(names, acc, acc_se, racc, racc_se)
    cell = codes * n_classes + y
    h = np.bincount(cell, weights=correct, minlength=n_slices * n_classes).reshape(n_slices, n_classes)
    c = np.bincount(cell, minlength=n_slices * n_classes).reshape(n_slices, n_classes).astype(float)
    present = c.sum(axis=0) > 0
    h, c = h[:, present], c[:, present]
    rh, rc = h.sum(axis=0) - h, c.sum(axis=0) - c
    ok = (c >= MIN_CLASS_ROWS).all(axis=1) & (rc >= MIN_CLASS_ROWS).all(axis=1)
    k = present.sum()
    out = []
    for hh, cc in ((h, c), (rh, rc)):
        p, se = _proportion(hh, np.where(cc > 0, cc, np.nan))
        out += [p.mean(axis=1), np.sqrt((se**2).sum(axis=1)) / k]
    names[ok] = "balanced_accuracy"
    pick = lambda a, b: np.where(ok, a, b)  # noqa: E731
    return SliceScores(names, pick(out[0], acc), pick(out[1], acc_se), pick(out[2], racc), pick(out[3], racc_se))


def holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment: controls the chance of any false alarm across all slices."""
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p)
    adjusted = np.minimum(1.0, np.maximum.accumulate(p[order] * (m - np.arange(m))))
    out = np.empty(m)
    out[order] = adjusted
    return out


def association(codes: np.ndarray, y: np.ndarray, classification: bool) -> float:
    """How much a column's slices say about the label on their own, on a 0-1 scale: Cramér's V
    of the slice × class table (classification) or the correlation ratio η (regression)."""
    if len(y) < 2:
        return 0.0
    if classification:
        k = int(y.max()) + 1
        table = np.bincount(codes * k + y, minlength=(int(codes.max()) + 1) * k).reshape(-1, k).astype(float)
        table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
        if min(table.shape) < 2:
            return 0.0
        chi2 = st.chi2_contingency(table, correction=False)[0]
        return float(np.sqrt(chi2 / (table.sum() * (min(table.shape) - 1))))
    y = np.asarray(y, dtype=float)
    n = np.bincount(codes).astype(float)
    means = np.bincount(codes, weights=y) / np.maximum(n, 1)
    total = ((y - y.mean()) ** 2).sum()
    between = (n * (means - y.mean()) ** 2).sum()
    return float(np.sqrt(between / total)) if total > 0 else 0.0


def class_shift(codes: np.ndarray, y: np.ndarray, n_slices: int) -> np.ndarray:
    """Per slice, how far its class mix is from the whole training set's: the largest Cohen's h
    over classes, 2·|asin √p_slice − asin √p_all|. Unlike Cramér's V it stays meaningful when one
    class is rare: 2% → 6% positives is h ≈ 0.21 although V of such a column is small."""
    if len(y) == 0:
        return np.zeros(n_slices)
    k = int(y.max()) + 1
    table = np.bincount(codes * k + y, minlength=n_slices * k).reshape(n_slices, k).astype(float)
    rows = table.sum(axis=1, keepdims=True)
    share = np.divide(table, rows, out=np.zeros_like(table), where=rows > 0)
    overall = table.sum(axis=0) / table.sum()
    h = 2 * np.abs(np.arcsin(np.sqrt(share)) - np.arcsin(np.sqrt(overall)))
    return np.where(rows[:, 0] > 0, h.max(axis=1), 0.0)


class SubgroupGap(Check):
    """The model does clearly worse on a slice of the test set (a site, a group, a range of a
    feature) than on the rest.

    ## What it finds
    The test set is cut into slices by each column: every level of a categorical column or of a
    column with at most `max_levels` distinct values (beyond that, the most frequent levels and
    "other"), `n_bins` quantile bins of other numeric columns (edges from the training data),
    and a slice of missing values. Columns named with `--sensitive` are always sliced, feature or
    not; identifier-like columns are not. Slices with fewer than `min_rows` test rows (or whose
    rest has fewer) are not judged and are counted in the evidence.

    Each slice is scored with the scan's metric and compared with the rest of the test set: a
    one-sided z-test of (rest − slice) with binomial / delta-method standard errors. Balanced
    accuracy is used as such where the slice and the rest hold at least 10 rows of every class;
    elsewhere the slice is compared by accuracy (and its entry says so). Macro F1, ROC AUC and
    average precision are compared as balanced accuracy, and R² as the root mean squared error
    (R² within a slice depends on the slice's own spread of the target). The p-values of all
    slices of all columns are adjusted together (Holm), so many columns do not make many false
    alarms. A slice is flagged when its adjusted p-value is below `alpha` and the gap matters:
    at least `min_gap` (absolute, for accuracies) or an error at least `min_error_ratio` times
    the rest's.

    Along a feature the label depends on, some slices hold more rows near the decision boundary
    and are harder for any model: such gaps are expected. A column whose slices are associated
    with the label in the training data (Cramér's V or the correlation ratio of at least
    `min_association`, Cohen's "small" effect), or a slice whose own class mix in the training
    data differs from the whole's by Cohen's h of at least `min_class_shift` (which stays
    meaningful when a class is rare), or a column that alone predicts the label (its
    one-feature rule beats chance by `min_signal`), is reported as `info`, unless it is
    sensitive.
    The price: a real problem in a slice whose label mix also differs (a site with its own
    prevalence and careless labels) is reported as `info` too; name the column with
    `--sensitive` to have it judged in full.

    Where accuracy stands in for the scan's class-balanced metric (a slice with too few rows of
    a class), a flagged slice of a column that is not sensitive is `info` only: with a rare
    class, accuracy within a slice mostly follows the slice's class mix.

    Flagged slices of other columns are a `warning`; a flagged slice of a `--sensitive` column
    with twice the smallest gap that counts (0.10, or an error ratio of 1.5 by default) is an
    `error`. The five worst flagged slices are quoted.

    ## Why it matters
    An overall score averages over everyone. A model that is right 90% of the time may be right
    60% of the time at one hospital, for one instrument, or for one group of people, and the
    average hides it. A slice served much worse often points at a data problem (labels of
    another quality, a different protocol) or at a group the model should not be used for.

    ## How to fix
    Look at the flagged slices' rows: check their labels and how they were collected. Report the
    per-slice scores; collect more data for the slice, fix its labels, or state that the model
    is not validated for it.

    ## Example
    Five sites; the labels of site `C` were transcribed carelessly. The model's accuracy there
    is 0.56 [0.50, 0.62] against 0.88 on the other sites (Holm-adjusted p < 0.001).

    ## Options
    - `min_rows` (default 30): the fewest test rows a slice (and its rest) needs to be judged.
    - `max_levels` (default 20): most slices of a categorical column (the rest join "other").
    - `n_bins` (default 4): quantile bins of a numeric column.
    - `alpha` (default 0.01): family-wise error rate (Holm) across all slices: the chance, on
      data without any gap, that any slice is flagged.
    - `min_gap` (default 0.05): smallest absolute gap in accuracy or balanced accuracy that counts.
    - `min_error_ratio` (default 1.25): for errors (MAE, RMSE), the smallest ratio of the
      slice's error to the rest's that counts.
    - `min_association` (default 0.1): association of a column's slices with the label above
      which gaps along it are expected (reported as info).
    - `min_class_shift` (default 0.1): Cohen's h between a slice's class mix and the whole's
      (training data) above which a gap in that slice is expected (reported as info).
    - `min_signal` (default 0.05): how far a column's one-feature rule (balanced accuracy above
      1/k, or R²; out of fold on train, as in PF205) must beat chance for gaps along the column
      to be expected (reported as info): slicing an informative feature cuts its range, and
      the model scores lower inside any slice of it.
    """

    code = "PF303"
    name = "subgroup-gap"
    family = "shortcuts"
    severity = Severity.WARNING
    requires = Requires(model=True)
    model_based = True

    def __init__(
        self,
        *,
        min_rows: int = 30,
        max_levels: int = 20,
        n_bins: int = 4,
        alpha: float = 0.01,
        min_gap: float = 0.05,
        min_error_ratio: float = 1.25,
        min_association: float = 0.1,
        min_class_shift: float = 0.1,
        min_signal: float = 0.05,
    ):
        self.min_signal = min_signal
        self.min_rows = min_rows
        self.max_levels = max_levels
        self.n_bins = n_bins
        self.alpha = alpha
        self.min_gap = min_gap
        self.min_error_ratio = min_error_ratio
        self.min_association = min_association
        self.min_class_shift = min_class_shift

    def _slicings(self, ctx: Context) -> list[Slicing]:
        split, ids = ctx.split, id_like_columns(ctx)
        sensitive = list(split.roles.sensitive)
        columns = sensitive + [c for c in split.features if c not in ids and c not in sensitive]
        train = split.train.iloc[ctx.cv_rows]
        out = []
        for c in columns:
            s = slice_column(
                c, train[c], split.test[c], max_levels=self.max_levels, n_bins=self.n_bins, sensitive=c in sensitive
            )
            if s is not None:
                out.append(s)
        return out

    def run(self, ctx: Context) -> Iterator[Finding]:
        n_test = len(ctx.y_test)
        if n_test < 2 * self.min_rows:
            raise Skip(f"{n_test} test rows: slices of at least {self.min_rows} rows need twice as many")
        metric = slice_metric(ctx.metric.name, ctx.is_classification)
        errors = metric in ("mae", "rmse")
        y, pred = ctx.y_test, ctx.predictions.label
        y_cv = ctx.y_train[ctx.cv_rows]
        informative = self._informative(ctx)
        entries, small = [], []
        for s in self._slicings(ctx):
            sc = score_slices(metric, y, pred, s.codes, len(s.names), len(ctx.classes))
            n = np.bincount(s.codes, minlength=len(s.names))
            assoc = association(s.train_codes, y_cv, ctx.is_classification)
            shift = class_shift(s.train_codes, y_cv, len(s.names)) if ctx.is_classification else np.zeros(len(s.names))
            for i, name in enumerate(s.names):
                if n[i] == 0:
                    continue
                if n[i] < self.min_rows or n_test - n[i] < self.min_rows:
                    small.append({"column": s.column, "slice": name, "n": int(n[i])})
                    continue
                sign = -1.0 if errors else 1.0
                z = sign * (sc.rest[i] - sc.score[i]) / np.sqrt(sc.se[i] ** 2 + sc.rest_se[i] ** 2)
                entries.append(
                    {
                        "column": s.column,
                        "slice": name,
                        "n": int(n[i]),
                        "metric": str(sc.metric[i]),
                        "estimate": float(sc.score[i]),
                        "se": float(sc.se[i]),
                        "rest": float(sc.rest[i]),
                        "rest_se": float(sc.rest_se[i]),
                        "p": float(st.norm.sf(z)) if np.isfinite(z) else 1.0,
                        "sensitive": s.sensitive,
                        "expected": not s.sensitive
                        and (
                            assoc >= self.min_association or shift[i] >= self.min_class_shift or s.column in informative
                        ),
                        "association": round(assoc, 4),
                        "class_shift": round(float(shift[i]), 4),
                    }
                )
        if not entries:
            raise Skip(
                f"no slice has {self.min_rows} test rows and as many outside it ({len(small)} smaller slices "
                f"in {n_test} test rows)"
            )
        for e, p_adj in zip(entries, holm(np.array([e["p"] for e in entries])), strict=True):
            e["p_adjusted"] = float(p_adj)
            e["gap"], e["large"] = self._gap(e, errors)
            e["flagged"] = bool(p_adj < self.alpha and e["large"])
        entries.sort(key=lambda e: (not e["flagged"], e["p_adjusted"], -e["gap"]))
        overall = ctx.score(ctx.predictions, metric=ctx.metric_by_name(metric))
        ctx.metrics["slices"] = {
            "metric": metric,
            "overall": overall.to_dict(),
            "slices": [_public(e) for e in entries[:MAX_REPORTED]],
            "too_small": len(small),
        }
        yield from self._findings(ctx, metric, overall, entries, small)

    def _informative(self, ctx: Context) -> set[str]:
        """Columns that alone predict the label (their one-feature rule, scored out of fold on
        train, beats chance by `min_signal`): within a slice of such a column its range is cut,
        the model has less to go on and scores lower, on any data."""
        from pitfall.checks.single_feature import single_feature_scores

        sf = single_feature_scores(ctx)
        chance = 1.0 / max(len(ctx.classes), 1) if ctx.is_classification else 0.0
        return {name for name, score in sf.scores.items() if np.isfinite(score) and score - chance >= self.min_signal}

    def _gap(self, e: dict, errors: bool) -> tuple[float, bool]:
        """Gap (positive: the slice is worse) and whether it is large enough to matter."""
        if errors:
            ratio = e["estimate"] / e["rest"] if e["rest"] > 0 else float("inf")
            return float(e["estimate"] - e["rest"]), bool(ratio >= self.min_error_ratio)
        return float(e["rest"] - e["estimate"]), bool(e["rest"] - e["estimate"] >= self.min_gap)

    def _findings(
        self, ctx: Context, metric: str, overall: Interval, entries: list[dict], small: list[dict]
    ) -> Iterator[Finding]:
        flagged = [e for e in entries if e["flagged"]]
        # Accuracy stands in for a class-balanced scan metric where a slice has too few rows of
        # a class; with a rare class it mostly measures the slice's class mix, so it only hints.
        balanced = ctx.metric.name != "accuracy" and ctx.is_classification
        stand_in = [e for e in flagged if balanced and e["metric"] == "accuracy" and not e["sensitive"]]
        loud = [e for e in flagged if not e["expected"] and e not in stand_in]
        quiet = [e for e in flagged if e["expected"] and e not in stand_in]
        evidence = {
            "metric": metric,
            "scan_metric": ctx.metric.name,
            "overall": overall.to_dict(),
            "n_slices_tested": len(entries),
            "too_small": small[:10],
            "n_too_small": len(small),
            "alpha": self.alpha,
            "min_gap": self.min_gap,
            "min_error_ratio": self.min_error_ratio,
        }
        if loud:
            worst = loud[0]
            big = self._severe(worst, metric)
            yield self.finding(
                f"The model's {worst['metric']} on {worst['column']} = {worst['slice']!r} ({worst['n']} test rows) "
                f"is {_interval(worst)} against {worst['rest']:.3f} on the rest "
                f"(Holm-adjusted p = {worst['p_adjusted']:.2g}); {len(loud)} slice(s) flagged in all.",
                "Inspect the flagged slices' labels and how they were collected; report per-slice scores, "
                "or state that the model is not validated for them.",
                evidence={**evidence, "slices": [_evidence(e) for e in loud[:5]]},
                columns=tuple(dict.fromkeys(e["column"] for e in loud[:5])),
                severity=Severity.ERROR if big else Severity.WARNING,
            )
        if quiet:
            worst = quiet[0]
            yield self.finding(
                f"The model's {worst['metric']} varies along features the label depends on: "
                f"{worst['column']} = {worst['slice']!r} scores {_interval(worst)} against {worst['rest']:.3f} "
                "on the rest; rows near the decision boundary gather there.",
                "Expected along informative features; report per-slice scores if the slices matter to users.",
                evidence={**evidence, "slices": [_evidence(e) for e in quiet[:5]]},
                columns=tuple(dict.fromkeys(e["column"] for e in quiet[:5])),
                severity=Severity.INFO,
            )

        if stand_in:
            worst = stand_in[0]
            yield self.finding(
                f"The model's accuracy on {worst['column']} = {worst['slice']!r} ({worst['n']} test rows) is "
                f"{_interval(worst)} against {worst['rest']:.3f} on the rest, but the slice holds too few rows "
                f"of a class to compare {ctx.metric.name}; accuracy within a slice mostly follows its class mix.",
                "Collect more test rows of the rare class to compare slices fairly, or name the column with "
                "`--sensitive` to have it judged by accuracy.",
                evidence={**evidence, "slices": [_evidence(e) for e in stand_in[:5]]},
                columns=tuple(dict.fromkeys(e["column"] for e in stand_in[:5])),
                severity=Severity.INFO,
            )

    def _severe(self, e: dict, metric: str) -> bool:
        if not e["sensitive"]:
            return False
        if metric in ("mae", "rmse"):
            return e["rest"] > 0 and e["estimate"] / e["rest"] >= 1 + 2 * (self.min_error_ratio - 1)
        return e["gap"] >= 2 * self.min_gap


def _slice_interval(e: dict) -> Interval:
    if e["metric"] == "accuracy":
        return wilson(round(e["estimate"] * e["n"]), e["n"])
    low, high = e["estimate"] - Z95 * e["se"], e["estimate"] + Z95 * e["se"]
    if e["metric"] == "balanced_accuracy":
        low, high = max(low, 0.0), min(high, 1.0)
    return Interval(e["estimate"], float(max(low, 0.0)), float(high))


def _interval(e: dict) -> str:
    return str(_slice_interval(e))


def _public(e: dict) -> dict:
    """A slice's entry in ``ctx.metrics["slices"]``."""
    return {
        "column": e["column"],
        "slice": e["slice"],
        "n": e["n"],
        "metric": e["metric"],
        "score": _slice_interval(e).to_dict(),
        "rest": e["rest"],
        "gap": e["gap"],
        "p_adjusted": e["p_adjusted"],
        "flagged": e["flagged"],
        "expected": e["expected"],
        "sensitive": e["sensitive"],
    }


def _evidence(e: dict) -> dict:
    return {**_public(e), "p": e["p"], "association": e["association"]}
