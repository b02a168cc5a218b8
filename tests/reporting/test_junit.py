"""JUnit XML: one test case per check, failures for error/warning findings, skips, crashes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace

from pitfall.findings import Finding, Severity
from pitfall.report import Report

from .conftest import EVIL


def parse(report: Report) -> tuple[ET.Element, ET.Element]:
    root = ET.fromstring(report.to_junit())
    suites = root.findall("testsuite") if root.tag == "testsuites" else [root]
    assert len(suites) == 1
    return root, suites[0]


def cases(suite: ET.Element) -> dict[str, ET.Element]:
    return {c.get("name").split()[0]: c for c in suite.findall("testcase")}


def test_suite_structure_and_counts(built):
    _, suite = parse(built)
    assert suite.get("name") == "pitfall"
    by_code = cases(suite)
    # ran (timings), skipped and crashed checks each have one case
    assert sorted(by_code) == ["PF101", "PF201", "PF202", "PF204", "PF205", "PF403"]
    assert int(suite.get("tests")) == 6
    assert by_code["PF202"].get("name") == "PF202 near-duplicates"
    assert by_code["PF202"].get("classname") == "leakage"
    assert by_code["PF403"].get("classname") == "evaluation"
    assert by_code["PF205"].get("time") == "1.500"
    failures = suite.findall("testcase/failure")
    assert len(failures) == 2  # the error and the warning; info is not a failure
    assert int(suite.get("failures")) == 2
    assert len(suite.findall("testcase/skipped")) == int(suite.get("skipped")) == 1
    assert len(suite.findall("testcase/error")) == int(suite.get("errors")) == 1
    assert suite.get("time") == "1.800"
    assert by_code["PF101"].find("*") is None  # passed: an empty test case


def test_failure_content(built):
    _, suite = parse(built)
    by_code = cases(suite)
    failure = by_code["PF205"].find("failure")
    assert failure.get("type") == "error"
    assert failure.get("message") == built.by_code("PF205")[0].message  # markup survives intact
    body = failure.text
    assert "fix: Check that" in body and EVIL in body
    evidence = json.loads(body.split("evidence: ", 1)[1].split("\ndetails:", 1)[0])
    assert evidence["feature"] == EVIL and evidence["count"] == 3
    assert evidence["model_score"]["high"] is None  # NaN written as null
    assert by_code["PF201"].find("failure").get("type") == "warning"
    out = by_code["PF403"].find("system-out")
    assert out is not None and "small-test-set" in out.text and "Quote the interval" in out.text
    assert by_code["PF403"].find("failure") is None
    skipped = by_code["PF204"].find("skipped")
    assert skipped.get("message") == f"needs --time ({EVIL})"
    error = by_code["PF202"].find("error")
    assert error.get("message") == f"ValueError: bad column {EVIL}"


def test_several_findings_of_one_check_fail_one_case(built):
    extra = replace(built.findings[0], message="Feature 'b' alone predicts the label.")
    report = replace(built, findings=[*built.findings, extra])
    _, suite = parse(report)
    assert len(cases(suite)["PF205"].findall("failure")) == 2
    assert int(suite.get("failures")) == 2  # failing test cases, not failure elements


def test_control_characters_still_parse():
    bad = "col\x00umn\x07\x1b[31m"
    f = Finding(
        code="PF103",
        name="constant-column",
        family="integrity",
        severity=Severity.WARNING,
        message=f"Column {bad!s} is constant.",
        fix="Drop it.",
        evidence={"column": bad},
        columns=(bad,),
    )
    report = Report(inputs={"train": bad}, findings=[f], timings={"PF103": 0.1})
    _, suite = parse(report)
    failure = suite.find("testcase/failure")
    assert failure.get("message").startswith("Column col\ufffdumn\ufffd")


def test_unknown_code_uses_the_finding(built):
    f = Finding(code="PF999", name="made-up", family="shortcuts", severity=Severity.ERROR, message="m", fix="f")
    _, suite = parse(Report(findings=[f]))
    case = suite.find("testcase")
    assert case.get("name") == "PF999 made-up" and case.get("classname") == "shortcuts"


def test_clean_report_has_no_failures():
    root, suite = parse(Report(timings={"PF101": 0.01, "PF102": 0.02, "total": 0.05}))
    assert int(suite.get("tests")) == 2
    assert suite.get("failures") == suite.get("errors") == suite.get("skipped") == "0"
    assert root.get("tests") == "2"


def test_end_to_end_scan(scanned):
    _, suite = parse(scanned)
    by_code = cases(suite)
    ran = {c for c in scanned.timings if c != "total"} - set(scanned.skipped)
    assert ran <= set(by_code)
    failing = {f.code for f in scanned.findings if f.severity is not Severity.INFO}
    assert "PF205" in failing
    assert len(suite.findall("testcase/failure")) == len(scanned.errors) + len(scanned.warnings)
    assert int(suite.get("failures")) == len(failing)
    assert int(suite.get("skipped")) == len(scanned.skipped) >= 1  # PF204 needs --time
    assert by_code["PF204"].find("skipped") is not None
    assert by_code["PF205"].find("failure").get("type") == "error"
