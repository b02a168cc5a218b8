"""Multi-index search over 64-bit hashes and the chance-free Hamming threshold."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from pitfall.data.image_hashing import NullModel, fine_hamming, fit_null, hamming, hash_pairs, threshold


def _random_hashes(rng, n):
    return rng.integers(0, 2**64, n, dtype=np.uint64, endpoint=False)


def _flip(rng, h, k):
    out = h.copy()
    for i in range(len(out)):
        for b in rng.choice(64, k, replace=False):
            out[i] ^= np.uint64(1) << np.uint64(int(b))
    return out


@pytest.mark.parametrize("t", [0, 3, 7, 11])
def test_search_finds_exactly_the_pairs_brute_force_finds(t):
    rng = np.random.default_rng(t)
    base = _random_hashes(rng, 400)
    near = _flip(rng, base[:60], max(t - 1, 0))
    h = np.concatenate([base, near])
    q, i, d = hash_pairs(h, h, t, same=True)
    a, b = np.triu_indices(len(h), 1)
    dist = hamming(h[a], h[b])
    expected = {(int(x), int(y)) for x, y in zip(a[dist <= t], b[dist <= t], strict=True)}
    assert {(int(x), int(y)) for x, y in zip(q, i, strict=True)} == expected
    assert len(expected) >= 60 and (d <= t).all()


def test_cross_search_between_two_sets():
    rng = np.random.default_rng(5)
    train = _random_hashes(rng, 500)
    test = np.concatenate([_flip(rng, train[:20], 3), _random_hashes(rng, 100)])
    q, i, _ = hash_pairs(test, train, 5)
    assert sorted(zip(q.tolist(), i.tolist(), strict=True)) == [(k, k) for k in range(20)]


def test_threshold_under_the_binomial_null():
    null = NullModel(32.0, 16.0, 0.0, 0)
    for n in (1_000, 50_000):
        pairs = n * (n - 1) / 2
        t = threshold(null, pairs)
        assert pairs * stats.binom.cdf(t, 64, 0.5) <= 0.01 < pairs * stats.binom.cdf(t + 1, 64, 0.5)
    assert threshold(null, 1000 * 999 / 2) == 10 and threshold(null, 50_000 * 49_999 / 2) == 6


def test_structured_hashes_widen_the_null_and_lower_the_threshold():
    rng = np.random.default_rng(2)
    independent = fit_null(_random_hashes(rng, 3000), seed=0)
    assert independent.mean == pytest.approx(32, abs=0.3) and independent.correlation < 0.002
    # hashes that share a common layout: most bits copied from one of two templates
    templates = _random_hashes(rng, 2)
    structured = _flip(rng, templates[rng.integers(0, 2, 3000)], 12)
    wide = fit_null(structured, seed=0)
    assert wide.correlation > 0.02
    pairs = 3000 * 2999 / 2
    assert threshold(wide, pairs) < threshold(independent, pairs)


@pytest.mark.parametrize("t", [5, 25, 51])
def test_search_of_256_bit_hashes_equals_brute_force(t):
    rng = np.random.default_rng(t)
    base = rng.integers(0, 2**64, (300, 4), dtype=np.uint64, endpoint=False)
    near = base[:40].copy()
    for row in near:  # flip up to t bits spread over the four words
        for b in rng.choice(256, rng.integers(0, t + 1), replace=False):
            row[b // 64] ^= np.uint64(1) << np.uint64(int(b % 64))
    h = np.concatenate([base, near])
    q, i, d = hash_pairs(h, h, t, same=True)
    a, b = np.triu_indices(len(h), 1)
    dist = fine_hamming(h[a], h[b])
    expected = {(int(x), int(y)) for x, y in zip(a[dist <= t], b[dist <= t], strict=True)}
    assert {(int(x), int(y)) for x, y in zip(q, i, strict=True)} == expected
    assert len(expected) >= 40 and np.array_equal(d, fine_hamming(h[q], h[i]))


def test_threshold_of_256_bit_hashes():
    null = NullModel(128.0, 64.0, 0.0, 0, 128.0, 0.0, 256)
    assert threshold(null, 1000 * 999 / 2) == 83
    assert fit_null(np.zeros((5, 4), dtype=np.uint64) + np.arange(5, dtype=np.uint64)[:, None], 0).bits == 256
