"""A small, real embedding function for the ``--embed`` tests: hashed character trigram counts."""

from __future__ import annotations

import zlib

import numpy as np

DIM = 64
calls: list[int] = []  # how many texts each call received


def embed(texts: list[str]) -> np.ndarray:
    """Each text as L2-normalised counts of its character trigrams, hashed into 64 buckets."""
    calls.append(len(texts))
    out = np.zeros((len(texts), DIM))
    for i, t in enumerate(texts):
        t = f"  {t.lower()} "
        for j in range(len(t) - 2):
            out[i, zlib.crc32(t[j : j + 3].encode()) % DIM] += 1
    norm = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norm > 0, norm, 1)


def wrong_shape(texts: list[str]) -> np.ndarray:
    return np.zeros(len(texts))


def file_sizes(paths: list[str]) -> np.ndarray:
    """An 'image' embedding for the path test: each file's size in bytes (the files must exist)."""
    calls.append(len(paths))
    from pathlib import Path

    return np.array([[float(Path(p).stat().st_size)] for p in paths])
