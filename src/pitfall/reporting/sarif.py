"""SARIF 2.1.0 for code-scanning interfaces (GitHub code scanning, GitLab, Azure DevOps, VS Code).

One run of one tool, ``pitfall``. Each check that found something is a rule (its code, name,
summary and documentation); each finding is a result at its location. Findings about data (from
``pitfall scan``) have no location in code: they are results without a region, placed on the
data file that was scanned when the report names one. Notebook findings point at the
``.ipynb`` file; the cell and the line within it are in the result's properties and message,
because SARIF regions count lines of the file's text, not of a cell.
"""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from pitfall.findings import Finding, Severity, jsonable

if TYPE_CHECKING:
    from pitfall.report import Report

__all__ = ["render_sarif"]

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _uri(path: str) -> str:
    return PurePath(path).as_posix()


def _rule(code: str, f: Finding) -> dict[str, Any]:
    from pitfall.checks.registry import SPECS

    spec = SPECS.get(code)
    summary = spec.summary() if spec is not None else f.name
    rule: dict[str, Any] = {
        "id": code,
        "name": f.name,
        "shortDescription": {"text": summary},
        "defaultConfiguration": {"level": _LEVEL[Severity(spec.severity) if spec is not None else f.severity]},
        "properties": {"family": f.family, "tags": [f.family]},
    }
    docs = spec.docs if spec is not None else f.docs
    if docs:
        rule["fullDescription"] = {"text": summary}
        rule["help"] = {"text": docs, "markdown": docs}
    return rule


def _location(f: Finding, inputs: dict[str, Any]) -> list[dict[str, Any]]:
    loc = f.location
    if loc is None:
        data = inputs.get("data") or inputs.get("train") or inputs.get("reference")
        if not isinstance(data, str):
            return []
        return [{"physicalLocation": {"artifactLocation": {"uri": _uri(data.split(" (")[0])}}}]
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(loc.path)}}
    if loc.cell is None and loc.line is not None:
        region: dict[str, Any] = {"startLine": loc.line}
        if loc.column is not None:
            region["startColumn"] = loc.column
        if loc.excerpt:
            region["snippet"] = {"text": loc.excerpt}
        physical["region"] = region
    out: dict[str, Any] = {"physicalLocation": physical}
    if loc.cell is not None:
        out["logicalLocations"] = [{"name": f"cell {loc.cell}", "kind": "module"}]
    return [out]


def _result(f: Finding, index: int, inputs: dict[str, Any]) -> dict[str, Any]:
    text = f"{f.message} Fix: {f.fix}"
    if f.location is not None and f.location.cell is not None:
        text = f"Cell {f.location.cell}, line {f.location.line}: {text}"
    result: dict[str, Any] = {
        "ruleId": f.code,
        "ruleIndex": index,
        "level": _LEVEL[f.severity],
        "message": {"text": text},
        "locations": _location(f, inputs),
        "properties": {"name": f.name, "severity": f.severity.value, "evidence": jsonable(f.evidence)},
    }
    if f.columns:
        result["properties"]["columns"] = list(f.columns)
    if f.location is not None:
        result["properties"]["location"] = f.location.to_dict()
        # A stable fingerprint lets code-scanning UIs follow a finding as lines move.
        result["partialFingerprints"] = {
            "pitfall/v1": f"{f.code}:{_uri(f.location.path)}:{f.location.cell}:{f.location.excerpt}"
        }
    return result


def render_sarif(report: Report) -> str:
    """Render ``report`` as a SARIF 2.1.0 log (a JSON string)."""
    from pitfall import __version__

    codes: list[str] = []
    first: dict[str, Finding] = {}
    for f in report.findings:
        if f.code not in first:
            first[f.code] = f
            codes.append(f.code)
    codes.sort()
    rules = [_rule(c, first[c]) for c in codes]
    index = {c: i for i, c in enumerate(codes)}
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "pitfall", "version": __version__, "semanticVersion": __version__, "rules": rules}},
        "results": [_result(f, index[f.code], report.inputs) for f in report.findings],
        "invocations": [
            {
                "executionSuccessful": not report.crashed,
                "toolExecutionNotifications": [
                    {"level": "warning", "message": {"text": note}} for note in report.notes
                ],
            }
        ],
        "properties": {"inputs": jsonable(report.inputs), "summary": report.summary},
    }
    log = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, allow_nan=False)
