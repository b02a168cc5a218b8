"""Turn feature columns into numbers once, fitted on train: shared by every model-based check.

Numbers stay numbers, dates become seconds, text-like columns become category codes for
their most frequent levels (the rest share one "other" code), missing stays NaN. Columns declared
as free text or image paths (``modality``) hold content, not values: they encode as missing here,
so value-based checks pass over them, and the content checks and the default model read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["FeatureEncoder", "column_kind", "number_dtype", "MAX_LEVELS"]

MAX_LEVELS = 250  # histogram gradient boosting takes at most 255 bins per categorical


def column_kind(values: pd.Series) -> str:
    """``numeric``, ``datetime``, ``bool`` or ``categorical`` (``text``/``image`` come from roles)."""
    if pd.api.types.is_bool_dtype(values):
        return "bool"
    if pd.api.types.is_datetime64_any_dtype(values):
        return "datetime"
    if pd.api.types.is_numeric_dtype(values):
        return "numeric"
    return "categorical"


def as_float(values: pd.Series) -> np.ndarray:
    """Numeric view of a column; infinities become NaN."""
    kind = column_kind(values)
    if kind == "datetime":
        arr = values.astype("int64", errors="ignore") if values.notna().all() else None
        if arr is None or arr.dtype != np.int64:
            ns = values.to_numpy(dtype="datetime64[ns]").astype("int64").astype(float, copy=True)
            ns[values.isna().to_numpy()] = np.nan
            return ns / 1e9
        return arr.to_numpy(dtype=float) / 1e9
    out = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan, copy=True)
    out[~np.isfinite(out)] = np.nan
    return out


SCREEN_VALUES = 2000  # evenly spaced values parsed before a whole text column is


def _mostly_numbers(values: pd.Series) -> bool:
    """Whether at least 95% of the non-missing values parse as numbers (numbers stored as text).

    Parsing a long text column is slow, so evenly spaced values are parsed first: when fewer than
    half of them parse, the whole column cannot reach 95% but by a chance below 1e-100 (binomial
    tail for 2,000 values), and it is not parsed.
    """
    present = values.dropna()
    if len(present) > 2 * SCREEN_VALUES:
        screen = present.iloc[:: len(present) // SCREEN_VALUES]
        if pd.to_numeric(screen, errors="coerce").notna().mean() < 0.5:
            return False
    return bool(pd.to_numeric(present, errors="coerce").notna().sum() >= 0.95 * len(present))


@dataclass
class FeatureEncoder:
    """Encode features for scikit-learn; fitted on train only.

    Attributes:
        features: Column names, in order.
        kinds: Kind of each column.
        levels: For categorical columns, the kept levels (most frequent first).
        modality: ``{column: "text" | "image"}`` for content columns (encoded as missing).
    """

    features: list[str]
    kinds: dict[str, str] = field(default_factory=dict)
    levels: dict[str, pd.Index] = field(default_factory=dict)
    modality: dict[str, str] = field(default_factory=dict)

    def fit(self, frame: pd.DataFrame) -> FeatureEncoder:
        for col in self.features:
            if col in self.modality:
                self.kinds[col] = self.modality[col]
                continue
            values = frame[col]
            kind = column_kind(values)
            if kind == "categorical":
                non_missing = values.notna().sum()
                if non_missing and _mostly_numbers(values):
                    kind = "numeric"  # numbers stored as text; PF105 reports the stragglers
                else:
                    counts = values.astype("string").value_counts(dropna=True)
                    self.levels[col] = pd.Index(counts.index[:MAX_LEVELS])
            self.kinds[col] = kind
        return self

    @property
    def categorical_mask(self) -> np.ndarray:
        return np.array([self.kinds[c] == "categorical" for c in self.features], dtype=bool)

    def transform_column(self, values: pd.Series) -> np.ndarray:
        col = str(values.name)
        if col in self.modality:
            return np.full(len(values), np.nan)
        if self.kinds[col] == "categorical":
            levels = self.levels[col]
            codes = levels.get_indexer(values.astype("string")).astype(float)
            other = float(len(levels))
            codes[codes < 0] = other
            codes[values.isna().to_numpy()] = np.nan
            return codes
        return as_float(values)

    def transform(self, frame: pd.DataFrame, dtype=np.float32) -> np.ndarray:
        """The encoded features. Columns fitted as numeric and stored as numbers here too are
        converted together in one block (the same values as ``transform_column``): one call
        instead of one per column, which on a table of thousands of columns is most of the cost."""
        out = np.empty((len(frame), len(self.features)), dtype=dtype)
        dtypes = frame.dtypes
        number = {dt: number_dtype(dt) for dt in set(dtypes)}  # a table has few distinct dtypes
        block = [
            j
            for j, col in enumerate(self.features)
            if self.kinds.get(col) == "numeric" and col not in self.modality and number[dtypes[col]]
        ]
        if len(block) > 1:
            values = frame[[self.features[j] for j in block]].to_numpy(dtype=float, na_value=np.nan, copy=True)
            values[~np.isfinite(values)] = np.nan
            out[:, block] = values
        else:
            block = []
        done = set(block)
        for j, col in enumerate(self.features):
            if j not in done:
                out[:, j] = self.transform_column(frame[col])
        return out


def number_dtype(dtype) -> bool:
    """Stored as numbers (not text, bool or dates): converts to float as ``as_float`` would."""
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
