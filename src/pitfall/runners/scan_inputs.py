"""What a scan takes besides its data: one table for ``pitfall.scan()``, ``pitfall scan`` and the pytest fixture.

Each row names a keyword of ``scan()``, the CLI flag that sets it and the one-line help both show.
``pitfall scan``'s options are made from this table (``cli/scan.py``), ``pitfall_scan`` in the pytest
plugin is ``scan`` itself, and a test checks that ``scan()``'s signature and docstring list every
row, so the three cannot drift apart. Kept free of heavy imports: the CLI reads it at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["GROUPS", "SCAN_INPUTS", "ScanInput", "scan_kwargs"]

GROUPS = {
    "roles": "what the columns are",
    "content": "text and image columns",
    "model": "the model",
    "split": "how train and test are made",
    "evaluation": "how the model is judged",
    "scale": "where the checks run",
}


@dataclass(frozen=True)
class ScanInput:
    """One input of a scan.

    Attributes:
        name: The keyword of ``scan()``.
        flag: The CLI option (``--name``).
        help: One line for ``--help`` and the docs.
        group: A key of ``GROUPS``.
        many: The CLI option may repeat (``--study a --study b``); ``scan()`` takes a list.
        kind: ``str``, ``path``, ``share`` (a number in (0, 1)), ``positive`` (> 0) or ``seed``.
        choices: Allowed values, when there is a fixed set.
        short: A one-letter CLI alias.
    """

    name: str
    flag: str
    help: str
    group: str
    many: bool = False
    kind: str = "str"
    choices: tuple[str, ...] = ()
    short: str | None = None


SCAN_INPUTS: tuple[ScanInput, ...] = (
    ScanInput(
        "target", "--target", "Label column (an image folder's labels are its folder names).", "roles", short="-t"
    ),
    ScanInput("group", "--group", "Column naming the object each row belongs to (galaxy, patient).", "roles"),
    ScanInput("time", "--time", "Column with the observation time.", "roles"),
    ScanInput("id", "--id", "Row-identifier column (never used as a feature).", "roles"),
    ScanInput("study", "--study", "Feature(s) the study is about (PF302), e.g. colour.", "roles", many=True),
    ScanInput("sensitive", "--sensitive", "Column(s) whose groups must be served equally (PF303).", "roles", many=True),
    ScanInput("text", "--text", "Column(s) of free text (TF-IDF model, text checks).", "content", many=True),
    ScanInput(
        "image",
        "--image",
        "Column(s) of image paths, relative to the data file's folder (pixel model, image checks).",
        "content",
        many=True,
    ),
    ScanInput(
        "rules",
        "--rules",
        "CSV of regular expressions and labels (pattern,label): a rule baseline for PF401.",
        "content",
        kind="path",
    ),
    ScanInput(
        "embed", "--embed", "module:function mapping a list of texts (or image paths) to a 2-D array.", "content"
    ),
    ScanInput("split", "--split", "How to split one data file.", "split", choices=("random", "group", "time")),
    ScanInput("test_size", "--test-size", "Share of rows for test when splitting [0.2].", "split", kind="share"),
    ScanInput("task", "--task", "Override the inferred task.", "split", choices=("binary", "multiclass", "regression")),
    ScanInput(
        "metric",
        "--metric",
        "auto, accuracy, balanced_accuracy, f1_macro, roc_auc, average_precision, r2, mae, rmse.",
        "evaluation",
    ),
    ScanInput(
        "claimed_precision",
        "--claimed-precision",
        "± you will quote the score with: PF403 warns when the test set cannot support it [none: info against 0.05].",
        "evaluation",
        kind="positive",
    ),
    ScanInput("seed", "--seed", "Seed for every random step [0].", "evaluation", kind="seed"),
    ScanInput(
        "engine",
        "--engine",
        "local, or dask: data checks on a Dask cluster over Parquet files or folders [local].",
        "scale",
        choices=("local", "dask"),
    ),
    ScanInput("scheduler", "--scheduler", "Dask scheduler address (tcp://host:8786) for --engine dask.", "scale"),
)


def scan_kwargs(values: dict[str, Any]) -> dict[str, Any]:
    """``scan()`` keywords from parsed CLI values (keyed by ``ScanInput.name``): repeated options
    become lists, and an option given no times becomes None (``scan()``'s default)."""
    out: dict[str, Any] = {}
    for item in SCAN_INPUTS:
        value = values.get(item.name)
        if item.many:
            value = list(value) if value else None
        out[item.name] = value
    return out
