"""Read CSV, Parquet and JSON-lines files into pandas, with one-line errors for bad files.

Files are opened read-only; nothing the user gave is ever written.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pandas as pd

from pitfall.errors import InputError

__all__ = ["read_table", "SUPPORTED_SUFFIXES"]

SUPPORTED_SUFFIXES = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}


def _file_format(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    for suffix in reversed(suffixes):
        if suffix in (".gz", ".bz2", ".zst", ".xz", ".zip"):
            continue
        if suffix in SUPPORTED_SUFFIXES:
            return SUPPORTED_SUFFIXES[suffix]
        break
    raise InputError(
        f"{path}: unknown file type {path.suffix!r}. "
        "Use a .csv, .tsv, .parquet or .jsonl file."
    )


def _sniff_delimiter(path: Path) -> str:
    if path.suffix.lower() == ".tsv":
        return "\t"
    if any(s.lower() in (".gz", ".bz2", ".zst", ".xz", ".zip") for s in path.suffixes):
        return ","
    with open(path, "rb") as fh:
        head = fh.read(64 * 1024)
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the 64 KiB boundary is not an encoding error.
        if exc.start < len(head) - 4:
            raise InputError(
                f"{path}: not UTF-8 text (byte 0x{head[exc.start]:02x} at offset {exc.start}). "
                "Re-save the file as UTF-8, e.g. `iconv -f latin1 -t utf-8`."
            ) from None
        text = head[: exc.start].decode("utf-8")
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    if not lines:
        raise InputError(f"{path}: the file is empty. Give a file with a header row and data rows.")
    sample = "\n".join(lines)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        if len(lines) == 1 or "," in lines[0]:
            return ","
        raise InputError(
            f"{path}: could not tell the column delimiter (tried , ; tab |). "
            "Save the file as comma-separated CSV with a header row."
        ) from None


def _check_path(path: Path) -> None:
    if not path.exists():
        raise InputError(f"{path}: no such file. Check the path.")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a data file. Give a .csv, .parquet or .jsonl file.")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: permission denied. Make the file readable.")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty. Give a file with a header row and data rows.")


def read_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a CSV/TSV, Parquet or JSON-lines file into a DataFrame.

    Args:
        path: The file to read. Compressed CSV (``.csv.gz``) is supported.

    Returns:
        The data, with the file's column names.

    Raises:
        InputError: The file is missing, empty, not UTF-8, malformed, or has duplicate
            or empty column names.
    """
    path = Path(path)
    _check_path(path)
    fmt = _file_format(path)
    try:
        if fmt == "csv":
            sep = _sniff_delimiter(path)
            frame = _read_csv(path, sep)
        elif fmt == "parquet":
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_json(path, lines=True)
    except InputError:
        raise
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}). Re-save the file as UTF-8."
        ) from None
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: the file has no columns. Give a file with a header row and data rows.") from None
    except pd.errors.ParserError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "parse error"
        raise InputError(f"{path}: cannot parse as {fmt.upper()}: {first}. Fix the file's quoting or delimiter.") from None
    except ValueError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{path}: cannot read as {fmt}: {first}.") from None
    except Exception as exc:  # pyarrow and friends raise their own types
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{path}: cannot read as {fmt}: {first}.") from None
    _check_columns(frame, str(path))
    if len(frame) == 0:
        raise InputError(f"{path}: has a header but no data rows. Give a file with data rows.")
    return frame


def _read_csv(path: Path, sep: str) -> pd.DataFrame:
    with open(path, encoding="utf-8", errors="strict", newline="") as fh:
        header = next(csv.reader(fh, delimiter=sep), [])
    names = [h.strip() for h in header]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputError(
            f"{path}: duplicate column name(s) {', '.join(repr(d) for d in dupes)} in the header. "
            "Rename them so each column has its own name."
        )
    try:
        return pd.read_csv(path, sep=sep, low_memory=False, encoding="utf-8", engine="c")
    except pd.errors.ParserError:
        # The C parser rejects ragged rows; say which line.
        with open(path, encoding="utf-8", newline="") as fh:
            for lineno, row in enumerate(csv.reader(fh, delimiter=sep), start=1):
                if row and len(row) != len(header):
                    raise InputError(
                        f"{path}: line {lineno} has {len(row)} fields, the header has {len(header)}. "
                        "Fix the row or quote fields that contain the delimiter."
                    ) from None
        raise


def _check_columns(frame: pd.DataFrame, source: str) -> None:
    names = [str(c) for c in frame.columns]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputError(
            f"{source}: duplicate column name(s) {', '.join(repr(d) for d in dupes)}. "
            "Rename them so each column has its own name."
        )
    if frame.shape[1] == 0:
        raise InputError(f"{source}: no columns found. Give a file with a header row and data rows.")
    frame.columns = names
