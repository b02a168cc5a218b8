"""How close a column is to a function of the label: conditional entropies on discretised values.

A column computed from the label (a copy with a few typos, a band of a regression target, a
status set after the outcome) takes, within each label value, (nearly) one value: the label
fixes the column. An honest feature, however predictive, still varies within a class. The
share of a column's entropy left once the label is known, ``H(column | label) / H(column)``,
separates the two: near 0 for a function of the label, large for a measurement.

Columns with at most ``DISCRETE`` distinct values are taken as they are; others are cut into
``BINS`` quantile bins (so a continuous measurement, which spreads within a class, is not
mistaken for a function of the label); a regression target is cut the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pitfall.stats import Interval, percentile_interval

__all__ = ["LabelFunction", "discretise", "label_function"]

DISCRETE = 32  # at most this many distinct values: taken as categories
BINS = 16  # quantile bins of anything else
N_BOOT = 200


def discretise(x: np.ndarray) -> np.ndarray:
    """Codes 0..m-1 of a column: its values when few, else quantile bins; missing is a code."""
    x = np.asarray(x, dtype=float)
    finite = np.isfinite(x)
    codes = np.zeros(len(x), dtype=np.int64)
    values = x[finite]
    if values.size:
        uniq = np.unique(values)
        if uniq.size <= DISCRETE:
            codes[finite] = np.searchsorted(uniq, values)
        else:
            edges = np.unique(np.quantile(values, np.linspace(0, 1, BINS + 1)[1:-1]))
            codes[finite] = np.searchsorted(edges, values, side="right")
    codes[~finite] = codes[finite].max(initial=-1) + 1
    return codes


def _entropies(c: np.ndarray, y: np.ndarray, m_c: int, m_y: int, weights) -> tuple:
    """H(C), H(Y), H(C|Y), H(Y|C) in nats for row weights (one vector of ``weights`` per resample)."""
    joint = np.stack([np.bincount(c * m_y + y, weights=w, minlength=m_c * m_y) for w in weights])
    joint = joint.reshape(len(joint), m_c, m_y)
    joint = joint / joint.sum(axis=(1, 2), keepdims=True)

    def h(p: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return -np.where(p > 0, p * np.log(p), 0.0).sum(axis=axes)

    h_joint = h(joint, (1, 2))
    h_c, h_y = h(joint.sum(axis=2), (1,)), h(joint.sum(axis=1), (1,))
    return h_c, h_y, h_joint - h_y, h_joint - h_c


@dataclass(frozen=True)
class LabelFunction:
    """``column_given_label``: H(column | label) / H(column), 0 when the label fixes the column;
    ``label_given_column``: H(label | column) / H(label), 0 when the column fixes the label.
    Both with bootstrap 95% intervals over the rows."""

    column_given_label: Interval
    label_given_column: Interval

    def to_dict(self) -> dict:
        return {
            "column_given_label": self.column_given_label.to_dict(),
            "label_given_column": self.label_given_column.to_dict(),
        }


def label_function(x: np.ndarray, y: np.ndarray, *, regression: bool, seed: int) -> LabelFunction:
    """How far the label fixes the column and the column the label, on the rows given."""
    c = discretise(x)
    yc = discretise(y) if regression else np.asarray(y, dtype=np.int64)
    m_c, m_y = int(c.max()) + 1, int(yc.max()) + 1
    n = len(c)
    rng = np.random.default_rng([seed, 205])
    weights = (
        np.ones(n) if i == 0 else np.bincount(rng.integers(0, n, n), minlength=n).astype(float)
        for i in range(N_BOOT + 1)
    )
    h_c, h_y, c_y, y_c = _entropies(c, yc, m_c, m_y, weights)
    with np.errstate(divide="ignore", invalid="ignore"):
        cgl = np.where(h_c > 0, c_y / h_c, 1.0)
        lgc = np.where(h_y > 0, y_c / h_y, 1.0)
    return LabelFunction(percentile_interval(float(cgl[0]), cgl[1:]), percentile_interval(float(lgc[0]), lgc[1:]))
