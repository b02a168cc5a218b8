"""Near-duplicate images: a sub-quadratic search over perceptual hashes, and the Hamming
threshold that chance cannot reach.

**Search.** Multi-index hashing on the 256-bit hashes (16×16 cells above their median): the
bits are dealt into ``m`` bands (band j takes bits j, j + m, ...). Two hashes within Hamming
distance ``t`` differ in at most ``t // m`` bits of some band (pigeonhole), so every pair within
``t`` is found, exactly, by looking up, band by band, the table entries whose band lies within
that many bits of the query's: a few hundred probes of sparse tables per image instead of a
comparison with every other image. ``m`` is chosen for the least expected work (about 14 bands
of 18 bits for ``t`` = 26 and 25,000 images). Every candidate is verified by its full distance.

**Threshold.** For unrelated images the distance is a sum of bit disagreements. With
independent, even bits it is Binomial(256, 0.5); real images share structure (pages, sky
fields), which spreads the distribution, and a subset of alike images (pages of one layout)
fattens its lower tail. pitfall samples distances between random pairs and fits two
beta-binomials: one by the mean and variance of all of them (a binomial when the spread is no
wider), one by maximum likelihood on their lowest 5% (the rest counted as censored), which
follows the tail that chance pairs of alike images make. The tail fit leaves out the distances
the first fit already calls copies (true copies among the sampled pairs would otherwise be
taken for the tail of chance and hide themselves). The chance rate at ``t`` is the larger
of the two, and ``t`` is the largest distance at which the expected number of chance pairs
among all pairs searched stays below ``target`` (0.01). Under Binomial(256, 0.5) that is
``t = 83`` for a thousand images and ``t = 74`` for fifty thousand (for a 64-bit hash, 10 and 6);
pictures with structure get 25 to 45. Pairs within ``t`` are therefore copies, not lookalikes.
The search looks no further than ``SEARCH_CAP`` (51 of 256 bits): copies lie well within it
(a 3-pixel crop of a 128-pixel picture moves up to about 24 bits), and beyond it the bands
would have to shrink until the tables are dense. 256 bits tell unrelated images apart better
than 64: 3-pixel crops lie about 5 standard deviations of the chance distances away with 64
bits and over 6 with 256.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from math import comb

import numpy as np

__all__ = [
    "SEARCH_CAP",
    "EdgeNull",
    "NullModel",
    "edge_correlation",
    "edge_signatures",
    "fine_hamming",
    "fit_edge_null",
    "fit_null",
    "hamming",
    "hash_pairs",
    "threshold",
]

BITS = 64
FINE_BITS = 256
MAX_BAND_BITS = 22  # dense bucket tables of 2^22 entries (32 MiB)
MAX_RADIUS = 3  # bits of difference probed per band
SEARCH_CAP = 51  # widest search: 13 bands of about 20 bits, 3 bits each
_PROBES_PER_CHUNK = 2_000_000


def hamming(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Bitwise Hamming distances of uint64 hashes (elementwise)."""
    return np.bitwise_count(np.bitwise_xor(a, b)).astype(np.int64)


def fine_hamming(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Hamming distances of multi-word hashes (uint64 arrays whose last axis holds the words)."""
    return np.bitwise_count(np.bitwise_xor(a, b)).astype(np.int64).sum(axis=-1)


def _probe_masks(width: int, radius: int) -> np.ndarray:
    """All ``width``-bit masks with at most ``radius`` bits set."""
    masks = [0]
    for r in range(1, radius + 1):
        for bits in combinations(range(width), r):
            masks.append(sum(1 << b for b in bits))
    return np.array(masks, dtype=np.int64)


def _bits(hashes: np.ndarray) -> np.ndarray:
    """(n, 64·words) 0/1 matrix of uint64 hashes of shape (n,) or (n, words)."""
    h = np.ascontiguousarray(hashes, dtype=np.uint64).reshape(len(hashes), -1)
    return np.unpackbits(h.view(np.uint8), axis=1)


def _bands(n_bits: int, t: int, n_index: int) -> list[np.ndarray]:
    """Bit positions of each band. The number of bands ``m`` minimises the expected work,
    probes times (1 + the entries a probe meets), m · P(b, t // m) · (1 + n_index / 2^b) for
    bands of b = n_bits / m bits, with at most ``MAX_RADIUS`` bits of difference per band and at
    most ``MAX_BAND_BITS`` bits per band (the size of the dense tables). Band ``j`` takes bits
    j, j + m, j + 2m, ...: cells that lie side by side (and agree more often) fall into
    different bands, so the tables fill evenly."""
    best, best_cost = None, float("inf")
    for m in range(max(1, -(-n_bits // MAX_BAND_BITS)), n_bits // 2 + 1):
        b, r = n_bits // m, t // m
        if r > MAX_RADIUS:
            continue
        probes = sum(comb(b + 1, k) for k in range(r + 1))
        cost = m * probes * (1 + n_index / 2.0**b)
        if cost < best_cost:
            best, best_cost = m, cost
    m = best if best is not None else n_bits // 2
    return [np.arange(j, n_bits, m) for j in range(m)]


def _keys(bits: np.ndarray, band: np.ndarray) -> np.ndarray:
    weights = np.left_shift(np.int64(1), np.arange(len(band), dtype=np.int64))
    return bits[:, band].astype(np.int64) @ weights


def hash_pairs(
    query: np.ndarray, index: np.ndarray, t: int, *, same: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (query, index) pair of hashes within Hamming distance ``t``, found exactly.

    Hashes are uint64 of shape (n,) or (n, words). With ``same`` (query and index are one
    array) each unordered pair is returned once, without self pairs. Returns positions in
    ``query``, positions in ``index`` and distances.
    """
    query = np.asarray(query, dtype=np.uint64)
    index = np.asarray(index, dtype=np.uint64)
    empty = np.array([], dtype=np.int64)
    if t < 0 or len(query) == 0 or len(index) == 0:
        return empty, empty, empty
    dist = fine_hamming if query.ndim == 2 else hamming
    qbits, ibits = _bits(query), _bits(index)
    bands = _bands(qbits.shape[1], t, len(index))
    radius = t // len(bands)  # pigeonhole: some band differs in at most this many bits
    found_q, found_i, found_d = [], [], []
    for band in bands:
        masks = _probe_masks(len(band), radius)
        kq, ki = _keys(qbits, band), _keys(ibits, band)
        order = np.argsort(ki, kind="stable")
        starts = np.searchsorted(ki[order], np.arange((1 << len(band)) + 1))  # dense table of buckets
        chunk = max(1, _PROBES_PER_CHUNK // len(masks))
        for c0 in range(0, len(query), chunk):
            rows = np.arange(c0, min(c0 + chunk, len(query)))
            probes = (kq[rows, None] ^ masks[None, :]).ravel()
            s = starts[probes]
            cnt = starts[probes + 1] - s
            total = int(cnt.sum())
            if total == 0:
                continue
            q = np.repeat(np.repeat(rows, len(masks)), cnt)
            offset = np.arange(total) - np.repeat(np.cumsum(cnt) - cnt, cnt)
            i = order[np.repeat(s, cnt) + offset]
            keep = q < i if same else np.ones(total, dtype=bool)
            q, i = q[keep], i[keep]
            d = dist(query[q], index[i])
            close = d <= t
            found_q.append(q[close])
            found_i.append(i[close])
            found_d.append(d[close])
    if not found_q:
        return empty, empty, empty
    q, i, d = np.concatenate(found_q), np.concatenate(found_i), np.concatenate(found_d)
    # a pair close in several bands is found once per band
    key = q * max(len(index), 1) + i
    _, first = np.unique(key, return_index=True)
    return q[first], i[first], d[first]


@dataclass(frozen=True)
class NullModel:
    """Distribution of the Hamming distance between unrelated images, fitted on random pairs.

    Attributes:
        mean: Mean sampled distance (32 under the ideal null).
        variance: Its variance (16 under the ideal null).
        correlation: Beta-binomial overdispersion (0: binomial).
        n_samples: Random pairs sampled.
    """

    mean: float
    variance: float
    correlation: float
    n_samples: int
    tail_mean: float = BITS / 2
    tail_correlation: float = 0.0
    bits: int = BITS

    def cdf(self, t: int) -> float:
        """P(distance <= t) for a random unrelated pair."""
        if t < 0:
            return 0.0
        return max(
            _cdf(t, self.mean, self.correlation, self.bits), _cdf(t, self.tail_mean, self.tail_correlation, self.bits)
        )

    def to_dict(self) -> dict[str, float]:
        return {
            "mean": round(self.mean, 3),
            "variance": round(self.variance, 3),
            "correlation": round(self.correlation, 5),
            "tail_mean": round(self.tail_mean, 3),
            "tail_correlation": round(self.tail_correlation, 5),
            "n_samples": self.n_samples,
            "bits": self.bits,
        }


def _cdf(t: int, mean: float, correlation: float, bits: int) -> float:
    from scipy import stats

    p = min(max(mean / bits, 1e-6), 1 - 1e-6)
    if correlation <= 1e-9:
        return float(stats.binom.cdf(t, bits, p))
    total = (1 - correlation) / correlation
    return float(stats.betabinom.cdf(t, bits, p * total, (1 - p) * total))


def _tail_fit(d: np.ndarray, floor: int, bits: int, share: float = 0.05) -> tuple[float, float]:
    """(mean, correlation) of the beta-binomial that best explains the lowest ``share`` of the
    sampled distances above ``floor``: truncated below ``floor``, censored above the cut."""
    from scipy import optimize, stats

    d = d[d > floor]
    if len(d) < 20:
        return bits / 2, 0.0
    cut = float(np.quantile(d, share))
    low, n_high = d[d <= cut], int((d > cut).sum())

    def nll(x: np.ndarray) -> float:
        p, rho = 1 / (1 + np.exp(-x[0])), 1 / (1 + np.exp(-x[1]))
        total = (1 - rho) / rho
        a, b = p * total, (1 - p) * total
        below = stats.betabinom.logsf(floor, bits, a, b) if floor >= 0 else 0.0
        return -float(
            stats.betabinom.logpmf(low, bits, a, b).sum()
            + n_high * stats.betabinom.logsf(cut, bits, a, b)
            - len(d) * below
        )

    res = optimize.minimize(nll, np.array([0.0, -4.0]), method="Nelder-Mead", options={"xatol": 1e-3, "fatol": 1e-3})
    p, rho = 1 / (1 + np.exp(-res.x[0])), 1 / (1 + np.exp(-res.x[1]))
    return float(p * bits), float(rho)


def fit_null(hashes: np.ndarray, seed: int, n_samples: int = 20_000, n_pairs: float | None = None) -> NullModel:
    """Moment and lower-tail fits of the distances between random pairs of ``hashes`` (uint64
    of shape (n,), or (n, words) for multi-word hashes).

    Copies among the sampled pairs only widen the moment fit, which lowers the threshold: the
    error is on the safe side.
    """
    hashes = np.asarray(hashes, dtype=np.uint64)
    n = len(hashes)
    bits = BITS * (hashes.shape[1] if hashes.ndim == 2 else 1)
    if n < 2:
        return NullModel(bits / 2, bits / 4, 0.0, 0, bits / 2, 0.0, bits)
    rng = np.random.default_rng([seed, 202])
    a = rng.integers(0, n, n_samples)
    b = (a + rng.integers(1, n, n_samples)) % n
    d = (fine_hamming if hashes.ndim == 2 else hamming)(hashes[a], hashes[b])
    mean, var = float(d.mean()), float(d.var(ddof=1))
    p = min(max(mean / bits, 1e-6), 1 - 1e-6)
    rho = min(max(0.0, (var / (bits * p * (1 - p)) - 1) / (bits - 1)), 0.999)
    moments = NullModel(mean, var, rho, n_samples, mean, rho, bits)
    floor = threshold(moments, n_pairs if n_pairs is not None else n * (n - 1) / 2)
    tail_mean, tail_rho = _tail_fit(d, floor, bits)
    return NullModel(mean, var, rho, n_samples, tail_mean, min(tail_rho, 0.999), bits)


def threshold(null: NullModel, n_pairs: float, target: float = 0.01) -> int:
    """Largest distance ``t`` with ``n_pairs * P(distance <= t) <= target`` (-1 if none)."""
    t = -1
    for cand in range(null.bits // 2):
        if n_pairs * null.cdf(cand) > target:
            break
        t = cand
    return t


# ----- the second, finer comparison ------------------------------------------------------------
#
# On pictures with much shared structure (tiles of one photograph, sky, pages) chance pairs lie
# as close in the hash as real re-encodings (a JPEG at quality 75 or a 3/4 resize moves 2 to 30
# of 256 bits), and no Hamming cut-off separates them. The thumbnails do: a copy keeps the
# image's edges, where two patches of the same sky share only its smooth gradient. So every
# pair within ``SEARCH_CAP`` is a candidate, confirmed when the correlation of the two
# thumbnails' edge maps (differences of neighbouring grey levels) is beyond what chance pairs
# reach among this many candidates.


def edge_signatures(thumbs: np.ndarray) -> np.ndarray:
    """Unit-norm, centred edge maps of (n, side, side, channels) thumbnails: horizontal and
    vertical differences of the grey levels. A flat or unreadable thumbnail gives zeros."""
    g = np.nan_to_num(np.asarray(thumbs, dtype=np.float32)).mean(axis=3)
    n, h, w = g.shape
    e = np.concatenate([np.diff(g, axis=1).reshape(n, (h - 1) * w), np.diff(g, axis=2).reshape(n, h * (w - 1))], axis=1)
    e = e - e.mean(axis=1, keepdims=True)
    norm = np.linalg.norm(e, axis=1, keepdims=True)
    return np.where(norm > 1e-9, e / np.where(norm > 1e-9, norm, 1.0), 0.0).astype(np.float32)


def edge_correlation(sig: np.ndarray, a: np.ndarray, b: np.ndarray, chunk: int = 100_000) -> np.ndarray:
    """Correlation of the edge maps of each pair (a[k], b[k])."""
    out = np.empty(len(a), dtype=np.float64)
    for c in range(0, len(a), chunk):
        out[c : c + chunk] = np.einsum("ij,ij->i", sig[a[c : c + chunk]], sig[b[c : c + chunk]])
    return out


@dataclass(frozen=True)
class EdgeNull:
    """Upper tail of the edge correlation between unrelated images, from random pairs.

    Above the ``share`` quantile ``q`` the tail is taken as exponential with mean excess
    ``scale`` (a generalised Pareto of shape 0, fitted by its mean): P(r > x) = share ·
    exp(-(x - q) / scale). Copies among the sampled pairs only lengthen the tail, which raises
    the threshold: the error is on the safe side.
    """

    q: float
    scale: float
    share: float
    n_samples: int

    def sf(self, x: float) -> float:
        if x <= self.q:
            return 1.0
        return float(self.share * np.exp(-(x - self.q) / max(self.scale, 1e-9)))

    def threshold(self, n_candidates: float, target: float = 0.01) -> float:
        """Smallest correlation with ``n_candidates * P(r > x) <= target``."""
        if n_candidates <= 0:
            return 1.0
        return float(min(1.0, self.q + self.scale * max(0.0, np.log(self.share * n_candidates / target))))

    def to_dict(self) -> dict[str, float]:
        return {
            "quantile": round(self.q, 4),
            "mean_excess": round(self.scale, 4),
            "share": self.share,
            "n_samples": self.n_samples,
        }


def fit_edge_null(sig: np.ndarray, seed: int, n_samples: int = 20_000, share: float = 0.05) -> EdgeNull:
    """Fit ``EdgeNull`` on the edge correlations of random pairs of ``sig``'s rows."""
    n = len(sig)
    if n < 3:
        return EdgeNull(1.0, 0.0, share, 0)
    rng = np.random.default_rng([seed, 2021])
    a = rng.integers(0, n, n_samples)
    b = (a + rng.integers(1, n, n_samples)) % n
    r = edge_correlation(sig, a, b)
    q = float(np.quantile(r, 1 - share))
    excess = r[r > q] - q
    return EdgeNull(q, float(excess.mean()) if excess.size else 0.0, share, n_samples)
