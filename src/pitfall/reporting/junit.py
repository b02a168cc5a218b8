"""JUnit XML for CI systems (GitLab, Jenkins, GitHub test reporters, Azure Pipelines).

CI tools already know how to show failing tests, so each check becomes a test case: it
fails once per error or warning finding, is skipped with pitfall's reason, or errors when the
check itself crashed. Info findings are not failures; they go to the case's ``system-out``.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

from pitfall.findings import Finding, Severity, jsonable

if TYPE_CHECKING:
    from pitfall.report import Report

__all__ = ["render_junit"]

# Characters XML 1.0 cannot hold at all (ElementTree would write them and produce a file that
# no parser reads back); user column names and messages may contain them.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: Any) -> str:
    return _INVALID_XML.sub("\ufffd", str(text))


def render_junit(report: Report) -> str:
    """Render ``report`` as a JUnit XML document with one ``<testsuite name="pitfall">``.

    Test cases: every check that ran, was skipped or crashed (plus any code that only appears in
    a finding), ``classname`` = family and ``name`` = ``"PF202 near-duplicates"``. The suite's
    ``failures`` counts failing test cases (as CI tools expect), not failure elements.
    """
    from pitfall import __version__
    from pitfall.checks.registry import FAMILIES, SPECS

    by_code: dict[str, list[Finding]] = {}
    for f in report.findings:
        by_code.setdefault(f.code, []).append(f)
    ran = {c for c in report.timings if c != "total"}
    codes = sorted(ran | set(report.skipped) | set(report.crashed) | set(by_code))
    suite = ET.Element("testsuite", name="pitfall")
    props = ET.SubElement(suite, "properties")
    for key, value in [("pitfall_version", __version__), *sorted(report.inputs.items())]:
        if value is not None:
            ET.SubElement(props, "property", name=_clean(key), value=_clean(value))
    failing = errors = skipped = 0
    for code in codes:
        findings = by_code.get(code, [])
        cls = SPECS.get(code)
        name = getattr(cls, "name", None) or (findings[0].name if findings else "")
        family = getattr(cls, "family", None) or (findings[0].family if findings else FAMILIES.get(code[:3], "pitfall"))
        case = ET.SubElement(suite, "testcase", classname=_clean(family), name=_clean(f"{code} {name}".strip()))
        seconds = report.timings.get(code)
        if isinstance(seconds, (int, float)):
            case.set("time", f"{float(seconds):.3f}")
        if code in report.crashed:
            errors += 1
            err = ET.SubElement(case, "error", type="crash", message=_clean(report.crashed[code]))
            err.text = _clean(
                f"{code} failed internally; the other checks still ran. "
                f"Set PITFALL_DEBUG=1 to see the traceback.\n{report.crashed[code]}"
            )
        elif code in report.skipped and not findings:
            skipped += 1
            ET.SubElement(case, "skipped", message=_clean(report.skipped[code]))
        failures = [f for f in findings if f.severity is not Severity.INFO]
        for f in failures:
            el = ET.SubElement(case, "failure", type=f.severity.value, message=_clean(f.message))
            el.text = _clean(_body(f))
        if failures:
            failing += 1
        infos = [f for f in findings if f.severity is Severity.INFO]
        if infos:
            out = ET.SubElement(case, "system-out")
            out.text = _clean("\n\n".join(_body(f, with_message=True) for f in infos))
    suite.set("tests", str(len(codes)))
    suite.set("failures", str(failing))
    suite.set("errors", str(errors))
    suite.set("skipped", str(skipped))
    total = report.timings.get("total")
    if isinstance(total, (int, float)):
        suite.set("time", f"{float(total):.3f}")
    root = ET.Element("testsuites", name="pitfall")
    root.append(suite)
    for attr in ("tests", "failures", "errors", "skipped"):
        root.set(attr, suite.get(attr, "0"))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _body(f: Finding, *, with_message: bool = False) -> str:
    lines = [f"[{f.severity.value}] {f.code} {f.name}: {f.message}"] if with_message else []
    lines.append(f"fix: {f.fix}")
    if f.columns:
        lines.append("columns: " + ", ".join(f.columns))
    if f.evidence:
        evidence = json.dumps(jsonable(f.evidence), indent=2, ensure_ascii=False, allow_nan=False)
        lines.append("evidence: " + evidence)
    lines.append(f"details: pitfall explain {f.code}")
    return "\n".join(lines)
