"""Write small notebooks for tests (cells given as (execution_count, source))."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def write_notebook(path: Path, cells: list[tuple[int | None, str] | str]) -> Path:
    nb = new_notebook()
    for cell in cells:
        if isinstance(cell, str):
            nb.cells.append(new_markdown_cell(cell))
        else:
            count, source = cell
            nb.cells.append(new_code_cell(source, execution_count=count))
    nbformat.write(nb, str(path))
    return path
