"""The example notebooks: the leaky one has the leaks pitfall lint reports, the clean one none,
and both run as they are (their code is executed here, cells in the order they ran)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pitfall.lint import lint
from pitfall.lint.sources import read_source

EXAMPLES = Path(__file__).parents[2] / "examples" / "notebooks"


def test_leaky_notebook_findings():
    report = lint([EXAMPLES / "leaky_analysis.ipynb"], config=False)
    found = {(f.code, f.location.cell, f.location.line) for f in report.findings}
    assert found == {("PF206", 4, 3), ("PF207", 4, 4), ("PF208", 6, 5), ("PF702", 5, 1)}


def test_clean_notebook_has_no_findings():
    assert lint([EXAMPLES / "clean_analysis.ipynb"], config=False).findings == []


@pytest.mark.parametrize("name", ["leaky_analysis.ipynb", "clean_analysis.ipynb"])
def test_notebooks_run(name):
    namespace: dict = {}
    for cell in read_source(EXAMPLES / name).cells:
        exec(compile(cell.code, f"{name}:cell {cell.number}", "exec"), namespace)  # noqa: S102
    assert "X_test" in namespace
