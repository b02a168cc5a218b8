"""SARIF 2.1.0: any report renders (scan findings have no code location), lint findings point
at their line, notebook findings at their file with the cell in properties."""

from __future__ import annotations

import json
import math

import pandas as pd

from pitfall.findings import Finding, Location, Severity
from pitfall.report import Report

from .conftest import hand_built_report


def _log(report: Report) -> dict:
    text = report.to_sarif()
    return json.loads(text, parse_constant=lambda c: math.nan)  # strict JSON: no NaN constants


def test_a_scan_report_renders_without_code_locations():
    report = hand_built_report()
    log = _log(report)
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted({f.code for f in report.findings})
    assert {r["ruleId"]: r["level"] for r in run["results"]} == {"PF205": "error", "PF201": "warning", "PF403": "note"}
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        for loc in result["locations"]:
            assert "region" not in loc["physicalLocation"]
    assert "NaN" not in report.to_sarif()
    # the finding's columns and evidence travel in properties
    pf205 = next(r for r in run["results"] if r["ruleId"] == "PF205")
    assert pf205["properties"]["evidence"]["model_score"]["high"] is None
    assert pf205["properties"]["columns"]


def test_scan_json_is_unchanged_by_the_location_field():
    report = hand_built_report()
    for f in json.loads(report.to_json())["findings"]:
        assert "location" not in f


def test_lint_findings_in_scripts_and_notebooks():
    def finding(code: str, loc: Location) -> Finding:
        return Finding(
            code=code,
            name="preprocessing-fitted-on-test",
            family="leakage",
            severity=Severity.ERROR,
            message="m",
            fix="f",
            location=loc,
        )

    report = Report(
        inputs={"command": "lint", "paths": ["src"]},
        findings=[
            finding("PF206", Location("src/train.py", 12, 5, None, "X = sc.fit_transform(X)")),
            finding("PF206", Location("notebooks/eda.ipynb", 3, 1, 7, "df = df.fillna(df.mean())")),
        ],
    )
    results = _log(report)["runs"][0]["results"]
    script, notebook = results
    region = script["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 12, "startColumn": 5, "snippet": {"text": "X = sc.fit_transform(X)"}}
    physical = notebook["locations"][0]["physicalLocation"]
    assert physical == {"artifactLocation": {"uri": "notebooks/eda.ipynb"}}  # no region: lines of a cell
    assert notebook["locations"][0]["logicalLocations"] == [{"name": "cell 7", "kind": "module"}]
    assert notebook["message"]["text"].startswith("Cell 7, line 3: ")
    assert notebook["properties"]["location"]["cell"] == 7
    assert script["partialFingerprints"]["pitfall/v1"] != notebook["partialFingerprints"]["pitfall/v1"]


def test_scan_writes_sarif_from_the_command_line(tmp_path, capsys):
    from pitfall.cli.main import main

    from ..conftest import clean_classification, split_frame

    train, test = split_frame(clean_classification(n=300))
    test = pd.concat([test, train.head(20)], ignore_index=True)  # planted copies: PF201
    train.to_csv(tmp_path / "train.csv", index=False)
    test.to_csv(tmp_path / "test.csv", index=False)
    rc = main(
        [
            "scan",
            str(tmp_path / "train.csv"),
            str(tmp_path / "test.csv"),
            "--target",
            "label",
            "--select",
            "PF201",
            "--no-config",
            "--format",
            "sarif",
        ]
    )
    log = json.loads(capsys.readouterr().out)
    assert rc == 1
    [result] = log["runs"][0]["results"]
    assert result["ruleId"] == "PF201" and result["level"] == "error"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("train.csv")
