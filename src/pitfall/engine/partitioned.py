"""A table whose rows stay on a Dask cluster, read there piece by piece, fetched a column at a time.

``pitfall scan --engine dask`` gives the data checks a ``PartitionedFrame`` instead of a pandas
DataFrame. The workers read the Parquet pieces (row groups) and keep them in their memory; this
process never holds the whole table. What a check asks for is computed where the rows are and
only the result travels:

- ``frame[column]``: one column, concatenated in row order (a check that looks at a column
  needs every value of it, as it would on one machine); a few columns are kept in a cache of
  ``cache_bytes``;
- ``frame.iloc[rows]``: the listed rows (examples for the evidence, samples);
- ``frame.map_partitions(fn)``: ``fn(piece_frame, offset)`` on every piece, on the workers,
  results in row order: per-row hashes and keys, counts that are summed afterwards.

Only the operations the data checks use are offered; anything else fails loudly rather than
pulling the table over the network behind the user's back.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from pitfall.data.partitions import Piece, read_piece

__all__ = ["PartitionedFrame"]

CACHE_BYTES = 512 * 2**20


class PartitionedFrame:
    """Rows of a Parquet file or folder held by the workers of ``client``, one task per piece.

    Args:
        client: A connected ``distributed.Client``.
        pieces: The data set's pieces (``pitfall.data.partitions.list_pieces``).
        columns: Its column names.
        name: The file or folder, for messages.
    """

    def __init__(
        self, client: Any, pieces: list[Piece], columns: list[str], name: str, cache_bytes: int = CACHE_BYTES
    ) -> None:
        self.client = client
        self.pieces = pieces
        self.name = name
        self._columns = pd.Index(columns)
        self._offsets = np.array([p.offset for p in pieces] + [pieces[-1].offset + pieces[-1].rows], dtype=np.int64)
        self._parts = [client.submit(read_piece, p, columns, pure=False) for p in pieces]
        self._cache: OrderedDict[str, pd.Series] = OrderedDict()
        self._cache_bytes = cache_bytes
        self._cached = 0
        self.iloc = _ILoc(self)
        head = self._parts[0].result()
        self.dtypes = head.dtypes
        self._empty = head.iloc[:0]

    # ----- shape ---------------------------------------------------------------------------
    @property
    def columns(self) -> pd.Index:
        return self._columns

    def __len__(self) -> int:
        return int(self._offsets[-1])

    @property
    def shape(self) -> tuple[int, int]:
        return len(self), len(self._columns)

    @property
    def partitions(self) -> int:
        return len(self._parts)

    def __contains__(self, name: object) -> bool:
        return name in self._columns

    # ----- columns -------------------------------------------------------------------------
    def __getitem__(self, key: str | Sequence[str]) -> pd.Series | pd.DataFrame:
        if isinstance(key, str):
            return self._column(key)
        names = list(key)
        return pd.DataFrame({c: self._column(c) for c in names}, columns=names)

    def _column(self, name: str) -> pd.Series:
        if name not in self._columns:
            raise KeyError(name)
        if name in self._cache:
            self._cache.move_to_end(name)
            return self._cache[name]
        parts = self.client.gather([self.client.submit(_take_column, p, name, pure=False) for p in self._parts])
        series = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].reset_index(drop=True)
        series.name = name
        size = int(series.memory_usage(deep=False))
        if size <= self._cache_bytes:
            while self._cache and self._cached + size > self._cache_bytes:
                _, old = self._cache.popitem(last=False)
                self._cached -= int(old.memory_usage(deep=False))
            self._cache[name] = series
            self._cached += size
        return series

    # ----- rows ----------------------------------------------------------------------------
    def take(self, rows: np.ndarray | Sequence[int], columns: list[str] | None = None) -> pd.DataFrame:
        """The rows at positions ``rows`` (in that order), with a 0-based index."""
        rows = np.asarray(rows, dtype=np.int64)
        cols = list(self._columns) if columns is None else list(columns)
        if rows.size == 0:
            return self._empty[cols].reset_index(drop=True)
        if rows.min() < 0 or rows.max() >= len(self):
            raise IndexError(f"positions out of range for {self.name} ({len(self):,} rows)")
        piece = np.searchsorted(self._offsets, rows, side="right") - 1
        futures, order = [], []
        for i in np.unique(piece):
            mine = np.flatnonzero(piece == i)
            local = rows[mine] - self._offsets[i]
            futures.append(self.client.submit(_take_rows, self._parts[i], local, cols, pure=False))
            order.append(mine)
        parts = self.client.gather(futures)
        out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        position = np.concatenate(order)
        return out.iloc[np.argsort(position, kind="stable")].reset_index(drop=True)

    def map_partitions(self, fn: Callable[[pd.DataFrame, int], Any]) -> list[Any]:
        """``fn(piece_frame, offset)`` for every piece, run by the workers, results in row order."""
        [fn_future] = self.client.scatter([fn], hash=False)
        futures = [
            self.client.submit(_apply, part, fn_future, int(off), pure=False)
            for part, off in zip(self._parts, self._offsets[:-1], strict=True)
        ]
        return self.client.gather(futures)

    def head(self, n: int = 5) -> pd.DataFrame:
        return self.take(np.arange(min(n, len(self))))

    def release(self) -> None:
        """Let the workers drop the pieces."""
        self._cache.clear()
        self._cached = 0
        for f in self._parts:
            f.release()
        self._parts = []

    def __repr__(self) -> str:
        shape = f"{len(self):,} rows, {len(self._columns)} columns, {self.partitions} pieces"
        return f"PartitionedFrame({self.name!r}, {shape})"


class _ILoc:
    def __init__(self, frame: PartitionedFrame) -> None:
        self.frame = frame

    def __getitem__(self, key: Any) -> pd.DataFrame:
        n = len(self.frame)
        if isinstance(key, slice):
            rows = np.arange(n)[key]
        elif isinstance(key, (int, np.integer)):
            rows = np.array([int(key) % n if key < 0 else int(key)])
        else:
            rows = np.asarray(key)
            if rows.dtype == bool:
                rows = np.flatnonzero(rows)
        return self.frame.take(rows)


def _take_column(frame: pd.DataFrame, name: str) -> pd.Series:
    return frame[name]


def _take_rows(frame: pd.DataFrame, rows: np.ndarray, columns: list[str]) -> pd.DataFrame:
    return frame.iloc[rows][columns]


def _apply(frame: pd.DataFrame, fn: Callable[[pd.DataFrame, int], Any], offset: int) -> Any:
    return fn(frame, offset)
