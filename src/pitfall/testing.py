"""Helpers for users' own test suites: fail a test when a scan finds pitfalls.

>>> from pitfall.testing import assert_no_pitfalls
>>> assert_no_pitfalls(train, test, target="label", model=est)  # doctest: +SKIP

Works with or without pytest; the failure message lists the offending findings with their
fixes. A check that crashed also fails the assertion: its silence proves nothing.
"""

from __future__ import annotations

from typing import Any

from pitfall.findings import Severity

__all__ = ["assert_no_findings", "assert_no_pitfalls", "failure_message"]


def failure_message(report, *, fail_on: str = "error", ignore: dict[str, str] | None = None) -> str | None:
    """The assertion message for ``report``, or None when it passes.

    Args:
        report: A ``pitfall.Report``.
        fail_on: ``error``, ``warning`` or ``info``.
        ignore: Codes to tolerate, each with the reason (``{"PF403": "small pilot data"}``).
    """
    level = Severity.parse(fail_on)
    ignore = ignore or {}
    bad = [f for f in report.findings if f.severity.rank >= level.rank and f.code not in ignore]
    crashed = {c: why for c, why in report.crashed.items() if c not in ignore}
    if not bad and not crashed:
        return None
    lines = []
    if bad:
        lines.append(f"pitfall found {len(bad)} finding(s) at or above {level.value}:")
        for f in bad:
            lines.append(f"  {f.severity.value:<7} {f.code} {f.name}: {f.message}")
            lines.append(f"          fix: {f.fix}")
    if crashed:
        lines.append(f"pitfall could not run {len(crashed)} check(s), so it cannot vouch for them:")
        lines += [f"  {code}: {why}" for code, why in crashed.items()]
    if ignore:
        lines.append("tolerated: " + ", ".join(f"{c} ({why})" for c, why in ignore.items()))
    lines.append("Run `pitfall explain CODE` for what each check means.")
    return "\n".join(lines)


def assert_no_findings(report, *, fail_on: str = "error", ignore: dict[str, str] | None = None) -> None:
    """Raise AssertionError listing findings at or above ``fail_on`` (and crashed checks)."""
    message = failure_message(report, fail_on=fail_on, ignore=ignore)
    if message is not None:
        raise AssertionError(message)


def assert_no_pitfalls(
    train, test=None, *, fail_on: str = "error", ignore: dict[str, str] | None = None, **kwargs: Any
):
    """Scan with ``pitfall.scan(train, test, **kwargs)`` and assert; returns the report.

    ``ignore`` codes are not run at all, and the reasons are repeated in a failure message.
    """
    from pitfall.runners.scan import scan

    report = scan(train, test, ignore=list(ignore) if ignore else None, **kwargs)
    assert_no_findings(report, fail_on=fail_on, ignore=ignore)
    return report
