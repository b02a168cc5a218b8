"""The ``pitfall`` command line: output formats, --output, exit codes, selection, config, and the
``checks`` / ``explain`` / ``--version`` commands.

Most runs call ``pitfall.cli.main.main`` in-process (capsys captures what a terminal would
see); a few go through the installed console script. Data sets are small and ``--select``
keeps model fitting to the tests that need it.
"""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pitfall.checks.registry import CHECKS
from pitfall.cli.main import main

from .conftest import clean_classification, split_frame

PITFALL = Path(sys.executable).with_name("pitfall")
NO_MODEL = ["--select", "PF101,PF102,PF103,PF104,PF105,PF201,PF202", "--no-config"]


def _write(folder: Path, train: pd.DataFrame, test: pd.DataFrame) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    train.to_csv(folder / "train.csv", index=False)
    test.to_csv(folder / "test.csv", index=False)
    return [str(folder / "train.csv"), str(folder / "test.csv"), "--target", "label"]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def clean(data_dir) -> list[str]:
    """Independent rows, no planted pitfall."""
    return _write(data_dir / "clean", *split_frame(clean_classification(300, d=4, seed=3)))


@pytest.fixture(scope="module")
def leaky(data_dir) -> list[str]:
    """A feature that is the label plus tiny noise: target leakage (PF205, error)."""
    df = clean_classification(300, d=4, seed=3)
    df["leak"] = df["label"] + np.random.default_rng(1).normal(scale=0.05, size=len(df))
    return _write(data_dir / "leaky", *split_frame(df))


@pytest.fixture(scope="module")
def planted(data_dir) -> list[str]:
    """A row counter (PF104, warning) and 30 test rows copied from train (PF201, error):
    findings of two severities without fitting a model."""
    train, test = split_frame(clean_classification(300, d=4, seed=4))
    test = pd.concat([test, train.iloc[:30]], ignore_index=True)
    train = train.assign(row_no=np.arange(len(train)))
    test = test.assign(row_no=np.arange(len(train), len(train) + len(test)))
    return _write(data_dir / "planted", train, test)


@pytest.fixture(scope="module")
def warn_only(data_dir) -> list[str]:
    """Only a warning-level pitfall (the row counter, PF104)."""
    train, test = split_frame(clean_classification(300, d=4, seed=5))
    train = train.assign(row_no=np.arange(len(train)))
    test = test.assign(row_no=np.arange(len(train), len(train) + len(test)))
    return _write(data_dir / "warn", train, test)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


def scan_json(capsys, *argv: str) -> tuple[int, dict]:
    rc, out, err = run(capsys, "scan", *argv, "--format", "json")
    assert rc in (0, 1), err
    return rc, json.loads(out)


def ran(report: dict) -> set[str]:
    """Codes of the checks that ran (each has a timing) or were skipped with a reason."""
    return ({k for k in report["timings"] if k != "total"} | set(report["skipped"])) - {"total"}


# ----- formats and --output -------------------------------------------------------------------


def test_json_report_has_the_documented_shape(capsys, planted):
    rc, report = scan_json(capsys, *planted, *NO_MODEL)
    assert rc == 1  # PF201 is an error and --fail-on defaults to error
    assert {"pitfall_version", "inputs", "findings", "summary", "metrics"} <= set(report)
    assert report["pitfall_version"] == importlib.metadata.version("pitfall")
    assert report["inputs"]["target"] == "label"
    assert report["inputs"]["n_train"] == 225 and report["inputs"]["n_test"] == 105
    by_code = {f["code"]: f for f in report["findings"]}
    assert {"PF104", "PF201"} <= set(by_code)
    assert by_code["PF104"]["columns"] == ["row_no"]
    assert by_code["PF201"]["severity"] == "error"
    assert by_code["PF201"]["evidence"]["count"] == 30
    for f in report["findings"]:
        assert {"code", "name", "severity", "message", "evidence", "fix"} <= set(f)
    summary = report["summary"]
    assert summary["error"] == sum(f["severity"] == "error" for f in report["findings"])
    assert summary["warning"] == sum(f["severity"] == "warning" for f in report["findings"])


def test_text_report_goes_to_stdout(capsys, planted):
    rc, out, err = run(capsys, "scan", *planted, *NO_MODEL, "--format", "text")
    assert rc == 1
    assert "pitfall scan" in out
    assert "PF201" in out and "PF104" in out
    assert err == ""


def test_html_report(capsys, planted, tmp_path):
    pytest.importorskip("pitfall.reporting.html")
    rc, out, err = run(capsys, "scan", *planted, *NO_MODEL, "--format", "html")
    assert rc == 1
    assert out.lstrip().lower().startswith("<!doctype html")
    assert "</html>" in out.lower()
    assert "PF201" in out and "PF104" in out
    assert "<script src=" not in out.lower()  # a single file: nothing loaded from elsewhere


def test_junit_report(capsys, planted):
    pytest.importorskip("pitfall.reporting.junit")
    rc, out, err = run(capsys, "scan", *planted, *NO_MODEL, "--format", "junit")
    assert rc == 1
    root = ET.fromstring(out)
    cases = list(root.iter("testcase"))
    failures = [c for c in cases if c.find("failure") is not None]
    names = " ".join(c.get("name", "") for c in failures)
    assert "PF201" in names and "PF104" in names


@pytest.mark.parametrize("fmt", ["json", "text", "html", "junit"])
def test_output_writes_the_report_file(capsys, planted, tmp_path, fmt):
    if fmt in ("html", "junit"):
        pytest.importorskip(f"pitfall.reporting.{fmt}")
    target = tmp_path / f"report.{fmt}"
    rc, out, err = run(capsys, "scan", *planted, *NO_MODEL, "--format", fmt, "--output", str(target), "-q")
    assert rc == 1
    assert out == ""  # --quiet: the report goes only to the file
    text = target.read_text(encoding="utf-8")
    assert "PF201" in text
    if fmt == "json":
        assert json.loads(text)["summary"]["error"] >= 1
    elif fmt == "junit":
        ET.fromstring(text)
    elif fmt == "text":
        assert "\x1b[" not in text  # no colour codes in a file


def test_output_without_quiet_also_prints_a_summary(capsys, planted, tmp_path):
    target = tmp_path / "report.json"
    rc, out, err = run(capsys, "scan", *planted, *NO_MODEL, "--format", "json", "-o", str(target))
    assert rc == 1
    assert json.loads(target.read_text())["findings"]
    assert "PF201" in out  # the terminal summary
    assert f"Report written to {target}" in err


# ----- exit codes -------------------------------------------------------------------------------


@pytest.mark.parametrize("fail_on", ["error", "warning", "never"])
def test_clean_data_exits_0(capsys, clean, fail_on):
    rc, report = scan_json(capsys, *clean, *NO_MODEL, "--fail-on", fail_on)
    assert report["findings"] == []
    assert rc == 0


@pytest.mark.parametrize(("fail_on", "expected"), [("error", 1), ("never", 0)])
def test_leaky_column_exits_1_unless_never(capsys, leaky, fail_on, expected):
    rc, report = scan_json(capsys, *leaky, "--select", "PF205", "--no-config", "--fail-on", fail_on)
    leaks = [f for f in report["findings"] if f["code"] == "PF205" and f["severity"] == "error"]
    assert [f["columns"] for f in leaks] == [["leak"]]
    assert rc == expected


@pytest.mark.parametrize(("fail_on", "expected"), [("error", 0), ("warning", 1), ("never", 0)])
def test_warning_fails_only_with_fail_on_warning(capsys, warn_only, fail_on, expected):
    rc, report = scan_json(capsys, *warn_only, *NO_MODEL, "--fail-on", fail_on)
    assert report["summary"]["error"] == 0
    assert report["summary"]["warning"] >= 1
    assert rc == expected


def test_console_script_exit_codes(clean, leaky):
    """The real entry point: the process exit status is what CI sees."""
    quick = ["--select", "PF101,PF102,PF103,PF104,PF105,PF201", "--no-config", "--format", "json"]
    ok = subprocess.run([str(PITFALL), "scan", *clean, *quick], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["findings"] == []
    bad = subprocess.run(
        [str(PITFALL), "scan", *leaky, "--select", "PF205", "--no-config", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert bad.returncode == 1, bad.stderr
    assert "PF205" in {f["code"] for f in json.loads(bad.stdout)["findings"]}
    assert bad.stderr == ""


# ----- selection on the command line and in [tool.pitfall] ------------------------------------


def test_select_runs_only_the_selected_checks(capsys, planted):
    rc, report = scan_json(capsys, *planted, "--select", "PF104", "--no-config")
    assert ran(report) == {"PF104"}
    assert {f["code"] for f in report["findings"]} == {"PF104"}
    assert rc == 0  # PF104 is a warning


def test_ignore_wins_over_a_broader_select(capsys, planted):
    rc, report = scan_json(capsys, *planted, "--select", "PF1,PF201", "--ignore", "PF104", "--no-config")
    assert ran(report) == {c for c in CHECKS if c.startswith("PF1") and c != "PF104"} | {"PF201"}
    assert "PF104" not in {f["code"] for f in report["findings"]}


def test_select_comma_list_and_repeated_option_agree(capsys, planted):
    _, a = scan_json(capsys, *planted, "--select", "PF104,PF201", "--no-config")
    _, b = scan_json(capsys, *planted, "--select", "PF104", "--select", "PF201", "--no-config")
    assert ran(a) == ran(b) == {"PF104", "PF201"}


def _pyproject(folder: Path, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pyproject.toml"
    path.write_text(f'[project]\nname = "demo"\n\n[tool.pitfall]\n{body}\n')
    return path


def test_pyproject_in_the_working_directory_is_used(capsys, planted, tmp_path, monkeypatch):
    path = _pyproject(tmp_path / "proj", 'select = ["PF1", "PF201"]\nignore = ["PF104"]')
    monkeypatch.chdir(tmp_path / "proj")
    rc, report = scan_json(capsys, *planted)
    assert ran(report) == {c for c in CHECKS if c.startswith("PF1") and c != "PF104"} | {"PF201"}
    assert Path(report["inputs"]["config"]).resolve() == path.resolve()


def test_pyproject_found_from_a_subdirectory(capsys, planted, tmp_path, monkeypatch):
    _pyproject(tmp_path / "proj", 'select = ["PF104"]')
    (tmp_path / "proj" / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "proj" / "notebooks")
    _, report = scan_json(capsys, *planted)
    assert ran(report) == {"PF104"}


def test_config_option_and_command_line_override(capsys, planted, tmp_path):
    path = _pyproject(tmp_path / "elsewhere", 'select = ["PF104"]\nfail-on = "warning"')
    rc, report = scan_json(capsys, *planted, "--config", str(path))
    assert ran(report) == {"PF104"}
    assert rc == 1  # fail-on = "warning" from the file
    rc, report = scan_json(capsys, *planted, "--config", str(path), "--select", "PF201", "--fail-on", "never")
    assert ran(report) == {"PF201"}
    assert rc == 0


def test_config_severity_override(capsys, planted, tmp_path):
    path = _pyproject(tmp_path / "sev", 'select = ["PF104"]\n\n[tool.pitfall.severity]\nPF104 = "error"')
    rc, report = scan_json(capsys, *planted, "--config", str(path))
    assert [f["severity"] for f in report["findings"] if f["code"] == "PF104"] == ["error"]
    assert rc == 1


def test_no_config_ignores_the_pyproject(capsys, planted, tmp_path, monkeypatch):
    _pyproject(tmp_path / "proj", 'select = ["PF104"]')
    monkeypatch.chdir(tmp_path / "proj")
    _, report = scan_json(capsys, *planted, "--no-config", "--select", "PF201")
    assert ran(report) == {"PF201"}
    assert report["inputs"]["config"] is None


# ----- checks, explain, version -----------------------------------------------------------------


def test_checks_lists_every_check(capsys):
    rc, out, err = run(capsys, "checks")
    assert rc == 0
    for code, cls in CHECKS.items():
        assert code in out
        assert cls.name in out


@pytest.mark.parametrize("width", [80, 200])
def test_checks_fits_the_terminal_and_keeps_each_summary_readable(width, monkeypatch):
    from click.testing import CliRunner

    from pitfall.cli.main import cli

    monkeypatch.setenv("COLUMNS", str(width))
    out = CliRunner().invoke(cli, ["checks"]).output
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= width
    text = " ".join(" ".join(line.replace("│", " ").split()) for line in lines)
    for code, cls in CHECKS.items():
        assert code in out and cls.name in out
        assert " ".join(cls.summary().split()) in text  # not cut, however it wraps
    # no summary squeezed to a word or two a line: at most two lines per check, plus headings
    assert len(lines) <= (1 if width >= 110 else 3) * len(CHECKS) + 2 * 7 + 6


def test_checks_json(capsys):
    rc, out, err = run(capsys, "checks", "--format", "json")
    assert rc == 0
    rows = json.loads(out)
    assert [r["code"] for r in rows] == list(CHECKS)
    for r in rows:
        assert {"code", "name", "family", "severity", "summary"} <= set(r)
        assert r["severity"] in ("error", "warning", "info")
        assert r["name"] == CHECKS[r["code"]].name


def test_checks_markdown_is_the_readme_table(capsys):
    rc, out, err = run(capsys, "checks", "--format", "markdown")
    assert rc == 0
    lines = out.strip().splitlines()
    assert lines[0] == "| code | name | severity | needs | what it finds |"
    assert [ln.split(" | ")[0].lstrip("| ") for ln in lines[2:]] == list(CHECKS)
    assert "| PF204 | `temporal-leakage` | error | --time |" in out
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert out.strip() in readme, "README's checks table is stale: paste `pitfall checks --format markdown`"


def test_explain_prints_the_docs(capsys):
    rc, out, err = run(capsys, "explain", "PF202")
    assert rc == 0
    cls = CHECKS["PF202"]
    assert "PF202" in out and cls.name in out
    for section in ("What it finds", "Why it matters", "How to fix"):
        assert section in out


def test_explain_is_case_insensitive(capsys):
    rc, out, _ = run(capsys, "explain", "pf101")
    assert rc == 0
    assert CHECKS["PF101"].name in out


def test_explain_unknown_code_is_one_line_exit_2(capsys):
    rc, out, err = run(capsys, "explain", "PF999")
    assert rc == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pitfall: error:")
    assert "'PF999'" in lines[0] and "PF101" in lines[0]
    assert out == ""


def test_version(capsys):
    rc, out, _ = run(capsys, "--version")
    assert rc == 0
    assert out.strip() == f"pitfall, version {importlib.metadata.version('pitfall')}"


def test_version_through_the_console_script():
    proc = subprocess.run([str(PITFALL), "--version"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert importlib.metadata.version("pitfall") in proc.stdout


def test_help_lists_the_commands(capsys):
    rc, out, _ = run(capsys, "--help")
    assert rc == 0
    for command in ("scan", "checks", "explain"):
        assert command in out
