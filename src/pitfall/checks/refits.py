"""Shared by the stability checks (PF404, PF406): seeded refits, perturbed inputs, confident labels.

A prediction near the decision boundary changes with any small change of the model or of the
input, and that is no fault: the model says it is unsure. These helpers therefore also measure
how confident each prediction is, so that the checks can count only the changes between two
predictions that are each confident (a *contradiction*), which a well-specified model does not
make.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pitfall.checks.base import Skip
from pitfall.checks.context import Context
from pitfall.data.encode import number_dtype
from pitfall.stats import Interval, percentile_interval

__all__ = [
    "Refits",
    "Predicted",
    "seeded_refits",
    "predict_frame",
    "numeric_scales",
    "perturb",
    "row_mean_interval",
]


@dataclass(frozen=True)
class Predicted:
    """Predictions on some frame: class indices (or values) and each label's confidence.

    ``confidence`` is the probability the model gives its own predicted class, after the same
    reweighting its decision uses (the training prior for pitfall's balanced default model), or
    None when the model has no working ``predict_proba``.
    """

    label: np.ndarray
    proba: np.ndarray | None
    confidence: np.ndarray | None
    decision: np.ndarray | None = None  # the reweighted probabilities the decision compares, rows sum to 1


@dataclass(frozen=True)
class Refits:
    """Models refitted on the same training rows, differing only by seed (or by bootstrap)."""

    seeds: list[int]
    models: list[Any]
    source: str  # "seed": the model's random_state; "bootstrap": resampled training rows


def _random_state_params(model: Any) -> list[str]:
    try:
        params = model.get_params(deep=True)
    except Exception:
        return []
    return [name for name in params if name == "random_state" or name.endswith("__random_state")]


def seeded_refits(ctx: Context, k: int, first: int = 0) -> Refits:
    """Refits ``first`` to ``k - 1`` of the scan's model on ``ctx.cv_rows``, in parallel.

    The default model is refitted with seeds ``ctx.seed + i``; its first refit is the scan's
    model itself when that was fitted on the same rows. A user's model is cloned with every
    ``random_state`` parameter set to the seed; a model without one is refitted on bootstrap
    resamples of the rows (seeded), the only variation left to it.

    Raises:
        Skip: The user's model cannot be cloned or refitted.
    """
    from joblib import Parallel, delayed

    seeds = [ctx.seed + i for i in range(first, k)]
    rows = ctx.cv_rows
    features = list(ctx.split.features)
    jobs = Parallel(n_jobs=ctx.options.n_jobs, prefer="threads")
    if ctx.user_model is None:
        reuse = first == 0 and len(rows) == len(ctx.y_train)
        todo = seeds[1:] if reuse else seeds
        fitted = jobs(delayed(ctx.fit_default_model)(features, rows, seed=s) for s in todo)
        return Refits(seeds, ([ctx.model] if reuse else []) + list(fitted), "seed")
    from sklearn.base import clone

    try:
        template = clone(ctx.user_model)
    except Exception as exc:
        raise Skip(f"the model cannot be cloned for refitting ({type(exc).__name__}: {str(exc)[:120]})") from None
    names = _random_state_params(template)
    source = "seed" if names else "bootstrap"
    train = ctx.split.train.iloc[rows]
    X, y = train[features], train[ctx.split.target]

    def fit(seed: int) -> Any:
        model = clone(template)
        if names:
            model.set_params(**dict.fromkeys(names, seed))
            return model.fit(X, y)
        pick = np.random.default_rng([seed, 404]).integers(0, len(X), len(X))
        return model.fit(X.iloc[pick], y.iloc[pick])

    try:
        models = jobs(delayed(fit)(s) for s in seeds)
    except Exception as exc:
        reason = f"{type(exc).__name__}: {str(exc)[:120]}"
        raise Skip(f"the model cannot be refitted on the training rows ({reason})") from None
    return Refits(seeds, list(models), source)


def predict_frame(ctx: Context, model: Any, X: pd.DataFrame, *, with_proba: bool = True) -> Predicted:
    """A model's predictions on any frame of feature columns, as in ``Context.predict``.

    Without ``with_proba`` only labels are computed (the evasion search needs no more).
    """
    from pitfall.data.model import DefaultModel

    classes = pd.Index(ctx.classes)
    if isinstance(model, DefaultModel) and ctx.is_classification:
        # its predict() is an argmax of predict_proba(): compute the probabilities once
        p = np.asarray(model.predict_proba(X), dtype=float)
        weights = model.prior_ if model.balanced else np.ones(p.shape[1])
        raw = np.asarray(model.classes_)[np.argmax(p / weights, axis=1)]
    else:
        raw = np.asarray(model.predict(X))
        p = None
    if not ctx.is_classification:
        return Predicted(raw.astype(float), None, None)
    label = classes.get_indexer(pd.Series(raw)).astype(np.int64)
    if not with_proba or not hasattr(model, "predict_proba"):
        return Predicted(label, None, None)
    if p is None:
        try:
            p = np.asarray(model.predict_proba(X), dtype=float)
        except Exception:
            return Predicted(label, None, None)
    proba = np.zeros((len(X), len(classes)))
    cols = classes.get_indexer(list(getattr(model, "classes_", ctx.classes)))
    for j, c in enumerate(cols):
        if c >= 0 and j < p.shape[1]:
            proba[:, c] = p[:, j]
    weights = np.ones(len(classes))
    if getattr(model, "balanced", False) and getattr(model, "prior_", None) is not None:
        prior = np.zeros(len(classes))
        prior[cols[cols >= 0]] = np.asarray(model.prior_, dtype=float)[cols >= 0]
        weights = np.where(prior > 0, prior, 1.0)
    q = proba / weights
    q = q / np.where(q.sum(axis=1, keepdims=True) > 0, q.sum(axis=1, keepdims=True), 1.0)
    safe = np.clip(label, 0, len(classes) - 1)
    confidence = np.where(label >= 0, q[np.arange(len(label)), safe], 0.0)
    return Predicted(label, proba, confidence, q)


def numeric_scales(ctx: Context) -> dict[str, float]:
    """Numeric feature columns (stored as numbers) and their training standard deviation.

    Columns with no spread in train, booleans, dates and text are left out: noise "at the
    data's own scale" is not defined for them, and categories are not perturbed.
    """
    out: dict[str, float] = {}
    train = ctx.split.train
    for col in ctx.split.features:
        values = train[col]
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        arr = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        arr = arr[np.isfinite(arr)]
        sd = float(arr.std()) if arr.size > 1 else 0.0
        if sd > 0 and np.isfinite(sd):
            out[col] = sd
    return out


def perturb(X: pd.DataFrame, scales: dict[str, float], k: float, rng: np.random.Generator) -> pd.DataFrame:
    """``X`` with Gaussian noise of ``k`` × (training SD) added to each numeric column.

    The columns are perturbed as one block (the same draws, column after column, as one
    ``rng.normal`` per column would give): on a table of thousands of columns, per-column
    assignments cost more than the model's predictions.
    """
    cols = list(scales)
    if not cols:
        return X.copy()
    values = np.empty((len(X), len(cols)))
    dtypes = X.dtypes
    plain = [j for j, c in enumerate(cols) if number_dtype(dtypes[c])]  # stored as numbers here too
    if plain:
        values[:, plain] = X[[cols[j] for j in plain]].to_numpy(dtype=float, na_value=np.nan)
    for j in sorted(set(range(len(cols))) - set(plain)):
        values[:, j] = pd.to_numeric(X[cols[j]], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    sd = np.array([scales[c] for c in cols])
    noise = rng.standard_normal((len(cols), len(X))).T * (k * sd)
    noisy = pd.DataFrame(values + noise, index=X.index, columns=cols)
    return pd.concat([X.drop(columns=cols), noisy], axis=1)[list(X.columns)]


def row_mean_interval(ctx: Context, values: np.ndarray, level: float = 0.95) -> Interval:
    """Mean of a per-row quantity with a bootstrap interval over rows (the scan's resamples)."""
    values = np.asarray(values, dtype=float)
    estimate = float(values.mean()) if values.size else float("nan")
    if values.size < 2:
        return Interval(estimate, float("nan"), float("nan"), level)
    res = ctx.resamples(len(values))
    W = res.weights
    sub = values[res.rows]
    samples = (W @ sub) / W.sum(axis=1)
    if res.subsampled:
        samples = samples - sub.mean() + estimate
    return percentile_interval(estimate, samples, level)
