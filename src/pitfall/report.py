"""``Report``: the findings of one scan, what was skipped and why, and what was measured."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pitfall.findings import Finding, Severity, jsonable

__all__ = ["Report", "exit_code"]


def _version() -> str:
    from pitfall import __version__

    return __version__


@dataclass
class Report:
    """Result of ``pitfall.scan``.

    Attributes:
        findings: What the checks found, most severe first.
        skipped: Checks that did not run, with the reason.
        crashed: Checks that failed with an internal error (the others still ran).
        inputs: What was scanned: files, roles, sizes, model, metric, seed.
        metrics: Measured values (model and baseline scores with intervals, per-feature scores).
        timings: Seconds per check.
        frames: The ``Split`` that was scanned (not serialised): a run record measures the rows each
            side held from it without reading the files again.
    """

    inputs: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    crashed: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    frames: Any = field(default=None, repr=False, compare=False)

    def sort(self) -> None:
        self.findings.sort(key=lambda f: (-f.severity.rank, f.code))

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    @property
    def summary(self) -> dict[str, int]:
        counts = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            counts[f.severity.value] += 1
        return counts

    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    def by_code(self, code: str) -> list[Finding]:
        return [f for f in self.findings if f.code == code]

    def exit_code(self, fail_on: str = "error") -> int:
        return exit_code(self, fail_on)

    def to_dict(self) -> dict[str, Any]:
        return jsonable(
            {
                "pitfall_version": _version(),
                "inputs": self.inputs,
                "findings": [f.to_dict() for f in self.findings],
                "summary": self.summary,
                "metrics": self.metrics,
                "skipped": self.skipped,
                "crashed": self.crashed,
                "notes": self.notes,
                "timings": {k: round(v, 4) for k, v in self.timings.items()},
            }
        )

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    def to_html(self) -> str:
        from pitfall.reporting.html import render_html

        return render_html(self)

    def to_text(self, width: int = 100) -> str:
        from pitfall.reporting.terminal import render_text

        return render_text(self, width=width)

    def to_junit(self) -> str:
        from pitfall.reporting.junit import render_junit

        return render_junit(self)

    def to_sarif(self) -> str:
        from pitfall.reporting.sarif import render_sarif

        return render_sarif(self)

    def _repr_html_(self) -> str:
        from pitfall.reporting.html import render_html

        return render_html(self, fragment=True)

    def __rich_console__(self, console, options):
        from pitfall.reporting.terminal import renderables

        yield from renderables(self)

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"<pitfall.Report {s['error']} error(s), {s['warning']} warning(s), {s['info']} info; "
            f"codes: {', '.join(sorted(set(self.codes()))) or 'none'}>"
        )


def exit_code(report: Report, fail_on: str = "error") -> int:
    """0 when nothing at or above ``fail_on`` was found, else 1; ``never`` always gives 0."""
    if fail_on == "never":
        return 0
    level = Severity.parse(fail_on)
    return 1 if any(f.severity.rank >= level.rank for f in report.findings) else 0
