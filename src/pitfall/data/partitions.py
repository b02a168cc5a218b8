"""Parquet data sets split into pieces: one file, or a folder of files (partitioned Parquet).

A piece is one row group of one file. The pieces of a data set, in file-name order and row-group
order, define its row order, so a folder read whole on one machine (``read_parquet_pieces``) and
the same folder read piece by piece on a cluster (``pitfall.engine.partitioned``) give the same
rows in the same order, with the same types.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pitfall.errors import InputError

__all__ = ["Piece", "list_pieces", "read_piece", "read_parquet_pieces", "is_parquet_folder"]

_SUFFIXES = (".parquet", ".pq")


@dataclass(frozen=True)
class Piece:
    """One row group of one Parquet file and where its rows start in the whole data set."""

    path: str
    row_group: int
    rows: int
    offset: int


def is_parquet_folder(path: str | Path) -> bool:
    """A folder holding Parquet files (searched recursively), e.g. written by Spark or Dask."""
    p = Path(path)
    return p.is_dir() and any(f.suffix in _SUFFIXES for f in p.rglob("*") if f.is_file())


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(f for f in path.rglob("*") if f.is_file() and f.suffix in _SUFFIXES)
        if not files:
            raise InputError(f"{path}: no .parquet files in this folder. Give a Parquet file or a folder of them.")
        return files
    if not path.exists():
        raise InputError(f"{path}: no such file or folder. Check the path.")
    return [path]


def list_pieces(path: str | Path) -> tuple[list[Piece], list[str]]:
    """The row groups of a Parquet file or folder, in order, and its column names.

    Every file must have the same columns; a file that cannot be read is named in the error.
    """
    import pyarrow.parquet as pq

    pieces: list[Piece] = []
    columns: list[str] | None = None
    offset = 0
    for file in _files(Path(path)):
        try:
            meta = pq.ParquetFile(file)
        except Exception as exc:
            raise InputError(
                f"{file}: not a readable Parquet file ({_first_line(exc)}). "
                "Re-export it, e.g. with `df.to_parquet(path)`."
            ) from None
        names = [str(c) for c in meta.schema_arrow.names if not str(c).startswith("__index_level_")]
        if columns is None:
            columns = names
        elif names != columns:
            missing = sorted(set(columns) ^ set(names))
            raise InputError(
                f"{file}: its columns differ from the other files' ({', '.join(map(repr, missing[:5])) or 'order'}). "
                "Give files with the same columns in the same order."
            )
        for i in range(meta.metadata.num_row_groups):
            rows = meta.metadata.row_group(i).num_rows
            if rows:
                pieces.append(Piece(str(file), i, rows, offset))
                offset += rows
    if not columns:
        raise InputError(f"{path}: no columns found. Give Parquet data with columns and rows.")
    if offset == 0:
        raise InputError(f"{path}: has column names but no data rows. Give data with rows.")
    return pieces, columns


def read_piece(piece: Piece, columns: list[str] | None = None) -> pd.DataFrame:
    """The rows of one piece as a DataFrame with a fresh 0-based index."""
    import pyarrow.parquet as pq

    try:
        table = pq.ParquetFile(piece.path).read_row_group(piece.row_group, columns=columns)
        frame = table.to_pandas()
    except MemoryError:
        raise
    except Exception as exc:
        raise InputError(
            f"{piece.path}: cannot read row group {piece.row_group} ({_first_line(exc)}). "
            "Check that the file is complete."
        ) from None
    frame.columns = [str(c) for c in frame.columns]
    return frame.reset_index(drop=True)


def read_parquet_pieces(path: str | Path) -> pd.DataFrame:
    """A whole Parquet folder (or file) on this machine, piece by piece in the pieces' order."""
    pieces, columns = list_pieces(path)
    frames = [read_piece(p, columns) for p in pieces]
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
