"""Image files: reading them with Pillow, what pitfall measures on each, and ``ImageFeatures``.

Every image is decoded once into a small record: a 32×32 three-channel thumbnail (values in
[0, 1] whatever the bit depth), simple descriptors (brightness, contrast, extremes, border,
colour saturation, size, file size, format, bit depth, EXIF fields), perceptual hashes of 64
and 256 bits and a hash of the decoded pixels. Records are cached by path, modification time and size, so
the checks and the default model's many refits read each file once. A file that cannot be read
(missing, corrupt, an unsupported format) never stops a scan: its record holds the reason, NaN
descriptors, and PF107 lists it.
"""

from __future__ import annotations

import hashlib
import os
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from pitfall.errors import InputError

__all__ = [
    "DESCRIPTORS",
    "IMAGE_SUFFIXES",
    "ImageFeatures",
    "ImageRecord",
    "ImageTable",
    "image_table",
    "fine_hash",
    "phash",
    "read_image",
    "read_records",
]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp")
FITS_SUFFIXES = (".fits", ".fit", ".fts")
THUMB = 32  # side of the cached thumbnail
CHUNK = 256  # images decoded per batch: bounds the memory of one batch of full-size pixels
CACHE_SIZE = 20_000  # records kept in memory (6 KiB of thumbnail each)
#: numeric descriptors of an image, the "trivial statistics" PF301 scores against the model
DESCRIPTORS = (
    "mean",
    "std",
    "min",
    "max",
    "border_mean",
    "saturation",
    "width",
    "height",
    "aspect_ratio",
    "file_size",
    "bit_depth",
    "channels",
    "exif_fields",
    "format",
)
_BITS = {"1": 1, "L": 8, "P": 8, "RGB": 8, "RGBA": 8, "LA": 8, "CMYK": 8, "YCbCr": 8, "I": 32, "F": 32}


def _pil():
    try:
        from PIL import Image
    except ImportError:  # tested in a subprocess where importing PIL fails
        raise InputError(
            "reading images needs the images extra (Pillow is missing): pip install 'pitfall[images]'."
        ) from None
    return Image


def require_pillow() -> None:
    """Raise the one-line ``InputError`` naming the images extra when Pillow is not installed:
    a missing library is the user's setup to fix, not a finding about each image."""
    _pil()


@dataclass
class ImageRecord:
    """What pitfall keeps of one image file (``error`` says why it could not be read)."""

    thumb: np.ndarray | None  # (THUMB, THUMB, 3) float16 in [0, 1]
    descriptors: dict[str, Any]
    phash: int
    content: str | None  # hash of the decoded pixels
    error: str | None = None
    fine: np.ndarray | None = None  # 256-bit hash as four uint64 words


def _bit_depth(mode: str) -> int:
    if mode.startswith("I;16"):
        return 16
    return _BITS.get(mode, 8)


def _to_array(im) -> np.ndarray:
    """Decoded pixels as float64 in [0, 1], shape (H, W) or (H, W, 3); alpha is dropped."""
    mode = im.mode
    if mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
        mode = im.mode
    if mode in ("CMYK", "YCbCr", "LAB", "HSV"):
        im, mode = im.convert("RGB"), "RGB"
    if mode == "1":
        im, mode = im.convert("L"), "L"
    if mode in ("LA", "La", "PA"):
        im, mode = im.convert("L"), "L"
    if mode.startswith("I;16"):
        return np.asarray(im, dtype=np.float64) / 65535.0
    a = np.asarray(im, dtype=np.float64)
    if mode == "I":  # 32-bit integers: 16-bit files often open this way
        top = 65535.0 if a.size == 0 or a.max() <= 65535 else float(a.max())
        return np.clip(a / top, 0, 1)
    if mode == "F":
        top = max(1.0, float(np.nanmax(a))) if a.size else 1.0
        return np.clip(a / top, 0, 1)
    if a.ndim == 3:
        a = a[..., :3]
    return a / 255.0


def _read_fits(path: Path) -> np.ndarray:
    try:
        from astropy.io import fits
    except ImportError:
        raise ValueError("FITS files need astropy (pip install astropy); FITS is not supported without it") from None
    with fits.open(path, memmap=False) as hdus:
        data = next((h.data for h in hdus if getattr(h, "data", None) is not None), None)
    if data is None or data.ndim < 2:
        raise ValueError("no 2-D image in the FITS file")
    a = np.asarray(data, dtype=np.float64)
    a = a.reshape(a.shape[-2:]) if a.ndim > 2 else a
    lo, hi = np.nanmin(a), np.nanmax(a)
    return np.nan_to_num((a - lo) / (hi - lo) if hi > lo else a * 0)


def _resize(a: np.ndarray, side: int) -> np.ndarray:
    """Area-average resize of a (H, W) or (H, W, C) float array to (side, side, 3)."""
    Image = _pil()
    channels = a[..., None] if a.ndim == 2 else a
    out = np.empty((side, side, channels.shape[2]), dtype=np.float32)
    for c in range(channels.shape[2]):
        img = Image.fromarray(np.ascontiguousarray(channels[..., c], dtype=np.float32), mode="F")
        out[..., c] = np.asarray(img.resize((side, side), Image.Resampling.BOX), dtype=np.float32)
    return np.repeat(out, 3, axis=2) if out.shape[2] == 1 else out


def phash(thumb: np.ndarray) -> int:
    """64-bit perceptual hash: which cells of an 8×8 gray version of the image lie above its
    median brightness.

    Each cell averages a sixteenth of the image's width, so rescaling, lossy re-encoding and a
    crop of a few pixels (a fraction of a cell) flip few bits, only along edges. Thresholding at
    the median makes each bit an even coin, so for unrelated images the Hamming distance is
    close to Binomial(64, 0.5). (A DCT hash of the 10×10 lowest frequencies was measured too:
    as robust to rescaling and re-encoding, but a 3-pixel crop of a 128-pixel image moved it by
    about 10 bits, against about 2 for this hash.)
    """
    gray = np.asarray(thumb, dtype=np.float64)
    gray = gray.mean(axis=2) if gray.ndim == 3 else gray
    h, w = gray.shape
    cells = gray[: h - h % 8, : w - w % 8].reshape(8, h // 8, 8, w // 8).mean(axis=(1, 3)).ravel()
    bits = cells > np.median(cells)
    return int(np.packbits(bits).view(">u8")[0])


def fine_hash(thumb: np.ndarray) -> np.ndarray:
    """256-bit version of ``phash`` on 16×16 cells, as four uint64 words: finer cells tell
    unrelated images apart better, so the near-duplicate search (PF202) uses it."""
    gray = np.asarray(thumb, dtype=np.float64)
    gray = gray.mean(axis=2) if gray.ndim == 3 else gray
    h, w = gray.shape
    cells = gray[: h - h % 16, : w - w % 16].reshape(16, h // 16, 16, w // 16).mean(axis=(1, 3)).ravel()
    return np.packbits(cells > np.median(cells)).view(">u8").astype(np.uint64)


def _border(a: np.ndarray) -> float:
    h, w = a.shape[:2]
    k = max(1, round(0.05 * min(h, w)))
    mask = np.ones((h, w), dtype=bool)
    mask[k : h - k, k : w - k] = False
    return float(a[mask].mean())


def read_image(path: str | os.PathLike) -> ImageRecord:
    """Decode one image into an ``ImageRecord``; never raises for a bad file (see ``error``)."""
    p = Path(path)
    try:
        size_bytes = p.stat().st_size
        if p.suffix.lower() in FITS_SUFFIXES:
            a, fmt, mode, bits, exif, w, h = _read_fits(p), "FITS", "F", 32, 0, 0, 0
            h, w = a.shape[:2]
        else:
            Image = _pil()
            with Image.open(p) as im:
                im.seek(0)
                im.load()
                fmt, mode, (w, h) = im.format or p.suffix.lstrip(".").upper(), im.mode, im.size
                bits = _bit_depth(mode)
                try:
                    exif = len(im.getexif())
                except Exception:
                    exif = 0
                a = _to_array(im)
        if a.size == 0:
            raise ValueError("the image has no pixels")
        # the decoded pixels, not the file: a re-saved PNG, or one stored with a palette or an
        # opaque alpha channel, is the same image
        pixels = np.ascontiguousarray(a, dtype=np.float32)
        content = hashlib.blake2b(repr(pixels.shape).encode() + pixels.tobytes(), digest_size=16).hexdigest()
        thumb = _resize(a, THUMB)
        colour = a.ndim == 3
        sat = float((a.max(axis=2) - a.min(axis=2)).mean()) if colour else 0.0
        desc = {
            "mean": float(a.mean()),
            "std": float(a.std()),
            "min": float(a.min()),
            "max": float(a.max()),
            "border_mean": _border(a),
            "saturation": sat,
            "width": float(w),
            "height": float(h),
            "aspect_ratio": float(w) / float(h),
            "file_size": float(size_bytes),
            "bit_depth": float(bits),
            "channels": 3.0 if colour else 1.0,
            "exif_fields": float(exif),
            "format": str(fmt),
            "mode": str(mode),
        }
        return ImageRecord(thumb.astype(np.float16), desc, phash(thumb), content, fine=fine_hash(thumb))
    except FileNotFoundError:
        return _failed("file not found")
    except IsADirectoryError:
        return _failed("is a directory")
    except PermissionError:
        return _failed("permission denied")
    except InputError:  # a missing library (the images extra), not a bad file
        raise
    except Exception as exc:  # corrupt or unsupported files are findings, not crashes
        text = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
        return _failed(f"cannot decode ({text})")


def _failed(reason: str) -> ImageRecord:
    desc = {k: (float("nan") if k != "format" else None) for k in DESCRIPTORS}
    desc["mode"] = None
    return ImageRecord(None, desc, 0, None, reason)


_CACHE: OrderedDict[tuple, ImageRecord] = OrderedDict()


def _key(path: Path) -> tuple:
    try:
        st = path.stat()
        return (str(path.resolve()), st.st_mtime_ns, st.st_size)
    except OSError:
        return (str(path), None, None)


def _cached_read(path: Path) -> ImageRecord:
    key = _key(path)
    hit = _CACHE.get(key)
    if hit is not None and key[1] is not None:
        _CACHE.move_to_end(key)
        return hit
    rec = read_image(path)
    if key[1] is not None:
        _CACHE[key] = rec
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    return rec


def resolve(value: Any, root: str | os.PathLike | None) -> Path | None:
    """The file a cell names: absolute paths as they are, others relative to ``root``."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    if not text:
        return None
    p = Path(text)
    return p if p.is_absolute() or root is None else Path(root) / p


def read_records(
    paths: Iterable[Any], root: str | os.PathLike | None = None, workers: int | None = None
) -> list[ImageRecord]:
    """Records of many images, decoded in chunks on a few threads (Pillow releases the GIL)."""
    resolved = [resolve(v, root) for v in paths]
    workers = workers or min(4, os.cpu_count() or 1)
    out: list[ImageRecord] = []
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for start in range(0, len(resolved), CHUNK):
            chunk = resolved[start : start + CHUNK]
            out.extend(pool.map(lambda p: _cached_read(p) if p is not None else _failed("no path"), chunk))
    return out


@dataclass
class ImageTable:
    """The records of one image column on one side of the split, as arrays.

    Attributes:
        paths: The cells as given.
        ok: Which images could be read.
        errors: ``{row: reason}`` for those that could not.
        thumbs: (n, 32, 32, 3) float32 thumbnails, NaN for unreadable images.
        descriptors: One row of ``DESCRIPTORS`` (and ``mode``) per image.
        phash: 64-bit perceptual hashes (0 for unreadable images).
        fine: (n, 4) uint64 words of the 256-bit hashes (0 for unreadable images).
        content: Hashes of the decoded pixels (None for unreadable images).
    """

    paths: list[str]
    ok: np.ndarray
    errors: dict[int, str]
    thumbs: np.ndarray
    descriptors: pd.DataFrame
    phash: np.ndarray
    content: np.ndarray
    fine: np.ndarray

    @classmethod
    def from_records(cls, paths: Sequence[Any], records: list[ImageRecord]) -> ImageTable:
        n = len(records)
        thumbs = np.full((n, THUMB, THUMB, 3), np.nan, dtype=np.float32)
        for i, r in enumerate(records):
            if r.thumb is not None:
                thumbs[i] = r.thumb
        return cls(
            paths=[str(p) for p in paths],
            ok=np.array([r.error is None for r in records], dtype=bool),
            errors={i: r.error for i, r in enumerate(records) if r.error is not None},
            thumbs=thumbs,
            descriptors=pd.DataFrame([r.descriptors for r in records], index=pd.RangeIndex(n)),
            phash=np.array([r.phash for r in records], dtype=np.uint64),
            content=np.array([r.content for r in records], dtype=object),
            fine=np.array(
                [r.fine if r.fine is not None else np.zeros(4, dtype=np.uint64) for r in records], dtype=np.uint64
            ).reshape(n, 4),
        )

    def statistics(self, formats: list[str]) -> np.ndarray:
        """Numeric descriptors as a matrix, the format as its index in ``formats`` (NaN if new)."""
        num = self.descriptors[[d for d in DESCRIPTORS if d != "format"]].astype(float).to_numpy()
        codes = {f: i for i, f in enumerate(formats)}
        fmt = np.array([codes.get(f, np.nan) if isinstance(f, str) else np.nan for f in self.descriptors["format"]])
        return np.column_stack([num, fmt])


def image_table(ctx: Any, column: str, side: str) -> ImageTable:
    """The image table of ``column`` on ``side`` ("train" or "test"), computed once per scan."""

    def compute() -> ImageTable:
        frame = ctx.split.train if side == "train" else ctx.split.test
        values = frame[column].tolist()
        return ImageTable.from_records(values, read_records(values, ctx.split.root))

    return ctx.cached(f"image-table:{column}:{side}", compute)


# ----- features for the default model -------------------------------------------------------
N_ORIENT = 9
CELL = 8  # HOG cell side on the 32×32 thumbnail: 4×4 cells


def gradient_histograms(gray: np.ndarray) -> np.ndarray:
    """HOG-like features of (n, 32, 32) gray thumbnails: per 8×8 cell, gradient magnitude in 9
    unsigned orientation bins, each image's vector scaled to unit length (contrast-free shape)."""
    gy, gx = np.gradient(gray.astype(np.float64), axis=(1, 2))
    mag = np.hypot(gx, gy)
    ang = np.mod(np.arctan2(gy, gx), np.pi)
    b = np.minimum((ang / np.pi * N_ORIENT).astype(np.int64), N_ORIENT - 1)
    n, h, w = gray.shape
    cells = (h // CELL) * (w // CELL)
    cell_id = (np.arange(h)[:, None] // CELL) * (w // CELL) + np.arange(w)[None, :] // CELL
    idx = (np.arange(n)[:, None, None] * cells + cell_id[None]) * N_ORIENT + b
    hist = np.bincount(idx.ravel(), weights=mag.ravel(), minlength=n * cells * N_ORIENT).reshape(n, -1)
    norm = np.linalg.norm(hist, axis=1, keepdims=True)
    return np.sqrt(hist / np.maximum(norm, 1e-12))


_MODEL_DESCRIPTORS = ("mean", "std", "min", "max", "border_mean", "saturation", "aspect_ratio")


def _features(records: list[ImageRecord]) -> np.ndarray:
    n = len(records)
    thumbs = np.full((n, THUMB, THUMB, 3), np.nan, dtype=np.float32)
    desc = np.full((n, len(_MODEL_DESCRIPTORS) + 2), np.nan)
    for i, r in enumerate(records):
        if r.thumb is not None:
            thumbs[i] = r.thumb
            d = r.descriptors
            desc[i] = [*(d[k] for k in _MODEL_DESCRIPTORS), np.log1p(d["width"]), np.log1p(d["height"])]
    small = thumbs.reshape(n, THUMB // 2, 2, THUMB // 2, 2, 3).mean(axis=(2, 4)).reshape(n, -1)
    gray = np.nan_to_num(thumbs.mean(axis=3))
    hog = gradient_histograms(gray)
    hog[~np.isfinite(desc[:, 0])] = np.nan
    return np.hstack([small, hog, desc])


class ImageFeatures(TransformerMixin, BaseEstimator):
    """Image paths → 16×16 colour pixels, HOG-like gradient histograms and simple descriptors.

    Linear models on such features are the cheap, strong baselines of small image tasks, and they
    need no downloaded weights. Unreadable images get the training means (their NaN features
    imputed), so that one bad file does not stop the model; PF107 lists them.

    Args:
        root: Folder that relative paths are relative to (None: the working directory).
    """

    def __init__(self, root: str | None = None):
        self.root = root

    def _records(self, X: Any) -> list[ImageRecord]:
        frame = pd.DataFrame(X)
        if frame.shape[1] != 1:
            raise ValueError(f"ImageFeatures reads one column of image paths. Got {frame.shape[1]} columns instead.")
        return read_records(frame.iloc[:, 0].tolist(), self.root)

    def fit(self, X: Any, y: Any = None) -> ImageFeatures:
        F = _features(self._records(X))
        with np.errstate(all="ignore"):
            fill = np.nanmean(F, axis=0) if len(F) else np.zeros(F.shape[1])
        self.fill_ = np.where(np.isfinite(fill), fill, 0.0)
        self.n_features_out_ = F.shape[1]
        return self

    def transform(self, X: Any) -> np.ndarray:
        F = _features(self._records(X))
        bad = ~np.isfinite(F)
        if bad.any():
            F[bad] = np.broadcast_to(self.fill_, F.shape)[bad]
        return F

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        n_pix = (THUMB // 2) ** 2 * 3
        n_hog = (THUMB // CELL) ** 2 * N_ORIENT
        names = [f"pixel{i}" for i in range(n_pix)] + [f"hog{i}" for i in range(n_hog)]
        names += [*_MODEL_DESCRIPTORS, "log_width", "log_height"]
        return np.array(names, dtype=object)
