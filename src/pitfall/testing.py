"""Helpers for users' own test suites: fail a test when a scan finds pitfalls.

>>> from pitfall.testing import assert_no_pitfalls
>>> assert_no_pitfalls(train, test, target="label", model=est)  # doctest: +SKIP

Works with or without pytest; the failure message is a table of the offending findings.
"""

from __future__ import annotations

from typing import Any

from pitfall.findings import Severity

__all__ = ["assert_no_findings", "assert_no_pitfalls"]


def assert_no_findings(report, *, fail_on: str = "error", ignore: dict[str, str] | None = None) -> None:
    """Raise AssertionError listing findings at or above ``fail_on``.

    Args:
        report: A ``pitfall.Report``.
        fail_on: ``error``, ``warning`` or ``info``.
        ignore: Codes to tolerate, each with the reason (``{"PF403": "small pilot data"}``).
    """
    level = Severity.parse(fail_on)
    ignore = ignore or {}
    bad = [f for f in report.findings if f.severity.rank >= level.rank and f.code not in ignore]
    if bad:
        lines = [f"pitfall found {len(bad)} finding(s) at or above {level.value}:"]
        lines += [f"  {f.severity.value:<7} {f.code} {f.name}: {f.message}" for f in bad]
        raise AssertionError("\n".join(lines))


def assert_no_pitfalls(
    train, test=None, *, fail_on: str = "error", ignore: dict[str, str] | None = None, **kwargs: Any
):
    """Scan and assert; returns the report so a test can look further."""
    from pitfall.runner import scan

    report = scan(train, test, ignore=list(ignore) if ignore else None, **kwargs)
    assert_no_findings(report, fail_on=fail_on, ignore=ignore)
    return report
