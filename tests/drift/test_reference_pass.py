"""One reference pass on bin edges from the first rows, and a second where those edges do not fit."""

from __future__ import annotations

import numpy as np
import pandas as pd

import pitfall
from pitfall.data.summaries import edges_fit, quantile_edges


def test_edges_of_a_random_part_fit_the_whole():
    x = np.random.default_rng(0).lognormal(size=50_000)
    assert edges_fit(x, quantile_edges(x[:10_000]))


def test_edges_of_the_lowest_rows_of_a_sorted_column_do_not_fit():
    x = np.sort(np.random.default_rng(1).normal(size=50_000))
    assert not edges_fit(x, quantile_edges(x[:10_000]))


def test_point_masses_of_discrete_data_fit_whatever_their_share():
    x = np.random.default_rng(2).poisson(0.3, size=50_000).astype(float)
    assert edges_fit(x, quantile_edges(x[:10_000]))  # [2, 4) holds 2 and 3: 4% that no 1% quantile cuts
    assert edges_fit(np.full(100, 3.0), np.array([0.0]))


def _frame(n: int, seed: int, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"t": rng.normal(shift, 1, n), "x": rng.normal(size=n), "c": rng.choice(list("abc"), n)})


def _reference_bin_shares(report: pitfall.Report, column: str) -> np.ndarray:
    counts = np.asarray(report.metrics["drift"]["features"][column]["reference"]["counts"], dtype=float)
    return counts / counts.sum()


def test_a_reference_sorted_by_a_column_gets_that_column_binned_from_its_sample():
    ref = _frame(40_000, 3).sort_values("t", ignore_index=True)
    clean = pitfall.drift(ref, _frame(20_000, 4), select="PF501", config=False, chunk_rows=7000)
    assert not clean.findings
    for column in ("t", "x"):  # about 1% of the reference in each bin, not most of it above the first rows
        assert _reference_bin_shares(clean, column).max() < 0.03
    drifted = pitfall.drift(ref, _frame(20_000, 4, shift=0.2), select="PF501", config=False, chunk_rows=7000)
    assert [f.columns for f in drifted.findings] == [("t",)]


def test_the_chunking_changes_no_bin():
    ref = _frame(30_000, 5).sort_values("t", ignore_index=True)
    cur = _frame(10_000, 6, shift=0.3)
    small = pitfall.drift(ref, cur, select="PF501", config=False, chunk_rows=3000)
    large = pitfall.drift(ref, cur, select="PF501", config=False, chunk_rows=50_000)
    assert [f.message for f in small.findings] == [f.message for f in large.findings]
    for column in ("t", "x"):
        a, b = (r.metrics["drift"]["features"][column] for r in (small, large))
        assert a["reference"] == b["reference"] and a["current"] == b["current"]
