"""Bad input to ``pitfall scan``: exit 2, one line on stderr, no traceback, the user's files untouched.

Each case builds its files in a temporary folder and returns the command line plus the words
its error must contain: the file or column at fault and a hint of what to do. Every case runs
in-process through ``pitfall.cli.main.main``; a representative subset also runs through the
installed ``pitfall`` console script, so the real entry point (warnings, stderr, exit status
of the process) is covered too. Inputs that must *work* (BOM, semicolons, tabs, gzip, a
100k-level categorical) are checked to give a normal report.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest

from pitfall.cli.main import main

PITFALL = Path(sys.executable).with_name("pitfall")
# Checks that need no model keep each run well under a second.
FAST = ["--select", "PF101,PF102,PF103,PF104,PF105,PF201", "--no-config", "--format", "json"]


def frame(n: int = 120, seed: int = 0) -> pd.DataFrame:
    """Small clean classification data: three features, a binary label that depends on two."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.normal(size=(n, 3)).round(4), columns=["x0", "x1", "x2"])
    df["label"] = (df.x0 - df.x1 + rng.logistic(size=n) > 0).astype(int)
    return df


def write_pair(tmp: Path, train: pd.DataFrame | None = None, test: pd.DataFrame | None = None) -> None:
    (frame(120, 1) if train is None else train).to_csv(tmp / "train.csv", index=False)
    (frame(60, 2) if test is None else test).to_csv(tmp / "test.csv", index=False)


PAIR = ["train.csv", "test.csv", "-t", "label"]


@dataclass
class Case:
    """A command line (run inside the case's folder) and the words its one-line error must hold."""

    argv: list[str]
    needles: tuple[str, ...]
    base: bool = True  # append FAST (select, --no-config, json)


CASES: dict[str, Callable[[Path], Case]] = {}


def case(fn: Callable[[Path], Case]) -> Callable[[Path], Case]:
    CASES[fn.__name__] = fn
    return fn


# ----- files that cannot be read -----------------------------------------------------------


@case
def empty_file(tmp: Path) -> Case:
    write_pair(tmp)
    (tmp / "train.csv").write_bytes(b"")
    return Case(PAIR, ("train.csv", "empty", "header row"))


@case
def blank_lines_only(tmp: Path) -> Case:
    write_pair(tmp)
    (tmp / "train.csv").write_text("\n  \n\n")
    return Case(PAIR, ("train.csv", "empty"))


@case
def header_only(tmp: Path) -> Case:
    write_pair(tmp)
    (tmp / "train.csv").write_text("x0,x1,x2,label\n")
    return Case(PAIR, ("train.csv", "no data rows"))


@case
def path_does_not_exist(tmp: Path) -> Case:
    write_pair(tmp)
    return Case(["nope.csv", "test.csv", "-t", "label"], ("nope.csv", "no such file", "Check the path"))


@case
def directory_as_data(tmp: Path) -> Case:
    write_pair(tmp)
    (tmp / "data").mkdir()
    return Case(["data", "test.csv", "-t", "label"], ("data", "is a directory", ".csv"))


@case
def unreadable_file(tmp: Path) -> Case:
    if os.geteuid() == 0:
        pytest.skip("root can read a file with mode 000")
    write_pair(tmp)
    (tmp / "train.csv").chmod(0)
    return Case(PAIR, ("train.csv", "permission denied", "readable"))


@case
def latin1_bytes(tmp: Path) -> Case:
    write_pair(tmp)
    df = frame(120, 1).assign(city=["Besançon", "Zürich", "Malmö"] * 40)
    (tmp / "train.csv").write_bytes(df.to_csv(index=False).encode("latin-1"))
    return Case(PAIR, ("train.csv", "not UTF-8", "iconv"))


@case
def binary_file_named_csv(tmp: Path) -> Case:
    write_pair(tmp)
    (tmp / "train.csv").write_bytes(b"PK\x03\x04\x14\x00\x00\x00" + bytes(range(256)) * 8)
    return Case(PAIR, ("train.csv", "binary", "Export the data as CSV"))


@case
def delimiter_cannot_be_guessed(tmp: Path) -> Case:
    write_pair(tmp)
    (tmp / "train.csv").write_text("a,b;c;d|e\n1;2,3,4\n5|6|7|8,9\n10,11,12,13;14\n")
    return Case(["train.csv", "test.csv", "-t", "e"], ("train.csv", "delimiter", "comma-separated"))


@case
def ragged_row(tmp: Path) -> Case:
    write_pair(tmp)
    (tmp / "train.csv").write_text("x0,x1,label\n1,2,0\n3,1,1,9\n4,5,1\n")
    return Case(PAIR, ("train.csv", "line 3", "4 fields", "header has 3", "quote"))


@case
def unclosed_quote(tmp: Path) -> Case:
    write_pair(tmp)
    (tmp / "train.csv").write_text('x0,x1,label\n1,"2,0\n3,4,1\n5,6,0\n')
    return Case(PAIR, ("train.csv", "quote"))


@case
def duplicate_column_names(tmp: Path) -> Case:
    write_pair(tmp)
    (tmp / "train.csv").write_text("x0,x0,label\n" + "".join(f"{i},{i % 7},{i % 2}\n" for i in range(50)))
    return Case(PAIR, ("train.csv", "duplicate column", "'x0'", "Rename"))


@case
def unknown_extension(tmp: Path) -> Case:
    write_pair(tmp)
    (tmp / "train.xlsx").write_bytes(b"PK\x03\x04 not really a spreadsheet")
    return Case(["train.xlsx", "test.csv", "-t", "label"], ("train.xlsx", "unknown file type", "'.xlsx'", "CSV"))


@case
def gzip_that_is_not_gzip(tmp: Path) -> Case:
    write_pair(tmp)
    (tmp / "train.csv.gz").write_text(frame(120, 1).to_csv(index=False))
    return Case(["train.csv.gz", "test.csv", "-t", "label"], ("train.csv.gz", "gzip", "remove the .gz suffix"))


@case
def corrupt_parquet(tmp: Path) -> Case:
    write_pair(tmp)
    frame(120, 1).to_parquet(tmp / "good.parquet")
    data = (tmp / "good.parquet").read_bytes()
    (tmp / "train.parquet").write_bytes(data[: len(data) // 2])  # cut off: no footer
    return Case(["train.parquet", "test.csv", "-t", "label"], ("train.parquet", "Parquet", "Re-export"))


@case
def parquet_with_zero_rows(tmp: Path) -> Case:
    write_pair(tmp)
    frame(120, 1).iloc[:0].to_parquet(tmp / "train.parquet")
    return Case(["train.parquet", "test.csv", "-t", "label"], ("train.parquet", "no data rows"))


@case
def jsonl_with_broken_line(tmp: Path) -> Case:
    write_pair(tmp)
    lines = [json.dumps(r) for r in frame(30, 1).to_dict("records")]
    lines[10] = '{"x0": 0.5, "x1": 1.2, "label": '
    (tmp / "train.jsonl").write_text("\n".join(lines) + "\n")
    return Case(["train.jsonl", "test.csv", "-t", "label"], ("train.jsonl", "line 11", "not valid JSON", "Fix"))


@case
def nested_json_values(tmp: Path) -> Case:
    write_pair(tmp)
    rows = [{**r, "meta": {"run": i % 3}} for i, r in enumerate(frame(60, 1).to_dict("records"))]
    (tmp / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    test = frame(60, 2).assign(meta="x")
    test.to_csv(tmp / "test.csv", index=False)
    return Case(["train.jsonl", "test.csv", "-t", "label"], ("train.jsonl", "'meta'", "nested", "Flatten"))


@case
def more_than_two_data_files(tmp: Path) -> Case:
    write_pair(tmp)
    frame(50, 3).to_csv(tmp / "extra.csv", index=False)
    return Case(["train.csv", "test.csv", "extra.csv", "-t", "label"], ("3 files", "extra.csv"))


# ----- columns and the target -----------------------------------------------------------------


@case
def missing_target_lists_columns(tmp: Path) -> Case:
    write_pair(tmp)
    return Case(["train.csv", "test.csv", "-t", "outcome"], ("train.csv", "'outcome'", "'x0'", "'label'", "--target"))


@case
def target_with_wrong_case_suggests_the_column(tmp: Path) -> Case:
    write_pair(tmp)
    return Case(["train.csv", "test.csv", "-t", "Label"], ("'Label'", "Did you mean 'label'?"))


@case
def target_only_in_train(tmp: Path) -> Case:
    write_pair(tmp, test=frame(60, 2).drop(columns="label"))
    return Case(PAIR, ("test.csv", "no target column 'label'"))


@case
def target_single_class(tmp: Path) -> Case:
    write_pair(tmp, train=frame(120, 1).assign(label=1))
    return Case(PAIR, ("train.csv", "'label'", "single class (1)", "two classes"))


@case
def labels_coded_differently_in_the_two_files(tmp: Path) -> Case:
    test = frame(60, 2)
    test["label"] = "class_" + test["label"].astype(str)
    write_pair(tmp, test=test)
    return Case(PAIR, ("test.csv", "no label", "'label'", "train.csv: 0, 1", "'class_0'", "same way"))


@case
def nan_in_target(tmp: Path) -> Case:
    train = frame(120, 1).astype({"label": float})
    train.loc[[3, 17], "label"] = np.nan
    write_pair(tmp, train=train)
    return Case(PAIR, ("train.csv", "'label'", "2 missing", "Drop"))


@case
def inf_in_target(tmp: Path) -> Case:
    rng = np.random.default_rng(5)
    train = frame(120, 1).assign(y=rng.normal(size=120))
    train.loc[7, "y"] = np.inf
    write_pair(tmp, train=train.drop(columns="label"), test=frame(60, 2).assign(y=1.5).drop(columns="label"))
    return Case(["train.csv", "test.csv", "-t", "y"], ("train.csv", "'y'", "infinite", "Drop"))


@case
def train_and_test_columns_differ(tmp: Path) -> Case:
    write_pair(tmp, test=frame(60, 2).drop(columns="x2").assign(x3=1.0))
    return Case(PAIR, ("only in train.csv", "'x2'", "only in test.csv", "'x3'", "same columns"))


@case
def only_the_target_column(tmp: Path) -> Case:
    write_pair(tmp, train=frame(120, 1)[["label"]], test=frame(60, 2)[["label"]])
    return Case(PAIR, ("train.csv", "no feature columns"))


@case
def one_column_in_two_roles(tmp: Path) -> Case:
    write_pair(tmp)
    return Case([*PAIR, "--id", "label"], ("--target", "--id", "'label'"))


@case
def group_column_missing(tmp: Path) -> Case:
    write_pair(tmp)
    return Case([*PAIR, "--group", "galaxy_id"], ("train.csv", "no group column 'galaxy_id'"))


# ----- models ---------------------------------------------------------------------------------


@case
def model_file_corrupt(tmp: Path) -> Case:
    write_pair(tmp)
    (tmp / "model.pkl").write_bytes(b"\x80\x04this is not a pickle at all")
    return Case([*PAIR, "--model", "model.pkl", "--trust-model"], ("model.pkl", "joblib"))


@case
def model_without_trust_flag(tmp: Path) -> Case:
    write_pair(tmp)
    joblib.dump({"weights": [1, 2]}, tmp / "model.joblib")
    return Case([*PAIR, "--model", "model.joblib"], ("model.joblib", "--trust-model"))


@case
def model_that_is_a_dict(tmp: Path) -> Case:
    write_pair(tmp)
    joblib.dump({"weights": [1, 2]}, tmp / "model.joblib")
    return Case([*PAIR, "--model", "model.joblib", "--trust-model"], ("model.joblib", "dict", "predict()"))


@case
def model_needs_missing_module(tmp: Path) -> Case:
    write_pair(tmp)
    (tmp / "model.pkl").write_bytes(b"\x80\x02cpitfall_no_such_module\nModel\nq\x00)\x81q\x01.")
    return Case([*PAIR, "--model", "model.pkl", "--trust-model"], ("model.pkl", "not installed"))


@case
def model_file_missing(tmp: Path) -> Case:
    write_pair(tmp)
    return Case([*PAIR, "--model", "gone.joblib", "--trust-model"], ("gone.joblib", "no such model file"))


@case
def model_without_predict_proba_for_roc_auc(tmp: Path) -> Case:
    from sklearn.linear_model import RidgeClassifier

    write_pair(tmp)
    train = frame(120, 1)
    joblib.dump(RidgeClassifier().fit(train[["x0", "x1", "x2"]], train.label), tmp / "ridge.joblib")
    argv = [*PAIR, "--model", "ridge.joblib", "--trust-model", "--metric", "roc_auc"]
    return Case(argv, ("roc_auc", "RidgeClassifier", "predict_proba", "balanced_accuracy"))


@case
def model_fitted_on_other_columns(tmp: Path) -> Case:
    from sklearn.linear_model import LogisticRegression

    write_pair(tmp)
    other = pd.DataFrame({"a": np.arange(40.0), "b": np.arange(40.0) % 3})
    joblib.dump(LogisticRegression().fit(other, np.arange(40) % 2), tmp / "model.joblib")
    argv = [*PAIR, "--model", "model.joblib", "--trust-model", "--select", "PF403", "--no-config"]
    return Case(argv, ("LogisticRegression", "failed to predict", "fitted on these columns"), base=False)


# ----- options and configuration -----------------------------------------------------------


@case
def unknown_metric(tmp: Path) -> Case:
    write_pair(tmp)
    return Case([*PAIR, "--metric", "nonsense"], ("--metric", "'nonsense'", "balanced_accuracy"))


@case
def metric_for_the_wrong_task(tmp: Path) -> Case:
    write_pair(tmp)
    return Case([*PAIR, "--metric", "r2"], ("metric r2", "regression metric", "classification target"))


@case
def split_with_two_files(tmp: Path) -> Case:
    write_pair(tmp)
    return Case([*PAIR, "--split", "random"], ("--split", "leave it out"))


@case
def split_group_without_group(tmp: Path) -> Case:
    write_pair(tmp)
    return Case(["train.csv", "-t", "label", "--split", "group"], ("--split group", "--group"))


@case
def split_time_with_unparsable_dates(tmp: Path) -> Case:
    dates = pd.date_range("2024-01-01", periods=120, freq="D").astype(str).to_numpy().copy()
    dates[::4] = "someday"
    write_pair(tmp, train=frame(120, 1).assign(date=dates))
    argv = ["train.csv", "-t", "label", "--split", "time", "--time", "date"]
    return Case(argv, ("train.csv", "'date'", "not dates", "'someday'", "ISO dates"))


@case
def option_test_size_above_one(tmp: Path) -> Case:
    write_pair(tmp)
    return Case(["train.csv", "-t", "label", "--test-size", "1.5"], ("--test-size", "1.5", "--help"))


@case
def option_test_size_with_two_files(tmp: Path) -> Case:
    write_pair(tmp)
    return Case([*PAIR, "--test-size", "0.3"], ("--test-size", "leave it out"))


@case
def too_few_rows_to_split(tmp: Path) -> Case:
    write_pair(tmp, train=frame(120, 1).sort_values("label").iloc[[0, 1, -1]])
    return Case(["train.csv", "-t", "label", "--split", "random"], ("train.csv", "3 rows", "at least 4"))


@case
def negative_seed(tmp: Path) -> Case:
    write_pair(tmp)
    return Case([*PAIR, "--seed", "-1"], ("--seed", "-1"))


@case
def claimed_precision_zero(tmp: Path) -> Case:
    write_pair(tmp)
    return Case([*PAIR, "--claimed-precision", "0"], ("--claimed-precision",))


@case
def directory_as_output(tmp: Path) -> Case:
    write_pair(tmp)
    (tmp / "reports").mkdir()
    return Case([*PAIR, "--output", "reports"], ("reports", "is a directory", "--output"))


@case
def output_is_an_input_file(tmp: Path) -> Case:
    write_pair(tmp)
    return Case([*PAIR, "--output", "test.csv"], ("test.csv", "overwrite", "another name"))


@case
def output_folder_missing(tmp: Path) -> Case:
    write_pair(tmp)
    return Case([*PAIR, "--output", "out/report.json"], ("out", "does not exist", "Create it"))


@case
def unknown_format(tmp: Path) -> Case:
    write_pair(tmp)
    return Case([*PAIR, "--no-config", "--format", "xml"], ("--format", "'xml'", "--help"), base=False)


@case
def missing_target_option(tmp: Path) -> Case:
    write_pair(tmp)
    return Case(["train.csv", "test.csv"], ("--target", "--help"))


@case
def misspelled_option(tmp: Path) -> Case:
    write_pair(tmp)
    return Case(["train.csv", "test.csv", "--tagret", "label"], ("--tagret", "--target", "--help"))


@case
def select_with_a_bad_code(tmp: Path) -> Case:
    write_pair(tmp)
    return Case([*PAIR, "--no-config", "--select", "XYZ"], ("--select", "'XYZ'", "PF2"), base=False)


@case
def select_matching_no_check(tmp: Path) -> Case:
    write_pair(tmp)
    return Case([*PAIR, "--no-config", "--select", "PF9"], ("'PF9'", "pitfall checks"), base=False)


@case
def config_with_bad_toml(tmp: Path) -> Case:
    write_pair(tmp)
    (tmp / "pyproject.toml").write_text("[tool.pitfall\nselect = [\n")
    argv = [*PAIR, "--config", "pyproject.toml", "--select", "PF1", "--format", "json"]
    return Case(argv, ("pyproject.toml", "not valid TOML", "Fix"), base=False)


@case
def config_with_unknown_key(tmp: Path) -> Case:
    write_pair(tmp)
    (tmp / "pyproject.toml").write_text('[tool.pitfall]\nselect = ["PF1"]\ncolour = "red"\n')
    argv = [*PAIR, "--config", "pyproject.toml", "--format", "json"]
    return Case(argv, ("pyproject.toml", "'colour'", "Known keys"), base=False)


@case
def config_file_missing(tmp: Path) -> Case:
    write_pair(tmp)
    argv = [*PAIR, "--config", "nowhere.toml", "--format", "json"]
    return Case(argv, ("nowhere.toml", "no such file", "pyproject.toml"), base=False)


@case
def task_regression_on_text_labels(tmp: Path) -> Case:
    labels = {0: "neg", 1: "pos"}
    write_pair(tmp, train=frame(120, 1).replace({"label": labels}), test=frame(60, 2).replace({"label": labels}))
    return Case([*PAIR, "--task", "regression"], ("train.csv", "numeric target", "'neg'", "--task"))


@case
def task_binary_with_three_classes(tmp: Path) -> Case:
    write_pair(tmp, train=frame(120, 1).assign(label=np.arange(120) % 3))
    return Case([*PAIR, "--task", "binary"], ("3 classes", "--task multiclass"))


@case
def target_mixing_numbers_and_text(tmp: Path) -> Case:
    rows = [{**r, "label": 1 if r["label"] else "none"} for r in frame(60, 1).to_dict("records")]
    (tmp / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    frame(60, 2).to_csv(tmp / "test.csv", index=False)
    return Case(["train.jsonl", "test.csv", "-t", "label"], ("train.jsonl", "'label'", "mixes value types"))


@case
def config_with_negative_seed(tmp: Path) -> Case:
    write_pair(tmp)
    (tmp / "pyproject.toml").write_text("[tool.pitfall]\nseed = -1\n")
    argv = [*PAIR, "--config", "pyproject.toml", "--select", "PF1", "--format", "json"]
    return Case(argv, ("seed", "-1", "0 to 2**32 - 1"), base=False)


# ----- running ------------------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, tuple]:
    """Every file under ``folder`` with its size, modification time and content hash."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            st = p.stat()
            digest = hashlib.sha256(p.read_bytes()).hexdigest() if os.access(p, os.R_OK) else None
            out[str(p.relative_to(folder))] = (st.st_size, st.st_mtime_ns, st.st_mode, digest)
    return out


def assert_one_line_error(rc: int, out: str, err: str, needles: tuple[str, ...]) -> None:
    assert "Traceback" not in out + err
    lines = err.strip().splitlines()
    assert rc == 2, f"exit {rc}; stderr: {err!r}"
    assert len(lines) == 1, f"expected one line on stderr, got: {err!r}"
    assert lines[0].startswith("pitfall: error:"), lines[0]
    for needle in needles:
        assert needle in lines[0], f"{needle!r} not in {lines[0]!r}"
    assert out == "", "nothing goes to stdout when the input is bad"


def run_in_process(argv: list[str], tmp: Path, capsys, monkeypatch) -> tuple[int, str, str]:
    monkeypatch.chdir(tmp)
    capsys.readouterr()
    rc = main(["scan", *argv])
    captured = capsys.readouterr()
    return rc, captured.out, captured.err


def run_script(argv: list[str], tmp: Path) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PITFALL_DEBUG"}
    proc = subprocess.run([str(PITFALL), "scan", *argv], cwd=tmp, capture_output=True, text=True, timeout=120, env=env)
    return proc.returncode, proc.stdout, proc.stderr


def build(name: str, tmp: Path) -> Case:
    c = CASES[name](tmp)
    return Case(c.argv + (FAST if c.base else []), c.needles, c.base)


def test_there_are_enough_cases():
    assert len(CASES) >= 35


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_gives_one_line_and_exit_2(name, tmp_path, capsys, monkeypatch):
    c = build(name, tmp_path)
    before = snapshot(tmp_path)
    rc, out, err = run_in_process(c.argv, tmp_path, capsys, monkeypatch)
    assert_one_line_error(rc, out, err, c.needles)
    assert snapshot(tmp_path) == before, "the user's files must not change"


SCRIPT_CASES = [
    "empty_file",
    "missing_target_lists_columns",
    "latin1_bytes",
    "model_without_trust_flag",
    "model_fitted_on_other_columns",
    "corrupt_parquet",
    "misspelled_option",
    "config_with_bad_toml",
]


@pytest.mark.parametrize("name", SCRIPT_CASES)
def test_console_script_reports_bad_input_in_one_line(name, tmp_path):
    assert PITFALL.exists(), f"console script not installed at {PITFALL}"
    c = build(name, tmp_path)
    before = snapshot(tmp_path)
    rc, out, err = run_script(c.argv, tmp_path)
    assert_one_line_error(rc, out, err, c.needles)
    assert snapshot(tmp_path) == before


# ----- inputs that must work ---------------------------------------------------------------


def assert_normal_report(rc: int, out: str, err: str, *, n_train: int, features: int) -> dict:
    assert rc in (0, 1), f"exit {rc}; stderr: {err!r}"
    assert "Traceback" not in out + err
    assert "error:" not in err
    report = json.loads(out)
    assert report["crashed"] == {}
    assert report["inputs"]["n_train"] == n_train
    assert report["inputs"]["n_features"] == features
    return report


def _bom(tmp: Path) -> tuple[list[str], int]:
    # The target is the first column, so a BOM left in its name would make it "not found".
    cols = ["label", "x0", "x1", "x2"]
    (tmp / "train.csv").write_bytes(frame(120, 1)[cols].to_csv(index=False).encode("utf-8-sig"))
    (tmp / "test.csv").write_bytes(frame(60, 2)[cols].to_csv(index=False).encode("utf-8-sig"))
    return PAIR, 3


def _semicolon(tmp: Path) -> tuple[list[str], int]:
    frame(120, 1).to_csv(tmp / "train.csv", index=False, sep=";")
    frame(60, 2).to_csv(tmp / "test.csv", index=False, sep=";")
    return PAIR, 3


def _semicolon_decimal_comma(tmp: Path) -> tuple[list[str], int]:
    frame(120, 1).to_csv(tmp / "train.csv", index=False, sep=";", decimal=",")
    frame(60, 2).to_csv(tmp / "test.csv", index=False, sep=";", decimal=",")
    return PAIR, 3


def _tsv(tmp: Path) -> tuple[list[str], int]:
    frame(120, 1).assign(note="a, b; c").to_csv(tmp / "train.tsv", index=False, sep="\t")
    frame(60, 2).assign(note="a, b; c").to_csv(tmp / "test.tsv", index=False, sep="\t")
    return ["train.tsv", "test.tsv", "-t", "label"], 4


def _gzip_csv(tmp: Path) -> tuple[list[str], int]:
    (tmp / "train.csv.gz").write_bytes(gzip.compress(frame(120, 1).to_csv(index=False).encode()))
    frame(60, 2).to_csv(tmp / "test.csv", index=False)
    return ["train.csv.gz", "test.csv", "-t", "label"], 3


def _parquet_and_jsonl(tmp: Path) -> tuple[list[str], int]:
    frame(120, 1).to_parquet(tmp / "train.parquet")
    frame(60, 2).to_json(tmp / "test.jsonl", orient="records", lines=True)
    return ["train.parquet", "test.jsonl", "-t", "label"], 3


def _json_array(tmp: Path) -> tuple[list[str], int]:
    frame(120, 1).to_json(tmp / "train.json", orient="records")
    frame(60, 2).to_csv(tmp / "test.csv", index=False)
    return ["train.json", "test.csv", "-t", "label"], 3


def _spaces_after_commas(tmp: Path) -> tuple[list[str], int]:
    for name, df in (("train.csv", frame(120, 1)), ("test.csv", frame(60, 2))):
        lines = [", ".join(df.columns)] + [", ".join(map(str, r)) for r in df.itertuples(index=False)]
        (tmp / name).write_text("\n".join(lines) + "\n")
    return PAIR, 3


def _short_rows(tmp: Path) -> tuple[list[str], int]:
    # Decision: a row with fewer fields than the header reads as missing trailing values (many
    # exporters drop empty trailing fields); only rows with *extra* fields are an error.
    cols = ["label", "x0", "x1", "x2"]
    frame(60, 2)[cols].to_csv(tmp / "test.csv", index=False)
    text = frame(120, 1)[cols].to_csv(index=False).splitlines()
    text[5] = ",".join(text[5].split(",")[:3])
    (tmp / "train.csv").write_text("\n".join(text) + "\n")
    return PAIR, 3


def _empty_feature_column(tmp: Path) -> tuple[list[str], int]:
    # An all-empty feature used to break the default model's binning (PF403 crashed).
    write_pair(tmp, train=frame(120, 1).assign(unused=np.nan), test=frame(60, 2).assign(unused=np.nan))
    return [*PAIR, "--select", "PF403"], 4


def _class_with_one_row(tmp: Path) -> tuple[list[str], int]:
    # A class seen once in train used to break the default model's early-stopping split.
    train = frame(120, 1)
    train.loc[0, "label"] = 2
    write_pair(tmp, train=train)
    return [*PAIR, "--select", "PF403"], 3


def _tiny_train(tmp: Path) -> tuple[list[str], int]:
    train = frame(120, 1).sort_values("label").iloc[[0, 1, 2, -3, -2, -1]]
    write_pair(tmp, train=train)
    return [*PAIR, "--select", "PF403"], 3


def _naive_and_tz_aware_times(tmp: Path) -> tuple[list[str], int]:
    # Train times without a zone, test times in UTC: compared as UTC (PF204 used to crash).
    train = frame(120, 1).assign(t=pd.date_range("2024-01-01", periods=120, freq="h"))
    test = frame(60, 2).assign(t=pd.date_range("2023-12-31", periods=60, freq="h", tz="UTC"))
    train.to_parquet(tmp / "train.parquet")
    test.to_parquet(tmp / "test.parquet")
    return ["train.parquet", "test.parquet", "-t", "label", "--time", "t", "--select", "PF204"], 3


WORKING = {
    "bom_utf8": _bom,
    "semicolon": _semicolon,
    "semicolon_decimal_comma": _semicolon_decimal_comma,
    "tsv": _tsv,
    "gzip_csv": _gzip_csv,
    "parquet_and_jsonl": _parquet_and_jsonl,
    "json_array": _json_array,
    "spaces_after_commas": _spaces_after_commas,
    "short_rows": _short_rows,
    "empty_feature_column": _empty_feature_column,
    "class_with_one_row": _class_with_one_row,
    "tiny_train": _tiny_train,
    "naive_and_tz_aware_times": _naive_and_tz_aware_times,
}


@pytest.mark.parametrize("name", sorted(WORKING))
def test_unusual_but_valid_files_scan_normally(name, tmp_path, capsys, monkeypatch):
    argv, n_features = WORKING[name](tmp_path)
    before = snapshot(tmp_path)
    rc, out, err = run_in_process(argv + FAST, tmp_path, capsys, monkeypatch)
    n_train = 6 if name == "tiny_train" else 120
    report = assert_normal_report(rc, out, err, n_train=n_train, features=n_features)
    assert report["skipped"] == {}, "every selected check ran"
    # Numbers read as numbers: misread decimals or a BOM would turn features into unique
    # text codes (PF104 id-like) or mixed types (PF105).
    assert not {"PF104", "PF105"} & {f["code"] for f in report["findings"]}, report["findings"]
    assert snapshot(tmp_path) == before


def test_semicolon_csv_through_the_console_script(tmp_path):
    argv, _ = _semicolon(tmp_path)
    rc, out, err = run_script(argv + FAST, tmp_path)
    assert_normal_report(rc, out, err, n_train=120, features=3)
    assert err == ""  # no library warnings leak into the terminal


def test_categorical_with_100k_levels_is_a_finding_not_an_error(tmp_path, capsys, monkeypatch):
    """100,000 distinct codes in a feature are legal data: pitfall scans them (the encoder keeps
    the most frequent levels) and reports the column as an identifier (PF104), exit 0 since
    that is a warning."""
    rng = np.random.default_rng(0)
    n = 100_000
    df = pd.DataFrame({"code": [f"obj{i:06d}" for i in rng.permutation(n)], "x0": rng.normal(size=n)})
    df["label"] = (df.x0 + rng.logistic(size=n) > 0).astype(int)
    df.iloc[:90_000].to_parquet(tmp_path / "train.parquet")
    df.iloc[90_000:].to_csv(tmp_path / "test.csv", index=False)
    argv = ["train.parquet", "test.csv", "-t", "label", "--select", "PF1,PF201,PF202,PF203"]
    argv += ["--no-config", "--format", "json"]
    rc, out, err = run_in_process(argv, tmp_path, capsys, monkeypatch)
    report = assert_normal_report(rc, out, err, n_train=90_000, features=2)
    assert rc == 0
    pf104 = [f for f in report["findings"] if f["code"] == "PF104"]
    assert [f["columns"] for f in pf104] == [["code"]]
    assert pf104[0]["evidence"]["n_unique"] == 90_000


def test_frames_with_integer_column_names_scan_and_stay_untouched():
    """From Python a frame may have 0, 1, 2 as column names; checks speak of names as text
    (they used to crash with KeyError '0'). The user's frames are not modified."""
    import pitfall

    train, test = frame(120, 1), frame(60, 2)
    train.columns = test.columns = [0, 1, 2, "label"]
    before = (train.copy(), test.copy())
    report = pitfall.scan(train, test, target="label", config=False, select="PF1,PF201")
    assert report.crashed == {}
    assert report.inputs["n_features"] == 3
    pd.testing.assert_frame_equal(train, before[0])
    pd.testing.assert_frame_equal(test, before[1])
