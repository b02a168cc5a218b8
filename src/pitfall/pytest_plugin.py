"""pytest plugin (registered through the ``pytest11`` entry point).

- the ``pitfall`` marker, for selecting scan tests (``pytest -m pitfall``);
- the ``pitfall_scan`` fixture: ``pitfall.scan`` that keeps each report of the test;
- ``--pitfall-reports DIR``: write the HTML report of every ``pitfall_scan`` call there, one file
  per test, so CI can keep them as artifacts;
- a failing test that used ``pitfall_scan`` gets a "pitfall" section with the findings.

Kept import-light: pitfall's heavy modules load only when a test uses them.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest


def pytest_addoption(parser) -> None:
    group = parser.getgroup("pitfall")
    group.addoption(
        "--pitfall-reports",
        metavar="DIR",
        default=None,
        help="write the HTML report of every pitfall_scan call to DIR (one file per test)",
    )


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "pitfall: a test that scans data or a model with pitfall")


@pytest.fixture
def pitfall_scan(request):
    """``pitfall.scan`` for a test: same arguments, same Report; reports are kept for the output."""
    from pitfall.runners.scan import scan

    reports = []
    request.node.stash[_REPORTS] = reports
    folder = request.config.getoption("--pitfall-reports")

    @functools.wraps(scan)  # same signature and docs as pitfall.scan: one definition of its inputs
    def run(*args, **kwargs):
        report = scan(*args, **kwargs)
        reports.append(report)
        if folder:
            out = Path(folder)
            out.mkdir(parents=True, exist_ok=True)
            stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid).strip("_")
            suffix = f"-{len(reports)}" if len(reports) > 1 else ""
            (out / f"{stem}{suffix}.html").write_text(report.to_html(), encoding="utf-8")
        return report

    return run


_REPORTS = pytest.StashKey[list]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    rep = yield
    reports = item.stash.get(_REPORTS, None)
    if reports and rep.when == "call" and rep.failed:
        lines = []
        for report in reports:
            lines.append(f"{report.inputs.get('target')!r}: {len(report.findings)} finding(s)")
            lines += [f"  {f.severity.value:<7} {f.code} {f.name}: {f.message}" for f in report.findings]
        rep.sections.append(("pitfall", "\n".join(lines)))
    return rep
