"""Reading the user's code: ``.py`` files and Jupyter notebooks, as Python that ``ast`` parses.

A notebook is a list of cells that ran in some order. When every code cell that holds code has an
execution count and the counts are distinct, the cells are taken in the order of their counts
(the order the kernel saw them); otherwise in document order. Which order was assumed is
recorded, because a leak can hide in a cell that sits below the split but ran before it.

IPython syntax that is not Python (``%matplotlib inline``, ``!pip install``, ``df.head?``) is
blanked out line by line, so line numbers stay those the user sees. Cells whose first line is a
cell magic that runs another language (``%%bash``, ``%%html``, ``%%writefile``) are skipped; the
body of ``%%time``/``%%capture`` cells is Python and is kept.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Cell", "ParseFailure", "Source", "discover", "read_source"]

# Cell magics whose body is still Python.
_PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun", "debug", "memit", "skip"}
_SKIPPED_DIRS = {
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    "env",
    "__pycache__",
    ".ipynb_checkpoints",
    "node_modules",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    "site-packages",
    "build",
    "dist",
}
_ASSIGN_MAGIC = re.compile(r"^(\s*)([\w\s,\[\]().]+?)\s*=\s*[!%](.*)$")


@dataclass
class Cell:
    """One piece of code parsed as a unit: a whole ``.py`` file, or one notebook cell."""

    number: int | None  # 1-based notebook cell number in document order; None for .py
    execution_count: int | None
    code: str  # Python, with IPython-only lines blanked
    lines: list[str]  # the original lines, for excerpts
    tree: ast.Module | None = None


@dataclass
class Source:
    """A file to lint: its cells in the order they are taken to have run."""

    path: str
    kind: str  # "python" or "notebook"
    cells: list[Cell] = field(default_factory=list)
    order: str = "file"  # "file", "execution counts" or "document order"
    order_reason: str = ""


class ParseFailure(Exception):
    """A file that cannot be read or parsed; the message names the file and why."""


def discover(paths: Iterable[str | os.PathLike]) -> tuple[list[Path], list[str]]:
    """The ``.py`` and ``.ipynb`` files given or found under the given folders, sorted, with
    one message per path that does not exist or is of another kind."""
    files: list[Path] = []
    problems: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS and not d.startswith("."))
                for name in sorted(names):
                    if name.endswith((".py", ".ipynb")):
                        files.append(Path(root) / name)
        elif path.is_file():
            if path.suffix in (".py", ".ipynb"):
                files.append(path)
            else:
                problems.append(f"{path}: not a .py or .ipynb file; skipped")
        else:
            problems.append(f"{path}: no such file or folder")
    seen: set[Path] = set()
    unique = []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, problems


def _blank_ipython(lines: list[str]) -> list[str] | None:
    """Lines with IPython-only syntax blanked; None when the cell is in another language."""
    out = list(lines)
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        magic = lines[first].strip()[2:].split()[0] if lines[first].strip()[2:] else ""
        if magic not in _PYTHON_CELL_MAGICS:
            return None
        out[first] = ""
    for i, line in enumerate(out):
        stripped = line.strip()
        if stripped.startswith(("%", "!")) or (stripped.endswith("?") and not stripped.startswith("#")):
            out[i] = ""
            continue
        m = _ASSIGN_MAGIC.match(line)
        if m and not stripped.startswith("#") and "==" not in line and "'" not in m.group(2):
            out[i] = f"{m.group(1)}{m.group(2).strip()} = None"
    return out


def _parse(code: str, where: str) -> ast.Module:
    try:
        return ast.parse(code)
    except SyntaxError as exc:
        raise ParseFailure(f"{where}: cannot parse: {exc.msg} (line {exc.lineno})") from None
    except (ValueError, RecursionError) as exc:
        raise ParseFailure(f"{where}: cannot parse: {exc}") from None


def _read_python(path: Path) -> Source:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ParseFailure(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise ParseFailure(f"{path}: cannot read ({exc.strerror})") from None
    lines = text.splitlines()
    cell = Cell(None, None, text, lines, _parse(text, str(path)))
    return Source(str(path), "python", [cell])


def _notebook_cells(path: Path) -> list[dict]:
    import json

    import nbformat

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ParseFailure(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise ParseFailure(f"{path}: cannot read ({exc.strerror})") from None
    try:
        # The reader and converter, not nbformat.reads: full schema validation would reject
        # notebooks Jupyter opens (odd metadata) and cost more than the analysis itself.
        nb = nbformat.reader.reads(text)
        nb = nbformat.convert(nb, 4)
    except (json.JSONDecodeError, nbformat.reader.NotJSONError) as exc:
        raise ParseFailure(f"{path}: not a notebook (invalid JSON: {str(exc).splitlines()[0][:80]})") from None
    except Exception as exc:  # nbformat raises several kinds for malformed notebooks
        raise ParseFailure(f"{path}: not a readable notebook ({type(exc).__name__}: {str(exc)[:80]})") from None
    cells = nb.get("cells")
    if not isinstance(cells, list):
        raise ParseFailure(f"{path}: not a notebook (no list of cells)")
    return cells


def _read_notebook(path: Path) -> Source:
    raw = _notebook_cells(path)
    source = Source(str(path), "notebook")
    cells: list[Cell] = []
    for number, nb_cell in enumerate(raw, start=1):
        if nb_cell.get("cell_type") != "code":
            continue
        text = nb_cell.get("source", "")
        text = "".join(text) if isinstance(text, list) else str(text)
        lines = text.splitlines()
        blanked = _blank_ipython(lines)
        if blanked is None or not any(line.strip() for line in blanked):
            continue
        code = "\n".join(blanked)
        count = nb_cell.get("execution_count")
        cells.append(
            Cell(number, count if isinstance(count, int) else None, code, lines, _parse(code, f"{path}: cell {number}"))
        )
    counts = [c.execution_count for c in cells]
    if cells and all(c is not None for c in counts) and len(set(counts)) == len(counts):
        ordered = sorted(cells, key=lambda c: c.execution_count)
        source.order = "execution counts"
        if ordered != cells:
            source.order_reason = "cells ran out of document order"
        cells = ordered
    else:
        source.order = "document order"
        if any(c is not None for c in counts):
            source.order_reason = (
                "some code cells have no execution count" if None in counts else "execution counts repeat"
            )
        else:
            source.order_reason = "no execution counts"
    source.cells = cells
    return source


def read_source(path: str | os.PathLike) -> Source:
    """Read and parse one file; raises ``ParseFailure`` with a one-line reason."""
    path = Path(path)
    if path.suffix == ".ipynb":
        return _read_notebook(path)
    return _read_python(path)


def iter_sources(paths: Iterable[Path]) -> Iterator[Source | ParseFailure]:
    for path in paths:
        try:
            yield read_source(path)
        except ParseFailure as exc:
            yield exc
