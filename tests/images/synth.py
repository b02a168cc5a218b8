"""Small generated images for the image tests: shapes, smooth fields, noise, pages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image


def smooth_field(rng: np.random.Generator, side: int = 64, colour: bool = True) -> np.ndarray:
    """A smooth random picture (low-frequency noise, like a photo's layout), uint8."""
    coarse = rng.random((6, 6, 3 if colour else 1))
    img = Image.fromarray((coarse * 255).astype(np.uint8).squeeze()).resize((side, side), Image.Resampling.BICUBIC)
    a = np.asarray(img, dtype=np.float64)
    a = a + rng.normal(0, 4, a.shape)
    return np.clip(a, 0, 255).astype(np.uint8)


def shape(rng: np.random.Generator, kind: str, side: int = 64, colour: tuple | None = None) -> np.ndarray:
    """A filled circle or square of equal area at a random place and size on a gray ground."""
    r = rng.uniform(8, 14)
    cy, cx = rng.uniform(r + 4, side - r - 4, 2)
    yy, xx = np.mgrid[:side, :side]
    if kind == "circle":
        mask = (yy - cy) ** 2 + (xx - cx) ** 2 <= r**2
    else:
        h = r * np.sqrt(np.pi) / 2
        mask = (np.abs(yy - cy) <= h) & (np.abs(xx - cx) <= h)
    ground = np.full((side, side, 3), 128.0)
    fg = np.array(colour if colour is not None else (220, 220, 220), dtype=float)
    img = np.where(mask[..., None], fg, ground) + rng.normal(0, 6, (side, side, 3))
    return np.clip(img, 0, 255).astype(np.uint8)


def noise_signal(rng: np.random.Generator, sigma: float, side: int = 64) -> np.ndarray:
    """A radio-like frame: Gaussian noise of spread ``sigma`` around mid-gray, gray uint8."""
    return np.clip(128 + rng.normal(0, sigma, (side, side)), 0, 255).astype(np.uint8)


def save(folder: Path, name: str, array: np.ndarray, fmt: str = "png", **kwargs) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.{fmt}"
    Image.fromarray(array).save(path, **kwargs)
    return path


def shapes_folder(root: Path, n_per_class: int, seed: int, colours: dict | None = None) -> Path:
    """root/<circle|square>/*.png; ``colours`` maps a class to a foreground colour (None: random)."""
    rng = np.random.default_rng(seed)
    for kind in ("circle", "square"):
        for i in range(n_per_class):
            if colours is not None:
                base = np.array(colours[kind], dtype=float)
                colour = tuple(np.clip(base + rng.normal(0, 15, 3), 0, 255))
            else:
                colour = tuple(rng.uniform(40, 255, 3))
            save(root / kind, f"{kind}{i:04d}", shape(rng, kind, colour=colour))
    return root


def placed(rng: np.random.Generator, right: bool, side: int = 64, colour: tuple | None = None) -> np.ndarray:
    """A circle or a square (at random) in the left or right half: the label is where it is,
    which no global statistic of the image (brightness, contrast, file size) can tell."""
    kind = "circle" if rng.random() < 0.5 else "square"
    a = shape(rng, kind, side, colour=colour)
    return a if right == _is_right(a) else a[:, ::-1].copy()


def _is_right(a: np.ndarray) -> bool:
    weight = np.abs(a.astype(float) - 128).sum(axis=(0, 2))
    return bool((weight * np.arange(a.shape[1])).sum() / weight.sum() > a.shape[1] / 2)


def placed_folder(root: Path, n_per_class: int, seed: int) -> Path:
    """root/<left|right>/*.png, random shapes and colours: a clean, colour-free structural task."""
    rng = np.random.default_rng(seed)
    for label in ("left", "right"):
        for i in range(n_per_class):
            save(root / label, f"{label}{i:04d}", placed(rng, label == "right", colour=tuple(rng.uniform(40, 255, 3))))
    return root


def page(rng: np.random.Generator, blank: bool, side: int = 64, tint: tuple = (0, 0, 0)) -> np.ndarray:
    """A scanned page: paper with scanner noise and, unless blank, lines of word-like strokes.

    Pages share a layout (margins, line spacing), so their coarse appearance is alike: distinct
    pages that a careless near-duplicate test would call copies.
    """
    a = np.full((side, side), 235.0) + rng.normal(0, 3, (side, side))
    if not blank:
        top, left = rng.integers(4, 10), rng.integers(4, 9)
        y = top
        while y < side - 8:
            x = left + rng.integers(0, 4)
            end = side - rng.integers(4, 16)
            while x < end:
                w = int(rng.integers(2, 8))
                a[y : y + 2, x : min(x + w, end)] = rng.uniform(20, 80)
                x += w + int(rng.integers(1, 4))
            y += int(rng.integers(5, 8))
    rgb = np.clip(a[..., None] + np.array(tint, dtype=float), 0, 255)
    return rgb.astype(np.uint8)
