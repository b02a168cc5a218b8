"""Confidence thresholds that turn predictions into actions: accept, send to review, or abstain.

For every validation row the model's top-class confidence ``c`` and whether that class is right.
For a candidate threshold ``t`` the auto-accepted set is ``{c >= t}``; its accuracy gets a Wilson
95% interval. The accept threshold is the LOWEST ``t`` whose interval's lower bound reaches the
target, so the promise "accepted items are at least this accurate" holds with 95% confidence,
not just on these rows. Below the review threshold the model's suggestion is no better than
guessing the most common label, so it is withheld (abstain); between the two, people review.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as _st

from pitfall.checks.deployment.review_load import ReviewQueueOverload
from pitfall.errors import ConfigError, InputError, ModelError
from pitfall.findings import Finding, Severity

__all__ = ["ThresholdResult", "thresholds"]

MAX_CANDIDATES = 500  # distinct confidences, or this many quantiles when there are more
CURVE_POINTS = 200  # points kept for reports and plots
LEVEL = 0.95


@dataclass
class ThresholdResult:
    """What ``pitfall.thresholds`` measured and chose. Shares are of all validation rows."""

    target_accuracy: float
    accept: float | None  # None: no threshold meets the target
    review: float
    n: int
    labels: list[str]
    prior_share: float
    accept_share: float
    review_share: float
    abstain_share: float
    accepted: dict[str, float] | None  # accuracy of the accepted set with its interval
    curve: list[dict[str, float]]
    per_label: dict[str, dict[str, Any]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    review_floor: float | None = None

    @property
    def human_share(self) -> float:
        return self.review_share + self.abstain_share

    @property
    def reviews_per_1000(self) -> float:
        return 1000 * self.review_share

    def exit_code(self) -> int:
        return 1 if any(f.severity == Severity.ERROR for f in self.findings) else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "target_accuracy": self.target_accuracy,
            "accept": self.accept,
            "review": self.review,
            "n": self.n,
            "labels": self.labels,
            "prior_share": self.prior_share,
            "accept_share": self.accept_share,
            "review_share": self.review_share,
            "abstain_share": self.abstain_share,
            "human_share": self.human_share,
            "reviews_per_1000": self.reviews_per_1000,
            "per_1000": {
                k: round(1000 * v, 1)
                for k, v in (
                    ("accepted", self.accept_share),
                    ("review", self.review_share),
                    ("abstain", self.abstain_share),
                )
            },
            "accepted": self.accepted,
            "review_floor": self.review_floor,
            "per_label": self.per_label,
            "curve": self.curve,
            "notes": self.notes,
            "findings": [f.to_dict() if hasattr(f, "to_dict") else vars(f) for f in self.findings],
        }

    def to_json(self) -> str:
        import json

        return json.dumps(self.to_dict(), indent=2, default=str, allow_nan=False)

    def to_text(self) -> str:
        from pitfall.reporting.thresholds import render_text

        return render_text(self)

    def to_html(self) -> str:
        from pitfall.reporting.thresholds import render_html

        return render_html(self)

    def to_policy(self, safety: list | None = None):
        """The ``Policy`` to write; labels that must never be auto-accepted become safety rules."""
        from pitfall.deploy.policy import Policy, SafetyRule

        if self.accept is None:
            raise ConfigError(f"no threshold meets accuracy {self.target_accuracy:g}, so there is no policy to write.")
        per_label, rules = {}, list(safety or [])
        for label, entry in self.per_label.items():
            if entry["accept"] is None:
                rules.append(SafetyRule(label, "review"))
            elif not entry["fallback"]:
                per_label[label] = {"accept": entry["accept"], "review": min(entry["review"], entry["accept"])}
        return Policy(self.accept, self.review, per_label, rules, self.target_accuracy)


def _z(level: float = LEVEL) -> float:
    return float(_st.norm.ppf(1 - (1 - level) / 2))


def wilson_arrays(k: np.ndarray, n: np.ndarray, level: float = LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised Wilson interval (same formula as ``pitfall.stats.wilson``); n must be > 0."""
    z = _z(level)
    p = k / n
    denom = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    return np.maximum(0.0, centre - half), np.minimum(1.0, centre + half)


def min_rows(target: float, level: float = LEVEL) -> int:
    """Fewest rows whose Wilson lower bound can reach ``target`` even when every one is right."""
    z2 = _z(level) ** 2
    return math.ceil(z2 * target / (1 - target) - 1e-9)


def _sweep(conf: np.ndarray, correct: np.ndarray) -> dict[str, np.ndarray]:
    """Accepted-set statistics for every candidate threshold, from the highest to the lowest."""
    order = np.argsort(-conf, kind="stable")
    c, ok = conf[order], correct[order]
    distinct = np.unique(c)[::-1]
    cand = (
        distinct
        if len(distinct) <= MAX_CANDIDATES
        else np.unique(np.quantile(c, np.linspace(1, 0, MAX_CANDIDATES), method="inverted_cdf"))[::-1]
    )
    # rows with confidence >= t: c is sorted descending, so count those not below t
    n_acc = np.searchsorted(-c, -cand, side="right")
    cum = np.concatenate([[0], np.cumsum(ok)])
    k = cum[n_acc].astype(float)
    low, high = wilson_arrays(k, n_acc.astype(float))
    return {"threshold": cand, "n": n_acc, "k": k, "low": low, "high": high}


def _choose(sweep: dict[str, np.ndarray], target: float) -> int | None:
    ok = np.flatnonzero(sweep["low"] >= target)
    return int(ok[-1]) if len(ok) else None  # candidates run high to low: the last is the lowest


def _review_threshold(conf: np.ndarray, correct: np.ndarray, prior: float, accept: float) -> float:
    """Highest threshold r <= accept such that the model's accuracy on {c < r} is not above the
    prior share with 95% confidence: below r its suggestion is no better than the commonest label."""
    order = np.argsort(conf, kind="stable")
    c, ok = conf[order], correct[order]
    cand = np.unique(c[c <= accept])
    if not len(cand):
        return float(accept)
    n_below = np.searchsorted(c, cand, side="left")
    cum = np.concatenate([[0], np.cumsum(ok)])
    has = n_below > 0
    low = np.zeros(len(cand))
    low[has] = wilson_arrays(cum[n_below[has]].astype(float), n_below[has].astype(float))[0]
    not_better = np.flatnonzero(low <= prior)
    return float(cand[not_better[-1]]) if len(not_better) else float(cand[0])


def _curve(sweep: dict[str, np.ndarray], n: int) -> list[dict[str, float]]:
    idx = np.unique(
        np.linspace(0, len(sweep["threshold"]) - 1, min(CURVE_POINTS, len(sweep["threshold"]))).round().astype(int)
    )
    return [
        {
            "threshold": float(sweep["threshold"][i]),
            "n_accepted": int(sweep["n"][i]),
            "accuracy": float(sweep["k"][i] / sweep["n"][i]),
            "low": float(sweep["low"][i]),
            "high": float(sweep["high"][i]),
            "accept_share": float(sweep["n"][i] / n),
            "human_share": float(1 - sweep["n"][i] / n),
        }
        for i in idx
    ]


def _point(sweep: dict[str, np.ndarray], i: int, n: int) -> dict[str, float]:
    return _curve({k: v[i : i + 1] for k, v in sweep.items()}, n)[0]


def validate_options(accuracy: Any, review_floor: Any, max_review_share: Any) -> None:
    def unit(v: Any) -> bool:
        return isinstance(v, int | float) and not isinstance(v, bool) and 0 < v < 1

    if not unit(accuracy):
        raise ConfigError(f"accuracy must be a number between 0 and 1 (exclusive), e.g. 0.98. Got {accuracy!r}.")
    if review_floor is not None and not (unit(review_floor) or review_floor == 0):
        raise ConfigError(f"review-floor must be a confidence from 0 to below 1. Got {review_floor!r} instead.")
    if not (unit(max_review_share) or max_review_share == 1):
        raise ConfigError(f"max-review-share must be a share in (0, 1]. Got {max_review_share!r} instead.")


def _predict(model: Any, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    if not hasattr(model, "predict_proba"):
        raise ModelError(
            f"a {type(model).__name__} has no predict_proba(): thresholds need class probabilities. "
            "Give a fitted classifier (or wrap it in CalibratedClassifierCV)."
        )
    classes = getattr(model, "classes_", None)
    if classes is None:
        raise ModelError(f"a {type(model).__name__} has no classes_: give a fitted classifier.")
    names = getattr(model, "feature_names_in_", None)
    if names is not None:
        missing = [str(c) for c in names if c not in X.columns]
        if missing:
            raise InputError(
                f"the validation data lacks the model's feature columns: {', '.join(missing[:5])}. "
                "Give data with the columns the model was trained on."
            )
        X = X[list(names)]
    try:
        proba = np.array(model.predict_proba(X), dtype=float, copy=True)
    except Exception as exc:
        detail = str(exc).strip().splitlines()[0][:150] if str(exc).strip() else ""
        raise ModelError(
            f"the model cannot predict on the validation data: {type(exc).__name__}: {detail}. "
            "Give a model fitted on these feature columns."
        ) from None
    if proba.ndim != 2 or proba.shape != (len(X), len(classes)) or not np.isfinite(proba).all():
        raise ModelError("predict_proba() returned no finite (rows × classes) matrix. Give a fitted classifier.")
    return proba, np.asarray(classes)


def _label_index(y: pd.Series, classes: np.ndarray, target: str) -> np.ndarray:
    """Map labels to the model's class indices; labels the model does not know are an error."""
    lookup = {c: i for i, c in enumerate(classes.tolist())}
    values = y.tolist()
    if not all(v in lookup for v in values):  # CSV labels are often read back as another type
        lookup = {str(c): i for i, c in enumerate(classes.tolist())}
        values = [str(v) for v in values]
    unknown = sorted({str(v) for v in values if v not in lookup})
    if unknown:
        shown = ", ".join(repr(u) for u in unknown[:5])
        known = ", ".join(repr(str(c)) for c in classes.tolist()[:10])
        raise InputError(
            f"the target {target!r} has labels the model does not know: {shown} (model classes: {known}). "
            "Use validation data labelled like the training data."
        )
    return np.array([lookup[v] for v in values], dtype=int)


def thresholds(
    model: Any,
    valid: pd.DataFrame | str | Path,
    *,
    target: str,
    accuracy: float = 0.98,
    review_floor: float | None = None,
    max_review_share: float = 0.5,
    per_label: bool = False,
) -> ThresholdResult:
    """Choose the confidence thresholds at which a classifier's predictions are accepted, reviewed or withheld.

    Args:
        model: A fitted classifier with ``predict_proba`` and ``classes_``.
        valid: Labelled validation data (a DataFrame or a file path), not used for training.
        target: The label column.
        accuracy: Accuracy the auto-accepted predictions must reach (95% lower confidence bound).
        review_floor: Confidence below which suggestions are withheld; by default where the model
            stops beating the most common label.
        max_review_share: Share of items sent to people above which PF602 warns.
        per_label: Also choose one accept threshold per predicted label.

    Returns:
        A ``ThresholdResult`` (``.accept``, ``.review``, shares, curve, PF602 findings).
    """
    validate_options(accuracy, review_floor, max_review_share)
    if isinstance(valid, str | Path):
        from pitfall.data.load import read_table

        valid = read_table(valid)
    if not isinstance(valid, pd.DataFrame):
        raise InputError(f"valid must be a DataFrame or a file path. Got a {type(valid).__name__}.")
    if target not in valid.columns:
        shown = ", ".join(str(c) for c in list(valid.columns)[:8])
        raise InputError(f"no column {target!r} in the validation data (columns: {shown}). Check --target.")
    notes: list[str] = []
    missing = valid[target].isna()
    if missing.any():
        notes.append(f"{int(missing.sum())} rows without a label were left out.")
        valid = valid[~missing]
    if len(valid) == 0:
        raise InputError("the validation data has no labelled rows. Give labelled rows the model was not trained on.")
    proba, classes = _predict(model, valid.drop(columns=[target]))
    y = _label_index(valid[target], classes, target)
    pred = proba.argmax(axis=1)
    conf = proba.max(axis=1)
    correct = (pred == y).astype(float)
    n = len(y)
    prior = float(np.bincount(y, minlength=len(classes)).max() / n)

    sweep = _sweep(conf, correct)
    i = _choose(sweep, accuracy)
    accept = float(sweep["threshold"][i]) if i is not None else None
    chosen = _point(sweep, i, n) if i is not None else None
    if review_floor is not None:
        review = float(min(review_floor, accept if accept is not None else 1.0))
        if review < review_floor:
            notes.append(f"--review-floor {review_floor:g} is above the accept threshold; review starts at accept.")
    else:
        review = _review_threshold(conf, correct, prior, accept if accept is not None else float(conf.max()))
    a_share = float(np.mean(conf >= accept)) if accept is not None else 0.0
    abstain = float(np.mean(conf < review))
    best = _point(sweep, int(np.argmax(sweep["low"])), n)

    labels = [str(c) for c in classes.tolist()]
    result = ThresholdResult(
        target_accuracy=float(accuracy),
        accept=accept,
        review=review,
        n=n,
        labels=labels,
        prior_share=prior,
        accept_share=a_share,
        review_share=max(0.0, 1 - a_share - abstain),
        abstain_share=abstain,
        accepted=chosen,
        curve=_curve(sweep, n),
        notes=notes,
        review_floor=review_floor,
    )
    if per_label:
        result.per_label = _per_label(conf, correct, pred, labels, accuracy, accept, review, notes)
    check = ReviewQueueOverload(max_review_share=max_review_share)
    result.findings = check.judge(target=accuracy, accept=accept, human_share=result.human_share, n=n, best=best)
    return result


def _per_label(
    conf: np.ndarray,
    correct: np.ndarray,
    pred: np.ndarray,
    labels: list[str],
    target: float,
    accept: float | None,
    review: float,
    notes: list[str],
) -> dict[str, dict[str, Any]]:
    """One accept threshold per predicted label, judged on that label's predictions alone.

    A label predicted on fewer rows than a perfect record needs to reach the target (``min_rows``)
    cannot be judged on its own and keeps the global thresholds; a label that has enough rows but
    never reaches the target is never auto-accepted.
    """
    need = min_rows(target)
    out: dict[str, dict[str, Any]] = {}
    fallback = []
    for j, label in enumerate(labels):
        rows = pred == j
        n_j = int(rows.sum())
        entry: dict[str, Any] = {"n_predicted": n_j, "accept": accept, "review": review, "fallback": True}
        if n_j < need:
            entry["reason"] = f"predicted on {n_j} rows, fewer than the {need} needed to show accuracy {target:g}"
            fallback.append(label)
        else:
            sweep = _sweep(conf[rows], correct[rows])
            i = _choose(sweep, target)
            entry.update(fallback=False, accept=float(sweep["threshold"][i]) if i is not None else None)
            if i is None:
                entry["reason"] = f"no threshold reaches accuracy {target:g} on its {n_j} predictions: always reviewed"
            else:
                entry["accepted"] = _point(sweep, i, n_j)
                entry["accept_share"] = float(np.mean(conf[rows] >= entry["accept"]))
        out[label] = entry
    if fallback:
        notes.append(
            f"{len(fallback)} label(s) have too few predicted rows for a threshold of their own and use the global "
            f"thresholds: {', '.join(fallback[:10])}{'…' if len(fallback) > 10 else ''}."
        )
    return out
