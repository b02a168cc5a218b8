"""pitfall.stats: bootstrap resamples and the intervals every finding quotes."""

import numpy as np
import pytest
from scipy import stats as st

from pitfall.stats import MAX_CELLS, Interval, Resamples, percentile_interval, poisson_sf, wilson


def test_row_resamples_are_bootstrap_counts_and_repeatable():
    r = Resamples(500, seed=3, n_resamples=200)
    w = r.weights
    assert w.shape == (200, 500) and not r.subsampled
    assert np.all(w == np.round(w)) and np.all(w.sum(axis=1) == 500)
    assert w.mean() == pytest.approx(1.0)
    assert w.var() == pytest.approx(1 - 1 / 500, rel=0.05)  # multinomial(n, 1/n) counts
    assert np.array_equal(w, Resamples(500, seed=3, n_resamples=200).weights)
    assert not np.array_equal(w, Resamples(500, seed=4, n_resamples=200).weights)


def test_many_rows_are_resampled_through_a_subsample_standing_for_all():
    n, m = 50_000, 2_000
    r = Resamples(n, seed=0, n_resamples=300, max_rows=m)
    assert r.subsampled
    assert len(r.rows) == m and np.all(np.diff(r.rows) > 0) and r.rows.max() < n
    w = r.weights
    assert w.shape == (300, m)
    # the mean and variance of the counts a resample of n rows puts on each row
    assert w.mean() == pytest.approx(n / m, rel=0.01)
    assert w.var() == pytest.approx(n / m, rel=0.05)


def test_cell_counts_follow_the_multinomial_of_the_row_bootstrap():
    codes = np.repeat([7, 3, 9], [100, 300, 600])
    first, counts = Resamples(1000, seed=0, n_resamples=2000).cells(codes)
    assert sorted(codes[first]) == [3, 7, 9]
    assert np.all(counts.sum(axis=1) == 1000)
    share = dict(zip(codes[first], counts.mean(axis=0) / 1000, strict=True))
    assert share == pytest.approx({3: 0.3, 7: 0.1, 9: 0.6}, abs=0.005)
    sd = dict(zip(codes[first], counts.std(axis=0), strict=True))
    assert sd[7] == pytest.approx(np.sqrt(1000 * 0.1 * 0.9), rel=0.1)


def test_too_many_distinct_cells_are_declined():
    assert Resamples(5000, seed=0).cells(np.arange(MAX_CELLS + 1)) is None


def test_percentile_interval():
    samples = np.arange(1001) / 1000.0
    iv = percentile_interval(0.5, samples)
    assert (iv.low, iv.high) == pytest.approx((0.025, 0.975))
    assert iv.half_width == pytest.approx(0.475)
    with_nan = percentile_interval(0.5, np.r_[samples, np.nan])
    assert (with_nan.low, with_nan.high) == pytest.approx((iv.low, iv.high), abs=1e-3)
    empty = percentile_interval(0.5, np.array([np.nan]))
    assert np.isnan(empty.low) and np.isnan(empty.high)
    assert str(Interval(0.81234, 0.7, 0.9)) == "0.812 [0.700, 0.900]"


def test_wilson_interval():
    iv = wilson(0, 10)
    assert iv.low == 0 and iv.high == pytest.approx(1.96**2 / (10 + 1.96**2), rel=1e-3)
    iv = wilson(50, 100)
    assert iv.estimate == 0.5 and iv.low == pytest.approx(1 - iv.high)
    assert np.isnan(wilson(0, 0).estimate)


def test_poisson_tail():
    assert poisson_sf(0, 3.0) == 1.0
    assert poisson_sf(5, 2.0) == pytest.approx(st.poisson.sf(4, 2.0))
