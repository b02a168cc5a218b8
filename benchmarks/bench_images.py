"""Benchmark pitfall's near-duplicate image search: hashing, search, recall and scaling.

    python benchmarks/bench_images.py [--sizes 25000 50000] [--side 128] [--planted 0.02] [--quick]

For each size ``n`` it generates ``n`` distinct 128×128 colour pictures (smooth random fields,
like a photo's layout) and plants copies of ``planted`` × n of them, a third each rescaled
(to 100×100), re-encoded as JPEG (quality 75) and cropped by 3 pixels on every side. Images
are made and hashed one at a time, so 50,000 of them never sit in memory together. It reports,
from the same run:

- hashing: the thumbnail and perceptual hash of every image from its decoded pixels (the
  per-image work of a scan after decoding), and decoding itself, measured on 1,000 PNG files
  written to a temporary folder and given per image;
- search: the chance-free threshold on the 256-bit hashes (``fit_null`` + ``threshold``) and
  the multi-index search for every pair within it (``hash_pairs``), as a scan does it, against
  the floor of a brute-force comparison of every pair (vectorised numpy popcounts of the four
  words, chunked), which must find the same pairs, as a ratio;
- recall (planted pairs found) and precision (found pairs that were planted, counting pairs of
  copies of one source as planted);
- scaling: search time at the largest size over the smallest (×4 would be quadratic).

``--quick`` runs 5,000 and 10,000 images. Results go to bench-out/images.json.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from pitfall.data.image_hashing import SEARCH_CAP, fine_hamming, fit_null, hash_pairs, threshold
from pitfall.data.images import THUMB, _resize, fine_hash, phash, read_records

OUT = Path("bench-out")


def picture(rng: np.random.Generator, side: int) -> Image.Image:
    coarse = (rng.random((6, 6, 3)) * 255).astype(np.uint8)
    return Image.fromarray(coarse).resize((side, side), Image.Resampling.BICUBIC)


def _copy(im: Image.Image, kind: int, side: int) -> Image.Image:
    if kind == 0:
        return im.resize((side * 100 // 128, side * 100 // 128), Image.Resampling.BILINEAR)
    if kind == 1:
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=75)
        return Image.open(buf)
    return im.crop((3, 3, side - 3, side - 3))


def _hash(im: Image.Image) -> tuple[int, np.ndarray]:
    thumb = _resize(np.asarray(im, dtype=np.float64) / 255.0, THUMB)
    return phash(thumb), fine_hash(thumb)


def make_hashes(n: int, side: int, planted: float, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Hashes of ``n`` pictures plus their planted copies; ``source[i]`` names the picture image
    ``i`` copies (its own index for originals). Returns coarse and fine hashes, sources and the
    hashing seconds."""
    rng = np.random.default_rng(seed)
    n_copies = int(planted * n)
    hashes, source, seconds = [], [], 0.0
    for i in range(n):
        im = picture(rng, side)
        t0 = time.perf_counter()
        hashes.append(_hash(im))
        seconds += time.perf_counter() - t0
        source.append(i)
        if i < n_copies:
            copy = _copy(im, i % 3, side)
            t0 = time.perf_counter()
            hashes.append(_hash(copy))
            seconds += time.perf_counter() - t0
            source.append(i)
    coarse = np.array([h for h, _ in hashes], dtype=np.uint64)
    return coarse, np.array([f for _, f in hashes], dtype=np.uint64), np.array(source), seconds


def decode_seconds_per_image(side: int, n: int = 1000) -> float:
    rng = np.random.default_rng(1)
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i in range(n):
            path = Path(tmp) / f"{i}.png"
            picture(rng, side).save(path)
            paths.append(str(path))
        t0 = time.perf_counter()
        records = read_records(paths, workers=1)
        elapsed = time.perf_counter() - t0
    assert all(r.error is None for r in records)
    return elapsed / n


def brute_force(hashes: np.ndarray, t: int, chunk: int = 100) -> int:
    """Pairs within ``t`` by comparing every pair: the floor the search is measured against."""
    count = 0
    for start in range(0, len(hashes), chunk):
        block = hashes[start : start + chunk]
        d = fine_hamming(block[:, None], hashes[None, start:])
        d[:, : len(block)][np.tril_indices(len(block))] = 256  # each pair once, no self pairs
        count += int((d <= t).sum())
    return count


def run(n: int, side: int, planted: float, seed: int) -> dict:
    hashes, fine, source, hash_s = make_hashes(n, side, planted, seed)
    m = len(hashes)
    t0 = time.perf_counter()
    null = fit_null(fine, seed)
    t = threshold(null, m * (m - 1) / 2)
    q, i, _ = hash_pairs(fine, fine, min(t, SEARCH_CAP), same=True)
    search_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    brute = brute_force(fine, min(t, SEARCH_CAP))
    brute_s = time.perf_counter() - t0
    same = source[q] == source[i]
    n_planted = int(np.sum(np.bincount(source) - 1))
    found = int(same.sum())
    by_kind = {}
    for k, name in enumerate(("rescaled", "jpeg", "cropped")):
        srcs = np.arange(int(planted * n))[np.arange(int(planted * n)) % 3 == k]
        hit = np.isin(source[q][same], srcs).sum()
        by_kind[name] = round(float(hit / max(len(srcs), 1)), 4)
    return {
        "images": m,
        "planted_pairs": n_planted,
        "threshold": t,
        "null": null.to_dict(),
        "hash_seconds": round(hash_s, 2),
        "search_seconds": round(search_s, 3),
        "brute_force_seconds": round(brute_s, 2),
        "search_over_brute_force": round(search_s / brute_s, 4),
        "pairs_found": len(q),
        "brute_force_pairs": brute,
        "recall": round(found / max(n_planted, 1), 4),
        "recall_by_kind": by_kind,
        "precision": round(found / max(len(q), 1), 4),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[25_000, 50_000])
    parser.add_argument("--side", type=int, default=128)
    parser.add_argument("--planted", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="5,000 and 10,000 images")
    args = parser.parse_args(argv)
    sizes = [5_000, 10_000] if args.quick else sorted(args.sizes)
    results = {"decode_seconds_per_image": round(decode_seconds_per_image(args.side), 6), "runs": []}
    for n in sizes:
        r = run(n, args.side, args.planted, args.seed)
        results["runs"].append(r)
        print(
            f"{r['images']:>7,} images: hash {r['hash_seconds']:.1f} s, search {r['search_seconds']:.2f} s "
            f"(brute force {r['brute_force_seconds']:.1f} s, ratio {r['search_over_brute_force']:.3f}), "
            f"t={r['threshold']}/256, recall {r['recall']:.3f} {r['recall_by_kind']}, precision {r['precision']:.3f}",
            file=sys.stderr,
        )
    runs = results["runs"]
    if len(runs) > 1:
        results["search_scaling"] = round(runs[-1]["search_seconds"] / runs[0]["search_seconds"], 2)
        results["size_ratio"] = round(runs[-1]["images"] / runs[0]["images"], 2)
    print(
        f"decode {results['decode_seconds_per_image'] * 1e3:.2f} ms per image; "
        f"search time ×{results.get('search_scaling')} at ×{results.get('size_ratio')} images",
        file=sys.stderr,
    )
    OUT.mkdir(exist_ok=True)
    (OUT / "images.json").write_text(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
