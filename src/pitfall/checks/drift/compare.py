"""Two-sample comparisons of column summaries: a test, its p-value and an effect size.

A p-value says whether a difference is there; on a million rows even a harmless one is. An
effect size says whether it is large enough to matter. Drift checks flag a difference only
when both agree (see ``pitfall explain PF501``). All functions here are pure: they read
summaries (and, on small data, the values themselves) and return numbers.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats as st
from scipy.spatial.distance import jensenshannon

from pitfall.data.summaries import CategoricalSummary, NumericSummary

__all__ = ["Comparison", "bh_adjust", "compare", "compare_missing", "describe", "robust_scale"]

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
PSI_PSEUDO = 0.5  # pseudo-count per cell, so a category absent on one side has a finite PSI
MIN_EXPECTED = 5  # chi-squared cells expected below this are pooled


@dataclass
class Comparison:
    """Reference vs current for one column (or its missing share).

    Attributes:
        test: ``ks``, ``ks-binned``, ``chi2`` or ``missing``.
        statistic: KS D, chi-squared statistic or the difference of missing shares.
        p: Unadjusted p-value (``p_adjusted`` is set by the Benjamini–Hochberg step).
        effect: The effect size the thresholds read: Wasserstein distance in reference scales
            (numeric), PSI (categorical) or Cohen's h (missing share).
        effect_name: ``wasserstein_sd``, ``psi`` or ``cohens_h``.
        extra: Further effect sizes (JS distance, decile PSI, mean shift).
    """

    test: str
    statistic: float
    p: float
    effect: float
    effect_name: str
    extra: dict[str, float] = field(default_factory=dict)
    p_adjusted: float = float("nan")


def robust_scale(ref: NumericSummary) -> float:
    """The reference's spread: its sd, or IQR/1.349 when smaller (outliers inflate the sd);
    1 for a constant reference, so any change of a constant counts in its own units."""
    sd = ref.sd
    q25, q75 = ref.quantiles((0.25, 0.75))
    iqr = (q75 - q25) / 1.349
    candidates = [s for s in (sd, iqr) if math.isfinite(s) and s > 0]
    return min(candidates) if candidates else 1.0


def _cdfs(ref: NumericSummary, cur: NumericSummary) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CDFs of both at the bin boundaries, and the bin widths (outer bins end at the extremes)."""
    lo, hi = min(ref.lo, cur.lo), max(ref.hi, cur.hi)
    bounds = np.concatenate([[lo], np.clip(ref.edges, lo, hi), [hi]])
    f_ref = np.cumsum(ref.counts) / max(ref.n, 1)
    f_cur = np.cumsum(cur.counts) / max(cur.n, 1)
    return f_ref, f_cur, np.diff(bounds)


def psi(p: np.ndarray, q: np.ndarray) -> float:
    """Population stability index of two count vectors, smoothed by a pseudo-count per cell."""
    p = (np.asarray(p, float) + PSI_PSEUDO) / (np.sum(p) + PSI_PSEUDO * len(p))
    q = (np.asarray(q, float) + PSI_PSEUDO) / (np.sum(q) + PSI_PSEUDO * len(q))
    return float(np.sum((q - p) * np.log(q / p)))


def _decile_counts(ref: NumericSummary, cur: NumericSummary) -> tuple[np.ndarray, np.ndarray]:
    """Merge the fine bins into about ten groups of equal reference share (for PSI)."""
    share = np.cumsum(ref.counts) / max(ref.n, 1)
    group = np.minimum((share * 10 - 1e-9).astype(int).clip(0), 9)
    group = np.maximum.accumulate(group)
    k = int(group.max()) + 1
    return np.bincount(group, ref.counts, k), np.bincount(group, cur.counts, k)


def _wasserstein(a: np.ndarray, b: np.ndarray) -> float:
    """Exact 1-D Wasserstein distance: the area between the two empirical CDFs."""
    a, b = np.sort(a), np.sort(b)
    grid = np.sort(np.concatenate([a, b]))
    fa = np.searchsorted(a, grid[:-1], side="right") / a.size
    fb = np.searchsorted(b, grid[:-1], side="right") / b.size
    return float(np.sum(np.abs(fa - fb) * np.diff(grid)))


def compare_numeric(
    ref: NumericSummary,
    cur: NumericSummary,
    ref_values: np.ndarray | None = None,
    cur_values: np.ndarray | None = None,
) -> Comparison | None:
    """KS test (exact on the values when given, else on the fixed-edge histograms, which is
    conservative) and the Wasserstein distance in units of the reference's robust scale."""
    if ref.n < 2 or cur.n < 2:
        return None
    scale = robust_scale(ref)
    mean_shift = abs(cur.mean - ref.mean) / scale
    if ref_values is not None and cur_values is not None:
        with warnings.catch_warnings():  # exact p on tied values may fall back to the asymptotic one
            warnings.simplefilter("ignore", RuntimeWarning)
            res = st.ks_2samp(ref_values, cur_values)
        d, p, test = float(res.statistic), float(res.pvalue), "ks"
        w = _wasserstein(ref_values, cur_values) / scale
    else:
        f_ref, f_cur, widths = _cdfs(ref, cur)
        diff = np.abs(f_ref - f_cur)
        d = float(diff.max())
        n_eff = round(ref.n * cur.n / (ref.n + cur.n))
        p, test = float(st.kstwo.sf(d, max(n_eff, 1))), "ks-binned"
        # the CDF gap at each inner edge, spread over the half-bins on either side of it
        gaps = diff[:-1]
        half = (widths[:-1] + widths[1:]) / 2
        w = max(float(np.sum(gaps * half)) / scale, mean_shift)
    r10, c10 = _decile_counts(ref, cur)
    extra = {"mean_shift_sd": float(mean_shift), "psi_deciles": psi(r10, c10), "scale": float(scale)}
    return Comparison(test, d, min(max(p, 0.0), 1.0), float(w), "wasserstein_sd", extra)


def compare_categorical(ref: CategoricalSummary, cur: CategoricalSummary) -> Comparison | None:
    """Chi-squared test on the category counts (rare categories pooled), PSI and the
    Jensen–Shannon distance (base 2, from 0 to 1) of the category shares."""
    if ref.n < 1 or cur.n < 1:
        return None
    cats = sorted(set(ref.counts) | set(cur.counts))
    r = np.array([ref.counts.get(c, 0) for c in cats], dtype=float)
    c = np.array([cur.counts.get(c, 0) for c in cats], dtype=float)
    effect = psi(r, c)
    js = float(jensenshannon(r / r.sum(), c / c.sum(), base=2))
    pr, pc = r / r.sum(), c / c.sum()
    h = np.abs(2 * np.arcsin(np.sqrt(pc)) - 2 * np.arcsin(np.sqrt(pr)))
    extra = {"js": js if math.isfinite(js) else 0.0, "max_cohens_h": float(h.max()), "psi": effect}
    if len(cats) < 2:
        return Comparison("chi2", 0.0, 1.0, effect, "psi", extra)
    total = r + c
    expected_min = np.minimum(total * r.sum(), total * c.sum()) / total.sum()
    rare = expected_min < MIN_EXPECTED
    if rare.any():
        r = np.append(r[~rare], r[rare].sum())
        c = np.append(c[~rare], c[rare].sum())
        keep = (r + c) > 0
        r, c = r[keep], c[keep]
    if len(r) < 2:
        return Comparison("chi2", 0.0, 1.0, effect, "psi", extra)
    stat, p, _, _ = st.chi2_contingency(np.vstack([r, c]), correction=False)
    return Comparison("chi2", float(stat), float(p), effect, "psi", extra)


def compare(ref, cur, ref_values=None, cur_values=None) -> Comparison | None:
    if isinstance(ref, NumericSummary):
        return compare_numeric(ref, cur, ref_values, cur_values)
    return compare_categorical(ref, cur)


def compare_missing(ref, cur) -> Comparison | None:
    """Did the share of missing values change? Fisher's exact test on small counts, else
    chi-squared; the effect is Cohen's h of the two shares. None when neither side has any."""
    if ref.missing == 0 and cur.missing == 0:
        return None
    table = np.array([[ref.missing, ref.n], [cur.missing, cur.n]], dtype=float)
    if table.sum(axis=1).min() == 0:
        return None
    p_ref, p_cur = ref.missing / ref.rows, cur.missing / cur.rows
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    if expected.min() < MIN_EXPECTED:
        p = float(st.fisher_exact(table.astype(int))[1])
    else:
        p = float(st.chi2_contingency(table, correction=True)[1])
    h = abs(2 * math.asin(math.sqrt(p_cur)) - 2 * math.asin(math.sqrt(p_ref)))
    return Comparison("missing", p_cur - p_ref, p, h, "cohens_h", {"reference_share": p_ref, "current_share": p_cur})


def bh_adjust(p: list[float] | np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (controls the false discovery rate)."""
    p = np.asarray(p, dtype=float)
    m = p.size
    if m == 0:
        return p
    order = np.argsort(p)
    ranked = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out


def describe(summary, k: int = 5) -> dict[str, Any]:
    """What a report shows of one side: quantiles and mean, or the top categories' shares."""
    rows = max(summary.rows, 1)
    out: dict[str, Any] = {"n": int(summary.rows), "missing_share": summary.missing / rows}
    if isinstance(summary, NumericSummary):
        out["mean"] = summary.mean if summary.n else None
        out["sd"] = summary.sd if summary.n > 1 else None
        qs = summary.quantiles(QUANTILES)
        out["quantiles"] = {f"q{int(q * 100):02d}": v for q, v in zip(QUANTILES, qs, strict=True)} if summary.n else {}
    else:
        n = max(summary.n, 1)
        out["top"] = [[c, v / n] for c, v in summary.top(k)]
        out["n_categories"] = len(summary.counts)
    return out


def plot_data(ref, cur) -> dict[str, Any]:
    """Histograms for plots and JSON: shared edges (outer ends at the extremes) and counts,
    or the categories (most frequent in either, at most 20) with their counts."""
    if isinstance(ref, NumericSummary):
        lo, hi = min(ref.lo, cur.lo), max(ref.hi, cur.hi)
        if not (math.isfinite(lo) and math.isfinite(hi)):
            return {"reference": {"edges": [], "counts": []}, "current": {"edges": [], "counts": []}}
        edges = [float(lo), *np.clip(ref.edges, lo, hi).tolist(), float(hi)]
        return {
            "reference": {"edges": edges, "counts": ref.counts.tolist()},
            "current": {"edges": edges, "counts": cur.counts.tolist()},
        }
    total = {
        c: ref.counts.get(c, 0) / max(ref.n, 1) + cur.counts.get(c, 0) / max(cur.n, 1)
        for c in set(ref.counts) | set(cur.counts)
    }
    cats = sorted(total, key=lambda c: (-total[c], c))[:20]
    return {
        "reference": {"categories": cats, "counts": [int(ref.counts.get(c, 0)) for c in cats]},
        "current": {"categories": cats, "counts": [int(cur.counts.get(c, 0)) for c in cats]},
    }
