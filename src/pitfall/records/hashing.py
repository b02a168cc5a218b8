"""Content hashes of what a run read: files byte for byte, tables row by row in any order.

A file's ``sha256`` says whether its bytes changed. A table's ``rows`` hash says whether it holds
the same rows: each row is hashed with :func:`pandas.util.hash_pandas_object` (vectorised, one
64-bit hash per row, columns taken in name order), the row hashes are sorted and the sorted array
is hashed with SHA-256. A re-export with shuffled rows or reordered columns keeps the rows hash
and changes the file hash, so a record can tell "same data, new file" from "new data".
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["file_sha256", "path_digest", "rows_digest"]

_CHUNK = 1 << 20


def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file's bytes, read in 1 MiB chunks (constant memory)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def path_digest(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Hash of a file, or of a folder's files (each relative path with its content hash, in order)."""
    path = Path(path)
    if path.is_dir():
        digest = hashlib.sha256()
        n_files = size = 0
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            rel = file.relative_to(path).as_posix()
            digest.update(f"{rel}\0{file_sha256(file)}\n".encode())
            n_files += 1
            size += file.stat().st_size
        return {"kind": "folder", "sha256": digest.hexdigest(), "files": n_files, "bytes": size}
    return {"kind": "file", "sha256": file_sha256(path), "bytes": path.stat().st_size}


def rows_digest(frame: pd.DataFrame) -> str:
    """Order-insensitive hash of a table's rows (and of its column names and types)."""
    columns = sorted(map(str, frame.columns))
    ordered = frame.set_axis(list(map(str, frame.columns)), axis=1)[columns]
    digest = hashlib.sha256()
    digest.update("\0".join(f"{c}:{ordered[c].dtype}" for c in columns).encode())
    if len(ordered):
        hashes = pd.util.hash_pandas_object(ordered, index=False).to_numpy(dtype=np.uint64)
        digest.update(np.sort(hashes).tobytes())
    return digest.hexdigest()
