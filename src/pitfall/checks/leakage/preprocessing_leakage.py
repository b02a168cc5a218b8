"""PF206 preprocessing-fitted-on-test."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from pitfall.checks.base import Check, Requires, Skip
from pitfall.checks.context import Context
from pitfall.findings import Finding, Severity

# Two fits of the same rows agree to rounding: a float64 sum of a million values is off by
# about 1e-10 of its size at worst, so values closer than this share of their size are equal.
FLOAT_NOISE = 1e-9
SHOWN = 5  # categories quoted in a message


def _stat_table() -> list[tuple[tuple[type, ...], tuple[str, ...]]]:
    """Preprocessing estimators with statistics learnt from rows, and those attributes."""
    from sklearn.decomposition import PCA
    from sklearn.feature_selection import SelectKBest, SelectPercentile, VarianceThreshold
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import (
        KBinsDiscretizer,
        MaxAbsScaler,
        MinMaxScaler,
        OneHotEncoder,
        OrdinalEncoder,
        RobustScaler,
        StandardScaler,
    )

    return [
        ((StandardScaler,), ("mean_", "var_")),
        ((MinMaxScaler,), ("data_min_", "data_max_")),
        ((RobustScaler,), ("center_", "scale_")),
        ((MaxAbsScaler,), ("max_abs_",)),
        ((SimpleImputer,), ("statistics_",)),
        ((OneHotEncoder, OrdinalEncoder), ("categories_",)),
        ((VarianceThreshold,), ("variances_",)),
        ((SelectKBest, SelectPercentile), ("scores_",)),
        ((PCA,), ("mean_",)),
        ((KBinsDiscretizer,), ("bin_edges_",)),
    ]


def stat_attributes(est: Any) -> tuple[str, ...]:
    for classes, attrs in _stat_table():
        if isinstance(est, classes):
            return attrs
    return ()


def leaves(est: Any, path: str) -> Iterator[tuple[str, Any]]:
    """(path, estimator) of every estimator with learnt statistics inside ``est``."""
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import FeatureUnion, Pipeline

    if est is None or isinstance(est, str):  # "drop", "passthrough"
        return
    if isinstance(est, Pipeline):
        for name, step in est.steps:
            yield from leaves(step, f"{path}/{name}")
    elif isinstance(est, ColumnTransformer):
        for name, trans, _ in getattr(est, "transformers_", est.transformers):
            yield from leaves(trans, f"{path}/{name}")
    elif isinstance(est, FeatureUnion):
        for name, trans in est.transformer_list:
            yield from leaves(trans, f"{path}/{name}")
    elif stat_attributes(est):
        yield path, est


def input_names(est: Any, path: str, names: list[str] | None) -> Iterator[tuple[str, list[str]]]:
    """(path, input column names) of every leaf that ``leaves`` yields, following the names through
    the pipeline (``get_feature_names_out``), so a scaler after an imputer still names its columns."""
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import FeatureUnion, Pipeline

    if est is None or isinstance(est, str):
        return
    if isinstance(est, Pipeline):
        for name, step in est.steps:
            yield from input_names(step, f"{path}/{name}", names)
            names = _names_out(step, names)
    elif isinstance(est, ColumnTransformer):
        for name, trans, cols in getattr(est, "transformers_", est.transformers):
            yield from input_names(trans, f"{path}/{name}", _selected(cols, names))
    elif isinstance(est, FeatureUnion):
        for name, trans in est.transformer_list:
            yield from input_names(trans, f"{path}/{name}", names)
    elif stat_attributes(est):
        own = getattr(est, "feature_names_in_", None)
        found = [str(c) for c in own] if own is not None else names
        if found is not None:
            yield path, found


def _names_out(step: Any, names: list[str] | None) -> list[str] | None:
    if step is None or step == "passthrough":
        return names
    try:
        return [str(c) for c in step.get_feature_names_out(names)]
    except Exception:  # a step without names out (or a custom one): later leaves stay unnamed
        return None


def _selected(cols: Any, names: list[str] | None) -> list[str] | None:
    """The names a ColumnTransformer hands one transformer (names, indices or a boolean mask)."""
    values = list(np.atleast_1d(np.asarray(cols, dtype=object))) if not callable(cols) else []
    if values and all(isinstance(c, str) for c in values):
        return [str(c) for c in values]
    if names is None or not values:
        return None
    if all(isinstance(c, (bool, np.bool_)) for c in values) and len(values) == len(names):
        return [n for n, keep in zip(names, values, strict=True) if keep]
    if all(isinstance(c, (int, np.integer)) and not isinstance(c, bool) for c in values):
        return [names[int(c)] for c in values if -len(names) <= int(c) < len(names)]
    return None


def flat_steps(pipe: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """The steps of a pipeline with nested pipelines spliced in (the same computation)."""
    from sklearn.pipeline import Pipeline

    out = []
    for name, step in pipe.steps:
        full = f"{prefix}{name}"
        if isinstance(step, Pipeline):
            out += flat_steps(step, f"{full}/")
        else:
            out.append((full, step))
    return out


@dataclass
class AttributeVerdict:
    """Which rows an attribute's fitted values were learnt from, with the distances behind it."""

    verdict: str  # "train", "train+test", "other" or "undecided"
    evidence: dict[str, Any] = field(default_factory=dict)


def _numeric(value: Any) -> np.ndarray | None:
    """An attribute's values as one float vector (ragged arrays concatenated), or None."""
    if value is None:
        return None
    parts = list(value) if isinstance(value, (list, tuple)) or np.asarray(value).dtype == object else [value]
    arrays = [np.asarray(p) for p in parts]
    if not arrays or any(a.dtype.kind not in "fiub" for a in arrays):
        return None
    return np.concatenate([a.ravel().astype(float) for a in arrays])


def _distance(u: np.ndarray, v: np.ndarray) -> float:
    """Euclidean distance over values finite in both; infinite when their NaNs differ."""
    fu, fv = np.isfinite(u), np.isfinite(v)
    if (fu != fv).any():
        return float("inf")
    return float(np.linalg.norm(u[fu] - v[fu]))


def compare_numeric(fitted: Any, train: Any, both: Any, again: Any) -> AttributeVerdict:
    """Decide whether ``fitted`` equals the train-only or the train+test values.

    ``again`` is the train-only fit on the rows in another order: the distance between the
    two train-only fits measures the numerical noise of refitting, floored at ``FLOAT_NOISE``
    of the values' size. The fitted values match a candidate when they are within the noise of
    it, and a match decides only when the two candidates are more than twice the noise apart.
    """
    F, A, B, A2 = (_numeric(v) for v in (fitted, train, both, again))
    if any(v is None for v in (F, A, B, A2)) or not (F.shape == A.shape == B.shape == A2.shape):
        return AttributeVerdict("undecided", {"reason": "values of different shapes"})
    scale = max(np.linalg.norm(A[np.isfinite(A)]), np.linalg.norm(B[np.isfinite(B)]))
    refit = _distance(A, A2)
    noise = max(refit if np.isfinite(refit) else 0.0, FLOAT_NOISE * scale)
    d_train, d_both, apart = _distance(F, A), _distance(F, B), _distance(A, B)
    if not apart > 2 * noise:
        verdict = "undecided"
    elif d_both <= noise:
        verdict = "train+test"
    elif d_train <= noise:
        verdict = "train"
    else:
        verdict = "other"
    finite = np.isfinite(A) & np.isfinite(B)
    gap = np.where(finite, np.abs(A - B), -1.0)
    j = int(np.argmax(gap)) if (gap > 0).any() else int(np.argmax(~finite)) if (~finite).any() else 0
    return AttributeVerdict(
        verdict,
        {
            "index": j,
            "size": int(F.size),
            "fitted": float(F[j]),
            "train_only": float(A[j]),
            "train_and_test": float(B[j]),
            "distance_to_train_only": d_train,
            "distance_to_train_and_test": d_both,
            "distance_between_candidates": apart,
            "noise": float(noise),
        },
    )


def _category_sets(value: Any) -> list[frozenset[str]]:
    return [frozenset(map(str, np.asarray(cats).ravel())) for cats in value]


def compare_categories(fitted: Any, train: Any, both: Any) -> AttributeVerdict:
    """Categories known to the fitted encoder that occur only in test mean it saw test rows."""
    F, A, B = (_category_sets(v) for v in (fitted, train, both))
    if not len(F) == len(A) == len(B):
        return AttributeVerdict("undecided", {"reason": "different numbers of columns"})
    test_only = {j: sorted(f - a) for j, (f, a) in enumerate(zip(F, A, strict=True)) if f - a}
    if F == A:
        verdict = "undecided" if A == B else "train"
    elif F == B:
        verdict = "train+test"
    else:
        verdict = "other"
    return AttributeVerdict(
        verdict,
        {
            "test_only_categories": {str(j): cats[:50] for j, cats in test_only.items()},
            "fitted": [len(f) for f in F],
            "train_only": [len(a) for a in A],
            "train_and_test": [len(b) for b in B],
        },
    )


def compare(attr: str, fitted: Any, train: Any, both: Any, again: Any) -> AttributeVerdict:
    values = (getattr(e, attr, None) for e in (fitted, train, both, again))
    f, a, b, a2 = values
    if f is None or a is None or b is None:
        return AttributeVerdict("undecided", {"reason": f"no {attr}"})
    if attr == "categories_":
        return compare_categories(f, a, b)
    return compare_numeric(f, a, b, a2)


def leaf_verdict(verdicts: dict[str, AttributeVerdict]) -> str:
    """One verdict per step: a fit uses one set of rows, so its attributes must agree."""
    found = {v.verdict for v in verdicts.values()} - {"undecided"}
    if not found:
        return "undecided"
    return found.pop() if len(found) == 1 else "other"


class PreprocessingFittedOnTest(Check):
    """A fitted pipeline's preprocessing learnt its statistics from the test rows too.

    ## What it finds
    Each step of a user's fitted scikit-learn `Pipeline` (nested pipelines, `ColumnTransformer`
    and `FeatureUnion` included) that learns statistics from rows: scalers (`mean_`, `var_`,
    `data_min_`, `data_max_`, `center_`, `scale_`, `max_abs_`), `SimpleImputer`
    (`statistics_`), `OneHotEncoder`/`OrdinalEncoder` (`categories_`), `VarianceThreshold`,
    `SelectKBest`/`SelectPercentile` (`variances_`, `scores_`), `PCA` (`mean_`) and
    `KBinsDiscretizer` (`bin_edges_`). A fresh copy of the step is fitted on the training rows
    and on the training and test rows together, each passed through the pipeline's own
    earlier steps, and the fitted values are compared with both candidates.

    The values match a candidate when they lie within the numerical noise of refitting: the
    distance between two train-only fits of the rows in different orders, and at least a
    billionth of the values' size (float rounding). A step is an `error` when its values match
    the train+test fit and the two candidates lie more than twice that noise apart, so the
    verdict does not hinge on rounding even when train and test statistics nearly agree. An
    encoder is an `error` when it knows categories that occur only in test.

    Values that match neither candidate (a pipeline fitted on a subset of train, or on another
    data set) are recorded in the metrics but not reported: they are not evidence of test rows.

    `pitfall lint` finds the same leak in code, before anything runs: a scaler, imputer,
    encoder, PCA or vectoriser (TF-IDF, `CountVectorizer`, Keras' `Tokenizer`), or a pandas
    statistic (`df.fillna(df.mean())`, `(x - x.mean()) / x.std()`), fitted on rows that are later
    split and scored, or fitted on the test set itself; the finding points at the line of the fit.

    ## Why it matters
    Scaling, imputing or selecting features with statistics computed on all rows lets the test
    set shape the model: its means, ranges, categories or feature scores reach training, and
    the test score is no longer that of unseen data. With feature selection on many columns
    the optimism can be large; with scaling it is usually small but still makes the score
    unreproducible on new data.

    ## How to fix
    Split first, then fit the whole pipeline (preprocessing included) on the training rows
    only: `pipeline.fit(X_train, y_train)`. Use the same pipeline inside cross-validation so
    each fold refits its preprocessing.

    ## Example
    `StandardScaler().fit(pd.concat([train, test]))` put into a pipeline whose classifier was
    fitted on train: the scaler's `mean_` equals the mean over all rows, not the training mean.

    ## Options
    This check has no options.
    """

    code = "PF206"
    name = "preprocessing-fitted-on-test"
    family = "leakage"
    severity = Severity.ERROR
    requires = Requires(model=True)

    def run(self, ctx: Context) -> Iterator[Finding]:
        from sklearn.pipeline import Pipeline

        model = ctx.user_model
        model = getattr(model, "best_estimator_", model)  # a fitted search: its refitted pipeline
        if model is None or not isinstance(model, Pipeline):
            got = "no model" if model is None else f"a {type(model).__name__}"
            raise Skip(f"needs a user model that is a scikit-learn Pipeline (got {got})")
        steps = flat_steps(model)
        with_stats = [i for i, (name, step) in enumerate(steps) if any(True for _ in leaves(step, name))]
        if not with_stats:
            raise Skip("the pipeline has no step that learns statistics from rows (scaler, imputer, encoder, ...)")
        X_train, X_test = self._inputs(ctx, model)
        X_all = pd.concat([X_train, X_test], ignore_index=True)
        y_train = ctx.split.y_train.reset_index(drop=True)
        y_all = pd.concat([y_train, ctx.split.y_test.reset_index(drop=True)], ignore_index=True)
        order = np.random.default_rng(ctx.seed).permutation(len(X_train))
        report: dict[str, Any] = {}
        named = dict(input_names(model, "", list(X_train.columns)))
        Xt_train, Xt_all = X_train, X_all
        last = with_stats[-1]  # later steps need not transform the data
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for i, (name, step) in enumerate(steps[: last + 1]):
                fitted_leaves = dict(leaves(step, name))
                if fitted_leaves:
                    try:
                        fits = self._refit(step, name, Xt_train, y_train, Xt_all, y_all, order)
                    except Exception as exc:
                        ctx.notes.append(f"PF206: could not refit step {name!r}: {type(exc).__name__}: {exc}")
                        fits = None
                    if fits is not None:
                        for path, est in fitted_leaves.items():
                            report[path] = self._judge(est, *(f.get(path) for f in fits))
                            report[path]["feature_names"] = named.get(f"/{path}", report[path]["feature_names"])
                if i >= last or step is None or isinstance(step, str):
                    continue
                try:
                    Xt_train, Xt_all = step.transform(Xt_train), step.transform(Xt_all)
                except Exception as exc:
                    ctx.notes.append(f"PF206: step {name!r} failed to transform the data: {type(exc).__name__}")
                    break
        if not report:
            raise Skip("no preprocessing step of the pipeline could be refitted on these columns")
        ctx.metrics["preprocessing"] = {
            "seed": ctx.seed,
            "steps": {
                p: {"class": r["class"], "verdict": r["verdict"], "attributes": r["attributes"]}
                for p, r in report.items()
            },
        }
        other = [p for p, r in report.items() if r["verdict"] == "other"]
        if other:
            ctx.notes.append(
                f"PF206: the statistics of {', '.join(other)} match neither a fit on train nor one on "
                "train+test (fitted on other rows); not reported."
            )
        for path, r in report.items():
            if r["verdict"] == "train+test":
                yield self._finding(path, r)

    @staticmethod
    def _inputs(ctx: Context, model: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The columns the pipeline was fitted on, from train and test."""
        names = getattr(model, "feature_names_in_", None)
        cols = [str(c) for c in names] if names is not None else list(ctx.split.features)
        missing = [c for c in cols if c not in ctx.split.train.columns]
        if missing:
            raise Skip(f"the pipeline was fitted on columns missing from the data: {', '.join(missing[:5])}")
        n_in = getattr(model, "n_features_in_", len(cols))
        if n_in != len(cols):
            raise Skip(f"the pipeline expects {n_in} columns but the data has {len(cols)} features")
        return ctx.split.train[cols].reset_index(drop=True), ctx.split.test[cols].reset_index(drop=True)

    @staticmethod
    def _refit(step, name, Xt_train, y_train, Xt_all, y_all, order) -> list[dict[str, Any]]:
        """Fresh copies of ``step`` fitted on train, on train+test, and on train reordered."""
        from sklearn.base import clone

        def fit(X, y):
            return dict(leaves(clone(step).fit(X, y), name))

        X_perm = Xt_train.iloc[order] if hasattr(Xt_train, "iloc") else Xt_train[order]
        return [fit(Xt_train, y_train), fit(Xt_all, y_all), fit(X_perm, y_train.iloc[order])]

    @staticmethod
    def _judge(est: Any, train: Any, both: Any, again: Any) -> dict[str, Any]:
        attrs = stat_attributes(est)
        if train is None or both is None or again is None:
            verdicts = {a: AttributeVerdict("undecided", {"reason": "not refitted"}) for a in attrs}
        else:
            verdicts = {a: compare(a, est, train, both, again) for a in attrs}
        return {
            "class": type(est).__name__,
            "verdict": leaf_verdict(verdicts),
            "attributes": {a: {"verdict": v.verdict, **v.evidence} for a, v in verdicts.items()},
            "feature_names": [str(c) for c in getattr(est, "feature_names_in_", [])],
        }

    def _finding(self, path: str, r: dict[str, Any]) -> Finding:
        cls, names = r["class"], r["feature_names"]
        decided = {a: e for a, e in r["attributes"].items() if e["verdict"] == "train+test"}
        attr, ev = max(decided.items(), key=lambda kv: kv[1].get("distance_between_candidates", np.inf))
        others = {a: e["verdict"] for a, e in r["attributes"].items() if a != attr}
        evidence = {"step": path, "class": cls, "attribute": attr, **ev}
        if others:  # the other statistics' verdicts; their numbers are in the metrics
            evidence["other_attributes"] = others
        if attr == "categories_":
            test_only = ev["test_only_categories"]
            where = [(names[int(j)] if int(j) < len(names) else f"column {j}", cats) for j, cats in test_only.items()]
            shown = "; ".join(f"{c}: {', '.join(map(repr, cats[:SHOWN]))}" for c, cats in where[:SHOWN])
            columns = tuple(c for c, _ in where if c in names)
            message = (
                f"Step {path!r} ({cls}) knows categories that occur only in the test rows ({shown}): "
                "it was fitted on train and test together."
            )
        else:
            j = ev["index"]
            column = names[j] if len(names) == ev["size"] else None
            of = f" of {column!r}" if column else f" (output {j} of the step before)"
            columns = (column,) if column else ()
            if column:  # named right after the attribute, where a reader looks for it
                head = {k: evidence.pop(k) for k in ("step", "class", "attribute")}
                evidence = {**head, "column": column, **evidence}
            message = (
                f"Step {path!r} ({cls}) was fitted on train and test together: its {attr}{of} is "
                f"{ev['fitted']:.6g}, as fitted on train+test ({ev['train_and_test']:.6g}), not on "
                f"train alone ({ev['train_only']:.6g})."
            )
        return self.finding(
            message,
            "Split first, then fit the whole pipeline, preprocessing included, on the training rows "
            "only (pipeline.fit(X_train, y_train)); re-evaluate on the test set.",
            evidence=evidence,
            columns=columns,
        )
