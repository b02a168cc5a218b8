"""The ``dask`` engine: each pass of ``drift()`` as one task per partition on a Dask cluster,
then a tree of merges.

Partitions are read by the workers with the same readers as the local engine (pyarrow record
batches of Parquet row groups; pyarrow's CSV parser on newline-aligned byte blocks of a CSV
file, header in front), so a value is parsed the same way on every engine. Files must be at the
same path on every worker (a shared file system), and a CSV value may not span lines; an
in-memory DataFrame is sent to the workers in slices.

Connects to ``scheduler`` when given (``tcp://host:8786``), else to the current default
``distributed.Client``, else starts a ``LocalCluster`` in this process (threads, no extra
processes) for the duration of the call.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import reduce
from typing import Any

from pitfall.data.stream import Source, batch_frames, csv_reader, first_line, iter_chunks
from pitfall.engine.local import ChunkFn, Combine, reduce_chunks
from pitfall.errors import ConfigError, InputError

__all__ = ["DaskEngine"]

FAN_IN = 8  # partial results merged per task of the merge tree
CSV_BLOCK = 64 * 2**20  # bytes of CSV text per task


def _import() -> tuple[Any, Any]:
    try:
        import dask
        import distributed
    except ImportError:
        raise ConfigError(
            "--engine dask needs Dask, which is not installed. Install it with `pip install 'pitfall[dask]'`."
        ) from None
    return dask, distributed


class DaskEngine:
    name = "dask"

    def __init__(self, client: Any, csv_block: int = CSV_BLOCK) -> None:
        self.client = client
        self.csv_block = csv_block

    @classmethod
    @contextmanager
    def connect(cls, scheduler: str | None = None) -> Iterator[DaskEngine]:
        dask, distributed = _import()
        cluster = client = None
        try:
            if scheduler is not None:
                timeout = dask.config.get("distributed.comm.timeouts.connect")
                try:
                    client = distributed.Client(scheduler, timeout=timeout, set_as_default=False)
                except Exception as exc:
                    raise ConfigError(
                        f"--scheduler {scheduler}: cannot reach the Dask scheduler ({first_line(exc)}). "
                        "Check the address (tcp://host:8786) and that the scheduler is running."
                    ) from None
                owned = True
            else:
                try:
                    client, owned = distributed.default_client(), False
                except ValueError:  # no client yet: a cluster in this process, for this call only
                    cluster = distributed.LocalCluster(processes=False, dashboard_address=None)
                    client, owned = distributed.Client(cluster, set_as_default=False), True
            yield cls(client)
        finally:
            if client is not None and owned:
                client.close()
            if cluster is not None:
                cluster.close()

    def map_reduce(self, source: Source, columns: list[str], chunk_rows: int, fn: ChunkFn, combine: Combine) -> Any:
        client = self.client
        [fn_future] = client.scatter([fn], hash=False)  # one copy of the model and the edges, fetched by each worker
        if source.frame is not None:
            slices = [source.frame.iloc[s : s + chunk_rows][columns] for s in range(0, len(source.frame), chunk_rows)]
            futures = [client.submit(_frame_part, f, fn_future, pure=False) for f in client.scatter(slices, hash=False)]
        elif source.fmt == "parquet":
            futures = [
                client.submit(_parquet_part, source, groups, columns, chunk_rows, fn_future, combine, pure=False)
                for groups in _row_group_tasks(source, chunk_rows)
            ]
        else:
            futures = self._csv_futures(source, columns, chunk_rows, fn_future, combine)
        if not futures:
            return None
        while len(futures) > 1:
            futures = [
                client.submit(_combine_all, combine, *futures[i : i + FAN_IN], pure=False)
                for i in range(0, len(futures), FAN_IN)
            ]
        return futures[0].result()

    def _csv_futures(self, source: Source, columns: list[str], chunk_rows: int, fn: Any, combine: Combine) -> list:
        """One task per newline-aligned block of an uncompressed file (a compressed one is one task)."""
        assert source.path is not None
        if source.compression:
            return [self.client.submit(_whole_part, source, columns, chunk_rows, fn, combine, pure=False)]
        size = source.path.stat().st_size
        with open(source.path, "rb") as f:
            header = f.readline()
        return [
            self.client.submit(
                _csv_part, source, offset, self.csv_block, header, columns, chunk_rows, fn, combine, pure=False
            )
            for offset in range(0, size, self.csv_block)
        ]


def _row_group_tasks(source: Source, chunk_rows: int) -> list[list[int]]:
    """Row groups in runs of at least ``chunk_rows`` rows: one task each."""
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(source.path).metadata
    tasks, run, rows = [], [], 0
    for i in range(meta.num_row_groups):
        run.append(i)
        rows += meta.row_group(i).num_rows
        if rows >= chunk_rows:
            tasks.append(run)
            run, rows = [], 0
    if run:
        tasks.append(run)
    return tasks


def _combine_all(combine: Combine, *parts: Any) -> Any:
    present = [p for p in parts if p is not None]
    return reduce(combine, present) if present else None


def _frame_part(frame, fn: ChunkFn) -> Any:
    return fn(frame.reset_index(drop=True))


def _parquet_part(
    source: Source, groups: list[int], columns: list[str], chunk_rows: int, fn: ChunkFn, combine: Combine
) -> Any:
    import pyarrow.parquet as pq

    def chunks():
        try:
            file = pq.ParquetFile(source.path)
            batches = file.iter_batches(batch_size=chunk_rows, row_groups=groups, columns=columns)
            yield from batch_frames(batches, chunk_rows)
        except (InputError, MemoryError):
            raise
        except Exception as exc:
            raise InputError(
                f"{source.path}: cannot read as parquet: {first_line(exc)}. Check that the file is complete."
            ) from None

    return reduce_chunks(chunks(), fn, combine)


def _whole_part(source: Source, columns: list[str], chunk_rows: int, fn: ChunkFn, combine: Combine) -> Any:
    return reduce_chunks(iter_chunks(source.path, columns, chunk_rows, _source=source), fn, combine)


def _csv_part(
    source: Source,
    offset: int,
    length: int,
    header: bytes,
    columns: list[str],
    chunk_rows: int,
    fn: ChunkFn,
    combine: Combine,
) -> Any:
    """The lines that start in ``[offset, offset + length)`` (the header's in the first block), parsed
    with the header in front."""
    import pyarrow as pa
    from fsspec.utils import read_block

    with open(source.path, "rb") as f:
        block = read_block(f, offset, length, delimiter=b"\n")
    data = block if offset == 0 else header + block
    if not block.strip() or (offset == 0 and not block[len(header) :].strip()):
        return None

    def chunks():
        try:
            reader = csv_reader(pa.BufferReader(data), source, columns, int(min(max(2**20, len(data) + 1), 2**28)))
            yield from batch_frames(reader, chunk_rows)
        except (InputError, MemoryError):
            raise
        except Exception as exc:
            raise InputError(
                f"{source.path}: cannot read as csv: {first_line(exc)}. Check that the file is complete."
            ) from None

    return reduce_chunks(chunks(), fn, combine)
