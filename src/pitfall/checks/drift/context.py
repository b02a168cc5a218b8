"""``DriftContext``: what every drift check of one ``pitfall drift`` run reads.

The runner reads the reference and the current data once (in chunks) and leaves here only
summaries and two seeded row samples; checks never see the whole data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from pitfall.checks.drift.compare import Comparison, bh_adjust, compare, compare_missing

__all__ = ["DriftContext", "Segment", "PREDICTION", "WINDOW"]

PREDICTION = "__prediction__"  # summaries of the model's predictions are kept under this name
WINDOW = "__window__"  # the window key of each row of the current sample


@dataclass
class Segment:
    """The current data as a whole (``key == "all"``) or one time window of it.

    Attributes:
        key: ``all`` or the window's start as text.
        start, end: The window's bounds (``end`` excluded), as text; None for ``all``.
        n: Rows.
        columns: Summary of each column (features, target, predictions).
    """

    key: str
    start: str | None
    end: str | None
    n: int
    columns: dict[str, Any]

    @property
    def label(self) -> str:
        return "all current rows" if self.key == "all" else f"window {self.start}"


@dataclass
class DriftContext:
    """Everything the drift checks share.

    Attributes:
        reference: Summary of each column of the reference data.
        segments: ``all`` first, then each time window (when ``--window`` was given).
        features: Columns compared as features (not the target, time or id).
        kinds: ``numeric`` or ``categorical`` per column.
        ref_sample, cur_sample: Seeded samples of at most ``sample_rows`` rows; the current
            sample carries each row's window key in the ``__window__`` column.
        exact: Both samples hold every row, so tests can use the values themselves.
        target: Label column, when given; ``task`` its type (from the reference).
        model: The user's fitted model, or None.
        seed: Seed of every random step.
        params: Per-check options from the configuration.
    """

    reference: dict[str, Any]
    segments: list[Segment]
    features: list[str]
    kinds: dict[str, str]
    ref_sample: pd.DataFrame
    cur_sample: pd.DataFrame
    exact: bool
    n_reference: int
    n_current: int
    target: str | None = None
    target_in_current: bool = False
    task: str | None = None
    classes: list[Any] = field(default_factory=list)
    model: Any = None
    time: str | None = None
    window: str | None = None
    seed: int = 0
    metric: str | None = None
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    skipped_windows: list[dict[str, Any]] = field(default_factory=list)
    _cache: dict[str, Any] = field(default_factory=dict)

    @property
    def windows(self) -> list[Segment]:
        return [s for s in self.segments if s.key != "all"]

    def cached(self, key: str, fn: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    def values(self, column: str, segment: Segment | None) -> np.ndarray:
        """Non-missing values of a numeric column in the reference (segment None) or a segment
        of the current sample: every row of it when ``exact``."""
        frame = self.ref_sample if segment is None else self.cur_sample
        if segment is not None and segment.key != "all":
            frame = frame[frame[WINDOW] == segment.key]
        x = np.asarray(frame[column], dtype=float)
        return x[np.isfinite(x)]

    def comparisons(self, column: str, *, missing: bool = True) -> list[tuple[Segment, str, Comparison]]:
        """Reference vs each segment for ``column``: the distribution test and, where either side
        has missing values, the missing-share test. Unadjusted p-values."""
        ref = self.reference[column]
        exact = self.exact and self.kinds.get(column) == "numeric" and column in self.ref_sample
        out = []
        for seg in self.segments:
            cur = seg.columns.get(column)
            if cur is None:
                continue
            rv, cv = (self.values(column, None), self.values(column, seg)) if exact else (None, None)
            dist = compare(ref, cur, rv, cv)
            if dist is not None:
                out.append((seg, "distribution", dist))
            if missing:
                miss = compare_missing(ref, cur)
                if miss is not None:
                    out.append((seg, "missing", miss))
        return out

    def adjust(self, items: list[tuple[Any, ...]]) -> None:
        """Benjamini–Hochberg across every comparison in ``items`` (the last element of each)."""
        adjusted = bh_adjust([c[-1].p for c in items])
        for item, p in zip(items, adjusted, strict=True):
            item[-1].p_adjusted = float(p)

    def drift_metrics(self) -> dict[str, Any]:
        """``metrics["drift"]``: per-column plots and statistics, and one entry per window."""
        if "drift" not in self.metrics:
            self.metrics["drift"] = {
                "features": {},
                "windows": [
                    {"start": s.start, "end": s.end, "n": s.n, "features": {}, "estimated": None, "realised": None}
                    for s in self.windows
                ],
                "skipped_windows": list(self.skipped_windows),
            }
        return self.metrics["drift"]

    def window_entry(self, segment: Segment) -> dict[str, Any] | None:
        for entry, seg in zip(self.drift_metrics()["windows"], self.windows, strict=True):
            if seg.key == segment.key:
                return entry
        return None
