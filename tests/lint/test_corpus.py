"""Precision and recall of `pitfall lint` per code on the labelled corpus in corpus/.

Each file in corpus/ was labelled in manifest.toml with the codes a reviewer would report (empty
for clean files). A code is a true positive in a file when the file is labelled with it and lint
reports it there, a false positive when lint reports it in a file not labelled with it.
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from pathlib import Path

import pytest

from pitfall.lint import lint

CORPUS = Path(__file__).parent / "corpus"
MIN_PRECISION = 0.95
MIN_RECALL = 0.90


def _expected() -> dict[str, set[str]]:
    table = tomllib.loads((CORPUS / "manifest.toml").read_text(encoding="utf-8"))["expected"]
    return {name: set(codes) for name, codes in table.items()}


@pytest.fixture(scope="module")
def measured():
    expected = _expected()
    report = lint([CORPUS], config=False)
    found: dict[str, set[str]] = defaultdict(set)
    for f in report.findings:
        found[Path(f.location.path).name].add(f.code)
    return expected, found, report


def test_every_corpus_file_is_labelled_and_half_are_clean(measured):
    expected, _, report = measured
    files = {p.name for p in CORPUS.iterdir() if p.suffix in (".py", ".ipynb")}
    assert files == set(expected)
    clean = sum(not codes for codes in expected.values())
    assert len(files) >= 60 and 0.4 <= clean / len(files) <= 0.6
    assert report.inputs["unreadable"] == 0


def per_code(expected: dict[str, set[str]], found: dict[str, set[str]]) -> dict[str, dict[str, int]]:
    codes = sorted({c for v in expected.values() for c in v})
    table = {}
    for code in codes:
        tp = sum(code in found[f] and code in e for f, e in expected.items())
        fp = sum(code in found[f] and code not in e for f, e in expected.items())
        fn = sum(code not in found[f] and code in e for f, e in expected.items())
        table[code] = {"tp": tp, "fp": fp, "fn": fn}
    return table


def test_precision_and_recall_per_code(measured):
    expected, found, _ = measured
    table = per_code(expected, found)
    assert set(table) == {"PF203", "PF204", "PF206", "PF207", "PF208", "PF209", "PF702"}
    for code, row in table.items():
        assert row["tp"] + row["fn"] >= 6, f"{code}: too few planted cases to measure recall"
        precision = row["tp"] / max(row["tp"] + row["fp"], 1)
        recall = row["tp"] / (row["tp"] + row["fn"])
        wrong = sorted(f for f, e in expected.items() if (code in found[f]) != (code in e))
        assert precision >= MIN_PRECISION, f"{code} precision {precision:.2f}: {wrong}"
        assert recall >= MIN_RECALL, f"{code} recall {recall:.2f}: {wrong}"


def test_no_code_is_reported_outside_the_lint_set(measured):
    _, found, _ = measured
    assert set().union(*found.values()) <= {"PF203", "PF204", "PF206", "PF207", "PF208", "PF209", "PF702"}
