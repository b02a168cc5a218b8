"""Copies of images across the split: exact (PF201), near (PF202) and clusters (PF203).

Exact copies share their decoded pixels (a re-saved or losslessly re-encoded file counts). Near
copies (rescaled, re-encoded with loss, cropped by a few pixels) are pairs whose perceptual
hashes lie within a Hamming distance that chance cannot reach among this many pairs, or, where
the pictures share so much structure that no such distance exists, pairs within ``SEARCH_CAP``
bits whose thumbnails' edge maps correlate beyond what chance pairs reach among the candidates
(see ``pitfall.data.image_hashing``). Images of a single flat colour carry nothing to
memorise and hash arbitrarily, so they take no part.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from pitfall.checks.shared import impact_severity_share
from pitfall.data.image_hashing import (
    SEARCH_CAP,
    EdgeNull,
    NullModel,
    edge_correlation,
    edge_signatures,
    fit_edge_null,
    fit_null,
    hash_pairs,
    threshold,
)
from pitfall.data.images import image_table
from pitfall.findings import Finding, Severity
from pitfall.stats import poisson_sf

__all__ = ["ImageMatches", "image_matches", "exact_findings", "near_findings", "cluster_findings"]

FLAT_STD = 0.5 / 255  # below half a grey level of spread an image is one flat colour


@dataclass
class ImageMatches:
    """Copies of one image column across (and within) the split.

    Attributes:
        n_train, n_test: Images on each side.
        exact: ``{test row: train row}`` for test images whose pixels equal a training image's.
        near: ``{test row: (train row, distance)}`` for other test images within ``t`` of one.
        pairs: Every pair within ``t`` over train and test together, as positions in
            ``[train rows..., test rows...]``.
        t: The Hamming threshold on the 256-bit hashes. mu_near: expected chance train–test
            pairs within ``t``.
        null: The fitted null distribution of distances.
        hashed: Images that took part (readable, not flat).
        edge_null: The fitted tail of the edge correlation of unrelated images.
        edge_threshold: The edge correlation that confirms a candidate within ``SEARCH_CAP``.
        candidates: Pairs within ``SEARCH_CAP`` that were compared by their edge maps.
        confirmed: Of those beyond ``t``, the pairs the edge maps confirmed.
    """

    n_train: int
    n_test: int
    exact: dict[int, int]
    near: dict[int, tuple[int, int]]
    pairs: tuple[np.ndarray, np.ndarray, np.ndarray]
    t: int
    mu_near: float
    null: NullModel
    hashed: int
    edge_null: EdgeNull | None = None
    edge_threshold: float = 1.0
    candidates: int = 0
    confirmed: int = 0


def image_matches(ctx: Any, column: str) -> ImageMatches:
    """Exact and near copies of ``column``'s images, computed once per scan."""

    def compute() -> ImageMatches:
        tr, te = image_table(ctx, column, "train"), image_table(ctx, column, "test")
        n_tr, n_te = len(tr.paths), len(te.paths)
        std = np.concatenate([tr.descriptors["std"].to_numpy(float), te.descriptors["std"].to_numpy(float)])
        ok = np.concatenate([tr.ok, te.ok]) & (np.nan_to_num(std) > FLAT_STD)
        content = np.concatenate([tr.content, te.content])
        fine = np.concatenate([tr.fine, te.fine])
        first_train: dict[str, int] = {}
        for i in np.flatnonzero(ok[:n_tr]):
            first_train.setdefault(content[i], int(i))
        exact = {
            int(j): first_train[content[n_tr + j]]
            for j in np.flatnonzero(ok[n_tr:])
            if content[n_tr + j] in first_train
        }
        pos = np.flatnonzero(ok)
        n = len(pos)
        null = fit_null(fine[pos], ctx.seed)
        t = threshold(null, n * (n - 1) / 2)
        qi, ii, d = hash_pairs(fine[pos], fine[pos], SEARCH_CAP, same=True)
        # second, finer comparison: within SEARCH_CAP a pair is a copy when its hash distance
        # is beyond chance (<= t) or its thumbnails' edge maps correlate beyond chance
        sig = edge_signatures(np.concatenate([tr.thumbs, te.thumbs])[pos])
        edge_null = fit_edge_null(sig, ctx.seed)
        r = edge_correlation(sig, qi, ii)
        r_star = edge_null.threshold(len(qi))
        by_edges = (d > t) & (r >= r_star)
        keep = (d <= t) | by_edges
        qi, ii, d = qi[keep], ii[keep], d[keep]
        a, b = pos[qi], pos[ii]  # a < b: a train image comes first
        near: dict[int, tuple[int, int]] = {}
        cross = (a < n_tr) & (b >= n_tr)
        for x, y, dist in sorted(zip(a[cross], b[cross], d[cross], strict=True), key=lambda r: r[2]):
            j = int(y) - n_tr
            if j not in exact and j not in near:
                near[j] = (int(x), int(dist))
        n_tr_ok, n_te_ok = int(ok[:n_tr].sum()), int(ok[n_tr:].sum())
        n_pairs = max(n * (n - 1) / 2, 1.0)
        cross_share = n_tr_ok * n_te_ok / n_pairs  # of all pairs, those across the split
        mu = n_tr_ok * n_te_ok * null.cdf(t) + cross_share * len(keep) * edge_null.sf(r_star)
        return ImageMatches(
            n_tr, n_te, exact, near, (a, b, d), t, mu, null, n, edge_null, r_star, len(keep), int(by_edges.sum())
        )

    return ctx.cached(f"image-matches:{column}", compute)


def _paths(ctx: Any, column: str, side: str, row: int) -> str:
    frame = ctx.split.train if side == "train" else ctx.split.test
    return str(frame[column].iloc[row])


def exact_findings(check: Any, ctx: Any) -> Iterator[Finding]:
    """PF201 for each image column: test images whose decoded pixels equal a training image's."""
    for col in ctx.split.roles.image:
        m = image_matches(ctx, col)
        k = len(m.exact)
        if k == 0:
            continue
        share = k / m.n_test
        exceeds, half = impact_severity_share(share, m.n_test)
        examples = [
            {"test_row": j, "train_row": i, "test": _paths(ctx, col, "test", j), "train": _paths(ctx, col, "train", i)}
            for j, i in list(m.exact.items())[:5]
        ]
        yield check.finding(
            f"{k:,} of {m.n_test:,} test images in {col!r} ({share:.1%}) have the same decoded pixels as a "
            "training image.",
            "Remove the copies from the test set (or deduplicate before splitting) and split by the object "
            "each image shows.",
            evidence={
                "modality": "image",
                "method": "hash of decoded pixels",
                "column": col,
                "count": k,
                "share_of_test": share,
                "expected_by_chance": 0.0,
                "score_noise_half_width": half,
                "examples": examples,
            },
            columns=(col,),
            severity=Severity.ERROR if exceeds else Severity.WARNING,
        )


def near_findings(check: Any, ctx: Any) -> Iterator[Finding]:
    """PF202 for each image column: test images within the chance-free Hamming distance of a
    training image's perceptual hash (exact copies left to PF201)."""
    for col in ctx.split.roles.image:
        m = image_matches(ctx, col)
        k = len(m.near)
        p = poisson_sf(k, m.mu_near)
        if k == 0 or p >= check.alpha:
            continue
        share = k / m.n_test
        exceeds, half = impact_severity_share(share, m.n_test)
        examples = [
            {
                "test_row": j,
                "train_row": i,
                "hamming": dist,
                "test": _paths(ctx, col, "test", j),
                "train": _paths(ctx, col, "train", i),
            }
            for j, (i, dist) in list(m.near.items())[:5]
        ]
        yield check.finding(
            f"{k:,} of {m.n_test:,} test images in {col!r} ({share:.1%}) are near copies of training images "
            f"(perceptual hashes within {m.t} of 256 bits, or within {SEARCH_CAP} with edge maps correlating "
            f"at {m.edge_threshold:.2f} or more; {m.mu_near:.2g} such pairs expected by chance).",
            "Split by the object each image shows; without an identifier, cluster near-identical images "
            "(their perceptual hashes) and split by cluster.",
            evidence={
                "modality": "image",
                "method": "256-bit average hash (16×16 cells vs their median), multi-index search",
                "column": col,
                "count": k,
                "share_of_test": share,
                "hamming_threshold": m.t,
                "search_radius": SEARCH_CAP,
                "edge_threshold": m.edge_threshold,
                "edge_null": m.edge_null.to_dict() if m.edge_null else None,
                "candidates": m.candidates,
                "confirmed_by_edges": m.confirmed,
                "expected_by_chance": m.mu_near,
                "p_value": p,
                "null_distances": m.null.to_dict(),
                "score_noise_half_width": half,
                "images_hashed": m.hashed,
                "examples": examples,
            },
            columns=(col,),
            severity=Severity.ERROR if exceeds else Severity.WARNING,
        )


def cluster_findings(check: Any, ctx: Any) -> Iterator[Finding]:
    """PF203 without a declared group: clusters of copies (exact or near) that straddle the
    split and hold several images each, i.e. several views of one object."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    for col in ctx.split.roles.image:
        m = image_matches(ctx, col)
        a, b, _ = m.pairs
        n = m.n_train + m.n_test
        if len(a) == 0:
            continue
        graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n))
        _, label = connected_components(graph, directed=False)
        members = np.zeros(n, dtype=bool)
        members[a] = members[b] = True
        side = np.arange(n) >= m.n_train
        straddling = []
        for c in np.unique(label[members]):
            idx = np.flatnonzero(label == c)
            if side[idx].any() and (~side[idx]).any():
                straddling.append(idx)
        if len(straddling) < 2:
            continue
        sizes = np.array([len(idx) for idx in straddling])
        if np.median(sizes) < 3 or poisson_sf(len(straddling), m.mu_near) >= check.alpha:
            continue
        k_rows = int(sum(side[idx].sum() for idx in straddling))
        share = k_rows / m.n_test
        examples = [
            {
                "train": [_paths(ctx, col, "train", int(i)) for i in idx[~side[idx]][:3]],
                "test": [_paths(ctx, col, "test", int(i) - m.n_train) for i in idx[side[idx]][:3]],
            }
            for idx in straddling[:3]
        ]
        yield check.finding(
            f"{len(straddling):,} clusters of near-identical images in {col!r} (median {np.median(sizes):.0f} "
            f"images each) have members in both train and test: {k_rows:,} test images ({share:.1%}).",
            "Give each object an identifier and split by it (`--split group --group ID`), or split by "
            "cluster of near-identical images.",
            evidence={
                "modality": "image",
                "method": "connected components of perceptual-hash pairs",
                "column": col,
                "clusters": len(straddling),
                "median_cluster_size": float(np.median(sizes)),
                "test_rows": k_rows,
                "share_of_test": share,
                "hamming_threshold": m.t,
                "examples": examples,
            },
            columns=(col,),
            severity=Severity.WARNING,
        )
