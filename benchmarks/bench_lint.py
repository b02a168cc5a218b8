"""Benchmark ``pitfall lint``: seconds per notebook and for a folder of 1,000 files.

    python benchmarks/bench_lint.py [--files 1000]

The files are the labelled corpus of tests/lint/corpus (scripts and notebooks of 10 to 40 lines
of code, 5 to 8 cells) and a *typical notebook* made for this benchmark: 40 code cells and about
300 lines (loading, cleaning, plots, feature engineering, three models, a comparison), built by
repeating the corpus's longest leaky notebook's cells under new names.

Measured in this process, after one warm-up run (imports), each the median of 5 runs:

- floor: reading each file and parsing it (``nbformat`` for notebooks, ``ast.parse``), the least
  any analysis of the code must do;
- lint: ``pitfall.lint.lint`` on the same file (reading, parsing, the dataflow, the rules).

Then a folder of ``--files`` files (the corpus copied round-robin under new names) is linted
by the ``pitfall lint`` command in a fresh process (imports included), with the floor timed on
the same folder in this process. Results go to bench-out/lint.json.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from pitfall.lint import lint

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "lint" / "corpus"
OUT = ROOT / "bench-out"


def floor(path: Path) -> None:
    """Read and parse a file: what any reader of the code must do."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        nb = nbformat.reader.reads(text)
        for cell in nb.get("cells", []):
            if cell.get("cell_type") == "code":
                src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                with contextlib.suppress(SyntaxError):
                    ast.parse(
                        "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in src.splitlines())
                    )
    else:
        ast.parse(text)


def median_seconds(fn, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def typical_notebook(folder: Path) -> Path:
    """A 40-cell notebook: the cells of a leaky corpus notebook, repeated with renamed variables."""
    base = nbformat.read(str(CORPUS / "titanic_fillna_before_split.ipynb"), as_version=4)
    nb = nbformat.v4.new_notebook()
    count = 0
    for copy in range(8):
        for cell in base.cells:
            if cell.cell_type != "code":
                nb.cells.append(nbformat.v4.new_markdown_cell(cell.source))
                continue
            count += 1
            source = cell.source.replace("df", f"df{copy}").replace("X_", f"X{copy}_").replace("rf", f"rf{copy}")
            nb.cells.append(nbformat.v4.new_code_cell(source, execution_count=count))
    path = folder / "typical.ipynb"
    nbformat.write(nb, str(path))
    return path


def per_file(files: list[Path]) -> dict:
    lint([files[0]], config=False)  # warm-up: imports
    rows = []
    for path in files:
        f = median_seconds(lambda p=path: floor(p))
        t = median_seconds(lambda p=path: lint([p], config=False))
        rows.append({"file": path.name, "floor_s": f, "lint_s": t})
    lint_times = [r["lint_s"] for r in rows]
    ratios = [r["lint_s"] / r["floor_s"] for r in rows]
    return {
        "files": len(rows),
        "lint_median_s": statistics.median(lint_times),
        "lint_max_s": max(lint_times),
        "slowest": max(rows, key=lambda r: r["lint_s"])["file"],
        "ratio_to_floor_median": statistics.median(ratios),
    }


def folder_run(n_files: int, work: Path) -> dict:
    sources = sorted(p for p in CORPUS.iterdir() if p.suffix in (".py", ".ipynb"))
    folder = work / "project"
    folder.mkdir()
    for i in range(n_files):
        src = sources[i % len(sources)]
        shutil.copy(src, folder / f"{i:04d}_{src.name}")
    t0 = time.perf_counter()
    for path in sorted(folder.iterdir()):
        floor(path)
    floor_s = time.perf_counter() - t0
    exe = Path(sys.executable).with_name("pitfall")
    t0 = time.perf_counter()
    done = subprocess.run(
        [str(exe), "lint", str(folder), "--no-config", "--format", "json", "--fail-on", "never"],
        capture_output=True,
        text=True,
    )
    lint_s = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"pitfall lint failed: {done.stderr.strip()}")
    report = json.loads(done.stdout)
    return {
        "files": n_files,
        "floor_s": floor_s,
        "lint_s": lint_s,
        "ratio_to_floor": lint_s / floor_s,
        "findings": len(report["findings"]),
        "unreadable": report["inputs"]["unreadable"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        typical = typical_notebook(work)
        corpus = sorted(p for p in CORPUS.iterdir() if p.suffix in (".py", ".ipynb"))
        result = {
            "typical_notebook": {"cells": 40, **per_file([typical])},
            "corpus_files": per_file(corpus),
            "folder": folder_run(args.files, work),
        }
    OUT.mkdir(exist_ok=True)
    (OUT / "lint.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
