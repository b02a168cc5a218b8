"""Read a data set in chunks of rows, so that a file larger than memory can be summarised.

Parquet files are read batch by batch and large CSV files block by block with pyarrow; small
text files and JSON lines go through ``pitfall.data.load.read_table`` (with its delimiter
detection and one-line errors) and are then cut into chunks like a DataFrame. Every chunk is
normalised the same way (``normalize``), so a file read in chunks and the same data held in
memory give the same summaries.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pitfall.data.encode import as_float, column_kind
from pitfall.errors import InputError

__all__ = ["Source", "iter_chunks", "open_source", "infer_kinds", "normalize", "STREAM_BYTES"]

STREAM_BYTES = 64 * 2**20  # text files at least this large are streamed instead of read whole
PROBE_ROWS = 10_000  # rows read to decide whether a text column holds numbers
_NULLS = [
    "",
    "#N/A",
    "#N/A N/A",
    "#NA",
    "-1.#IND",
    "-1.#QNAN",
    "-NaN",
    "-nan",
    "1.#IND",
    "1.#QNAN",
    "<NA>",
    "N/A",
    "NA",
    "NULL",
    "NaN",
    "None",
    "n/a",
    "nan",
    "null",
]  # pandas' default missing markers
_TEXT = pd.Series(["text"]).dtype  # what pandas makes of text: a string dtype from pandas 3, else object
_ARROW_COMPRESSION = {None: None, "gzip": "gzip", "bz2": "bz2", "zstd": "zstd"}


@dataclass
class Source:
    """A data set that can be read (more than once) in chunks.

    Attributes:
        name: File name, or ``"reference"``/``"current"`` for a DataFrame.
        columns: Column names, in file order.
        frame: The whole data when it is held in memory, else None.
        path: The file when it is streamed, else None.
        fmt: ``parquet`` or ``csv`` for a streamed file.
    """

    name: str
    columns: list[str]
    frame: pd.DataFrame | None = None
    path: Path | None = None
    fmt: str | None = None
    delimiter: str = ","
    compression: str | None = None

    def chunks(self, columns: list[str], chunk_rows: int) -> Iterator[pd.DataFrame]:
        if self.frame is not None:
            for start in range(0, len(self.frame), chunk_rows):
                yield self.frame.iloc[start : start + chunk_rows][columns]
            return
        assert self.path is not None
        yield from iter_chunks(self.path, columns, chunk_rows, _source=self)

    def head(self, columns: list[str], rows: int = PROBE_ROWS) -> pd.DataFrame:
        """The first rows (at most ``rows``), for deciding column kinds."""
        parts, got = [], 0
        for chunk in self.chunks(columns, rows):
            parts.append(chunk.iloc[: rows - got])
            got += len(parts[-1])
            if got >= rows:
                break
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


def open_source(data, name: str) -> Source:
    """A ``Source`` for a DataFrame or a file path (CSV/TSV, Parquet, JSON lines)."""
    from pitfall.data import load

    if isinstance(data, pd.DataFrame):
        frame = data.rename(columns=str) if not all(isinstance(c, str) for c in data.columns) else data
        if len(frame) == 0:
            raise InputError(f"{name}: the DataFrame has no rows. Give data with rows.")
        if frame.columns.duplicated().any():
            dupes = sorted(set(frame.columns[frame.columns.duplicated()]))
            raise InputError(f"{name}: duplicate column name(s) {', '.join(map(repr, dupes))}. Rename them.")
        return Source(name, list(frame.columns), frame=frame)
    if not isinstance(data, (str, os.PathLike)):
        raise InputError(f"{name} must be a pandas DataFrame or a path to a data file. Got {type(data).__name__}.")
    path = Path(data)
    load._check_path(path)
    fmt = load._file_format(path)
    compression = load._compression(path)
    if fmt == "parquet":
        return _parquet_source(path)
    if fmt == "csv" and path.stat().st_size >= STREAM_BYTES and compression in _ARROW_COMPRESSION:
        return _csv_source(path, compression)
    frame = load.read_table(path)
    return Source(str(path), list(frame.columns), frame=frame)


def _parquet_source(path: Path) -> Source:
    import pyarrow.parquet as pq

    try:
        schema = pq.ParquetFile(path).schema_arrow
    except Exception as exc:
        raise InputError(
            f"{path}: not a readable Parquet file ({first_line(exc)}). Re-export it, e.g. with `df.to_parquet(path)`."
        ) from None
    columns = [str(c) for c in schema.names if not str(c).startswith("__index_level_")]
    if not columns:
        raise InputError(f"{path}: no columns found. Give a file with columns and data rows.")
    if len(set(columns)) != len(columns):
        raise InputError(f"{path}: duplicate column names. Rename them so each column has its own name.")
    return Source(str(path), columns, path=path, fmt="parquet")


def _csv_source(path: Path, compression: str | None) -> Source:
    from pitfall.data import load

    head, truncated = load._read_head(path, compression)
    text = load._decode_head(path, head, truncated)
    if not text.strip():
        raise InputError(f"{path}: the file is empty. Give a file with a header row and data rows.")
    sep = load._sniff_delimiter(path, text, truncated)
    header = [h.strip() for h in next(csv.reader(io.StringIO(text, newline=""), delimiter=sep), [])]
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise InputError(f"{path}: duplicate column name(s) {', '.join(map(repr, dupes))} in the header. Rename them.")
    return Source(str(path), header, path=path, fmt="csv", delimiter=sep, compression=compression)


def iter_chunks(
    path: str | os.PathLike,
    columns: list[str] | None = None,
    chunk_rows: int = 100_000,
    *,
    _source: Source | None = None,
) -> Iterator[pd.DataFrame]:
    """Yield a Parquet or CSV file as DataFrames of at most ``chunk_rows`` rows.

    CSV values come as text (missing markers as NA) and are made numeric by ``normalize``;
    Parquet values keep their types.
    """
    source = _source or open_source(path, str(path))
    if source.frame is not None:
        yield from source.chunks(columns or source.columns, chunk_rows)
        return
    columns = list(columns or source.columns)
    try:
        if source.fmt == "parquet":
            import pyarrow.parquet as pq

            batches = pq.ParquetFile(source.path).iter_batches(batch_size=chunk_rows, columns=columns)
        else:
            batches = _csv_batches(source, columns, chunk_rows)
        yield from batch_frames(batches, chunk_rows)
    except InputError:
        raise
    except MemoryError:
        raise
    except Exception as exc:  # pyarrow raises ArrowInvalid and friends for malformed files
        raise InputError(
            f"{source.path}: cannot read as {source.fmt}: {first_line(exc)}. Check that the file is complete."
        ) from None


def batch_frames(batches, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """pyarrow record batches as DataFrames of at most ``chunk_rows`` rows."""
    for batch in batches:
        frame = batch.to_pandas()
        for start in range(0, len(frame), chunk_rows):
            yield frame.iloc[start : start + chunk_rows].reset_index(drop=True)


def _csv_batches(source: Source, columns: list[str], chunk_rows: int):
    import pyarrow as pa

    size = source.path.stat().st_size if source.path else 0
    block = int(min(max(2**20, 256 * chunk_rows), 2**28, max(size, 2**20)))
    stream = pa.input_stream(str(source.path), compression=_ARROW_COMPRESSION.get(source.compression))
    yield from csv_reader(stream, source, columns, block)


def csv_reader(stream, source: Source, columns: list[str], block: int):
    """pyarrow's streaming CSV reader with every column as text (missing markers as null): the
    one way CSV text is parsed, whether the whole file or a block of it is read."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    return pacsv.open_csv(
        stream,
        read_options=pacsv.ReadOptions(block_size=block, encoding="utf8"),
        parse_options=pacsv.ParseOptions(delimiter=source.delimiter),
        convert_options=pacsv.ConvertOptions(
            column_types={c: pa.string() for c in source.columns},
            strings_can_be_null=True,
            null_values=_NULLS,
            include_columns=columns,
        ),
    )


def infer_kinds(head: pd.DataFrame, columns: list[str]) -> dict[str, str]:
    """``numeric`` or ``categorical`` per column: typed columns by dtype, text columns numeric
    when at least 95% of their non-missing values in the first rows parse as numbers."""
    kinds = {}
    for col in columns:
        values = head[col]
        kind = column_kind(values)
        if kind in ("numeric", "datetime"):
            kinds[col] = "numeric"
        elif kind == "bool":
            kinds[col] = "categorical"
        else:
            present = values.dropna()
            parsed = pd.to_numeric(present.astype(str).str.strip(), errors="coerce")
            numeric = len(present) > 0 and parsed.notna().sum() >= 0.95 * len(present)
            kinds[col] = "numeric" if numeric else "categorical"
    return kinds


def normalize(chunk: pd.DataFrame, kinds: dict[str, str]) -> pd.DataFrame:
    """Numeric columns as float64 (unparsable text and infinities become NaN), categorical
    columns as text with NA for missing (pandas' text dtype; a column already of that dtype is
    kept as it is rather than converted there and back): the same for every way of reading."""
    out = {}
    for col in chunk.columns:
        values = chunk[col]
        kind = kinds.get(col)
        if kind == "numeric":
            if column_kind(values) in ("numeric", "datetime"):
                out[col] = as_float(values)
            else:
                parsed = pd.to_numeric(values.astype("string").str.strip(), errors="coerce")
                arr = parsed.to_numpy(dtype=float, na_value=np.nan, copy=True)
                arr[~np.isfinite(arr)] = np.nan
                out[col] = arr
        elif kind == "categorical":
            if isinstance(_TEXT, pd.StringDtype) and values.dtype == _TEXT:  # already the text a frame makes
                out[col] = values.reset_index(drop=True)
                continue
            missing = values.isna().to_numpy()
            text = values.astype(str).to_numpy(dtype=object, copy=True)
            text[missing] = None
            out[col] = text
        else:
            out[col] = values.to_numpy(copy=True)
    return pd.DataFrame(out, index=pd.RangeIndex(len(chunk)))


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__
