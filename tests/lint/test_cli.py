"""``pitfall lint`` on the command line: formats, exit codes, config, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pitfall.cli.main import main

PITFALL = Path(sys.executable).with_name("pitfall")
LEAKY = """\
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.ensemble import RandomForestClassifier
df = pd.read_csv("d.csv")
X = StandardScaler().fit_transform(df.drop(columns="y"))
X_tr, X_te, y_tr, y_te = train_test_split(X, df["y"])
print(RandomForestClassifier(random_state=0).fit(X_tr, y_tr).score(X_te, y_te))
"""


def _project(tmp_path: Path, config: str = "") -> Path:
    (tmp_path / "train.py").write_text(LEAKY, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(f"[tool.pitfall]\n{config}", encoding="utf-8")
    return tmp_path


def run(capsys, *args: str) -> tuple[int, str, str]:
    rc = main(["lint", *args])
    out, err = capsys.readouterr()
    return rc, out, err


def test_text_report_and_exit_codes(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # the location line holds the tmp path; keep it on one line
    root = _project(tmp_path)
    rc, out, err = run(capsys, str(root / "train.py"), "--config", str(root / "pyproject.toml"))
    assert rc == 1 and err == ""
    assert "pitfall lint" in out and "PF206" in out and "train.py:6:5" in out
    assert 'X = StandardScaler().fit_transform(df.drop(columns="y"))' in out
    rc, _, _ = run(capsys, str(root), "--no-config", "--fail-on", "never")
    assert rc == 0
    rc, _, _ = run(capsys, str(root), "--no-config", "--select", "PF702", "--fail-on", "error")
    assert rc == 0  # only a warning is left
    rc, _, _ = run(capsys, str(root), "--no-config", "--select", "PF702", "--fail-on", "warning")
    assert rc == 1


def test_pyproject_settings_apply_as_for_scan(tmp_path, capsys):
    root = _project(tmp_path, 'ignore = ["PF206"]\nfail-on = "warning"\n[tool.pitfall.severity]\nPF702 = "error"\n')
    rc, out, _ = run(capsys, str(root / "train.py"), "--config", str(root / "pyproject.toml"), "--format", "json")
    data = json.loads(out)
    assert rc == 1
    assert [(f["code"], f["severity"]) for f in data["findings"]] == [("PF702", "error")]
    assert data["inputs"]["config"] == str(root / "pyproject.toml")


def test_json_and_sarif_formats_carry_locations(tmp_path, capsys):
    root = _project(tmp_path)
    rc, out, _ = run(capsys, str(root / "train.py"), "--no-config", "--format", "json")
    f = json.loads(out)["findings"][0]
    assert rc == 1 and f["code"] == "PF206" and f["location"]["line"] == 6 and f["location"]["column"] == 5
    target = tmp_path / "out.sarif"
    rc, out, err = run(capsys, str(root / "train.py"), "--no-config", "--format", "sarif", "-o", str(target), "-q")
    assert rc == 1 and out == ""
    log = json.loads(target.read_text(encoding="utf-8"))
    assert log["version"] == "2.1.0"
    run_ = log["runs"][0]
    assert [r["id"] for r in run_["tool"]["driver"]["rules"]] == ["PF206", "PF702"]
    region = run_["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 6 and region["startColumn"] == 5


def test_html_format(tmp_path, capsys):
    root = _project(tmp_path)
    rc, out, _ = run(capsys, str(root / "train.py"), "--no-config", "--format", "html")
    assert rc == 1 and "<html" in out and "train.py:6:5" in out and "fit_transform" in out


def test_bad_paths_are_one_line_errors(tmp_path, capsys):
    rc, _, err = run(capsys, str(tmp_path / "missing.py"))
    assert rc == 2 and err.count("\n") == 1 and "missing.py: no such file or folder" in err
    (tmp_path / "broken.py").write_text("def (:\n", encoding="utf-8")
    (tmp_path / "fine.py").write_text(LEAKY, encoding="utf-8")
    rc, out, err = run(capsys, str(tmp_path), "--no-config")
    assert rc == 1 and "broken.py: cannot parse" in err and err.count("\n") == 1 and "PF206" in out
    rc, _, err = run(capsys, str(tmp_path), "--no-config", "--select", "PF9")
    assert rc == 2 and "no check matches 'PF9'" in err


def test_console_script(tmp_path):
    root = _project(tmp_path)
    done = subprocess.run(
        [str(PITFALL), "lint", str(root / "train.py"), "--no-config", "--format", "json"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1 and json.loads(done.stdout)["summary"]["error"] == 1


def test_explain_lint_checks(capsys):
    assert main(["explain", "PF207"]) == 0
    out = capsys.readouterr().out
    assert "feature-selection-leakage" in out and "How to fix" in out


def test_pre_commit_hook_runs_pitfall_lint():
    text = (Path(__file__).parents[2] / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert "- id: pitfall-lint" in text and "entry: pitfall lint" in text
    assert "types_or: [python, jupyter]" in text and "language: python" in text
