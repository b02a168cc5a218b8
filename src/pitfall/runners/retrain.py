"""Retrain the promoted model on its training data plus the reviewed items, and promote it only if it is not worse.

The new model is ``sklearn.base.clone(parent)`` refitted on the training rows plus every item with a final
review (its record's feature values, the reviewer's label). Both models are then scored on a labelled holdout
that neither was trained on: pitfall's metric with a paired bootstrap (the same resamples score both models, so
the interval is for the difference itself), and ``pitfall.scan`` with the holdout as test and only the model
checks (``PF3``, ``PF4``) for error-level findings.

Promotion is a non-inferiority decision, not "the score went up": the 95% interval of new − parent must lie
above ``-margin``, and the new model must have no error-level finding the parent did not. A retrain on a few
reviews usually changes the score by less than the noise of the holdout; requiring a significant gain would
refuse most useful corrections, while non-inferiority refuses the harmful ones (garbage labels move the lower
bound far below the margin). Holdout rows whose features equal a reviewed item's are left out, since the new
model was trained on them. Every random step takes ``seed``; estimators whose ``random_state`` is None get it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pitfall.deploy.model_files import dump_model, load_stored_model, version_for
from pitfall.errors import ConfigError, InputError, ModelError
from pitfall.findings import Severity, jsonable
from pitfall.metrics import bootstrap, get_metric
from pitfall.stats import N_RESAMPLES, Interval, Resamples, percentile_interval

if TYPE_CHECKING:
    from pitfall.deploy.store import ReviewedItem, Store

__all__ = ["DEFAULT_CHECKS", "DEFAULT_MARGIN", "RetrainResult", "retrain"]

DEFAULT_MARGIN = 0.01
DEFAULT_CHECKS: tuple[str, ...] = ("PF3", "PF4")
MIN_HOLDOUT = 20  # fewer labelled holdout rows cannot bound a score difference to a useful width


@dataclass
class RetrainResult:
    """What ``retrain`` measured and decided; ``model`` and ``data`` are the new model and its joblib bytes."""

    parent: str
    version: str
    promoted: bool
    reasons: list[str]
    metric: str
    margin: float
    seed: int
    old: Interval
    new: Interval
    difference: Interval
    n_train: int
    n_reviewed: int
    n_corrected: int
    n_holdout: int
    n_holdout_dropped: int
    checks: tuple[str, ...]
    old_errors: list[dict[str, Any]]
    new_errors: list[dict[str, Any]]
    added_errors: list[str]
    seeds: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    stored: bool = False
    model: Any = field(default=None, repr=False)
    data: bytes = field(default=b"", repr=False)

    def exit_code(self) -> int:
        """0 when the new model was promoted, 1 when it was stored unpromoted."""
        return 0 if self.promoted else 1

    def to_dict(self) -> dict[str, Any]:
        return jsonable(
            {
                "parent": self.parent,
                "version": self.version,
                "promoted": self.promoted,
                "reasons": self.reasons,
                "metric": self.metric,
                "margin": self.margin,
                "seed": self.seed,
                "n_resamples": N_RESAMPLES,
                "scores": {
                    "parent": self.old.to_dict(),
                    "new": self.new.to_dict(),
                    "difference": self.difference.to_dict(),
                },
                "rows": {
                    "train": self.n_train,
                    "reviewed": self.n_reviewed,
                    "corrected": self.n_corrected,
                    "holdout": self.n_holdout,
                    "holdout_dropped_as_reviewed": self.n_holdout_dropped,
                },
                "checks": list(self.checks),
                "parent_errors": self.old_errors,
                "new_errors": self.new_errors,
                "added_errors": self.added_errors,
                "seeds": self.seeds,
                "notes": self.notes,
                "stored": self.stored,
            }
        )

    def to_json(self) -> str:
        import json

        return json.dumps(self.to_dict(), indent=2, allow_nan=False) + "\n"

    def to_text(self) -> str:
        from pitfall.reporting.retrain import render_text

        return render_text(self)

    def to_html(self) -> str:
        from pitfall.reporting.retrain import render_html

        return render_html(self)


def retrain(
    store: Store,
    train: pd.DataFrame | str | Path,
    holdout: pd.DataFrame | str | Path,
    *,
    target: str,
    trust_model: bool = False,
    margin: float = DEFAULT_MARGIN,
    metric: str = "auto",
    seed: int = 0,
    checks: Sequence[str] = DEFAULT_CHECKS,
    config: Any = None,
    save: bool = True,
) -> RetrainResult:
    """Refit the store's promoted model on ``train`` plus the reviewed items; promote it if it is not worse.

    Args:
        store: The review service's store; its promoted version (with stored bytes) is the parent.
        train: The data the parent was trained on (DataFrame or file), with the label in ``target``.
        holdout: Labelled data neither model is trained on; the comparison is made on it.
        target: Label column of ``train`` and ``holdout``.
        trust_model: Consent to unpickle the parent's stored bytes.
        margin: Non-inferiority margin: promote only if the 95% lower bound of new − parent is ≥ −margin.
        metric: Metric name, or ``auto`` (balanced accuracy).
        seed: Seed of the bootstrap, the scans, and every unseeded ``random_state`` of the new model.
        checks: Check codes or prefixes run by ``pitfall.scan`` on both models.
        config: Passed to ``pitfall.scan`` (None: the nearest pyproject.toml, False: none).
        save: Store the new version (promoted or not) with its lineage and evidence.

    Returns:
        A ``RetrainResult``; ``exit_code()`` is 0 when promoted, 1 when not.
    """
    if isinstance(margin, bool) or not isinstance(margin, int | float) or not 0 <= margin < 1:
        raise ConfigError(f"--margin must be a number in [0, 1). Got {margin!r} instead.")
    parent_info = store.promoted_model()
    if parent_info is None:
        raise ConfigError("the store has no promoted model to retrain. Serve one first with `pitfall serve MODEL`.")
    parent = load_stored_model(store, parent_info.version, trust=trust_model)
    if getattr(parent, "classes_", None) is None:
        raise ModelError(f"model version {parent_info.version!r} has no classes_: retrain compares classifiers.")
    notes: list[str] = []
    train_df = _labelled(_frame(train, "training"), target, "training", notes)
    holdout_df = _labelled(_frame(holdout, "holdout"), target, "holdout", notes)
    _check_labels(parent, target, {"training": train_df, "holdout": holdout_df}, parent_info.version)
    features = [c for c in train_df.columns if c != target]
    _check_features(parent, features, holdout_df, parent_info.version)
    extra = [str(c) for c in holdout_df.columns if c not in train_df.columns]
    if extra:
        notes.append(f"holdout column(s) {', '.join(extra[:5])} are not in the training data and were not used.")
        holdout_df = holdout_df[[*features, target]]

    reviewed = store.reviewed_items()
    if not reviewed:
        raise ConfigError("the store has no reviewed items: there is nothing to retrain on. Review some first.")
    X_rev, y_rev = _reviewed_frame(reviewed, features, target, train_df, parent, notes)

    holdout_df, n_dropped = _without_reviewed(holdout_df, X_rev, train_df, features, notes)

    new_model, seeds = _refit(parent, train_df[features], train_df[target], X_rev, y_rev, seed)
    new_train = pd.concat([train_df, X_rev.assign(**{target: y_rev.to_numpy()})], ignore_index=True)
    m, old_iv, new_iv, difference = _compare(parent, new_model, holdout_df, features, target, metric, seed)
    diff = difference.estimate

    old_report = _scan(parent, train_df, holdout_df, target, checks, seed, config, notes, "parent")
    new_report = _scan(new_model, new_train, holdout_df, target, checks, seed, config, notes, "new")
    old_codes = {f.code for f in old_report}
    added = sorted({f.code for f in new_report} - old_codes)

    reasons = []
    if not math.isfinite(difference.low):
        reasons.append(f"the {m.name} difference has no confidence interval on this holdout (a class is missing?)")
    elif difference.low < -margin:
        reasons.append(
            f"the new model may be worse: {m.name} new − parent = {diff:+.3f} (95% CI {difference.low:+.3f} to "
            f"{difference.high:+.3f}), whose lower bound is below −{margin:g} (--margin)"
        )
    if added:
        reasons.append(f"the new model has error-level finding(s) the parent does not: {', '.join(added)}")

    data = dump_model(new_model)
    version = version_for(parent_info.version, data)
    if store.get_model(version) is not None:
        raise ConfigError(
            f"the retrained model is identical to stored version {version!r} (no new reviews since it was made?); "
            "nothing to store."
        )
    result = RetrainResult(
        parent=parent_info.version,
        version=version,
        promoted=not reasons,
        reasons=reasons,
        metric=m.name,
        margin=float(margin),
        seed=int(seed),
        old=old_iv,
        new=new_iv,
        difference=difference,
        n_train=len(train_df),
        n_reviewed=len(X_rev),
        n_corrected=sum(r.action == "correct" for r in reviewed),
        n_holdout=len(holdout_df),
        n_holdout_dropped=n_dropped,
        checks=tuple(checks),
        old_errors=[f.to_dict() for f in old_report],
        new_errors=[f.to_dict() for f in new_report],
        added_errors=added,
        seeds=seeds,
        notes=notes,
        model=new_model,
        data=data,
    )
    if save:
        store.save_model_file(
            version,
            data,
            classes=[str(c) for c in new_model.classes_],
            parent=parent_info.version,
            n_train_rows=len(train_df),
            reviewed_items=[r.item_id for r in reviewed],
            scores=result.to_dict(),
            promoted=result.promoted,
        )
        result.stored = True
    return result


def _frame(data: pd.DataFrame | str | Path, name: str) -> pd.DataFrame:
    if isinstance(data, str | Path):
        from pitfall.data.load import read_table

        return read_table(data)
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"the {name} data must be a DataFrame or a file path. Got a {type(data).__name__}.")
    return data


def _labelled(frame: pd.DataFrame, target: str, name: str, notes: list[str]) -> pd.DataFrame:
    if target not in frame.columns:
        shown = ", ".join(str(c) for c in list(frame.columns)[:8])
        raise InputError(f"no column {target!r} in the {name} data (columns: {shown}). Check --target.")
    missing = frame[target].isna()
    if missing.any():
        notes.append(f"{int(missing.sum())} {name} rows without a label were left out.")
        frame = frame.loc[~missing]
    return frame.reset_index(drop=True)


def _check_labels(parent: Any, target: str, frames: dict[str, pd.DataFrame], version: str) -> None:
    known = {str(c) for c in parent.classes_}
    for name, frame in frames.items():
        unknown = sorted({str(v) for v in pd.unique(frame[target])} - known)
        if unknown:
            shown = ", ".join(repr(u) for u in unknown[:5])
            classes = ", ".join(repr(c) for c in sorted(known)[:10])
            raise InputError(
                f"the {name} target {target!r} has label(s) {shown} that model version {version!r} does not know "
                f"(its classes: {classes}). Give the data the served model was trained and scored on."
            )


def _check_features(parent: Any, features: list[str], holdout: pd.DataFrame, version: str) -> None:
    names = getattr(parent, "feature_names_in_", None)
    if names is not None and set(map(str, names)) != set(features):
        extra = sorted(set(features) - set(map(str, names)))
        lacking = sorted(set(map(str, names)) - set(features))
        detail = "; ".join(
            part
            for part in (
                f"not in the model: {', '.join(extra[:5])}" if extra else "",
                f"missing from the data: {', '.join(lacking[:5])}" if lacking else "",
            )
            if part
        )
        raise InputError(
            f"the training data's feature columns differ from those of model version {version!r} ({detail}). "
            "Give the training data the model was fitted on."
        )
    missing = [c for c in features if c not in holdout.columns]
    if missing:
        raise InputError(
            f"the holdout data lacks feature column(s) {', '.join(missing[:5])} of the training data. "
            "Give a holdout with the training data's columns."
        )


def _reviewed_frame(
    reviewed: list[ReviewedItem],
    features: list[str],
    target: str,
    train: pd.DataFrame,
    parent: Any,
    notes: list[str],
) -> tuple[pd.DataFrame, pd.Series]:
    """The reviewed items as training rows: record fields cast to the training columns' types, final labels
    mapped to the training target's values."""
    lacking = {c: sum(c not in r.record for r in reviewed) for c in features}
    lacking = {c: n for c, n in lacking.items() if n}
    if lacking:
        col, n = next(iter(lacking.items()))
        raise InputError(
            f"{n} of {len(reviewed)} reviewed items lack the training data's feature column {col!r}"
            f"{f' (and {len(lacking) - 1} more)' if len(lacking) > 1 else ''}: the records the service stored do "
            "not match the training data. Give the training data of the served model."
        )
    extra = sorted({k for r in reviewed for k in r.record} - set(features))
    if extra:
        notes.append(
            f"record field(s) {', '.join(extra[:5])} of the reviewed items are not training columns and were not used."
        )
    X = pd.DataFrame.from_records([{c: r.record[c] for c in features} for r in reviewed], columns=features)
    for c in features:
        X[c] = _cast_like(X[c], train[c], c)
    lookup: dict[str, Any] = {}
    for value in [*pd.unique(train[target]), *parent.classes_]:
        lookup.setdefault(str(value), value)
    unknown = sorted({r.label for r in reviewed if r.label not in lookup})
    if unknown:
        raise InputError(
            f"reviewed label(s) {', '.join(map(repr, unknown[:5]))} are not values of the training target "
            f"{target!r}. Give the training data of the served model."
        )
    y = pd.Series([lookup[r.label] for r in reviewed], name=target)
    return X, y


def _cast_like(values: pd.Series, like: pd.Series, column: str) -> pd.Series:
    if pd.api.types.is_bool_dtype(like):
        return values
    if pd.api.types.is_numeric_dtype(like):
        cast = pd.to_numeric(values, errors="coerce")
        bad = values.loc[cast.isna() & values.notna()]
        if len(bad):
            raise InputError(
                f"reviewed items hold non-numeric values in numeric column {column!r} (e.g. {bad.iloc[0]!r}). "
                "Check that the service receives the training data's columns."
            )
        return cast.astype(float) if pd.api.types.is_float_dtype(like) or cast.isna().any() else cast
    return values.map(lambda v: v if v is None or (isinstance(v, float) and math.isnan(v)) else str(v))


def _row_keys(frame: pd.DataFrame, like: pd.DataFrame, features: list[str]) -> list[tuple]:
    """Content keys of rows: numbers to 12 significant digits (3 and 3.0 are one value), the rest as text."""
    columns = []
    for c in features:
        values = frame[c]
        if pd.api.types.is_numeric_dtype(like[c]) and not pd.api.types.is_bool_dtype(like[c]):
            numbers = pd.to_numeric(values, errors="coerce")
            columns.append([None if pd.isna(v) else f"{float(v):.12g}" for v in numbers])
        else:
            columns.append([None if pd.isna(v) else str(v) for v in values])
    return list(zip(*columns, strict=True)) if columns else [()] * len(frame)


def _without_reviewed(
    holdout: pd.DataFrame, X_rev: pd.DataFrame, train: pd.DataFrame, features: list[str], notes: list[str]
) -> tuple[pd.DataFrame, int]:
    """The holdout without rows whose features equal a reviewed item's: the new model was trained on those."""
    keys_rev = set(_row_keys(X_rev, train, features))
    overlap = np.array([k in keys_rev for k in _row_keys(holdout, train, features)], dtype=bool)
    if overlap.any():
        notes.append(
            f"{int(overlap.sum())} holdout rows have the feature values of a reviewed item and were left "
            "out of the comparison (the new model was trained on them)."
        )
        holdout = holdout.loc[~overlap].reset_index(drop=True)
    if len(holdout) < MIN_HOLDOUT:
        raise InputError(
            f"the holdout has {len(holdout)} labelled rows left (need at least {MIN_HOLDOUT}) after leaving out "
            "rows that are reviewed items. Give a larger holdout of rows that were never reviewed."
        )
    keys_train = set(_row_keys(train, train, features))
    in_train = sum(k in keys_train for k in _row_keys(holdout, train, features))
    if in_train:
        notes.append(
            f"{in_train} holdout rows also appear in the training data: both models were trained on "
            "them, so both scores are optimistic."
        )
    return holdout, int(overlap.sum())


def _compare(
    parent: Any, new: Any, holdout: pd.DataFrame, features: list[str], target: str, metric: str, seed: int
) -> tuple[Any, Interval, Interval, Interval]:
    """Both models' scores and new − parent, all from the same bootstrap resamples of the holdout rows."""
    y_hold = holdout[target]
    classes = sorted({str(c) for c in (*parent.classes_, *new.classes_, *y_hold.tolist())})
    m = get_metric(metric, "binary" if len(classes) == 2 else "multiclass")
    y = _index(y_hold.tolist(), classes)
    preds = [_predict(model, holdout[features], classes, m.needs_proba) for model in (parent, new)]
    samples = bootstrap(m, y, preds, Resamples(len(y), seed=seed))
    scores = [m(y, p, proba) for p, proba in preds]
    sign = 1.0 if m.greater_is_better else -1.0
    difference = percentile_interval(sign * (scores[1] - scores[0]), sign * (samples[1] - samples[0]))
    return m, percentile_interval(scores[0], samples[0]), percentile_interval(scores[1], samples[1]), difference


def _refit(
    parent: Any, X: pd.DataFrame, y: pd.Series, X_rev: pd.DataFrame, y_rev: pd.Series, seed: int
) -> tuple[Any, dict[str, Any]]:
    from sklearn.base import clone

    try:
        model = clone(parent)
    except Exception as exc:
        raise ModelError(
            f"the parent model ({type(parent).__name__}) cannot be cloned ({type(exc).__name__}): retrain needs a "
            "scikit-learn-style estimator whose get_params() rebuild it."
        ) from None
    params = model.get_params(deep=True) if hasattr(model, "get_params") else {}
    seeded = {k: seed for k, v in params.items() if (k == "random_state" or k.endswith("__random_state")) and v is None}
    if seeded:
        model.set_params(**seeded)
    used = {
        k: v
        for k, v in model.get_params(deep=True).items()
        if (k == "random_state" or k.endswith("__random_state")) and isinstance(v, int | None)
    }
    X_all = pd.concat([X, X_rev], ignore_index=True)
    y_all = pd.concat([y.reset_index(drop=True), y_rev], ignore_index=True)
    try:
        model.fit(X_all, y_all)
    except Exception as exc:
        detail = " ".join(str(exc).split())[:150]
        raise ModelError(
            f"refitting the parent model on train + reviewed rows failed: {type(exc).__name__}: "
            f"{detail}. Check that the training data is the one the model was fitted on."
        ) from None
    return model, {"seed": seed, "set_to_seed": sorted(seeded), "random_state": used}


def _index(labels: list[Any], classes: list[str]) -> np.ndarray:
    lookup = {c: i for i, c in enumerate(classes)}
    return np.array([lookup[str(v)] for v in labels], dtype=np.int64)


def _predict(model: Any, X: pd.DataFrame, classes: list[str], proba: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """Predicted class indices in ``classes`` and, for probability metrics, probabilities in the same columns."""
    try:
        pred = _index(list(model.predict(X)), classes)
        if not proba:
            return pred, None
        raw = np.asarray(model.predict_proba(X), dtype=float)
    except Exception as exc:
        detail = " ".join(str(exc).split())[:150]
        raise ModelError(f"a model cannot predict on the holdout: {type(exc).__name__}: {detail}.") from None
    out = np.zeros((len(X), len(classes)))
    out[:, _index(list(model.classes_), classes)] = raw
    return pred, out


def _scan(
    model: Any,
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    target: str,
    checks: Sequence[str],
    seed: int,
    config: Any,
    notes: list[str],
    which: str,
) -> list[Any]:
    """Error-level findings of ``pitfall.scan`` on the holdout, model checks only."""
    from pitfall.runners.scan import scan

    report = scan(train, holdout, target=target, model=model, select=list(checks), seed=seed, config=config)
    for code, why in report.crashed.items():
        notes.append(f"{code} crashed on the {which} model ({why}); its silence proves nothing.")
    return [f for f in report.findings if f.severity == Severity.ERROR]
