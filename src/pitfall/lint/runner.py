"""``lint()``: read files, follow the data through each, apply the rules, return a ``Report``."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import replace
from time import perf_counter

from pitfall.checks.selection import parse_selectors, select_codes
from pitfall.config import Config, resolve_config
from pitfall.findings import Finding, Location
from pitfall.lint.dataflow import analyse
from pitfall.lint.rules import RULES, Hit
from pitfall.lint.sources import ParseFailure, Source, discover, read_source
from pitfall.report import Report

__all__ = ["LINT_CODES", "lint", "lint_source"]

# Codes `pitfall lint` can report. PF208 and PF702 may be registered as checks of other commands;
# their names are fixed here so that findings read the same either way.
LINT_CODES = {
    "PF203": ("group-leakage", "leakage"),
    "PF204": ("temporal-leakage", "leakage"),
    "PF206": ("preprocessing-fitted-on-test", "leakage"),
    "PF207": ("feature-selection-leakage", "leakage"),
    "PF208": ("test-set-used-for-training", "leakage"),
    "PF209": ("oversampling-before-split", "leakage"),
    "PF702": ("unrecorded-run-input", "reproducibility"),
}
_SUPPRESS = re.compile(r"#\s*pitfall:\s*ignore(?:\[([A-Za-z0-9,\s]+)\])?", re.IGNORECASE)


def _suppressed(line: str, code: str) -> bool:
    m = _SUPPRESS.search(line)
    if m is None:
        return False
    if m.group(1) is None:
        return True
    codes = {c.strip().upper() for c in m.group(1).split(",") if c.strip()}
    return any(code.startswith(c) for c in codes)


def _finding(hit: Hit, source: Source) -> Finding:
    from pitfall.checks.registry import SPECS

    name, family = LINT_CODES[hit.code]
    spec = SPECS.get(hit.code)
    return Finding(
        code=hit.code,
        name=getattr(spec, "name", name),
        family=getattr(spec, "family", family),
        severity=hit.severity,
        message=hit.message,
        fix=hit.fix,
        evidence=hit.evidence,
        docs=spec.docs if spec is not None else "",
        location=Location(source.path, hit.site.line, hit.site.column, hit.site.cell, hit.site.excerpt),
    )


def lint_source(source: Source) -> list[Finding]:
    """Every finding in one parsed file, before selection and suppression comments."""
    trace = analyse(source)
    lines = {c.number: c.lines for c in source.cells}
    out: list[Finding] = []
    seen: set[tuple] = set()
    for rule in RULES:
        for hit in rule(trace):
            key = (hit.code, hit.site.cell, hit.site.line, hit.site.column)
            if key in seen:
                continue
            seen.add(key)
            cell_lines = lines.get(hit.site.cell, [])
            line = cell_lines[hit.site.line - 1] if 0 < hit.site.line <= len(cell_lines) else ""
            if _suppressed(line, hit.code):
                continue
            out.append(_finding(hit, source))
    return out


def lint(
    paths: Iterable[str | os.PathLike] | str | os.PathLike,
    *,
    select: list[str] | str | None = None,
    ignore: list[str] | str | None = None,
    config: Config | str | os.PathLike | bool | None = None,
) -> Report:
    """Find leakage written in scripts and notebooks, without running them.

    Args:
        paths: ``.py`` and ``.ipynb`` files, or folders searched for them.
        select: Codes or prefixes to report (ruff-style), e.g. ``["PF206", "PF207"]``.
        ignore: Codes or prefixes to leave out.
        config: A ``Config``, a pyproject.toml path, False to ignore config files, or None to
            use the nearest pyproject.toml.

    Returns:
        A Report whose findings carry a ``location`` (file, notebook cell, line, column, code).
        Files that cannot be read or parsed are listed in ``notes``, one line each; the others
        are still linted.
    """
    from pitfall.checks.registry import SPECS

    started = perf_counter()
    cfg = resolve_config(config)
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    paths = list(paths)
    sel = parse_selectors(select, option="--select") or cfg.select
    ign = parse_selectors(ignore, option="--ignore") + cfg.ignore
    known = sorted(set(SPECS) | set(LINT_CODES))
    enabled = set(
        select_codes(known, parse_selectors(sel, option="select"), parse_selectors(ign, option="ignore"))
    ) & set(LINT_CODES)
    files, problems = discover(paths)
    report = Report(
        inputs={
            "command": "lint",
            "paths": [str(p) for p in paths],
            "files": len(files),
            "notebooks": sum(f.suffix == ".ipynb" for f in files),
            "codes": sorted(enabled),
            "config": cfg.source,
        }
    )
    report.notes.extend(problems)
    order: dict[str, str] = {}
    unreadable = 0
    for path in files:
        try:
            source = read_source(path)
        except ParseFailure as exc:
            unreadable += 1
            report.notes.append(str(exc))
            continue
        if source.kind == "notebook":
            order[source.path] = source.order + (f" ({source.order_reason})" if source.order_reason else "")
            if source.order_reason == "cells ran out of document order":
                report.notes.append(
                    f"{source.path}: cells taken in the order they ran (execution counts), "
                    "which is not their order in the notebook."
                )
        try:
            found = lint_source(source)
        except RecursionError:
            report.notes.append(f"{source.path}: too deeply nested to analyse; skipped")
            continue
        except Exception as exc:  # an analysis bug must not hide the other files' findings
            report.notes.append(
                f"{source.path}: internal error while analysing ({type(exc).__name__}: "
                f"{str(exc)[:120]}); the other files were linted. Please report it."
            )
            if os.environ.get("PITFALL_DEBUG") == "1":
                raise
            continue
        for f in found:
            if f.code not in enabled:
                continue
            if f.code in cfg.severity:
                f = replace(f, severity=cfg.severity[f.code])
            report.findings.append(f)
    report.inputs["unreadable"] = unreadable
    report.inputs["cell_order"] = order
    report.timings["total"] = perf_counter() - started
    report.findings.sort(
        key=lambda f: (
            -f.severity.rank,
            f.location.path if f.location else "",
            f.location.cell or 0 if f.location else 0,
            f.location.line or 0 if f.location else 0,
            f.code,
        )
    )
    return report
