"""What the data held, measured for the datasheet: rows, columns, missing values, duplicates, classes.

Computed once, when a run is recorded, from the rows the scan actually used (after reading and
splitting), so the datasheet describes the data behind the numbers and not a file read again later.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from pitfall.records.hashing import rows_digest

__all__ = ["composition"]

_MAX_CLASSES = 50


def _kind(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_numeric_dtype(series):
        return "numeric"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "datetime"
    return "categorical/text"


def _columns(frame: pd.DataFrame, roles: dict[str, Any]) -> list[dict[str, Any]]:
    role_of = {}
    for role in ("target", "group", "time", "id"):
        if roles.get(role):
            role_of[roles[role]] = role
    for role in ("study", "sensitive", "text", "image"):
        for column in roles.get(role) or ():
            role_of.setdefault(column, role)
    missing = frame.isna().mean()
    return [
        {
            "name": str(column),
            "dtype": str(frame[column].dtype),
            "kind": _kind(frame[column]),
            "role": role_of.get(column, "feature"),
            "missing_share": float(missing[column]),
            "distinct": int(frame[column].nunique(dropna=True)),
        }
        for column in frame.columns
    ]


def _classes(target: pd.Series, task: str) -> dict[str, Any] | None:
    if task == "regression":
        values = pd.to_numeric(target, errors="coerce")
        return {
            "mean": float(values.mean()),
            "std": float(values.std()),
            "min": float(values.min()),
            "max": float(values.max()),
        }
    counts = target.astype(str).value_counts()
    shown = counts.head(_MAX_CLASSES)
    return {
        "counts": {str(k): int(v) for k, v in shown.items()},
        "n_classes": int(len(counts)),
        "shares": {str(k): float(v / counts.sum()) for k, v in shown.items()},
    }


def _part(frame: pd.DataFrame, roles: dict[str, Any], task: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rows": int(len(frame)),
        "rows_sha256": rows_digest(frame),
        "duplicate_rows": int(frame.duplicated().sum()),
        "missing_cells_share": float(frame.isna().to_numpy().mean()) if frame.size else 0.0,
    }
    target = roles.get("target")
    if target in frame:
        out["target"] = _classes(frame[target], task)
    group = roles.get("group")
    if group and group in frame:
        out["groups"] = int(frame[group].nunique(dropna=True))
    time = roles.get("time")
    if time and time in frame:
        stamps = pd.to_datetime(frame[time], errors="coerce", utc=True)
        if stamps.notna().any():
            out["time_span"] = [stamps.min().isoformat(), stamps.max().isoformat()]
    return out


def composition(split: Any) -> dict[str, Any]:
    """Composition of a :class:`pitfall.data.dataset.Split`: per part and across both."""
    roles = {
        "target": split.roles.target,
        "group": split.roles.group,
        "time": split.roles.time,
        "id": split.roles.id,
        "study": list(split.roles.study),
        "sensitive": list(split.roles.sensitive),
        "text": list(split.roles.text),
        "image": list(getattr(split.roles, "image", ()) or ()),
    }
    both = pd.concat([split.train, split.test], ignore_index=True)
    cross = None
    common = [c for c in split.train.columns if c in split.test.columns and c != roles["id"]]
    if common:
        test_rows = pd.util.hash_pandas_object(split.test[common], index=False).to_numpy()
        train_rows = pd.util.hash_pandas_object(split.train[common], index=False).to_numpy()
        cross = int(np.isin(test_rows, train_rows).sum())
    return {
        "task": split.task,
        "roles": roles,
        "features": list(split.features),
        "split_method": split.split_method,
        "columns": _columns(both, roles),
        "splits": {"train": _part(split.train, roles, split.task), "test": _part(split.test, roles, split.task)},
        "test_rows_in_train": cross,
    }
