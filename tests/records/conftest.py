"""A small project on disk (train/test CSV, training scripts) and helpers to run pitfall's CLI in it."""

from __future__ import annotations

import hashlib
import json
import shlex
import sys
from pathlib import Path

import pandas as pd
import pytest
from sklearn.datasets import make_classification

from pitfall.cli.main import main

SELECT = "PF101,PF201,PF401,PF403"  # fast checks that still measure scores with intervals
SCAN = ("scan", "train.csv", "test.csv", "-t", "label")  # the project's scan, before its options

DETERMINISTIC = """
import joblib, pandas as pd
from sklearn.ensemble import RandomForestClassifier
d = pd.read_csv("train.csv")
m = RandomForestClassifier(n_estimators=5, max_features=1, random_state=0).fit(d.drop(columns="label"), d["label"])
joblib.dump(m, "model.joblib")
"""

# Unseeded: every run draws other bootstrap samples and features, so the forests differ.
NOT_DETERMINISTIC = DETERMINISTIC.replace("random_state=0", "random_state=None")


def make_project(folder: Path, n: int = 400, seed: int = 0) -> Path:
    x, y = make_classification(n_samples=n, n_features=5, n_informative=3, n_redundant=0, random_state=seed)
    frame = pd.DataFrame(x, columns=[f"f{i}" for i in range(5)]).round(6)
    frame["label"] = y
    cut = int(0.75 * n)
    frame.iloc[:cut].to_csv(folder / "train.csv", index=False)
    frame.iloc[cut:].to_csv(folder / "test.csv", index=False)
    (folder / "train_det.py").write_text(DETERMINISTIC, encoding="utf-8")
    (folder / "train_random.py").write_text(NOT_DETERMINISTIC, encoding="utf-8")
    return folder


def python(script: str) -> str:
    """A shell command running ``script`` with this interpreter (it has scikit-learn)."""
    return f"{shlex.quote(sys.executable)} {script}"


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PITFALL_RERUN_OF", raising=False)
    return make_project(tmp_path)


def cli(capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main([*args])
    out, err = capsys.readouterr()
    return rc, out, err


def record_scan(capsys, *extra: str) -> str:
    """Record a scan of the project's train/test files; returns the run id."""
    rc, _, err = cli(
        capsys,
        *SCAN,
        "--select",
        SELECT,
        "--record",
        "--format",
        "json",
        "-o",
        "report.json",
        "-q",
        *extra,
    )
    assert rc in (0, 1), err
    line = [ln for ln in err.splitlines() if ln.startswith("Run recorded: ")]
    assert line, err
    return line[0].split()[2]


def tree_hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def load_json(text: str) -> dict:
    return json.loads(text)
