"""PF201 / PF202 / PF203 on images: copies across the split, exact, near and in clusters."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from pitfall import scan

from .synth import noise_signal, page, save, smooth_field

LEAKAGE = ["PF201", "PF202", "PF203"]


def _given_split(root, make, n_train=80, n_test=30, seed=0):
    """root/train/<a|b>/ and root/test/<a|b>/ of distinct images from ``make(rng)``."""
    rng = np.random.default_rng(seed)
    for side, n in (("train", n_train), ("test", n_test)):
        for label in ("a", "b"):
            for i in range(n):
                save(root / side / label, f"{side}{label}{i:03d}", make(rng))
    return sorted((root / "train" / "a").glob("*.png"))


def _codes(report):
    return {f.code: f for f in report.findings}


COPIES = {
    "rescaled": lambda im, dest: im.resize((80, 80)).save(dest.with_suffix(".png")),
    "jpeg": lambda im, dest: im.save(dest.with_suffix(".jpg"), quality=80),
    "cropped": lambda im, dest: im.crop((0, 0, 61, 61)).save(dest.with_suffix(".png")),
}


@pytest.mark.parametrize("variant", sorted(COPIES))
def test_near_copies_across_the_split_are_found(tmp_path, variant):
    sources = _given_split(tmp_path, lambda rng: smooth_field(rng, 64))[:8]
    for k, src in enumerate(sources):
        COPIES[variant](Image.open(src), tmp_path / "test" / "b" / f"copy{k}")
    found = _codes(scan(tmp_path, select=LEAKAGE))
    assert "PF201" not in found
    f = found["PF202"]
    assert f.evidence["modality"] == "image" and f.columns == ("path",)
    assert 6 <= f.evidence["count"] <= 8  # most of the eight copies, and nothing else
    assert f.evidence["expected_by_chance"] < 0.01
    for ex in f.evidence["examples"]:
        assert ex["test"].startswith("test/b/copy") and ex["train"].startswith("train/a/")
        assert ex["hamming"] <= f.evidence["hamming_threshold"]


def test_resaved_identical_images_are_exact_copies(tmp_path):
    sources = _given_split(tmp_path, lambda rng: smooth_field(rng, 64))[:5]
    for k, src in enumerate(sources):
        Image.open(src).convert("RGBA").save(tmp_path / "test" / "a" / f"resaved{k}.png", compress_level=1)
    found = _codes(scan(tmp_path, select=LEAKAGE))
    f = found["PF201"]
    assert f.evidence["count"] == 5 and f.evidence["method"] == "hash of decoded pixels"
    assert {ex["train"] for ex in f.evidence["examples"]} == {s.relative_to(tmp_path).as_posix() for s in sources}
    assert "PF202" not in found  # exact copies are PF201's, not counted twice


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda rng: smooth_field(rng, 64), id="photos"),
        pytest.param(lambda rng: noise_signal(rng, 30), id="noise-fields"),
        pytest.param(lambda rng: page(rng, blank=False), id="pages-of-strokes"),
    ],
)
def test_distinct_images_of_one_kind_are_not_copies(tmp_path, make):
    _given_split(tmp_path, make)
    # flat images (one colour) are alike in every data set and carry nothing to memorise
    for side in ("train", "test"):
        save(tmp_path / side / "a", "flat", np.full((64, 64, 3), 255, dtype=np.uint8))
    report = scan(tmp_path, select=LEAKAGE)
    assert not report.findings, [f.message for f in report.findings]


def test_clusters_of_views_straddling_a_random_split(tmp_path):
    rng = np.random.default_rng(4)
    root = tmp_path / "views"
    for obj in range(40):  # 40 objects, four views each (rescaled, re-encoded, cropped)
        label = "a" if obj % 2 else "b"
        im = Image.fromarray(smooth_field(rng, 64))
        (root / label).mkdir(parents=True, exist_ok=True)
        im.save(root / label / f"o{obj}v0.png")
        im.resize((72, 72)).save(root / label / f"o{obj}v1.png")
        im.save(root / label / f"o{obj}v2.jpg", quality=85)
        im.crop((1, 1, 63, 63)).save(root / label / f"o{obj}v3.png")
    for i in range(80):
        save(root / ("a" if i % 2 else "b"), f"single{i}", smooth_field(rng, 64))
    found = _codes(scan(root, select=LEAKAGE, seed=1))
    f = found["PF203"]
    assert f.evidence["clusters"] >= 10 and f.evidence["median_cluster_size"] >= 3
    assert f.evidence["modality"] == "image"
    assert "PF202" in found


def test_pairs_without_clusters_are_left_to_pf202(tmp_path):
    sources = _given_split(tmp_path, lambda rng: smooth_field(rng, 64))[:8]
    for k, src in enumerate(sources):
        Image.open(src).resize((80, 80)).save(tmp_path / "test" / "a" / f"copy{k}.png")
    found = _codes(scan(tmp_path, select=LEAKAGE))
    assert "PF202" in found and "PF203" not in found
