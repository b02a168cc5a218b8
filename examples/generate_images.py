"""Generate the image examples (deterministic; run `python examples/generate_images.py`).

``blank_pages/<blank|text>/*.png``: 64×64 page scans for a "does this page hold text?" model.
Many text pages carry only a line or two of faint strokes, so the task is not trivial, and the
two classes went through different scanners: blank pages come out with a cool blue tint, text
pages with a warm one. The tint is a shortcut (PF302 finds the model leaning on colour, PF301
finds colour saturation and brightness alone nearly as good as the model), and a threshold on
each page's pixel variance, the blank-page rule, is scored next to the model (PF401).

``radio/<burst|rfi>/*.png``: 64×64 gray waterfall plots (frequency × time) of a radio telescope.
Bursts sweep across the band, interference sits on fixed channels; but the bursts were
recorded with a higher receiver gain, so the spread of the noise alone (each image's standard
deviation) separates the classes, as in the CHIME classifier story (PF301).

The images are small (a few hundred files, about 4 MB) and are written at `make examples`
time rather than kept in git.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
SIDE = 64


def page(rng: np.random.Generator, lines: int, tint: np.ndarray) -> np.ndarray:
    """Paper with scanner noise and ``lines`` lines of word-like strokes, tinted, as uint8 RGB."""
    a = np.full((SIDE, SIDE), 232.0) + rng.normal(0, 4, (SIDE, SIDE))
    y = int(rng.integers(6, 14))
    for _ in range(lines):
        x, end = int(rng.integers(5, 12)), SIDE - int(rng.integers(5, 30))
        ink = rng.uniform(216, 232)  # faint: pencil, a light printer, a bleached carbon copy
        while x < end:
            w = int(rng.integers(2, 7))
            a[y : y + 2, x : min(x + w, end)] = ink
            x += w + int(rng.integers(1, 4))
        y += int(rng.integers(5, 8))
    rgb = a[..., None] + tint + rng.normal(0, 2, 3)
    return np.clip(rgb, 0, 255).astype(np.uint8)


def blank_pages(out: Path, n_per_class: int = 150, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    # tints of equal brightness (0.299 R + 0.587 G + 0.114 B = 0): only the colour differs
    cool, warm = np.array([-4.0, 0.0, 10.5]), np.array([4.0, 0.0, -10.5])
    for i in range(n_per_class):
        Image.fromarray(page(rng, 0, cool)).save(_dir(out / "blank") / f"scan{i:04d}.png")
        lines = int(rng.choice([1, 1, 2, 3, 6]))
        Image.fromarray(page(rng, lines, warm)).save(_dir(out / "text") / f"scan{i:04d}.png")
    return out


def waterfall(rng: np.random.Generator, burst: bool, gain: float) -> np.ndarray:
    """Receiver noise with a dispersed sweep (burst) or fixed-channel lines (interference)."""
    a = rng.normal(0, 1, (SIDE, SIDE))
    if burst:
        t0, dm = rng.uniform(10, 30), rng.uniform(10, 25)
        freq = np.arange(SIDE)
        t = (t0 + dm * ((SIDE / (freq + 20)) ** 2 - (SIDE / (SIDE + 20)) ** 2)).astype(int)
        ok = t < SIDE
        a[freq[ok], t[ok]] += 1.5
    else:
        for ch in rng.choice(SIDE, int(rng.integers(1, 4)), replace=False):
            a[ch, :] += rng.uniform(0.8, 1.5)
    return np.clip(128 + gain * a, 0, 255).astype(np.uint8)


def radio(out: Path, n_per_class: int = 150, seed: int = 1) -> Path:
    rng = np.random.default_rng(seed)
    for i in range(n_per_class):
        Image.fromarray(waterfall(rng, True, gain=26.0)).save(_dir(out / "burst") / f"w{i:04d}.png")
        Image.fromarray(waterfall(rng, False, gain=18.0)).save(_dir(out / "rfi") / f"w{i:04d}.png")
    return out


def _dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write blank_pages/ and radio/ into")
    args = parser.parse_args(argv)
    for name, make in (("blank_pages", blank_pages), ("radio", radio)):
        target = args.out / name
        if target.exists():
            shutil.rmtree(target)
        make(target)
        n = sum(1 for _ in target.rglob("*.png"))
        print(f"wrote {n} images to {target}")


if __name__ == "__main__":
    main()
