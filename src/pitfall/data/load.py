"""Read CSV, Parquet and JSON-lines files into pandas, with one-line errors for bad files.

Files are opened read-only; nothing the user gave is ever written. Every way a file can be
unreadable (missing, empty, binary, not UTF-8, ragged, corrupt, falsely compressed) ends in an
``InputError`` that names the file and says what to do, because the parsers' own exceptions
are tracebacks to a user.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import itertools
import json
import lzma
import os
import re
import zipfile
from pathlib import Path
from typing import IO

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
_COMPRESSION = {".gz": "gzip", ".bz2": "bz2", ".xz": "xz", ".zst": "zstd", ".zip": "zip"}
_SPREADSHEETS = {".xlsx", ".xls", ".xlsm", ".ods", ".numbers"}
_DELIMITERS = (",", "\t", ";", "|")
_HEAD_BYTES = 64 * 1024
_SNIFF_RECORDS = 50
_DECIMAL_COMMA = re.compile(r"(?:^|;)\s*-?\d+,\d+\s*(?=;|$)", re.MULTILINE)
_DECIMAL_POINT = re.compile(r"(?:^|;)\s*-?\d+\.\d+\s*(?=;|$)", re.MULTILINE)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


def _file_format(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    for suffix in reversed(suffixes):
        if suffix in _COMPRESSION:
            continue
        if suffix in SUPPORTED_SUFFIXES:
            return SUPPORTED_SUFFIXES[suffix]
        break
    hint = " Export spreadsheets as CSV." if path.suffix.lower() in _SPREADSHEETS else ""
    raise InputError(
        f"{path}: unknown file type {path.suffix or '(no suffix)'!r}. "
        f"Use a .csv, .tsv, .parquet or .jsonl file (optionally .gz).{hint}"
    )


def _compression(path: Path) -> str | None:
    return _COMPRESSION.get(path.suffix.lower())


def _open_binary(path: Path, compression: str | None) -> IO[bytes]:
    """Open the (decompressed) bytes of a file, for sniffing and for locating bad lines."""
    if compression is None:
        return open(path, "rb")
    if compression == "gzip":
        return gzip.open(path, "rb")
    if compression == "bz2":
        return bz2.open(path, "rb")
    if compression == "xz":
        return lzma.open(path, "rb")
    if compression == "zip":
        archive = zipfile.ZipFile(path)
        names = [n for n in archive.namelist() if not n.endswith("/")]
        if len(names) != 1:
            raise InputError(
                f"{path}: a zip archive must hold exactly one data file, it holds {len(names)}. "
                "Unzip it and pass the data file."
            )
        return archive.open(names[0])
    try:
        import zstandard
    except ImportError:
        raise InputError(
            f"{path}: reading .zst files needs the zstandard package. "
            "Run `pip install zstandard`, or decompress the file first."
        ) from None
    return zstandard.ZstdDecompressor().stream_reader(open(path, "rb"))


def _read_head(path: Path, compression: str | None) -> tuple[bytes, bool]:
    """The first 64 KiB of the decompressed content, and whether the file is longer."""
    try:
        with _open_binary(path, compression) as fh:
            head = fh.read(_HEAD_BYTES + 1)
    except InputError:
        raise
    except (OSError, EOFError, zipfile.BadZipFile, lzma.LZMAError) as exc:
        if compression is None:
            reason = getattr(exc, "strerror", None) or _first_line(exc)
            raise InputError(f"{path}: cannot read the file ({reason}). Check the file.") from None
        kind = {"gzip": "gzip", "bz2": "bzip2", "xz": "xz", "zip": "zip"}.get(compression, compression)
        raise InputError(
            f"{path}: not a valid {kind} file ({_first_line(exc)}). "
            f"Check the file, or remove the {path.suffix} suffix if it is not compressed."
        ) from None
    except Exception as exc:  # zstandard raises its own error type
        raise InputError(f"{path}: cannot decompress the file ({_first_line(exc)}). Check the file.") from None
    return head[:_HEAD_BYTES], len(head) > _HEAD_BYTES


def _decode_head(path: Path, head: bytes, truncated: bool) -> str:
    if b"\x00" in head:
        raise InputError(
            f"{path}: looks like a binary file (it contains NUL bytes), not text. Export the data as CSV or Parquet."
        )
    try:
        return head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the 64 KiB boundary is not an encoding error.
        if not (truncated and exc.start >= len(head) - 4):
            raise InputError(
                f"{path}: not UTF-8 text (byte 0x{head[exc.start]:02x} at offset {exc.start}). "
                "Re-save the file as UTF-8, e.g. `iconv -f latin1 -t utf-8 in.csv > out.csv`."
            ) from None
        return head[: exc.start].decode("utf-8-sig")


def _sample_records(text: str, delimiter: str, truncated: bool) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = [r for r in itertools.islice(reader, _SNIFF_RECORDS + 1) if r]
    except csv.Error:
        return []
    if truncated and len(rows) > _SNIFF_RECORDS:
        rows = rows[:_SNIFF_RECORDS]  # the last record may be cut at the head boundary
    elif truncated and len(rows) > 2:
        rows = rows[:-1]
    return rows


def _sniff_delimiter(path: Path, text: str, truncated: bool) -> str:
    """Pick the delimiter whose header splits into several columns and that the rows agree with.

    ``csv.Sniffer`` guesses from character frequencies and is easily fooled by commas inside
    text or decimal commas; counting fields per record against the header is more robust.
    """
    if ".tsv" in [s.lower() for s in path.suffixes]:
        return "\t"
    scores: list[tuple[float, int, int, str]] = []
    for rank, delimiter in enumerate(_DELIMITERS):
        rows = _sample_records(text, delimiter, truncated)
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        data = rows[1:]
        agree = sum(len(r) == width for r in data) / len(data) if data else 1.0
        scores.append((agree, width, -rank, delimiter))
    if not scores:
        return ","  # one column (no delimiter in the header): pandas reads it as is
    if len(scores) == 1:
        return scores[0][3]  # ragged rows are reported with their line number later
    best = max(scores)
    if best[0] < 0.5:
        raise InputError(
            f"{path}: could not tell the column delimiter (tried , tab ; |): no delimiter splits "
            "the rows like the header. Save the file as comma-separated CSV with a header row."
        )
    return best[3]


def _check_path(path: Path) -> None:
    if not path.exists():
        hint = " (a broken symbolic link)" if path.is_symlink() else ""
        raise InputError(f"{path}: no such file{hint}. Check the path.")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a data file. Give a .csv, .parquet or .jsonl file.")
    if not path.is_file():
        raise InputError(f"{path}: not a regular file. Give a .csv, .parquet or .jsonl file.")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path}: permission denied. Make the file readable (chmod u+r).")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: the file is empty (0 bytes). Give a file with a header row and data rows.")


def read_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a CSV/TSV, Parquet or JSON-lines file into a DataFrame.

    Args:
        path: The file to read. Compressed text files (``.csv.gz``, ``.jsonl.bz2``, ...) are
            supported; the delimiter of a CSV file is detected (comma, tab, semicolon, pipe).

    Returns:
        The data, with the file's column names as strings.

    Raises:
        InputError: The file is missing, empty, binary, not UTF-8, malformed, or has duplicate
            or no column names.
    """
    path = Path(path)
    _check_path(path)
    fmt = _file_format(path)
    compression = _compression(path)
    try:
        if fmt == "parquet":
            frame = _read_parquet(path)
        else:
            head, truncated = _read_head(path, compression)
            text = _decode_head(path, head, truncated)
            if not text.strip():
                raise InputError(f"{path}: the file is empty. Give a file with a header row and data rows.")
            if fmt == "csv":
                frame = _read_csv(path, text, truncated, compression)
            else:
                frame = _read_json(path, text, compression)
    except InputError:
        raise
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not UTF-8 text ({exc.reason} after the first 64 KiB). "
            "Re-save the file as UTF-8, e.g. `iconv -f latin1 -t utf-8 in.csv > out.csv`."
        ) from None
    except MemoryError:
        raise
    except Exception as exc:  # pandas, pyarrow and the decompressors raise many types
        raise InputError(
            f"{path}: cannot read as {fmt}: {_first_line(exc)}. Check that the file is complete "
            "and in the format its suffix says."
        ) from None
    _check_columns(frame, str(path))
    if len(frame) == 0:
        raise InputError(f"{path}: has column names but no data rows. Give a file with data rows.")
    return frame


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except MemoryError:
        raise
    except Exception as exc:
        raise InputError(
            f"{path}: not a readable Parquet file ({_first_line(exc)}). Re-export it, e.g. with `df.to_parquet(path)`."
        ) from None


def _read_csv(path: Path, text: str, truncated: bool, compression: str | None) -> pd.DataFrame:
    sep = _sniff_delimiter(path, text, truncated)
    header = next(csv.reader(io.StringIO(text, newline=""), delimiter=sep), [])
    names = [h.strip() for h in header]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputError(
            f"{path}: duplicate column name(s) {', '.join(repr(d) for d in dupes)} in the header. "
            "Rename them so each column has its own name."
        )
    decimal = "."
    if sep == ";" and _DECIMAL_COMMA.search(text) and not _DECIMAL_POINT.search(text):
        decimal = ","  # European CSV: 1,5;2,25
    try:
        return pd.read_csv(
            path,
            sep=sep,
            decimal=decimal,
            low_memory=False,
            encoding="utf-8-sig",
            engine="c",
            compression="infer",
        )
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: the file has no columns. Give a file with a header row and data rows.") from None
    except pd.errors.ParserError as exc:
        _raise_ragged(path, sep, len(header), compression)
        detail = _first_line(exc)
        if "EOF inside string" in detail:
            raise InputError(
                f"{path}: a quoted field is never closed ({detail}). Fix the quotes in that row."
            ) from None
        raise InputError(f"{path}: cannot parse as CSV ({detail}). Fix the file's quoting or delimiter.") from None


def _raise_ragged(path: Path, sep: str, width: int, compression: str | None) -> None:
    """The C parser rejects rows with too many fields; say which line, in the user's terms."""
    try:
        with _open_binary(path, compression) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            reader = csv.reader(text, delimiter=sep)
            for row in reader:
                if row and len(row) > width:
                    raise InputError(
                        f"{path}: line {reader.line_num} has {len(row)} fields, the header has "
                        f"{width}. Fix the row, or quote fields that contain {sep!r}."
                    )
    except (csv.Error, UnicodeDecodeError, OSError):
        return


def _read_json(path: Path, text: str, compression: str | None) -> pd.DataFrame:
    stripped = text.lstrip()
    if stripped.startswith("["):  # a JSON array of records, not JSON lines
        try:
            return pd.read_json(path, orient="records", compression="infer")
        except ValueError as exc:
            raise InputError(
                f"{path}: not a JSON array of records ({_first_line(exc)}). "
                "Give one JSON object per line (JSON lines) or a list of objects."
            ) from None
    try:
        return pd.read_json(path, lines=True, compression="infer")
    except ValueError as exc:
        _raise_bad_json_line(path, compression)
        raise InputError(
            f"{path}: cannot read as JSON lines ({_first_line(exc)}). Give one JSON object per line."
        ) from None


def _raise_bad_json_line(path: Path, compression: str | None) -> None:
    with _open_binary(path, compression) as raw:
        for lineno, line in enumerate(io.TextIOWrapper(raw, encoding="utf-8-sig"), start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(
                    f"{path}: line {lineno} is not valid JSON ({exc.msg}, column {exc.colno}). Fix or remove that line."
                ) from None
            if not isinstance(value, dict):
                raise InputError(
                    f"{path}: line {lineno} is a JSON {type(value).__name__}, not an object. "
                    'Give one object per line, e.g. {"x": 1, "label": 0}.'
                )


def _check_columns(frame: pd.DataFrame, source: str) -> None:
    names = [str(c).strip() for c in frame.columns]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputError(
            f"{source}: duplicate column name(s) {', '.join(repr(d) for d in dupes)}. "
            "Rename them so each column has its own name."
        )
    if frame.shape[1] == 0:
        raise InputError(f"{source}: no columns found. Give a file with a header row and data rows.")
    frame.columns = names
