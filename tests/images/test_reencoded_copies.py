"""PF202 on real photographs: re-encoded and resized copies among tiles of one picture.

Tiles of scikit-learn's two sample photographs (a temple, a flower) share so much structure
(sky, petals) that chance pairs of tiles lie as close in the 256-bit hash as JPEG re-encodings
and 3/4 resizes of one tile: no Hamming cut-off separates them (the chance-free one is below
zero). The candidates are confirmed by the correlation of the thumbnails' edge maps instead.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from pitfall import scan

SIDE = 48


def tiles() -> list[np.ndarray]:
    from sklearn.datasets import load_sample_images

    out = []
    for im in load_sample_images().images:
        h, w = im.shape[:2]
        out += [
            im[y : y + SIDE, x : x + SIDE] for y in range(0, h - SIDE + 1, SIDE) for x in range(0, w - SIDE + 1, SIDE)
        ]
    return out


def folder(root, seed: int, n_copies: int) -> None:
    pics = tiles()
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(pics))
    n_test = len(pics) // 4

    def label(i: int) -> str:
        return "bright" if pics[i].mean() > 110 else "dark"

    for k, i in enumerate(order):
        d = root / ("test" if k < n_test else "train") / label(i)
        d.mkdir(parents=True, exist_ok=True)
        Image.fromarray(pics[i]).save(d / f"t{i}.png")
    for c, i in enumerate(rng.choice(order[n_test:], n_copies, replace=False)):
        im, d = Image.fromarray(pics[i]), root / "test" / label(i)
        small = im.resize((SIDE * 3 // 4,) * 2, Image.BILINEAR)
        if c % 3 == 0:  # re-encoded as JPEG
            im.save(d / f"copy{i}.jpg", quality=75)
        elif c % 3 == 1:  # resized to 3/4
            small.save(d / f"copy{i}.png")
        else:  # both
            small.save(d / f"copy{i}.jpg", quality=85)


@pytest.mark.parametrize("seed", [0, 1])
def test_reencoded_and_resized_copies_are_confirmed_by_their_edges(tmp_path, seed):
    folder(tmp_path, seed, n_copies=27)
    [f] = [f for f in scan(tmp_path, select=["PF202"], seed=seed).findings if f.code == "PF202"]
    ev = f.evidence
    assert ev["count"] >= 14  # of 27 (a Hamming cut-off alone found none here)
    assert ev["confirmed_by_edges"] >= 14 and ev["expected_by_chance"] < 0.05
    assert all(e["test"].split("/")[-1].startswith("copy") for e in ev["examples"])
    assert all(
        e["test"].split("/")[-1][4:].split(".")[0] == e["train"].split("/")[-1][1:].split(".")[0]
        for e in ev["examples"]
    )


@pytest.mark.parametrize("seed", [0, 2])
def test_tiles_without_copies_are_silent(tmp_path, seed):
    folder(tmp_path, seed, n_copies=0)
    report = scan(tmp_path, select=["PF202", "PF203"], seed=seed)
    assert not [f for f in report.findings if f.code in ("PF202", "PF203")]


def test_a_folder_of_flat_images_has_nothing_to_compare(tmp_path):
    for side in ("train", "test"):
        for label, grey in (("dark", 20), ("bright", 230)):
            (tmp_path / side / label).mkdir(parents=True)
            for i in range(6):
                flat = np.full((16, 16, 3), grey + i, dtype=np.uint8)
                Image.fromarray(flat).save(tmp_path / side / label / f"{i}.png")
    report = scan(tmp_path, select=["PF202", "PF203"])
    assert report.crashed == {} and not report.findings
