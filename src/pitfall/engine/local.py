"""Engines that run one pass of ``drift()``: a pure function mapped over the chunks of a data
set, and the partial results merged.

The same two functions run on every engine, so every engine gives the same summaries (up to the
rounding of float sums) and the same row samples (chosen by a hash of each row's content):

- ``local``: chunk after chunk in this process, merging as it goes (memory stays at one chunk
  plus the partial result);
- ``dask``: one task per partition (Parquet row group, CSV block, slice of a DataFrame) on a
  Dask cluster, then a tree of merges (``pitfall.engine.dask_cluster``; needs
  ``pip install 'pitfall[dask]'``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol

from pitfall.data.stream import Source
from pitfall.errors import ConfigError

__all__ = ["ENGINES", "Engine", "LocalEngine", "open_engine"]

ENGINES = ("local", "dask")

ChunkFn = Callable[[Any], Any]
Combine = Callable[[Any, Any], Any]


class Engine(Protocol):
    name: str

    def map_reduce(self, source: Source, columns: list[str], chunk_rows: int, fn: ChunkFn, combine: Combine) -> Any:
        """``combine`` of ``fn(chunk)`` over every chunk of ``columns`` of ``source`` (None when
        there are no rows). ``fn`` and ``combine`` must be pure; ``combine`` associative."""


class LocalEngine:
    """Today's loop: read chunk by chunk and merge as it goes."""

    name = "local"

    def map_reduce(self, source: Source, columns: list[str], chunk_rows: int, fn: ChunkFn, combine: Combine) -> Any:
        return reduce_chunks(source.chunks(columns, chunk_rows), fn, combine)


def reduce_chunks(chunks: Iterator[Any], fn: ChunkFn, combine: Combine) -> Any:
    acc = None
    for chunk in chunks:
        part = fn(chunk)
        acc = part if acc is None else combine(acc, part)
    return acc


@contextmanager
def open_engine(engine: str, scheduler: str | None = None) -> Iterator[Engine]:
    """The engine named ``engine``, connected (for ``dask``) to ``scheduler`` or a local cluster,
    and closed again on exit."""
    if engine not in ENGINES:
        raise ConfigError(f"--engine must be one of {', '.join(ENGINES)}. Got {engine!r} instead.")
    if scheduler is not None and engine != "dask":
        raise ConfigError("--scheduler needs --engine dask.")
    if engine == "local":
        yield LocalEngine()
        return
    from pitfall.engine.dask_cluster import DaskEngine

    with DaskEngine.connect(scheduler) as dask_engine:
        yield dask_engine
