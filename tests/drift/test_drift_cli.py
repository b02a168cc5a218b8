"""``pitfall drift`` on the command line: formats, exit codes, windows, and one-line errors."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import joblib
import pytest
from sklearn.linear_model import LogisticRegression

from pitfall.cli.main import main
from tests.drift.synthetic import frame

FAST = ["--select", "PF501,PF503,PF504", "--no-config"]


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("drift")
    ref, cur = frame(1200, seed=1), frame(1200, seed=2, shift=0.8, days=21)
    paths = {"ref": folder / "ref.csv", "cur": folder / "cur.parquet", "clean": folder / "clean.csv"}
    ref.to_csv(paths["ref"], index=False)
    cur.to_parquet(paths["cur"])
    frame(1200, seed=4).to_csv(paths["clean"], index=False)
    model = LogisticRegression().fit(ref[["x0", "x1", "x2", "x3", "x4"]], ref["label"])
    paths["model"] = folder / "model.joblib"
    joblib.dump(model, paths["model"])
    return paths


def cli(argv, capsys) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main([str(a) for a in argv])
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_text_report_and_exit_codes(files, capsys):
    rc, out, _ = cli(["drift", files["ref"], files["cur"], "--target", "label", "--time", "t", *FAST], capsys)
    assert rc == 1 and "PF501" in out and "x0" in out
    rc, out, _ = cli(["drift", files["ref"], files["clean"], "--target", "label", *FAST], capsys)
    assert rc == 0 and "No findings" in out


def test_json_windows_and_fail_on(files, capsys):
    argv = ["drift", files["ref"], files["cur"], "-t", "label", "--time", "t", "--window", "7d", "--format", "json"]
    rc, out, _ = cli([*argv, *FAST, "--fail-on", "never"], capsys)
    data = json.loads(out)
    assert rc == 0
    assert len(data["metrics"]["drift"]["windows"]) == 3
    assert {f["code"] for f in data["findings"]} == {"PF501"}
    assert data["inputs"]["window"] == "7d" and data["inputs"]["n_reference"] == 1200


def test_html_and_junit_outputs(files, tmp_path, capsys):
    html = tmp_path / "drift.html"
    argv = [
        "drift",
        files["ref"],
        files["cur"],
        "-t",
        "label",
        "--time",
        "t",
        "--window",
        "7d",
        "--model",
        files["model"],
        "--trust-model",
        "--select",
        "PF501,PF504,PF505",
        "--no-config",
    ]
    rc, _, err = cli([*argv, "--format", "html", "-o", html, "-q"], capsys)
    text = html.read_text()
    assert rc == 1 and "<svg" in text and "x0" in text and "per window" in text
    rc, out, _ = cli([*argv, "--format", "junit"], capsys)
    assert ET.fromstring(out).tag in ("testsuites", "testsuite")


def _bad(tmp: Path, files: dict[str, Path]) -> dict[str, tuple[list, str]]:
    other = tmp / "other.csv"
    frame(50, seed=1).drop(columns="x4").to_csv(other, index=False)
    empty = tmp / "empty.csv"
    empty.write_bytes(b"")
    header = tmp / "header.csv"
    header.write_text("x0,x1,x2,x3,x4,c,label\n")
    badtime = tmp / "badtime.csv"
    df = frame(50, seed=2)
    df["t"] = "not a date"
    df.to_csv(badtime, index=False)
    corrupt = tmp / "corrupt.parquet"
    corrupt.write_bytes(b"PAR1 this is not parquet")
    wrong_model = tmp / "wrong.joblib"
    joblib.dump(LogisticRegression().fit([[0.0, 1.0, 2.0], [1.0, 0.0, 2.0]], [0, 1]), wrong_model)
    ref, cur, clean = files["ref"], files["cur"], files["clean"]
    return {
        "columns differ": (["drift", ref, other], "columns differ"),
        "missing time column": (["drift", ref, clean, "--time", "when"], "no time column"),
        "unparsable window": (["drift", ref, cur, "--time", "t", "--window", "banana"], "--window"),
        "window without time": (["drift", ref, cur, "--window", "7d"], "--window needs --time"),
        "numeric window on dates": (["drift", ref, cur, "--time", "t", "--window", "5"], "holds dates"),
        "time not dates": (["drift", ref, badtime, "--time", "t", "--window", "1d"], "not dates"),
        "empty file": (["drift", empty, cur], "empty"),
        "header only": (["drift", header, clean], "no data rows"),
        "no such file": (["drift", tmp / "nope.csv", cur], "no such file"),
        "missing target": (["drift", ref, clean, "--target", "labl"], "no target column"),
        "untrusted model": (["drift", ref, clean, "--model", files["model"]], "--trust-model"),
        "model on other columns": (["drift", ref, clean, "--model", wrong_model, "--trust-model"], "cannot predict"),
        "unknown code": (["drift", ref, clean, "--select", "PF599"], "no check matches"),
        "corrupt parquet": (["drift", ref, corrupt], "Parquet"),
        "spreadsheet": (["drift", ref, tmp / "data.xlsx"], "no such file"),
        "output overwrites input": (["drift", ref, clean, "-o", ref], "overwrite"),
    }


CASES = [
    "columns differ",
    "missing time column",
    "unparsable window",
    "window without time",
    "numeric window on dates",
    "time not dates",
    "empty file",
    "header only",
    "no such file",
    "missing target",
    "untrusted model",
    "model on other columns",
    "unknown code",
    "corrupt parquet",
    "spreadsheet",
    "output overwrites input",
]


@pytest.mark.parametrize("name", CASES)
def test_bad_input_is_one_line_and_exit_2(name, files, tmp_path, capsys):
    argv, expected = _bad(tmp_path, files)[name]
    rc, out, err = cli([*argv, "--no-config"], capsys)
    assert rc == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pitfall: error:"), err
    assert expected in lines[0], lines[0]
    assert "Traceback" not in err
