"""Near-duplicate search for text records: shingles, MinHash signatures, LSH banding, exact Jaccard.

Two records are near duplicates when the Jaccard similarity of their shingle sets is at least
0.8, the threshold used for near-duplicate removal of web and code corpora (Broder's
"resemblance"; Lee et al. 2022, "Deduplicating training data makes language models better").
Shingles are character 5-grams of the normalised text for short records (a median of at most
30 words: catalogue entries, titles, messages), word 3-grams for longer ones (documents), so a
typo or a changed word costs a few shingles out of many.

Everything is vectorised with numpy, without an extra dependency and deterministic across runs
(Python's own string hash is salted per process): records are concatenated into one array of
code points (or word ids), every k-gram gets a 64-bit polynomial hash, and each of the 120
MinHash functions is one multiply-shift hash plus a ``minimum.reduceat`` over the records. LSH
cuts each signature into 20 bands of 6 values; records sharing a band become candidates, so no
pairs of records are compared beyond those. A pair at Jaccard 0.8 becomes a candidate with
probability 1 − (1 − 0.8⁶)²⁰ ≈ 0.998, one at 0.5 with 0.27 and one at 0.3 with 0.015. Every
candidate is verified by the exact Jaccard similarity of its hashed shingle sets (64-bit hashes:
collisions are negligible), so the banding decides speed, not the answer.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "JACCARD",
    "NearPairs",
    "content_keys",
    "near_pairs",
    "normalise",
    "shingle_hashes",
]

JACCARD = 0.8  # near-duplicate threshold on shingle sets
N_PERM = 120
# A pair at the threshold has a MinHash estimate below threshold - 4 SE with probability ~3e-5
# (binomial over N_PERM values); only such pairs skip the exact check.
SCREEN_SE = 4.0
BANDS = 20
ROWS = N_PERM // BANDS
CHAR_K = 5
WORD_K = 3
LONG_WORDS = 30  # median words per record above which word shingles are used
MAX_BUCKET = 50  # a band bucket larger than this pairs each member with this many others only

_PUNCT = re.compile(r"[^\w\s]+|_+")
_SPACE = re.compile(r"\s+")
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def normalise(texts: pd.Series | np.ndarray | list[str]) -> np.ndarray:
    """Case-, whitespace- and punctuation-insensitive form of each record.

    Unicode compatibility forms are unified (NFKC), case is folded, punctuation becomes a space
    and runs of whitespace one space. Accents and word order are kept: they tell languages and
    records apart.
    """
    out = np.empty(len(texts), dtype=object)
    for i, t in enumerate(texts):
        s = unicodedata.normalize("NFKC", t if isinstance(t, str) else "").casefold()
        out[i] = _SPACE.sub(" ", _PUNCT.sub(" ", s)).strip()
    return out


def content_keys(normalised: np.ndarray) -> np.ndarray:
    """A deterministic 64-bit hash of each normalised record (exact-duplicate key)."""
    return pd.util.hash_array(np.asarray(normalised, dtype=object), categorize=True)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads the bits of polynomial hashes (wrapping uint64 arithmetic)."""
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(30))
        x = x * np.uint64(0xBF58476D1CE4E5B9)
        x = x ^ (x >> np.uint64(27))
        x = x * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def _units(normalised: np.ndarray, words: bool) -> tuple[np.ndarray, np.ndarray]:
    """Records as one array of units (code points or word ids) plus record start offsets."""
    if words:
        tokens = pd.Series(normalised, dtype=object).str.split(" ")
        lengths = tokens.str.len().fillna(0).to_numpy(dtype=np.int64)
        flat = tokens.explode().to_numpy(dtype=object)
        keep = np.repeat(lengths > 0, np.maximum(lengths, 1))
        units = pd.util.hash_array(flat[keep], categorize=True) if keep.any() else np.zeros(0, np.uint64)
        lengths = np.where(np.asarray([t == "" for t in normalised]), 0, lengths)
    else:
        joined = "".join(normalised)
        units = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        lengths = np.fromiter((len(t) for t in normalised), dtype=np.int64, count=len(normalised))
    starts = np.zeros(len(normalised) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    return units, starts


def shingle_hashes(normalised: np.ndarray, words: bool) -> tuple[np.ndarray, np.ndarray]:
    """64-bit hashes of every k-gram of every record, and each record's offset into them.

    A record shorter than k units is one shingle (itself); an empty record has none.
    """
    units, starts = _units(normalised, words)
    k = WORD_K if words else CHAR_K
    lengths = np.diff(starts)
    n_units = len(units)
    base = np.uint64(1_000_003)
    with np.errstate(over="ignore"):
        h = np.zeros(max(n_units - k + 1, 0), dtype=np.uint64)
        for j in range(k if n_units >= k else 0):
            h = h * base + units[j : n_units - k + 1 + j]
    count = np.where(lengths >= k, lengths - k + 1, (lengths > 0).astype(np.int64))
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(count, out=offsets[1:])
    out = np.empty(offsets[-1], dtype=np.uint64)
    full = lengths >= k
    if full.any():
        # positions whose k-gram starts inside a long-enough record and stays in it
        rec = np.repeat(np.flatnonzero(full), count[full])
        local = np.arange(len(rec)) - np.repeat(np.cumsum(np.r_[0, count[full][:-1]]), count[full])
        out[offsets[:-1][rec] + local] = h[starts[:-1][rec] + local]
    for r in np.flatnonzero((lengths > 0) & ~full):  # short records: one shingle each
        with np.errstate(over="ignore"):
            v = np.uint64(len(units[starts[r] : starts[r + 1]]))
            for u in units[starts[r] : starts[r + 1]]:
                v = v * base + u
        out[offsets[r]] = v
    return _mix(out), offsets


def _signatures(hashes: np.ndarray, offsets: np.ndarray, seed: int) -> np.ndarray:
    """MinHash signature (N_PERM uint32 values) of each record with at least one shingle."""
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**63, size=N_PERM, dtype=np.uint64) * np.uint64(2) + np.uint64(1)  # odd multipliers
    b = rng.integers(0, 2**63, size=N_PERM, dtype=np.uint64)
    nonempty = np.diff(offsets) > 0
    starts = offsets[:-1][nonempty]
    sig = np.zeros((int(nonempty.sum()), N_PERM), dtype=np.uint32)
    if not len(starts):
        return sig
    with np.errstate(over="ignore"):
        for p in range(N_PERM):
            v = ((hashes * a[p] + b[p]) >> np.uint64(32)).astype(np.uint32)
            sig[:, p] = np.minimum.reduceat(v, starts)
    return sig


def _candidates(sig: np.ndarray, seed: int) -> np.ndarray:
    """Pairs (i < j) of signature rows that share at least one LSH band, as an (m, 2) array."""
    pairs = []
    n = len(sig)
    weights = np.random.default_rng(seed + 1).integers(1, 2**63, size=ROWS, dtype=np.uint64)
    for band in range(BANDS):
        block = sig[:, band * ROWS : (band + 1) * ROWS].astype(np.uint64)
        with np.errstate(over="ignore"):
            key = _mix((block * weights).sum(axis=1, dtype=np.uint64) + np.uint64(band))
        order = np.argsort(key, kind="stable")
        sk = key[order]
        cut = np.flatnonzero(np.diff(sk) != 0) + 1
        bounds = np.r_[0, cut, n]
        sizes = np.diff(bounds)
        for size in np.unique(sizes[sizes > 1]):
            firsts = bounds[:-1][sizes == size]
            members = order[firsts[:, None] + np.arange(size)]  # (buckets, size)
            width = min(int(size), MAX_BUCKET)
            for d in range(1, width):
                # each member with the next d-th member (cyclically): all pairs when small,
                # a bounded number per member in huge buckets (still connects the bucket)
                left = members
                right = np.roll(members, -d, axis=1)
                if size <= MAX_BUCKET and d > size // 2:
                    break
                pairs.append(np.stack([left.ravel(), right.ravel()], axis=1))
    if not pairs:
        return np.zeros((0, 2), dtype=np.int64)
    allp = np.concatenate(pairs)
    allp = np.sort(allp, axis=1)
    allp = allp[allp[:, 0] != allp[:, 1]]
    return np.unique(allp, axis=0)


def _estimated_jaccard(sig: np.ndarray, pairs: np.ndarray, chunk: int = 200_000) -> np.ndarray:
    """MinHash estimate of each pair's Jaccard similarity: the share of equal signature values."""
    out = np.empty(len(pairs))
    for start in range(0, len(pairs), chunk):
        block = pairs[start : start + chunk]
        out[start : start + chunk] = (sig[block[:, 0]] == sig[block[:, 1]]).mean(axis=1)
    return out


def _jaccard(hashes: np.ndarray, offsets: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Exact Jaccard similarity of the shingle sets of each pair of records."""
    sets: dict[int, np.ndarray] = {}

    def get(i: int) -> np.ndarray:
        s = sets.get(i)
        if s is None:
            s = sets[i] = np.unique(hashes[offsets[i] : offsets[i + 1]])
        return s

    out = np.empty(len(pairs))
    for n, (i, j) in enumerate(pairs.tolist()):
        a, b = get(i), get(j)
        inter = len(np.intersect1d(a, b, assume_unique=True))
        out[n] = inter / (len(a) + len(b) - inter) if len(a) + len(b) else 0.0
    return out


@dataclass
class NearPairs:
    """Verified near-duplicate pairs among distinct normalised records.

    Attributes:
        pairs: (m, 2) record positions (into the input), i < j, with Jaccard >= ``threshold``.
        jaccard: Their exact Jaccard similarity.
        candidates: How many candidate pairs LSH proposed (before verification).
        shingles: ``"character 5-grams"`` or ``"word 3-grams"``.
    """

    pairs: np.ndarray
    jaccard: np.ndarray
    candidates: int
    shingles: str


def near_pairs(normalised: np.ndarray, *, threshold: float = JACCARD, seed: int = 0) -> NearPairs:
    """Near-duplicate pairs among records, sub-quadratic (MinHash + LSH, then exact Jaccard).

    Identical records are collapsed first (exact copies are PF201's business and would fill LSH
    buckets quadratically); a pair found between two distinct texts stands for every pair of
    their copies. Returned positions are first occurrences of each distinct text.
    """
    normalised = np.asarray(normalised, dtype=object)
    codes, uniques = pd.factorize(pd.Series(normalised, dtype=object))
    first = np.full(len(uniques), -1, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes))[::-1]
    texts = np.asarray(uniques, dtype=object)
    words = bool(len(texts)) and float(np.median([t.count(" ") + 1 for t in texts])) > LONG_WORDS
    hashes, offsets = shingle_hashes(texts, words)
    nonempty = np.flatnonzero(np.diff(offsets) > 0)
    sig = _signatures(hashes, offsets, seed)
    raw = _candidates(sig, seed) if len(sig) > 1 else np.zeros((0, 2), dtype=np.int64)
    cand = nonempty[raw]
    # Only candidates whose MinHash estimate is within SCREEN_SE standard errors of the threshold are
    # verified exactly: templated corpora propose millions of pairs that merely share one band.
    screen = threshold - SCREEN_SE * np.sqrt(threshold * (1 - threshold) / N_PERM)
    likely = _estimated_jaccard(sig, raw) >= screen
    jac = np.zeros(len(cand))
    jac[likely] = _jaccard(hashes, offsets, cand[likely])
    keep = jac >= threshold
    return NearPairs(
        pairs=first[cand[keep]].reshape(-1, 2),
        jaccard=jac[keep],
        candidates=len(cand),
        shingles=f"word {WORD_K}-grams" if words else f"character {CHAR_K}-grams",
    )
