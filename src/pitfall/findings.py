"""Findings: what a check measured and what to do about it, as plain frozen data.

Every output format (terminal, JSON, HTML, JUnit) renders these objects and nothing else.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Finding", "Location", "Severity", "jsonable"]


class Severity(enum.StrEnum):
    """How bad a finding is. Ordered: ``info < warning < error``."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]

    @classmethod
    def parse(cls, value: str | Severity) -> Severity:
        if isinstance(value, Severity):
            return value
        try:
            return cls(str(value).lower())
        except ValueError:
            raise ValueError(f"severity must be one of error, warning, info. Got {value!r} instead.") from None


def jsonable(value: Any) -> Any:
    """Convert numpy scalars, arrays, tuples and non-finite floats into JSON-safe values."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        f = float(value)
        return f if math.isfinite(f) else None
    if value is None or isinstance(value, (str, int)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Location:
    """Where in the user's code a finding points (``pitfall lint``).

    Attributes:
        path: The file, as given on the command line (or found under a given folder).
        line: 1-based line; in a notebook, the line within its cell.
        column: 1-based column, or None.
        cell: 1-based number of the notebook's cell in document order (counting every cell,
            markdown included, as Jupyter shows them), or None for a ``.py`` file.
        excerpt: The line of code, stripped.
    """

    path: str
    line: int | None = None
    column: int | None = None
    cell: int | None = None
    excerpt: str = ""

    def __str__(self) -> str:
        parts = [self.path]
        if self.cell is not None:
            parts.append(f"cell {self.cell}")
        if self.line is not None:
            parts.append(str(self.line) if self.column is None else f"{self.line}:{self.column}")
        return ":".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "cell": self.cell, "line": self.line, "column": self.column, "excerpt": self.excerpt}


@dataclass(frozen=True)
class Finding:
    """One problem found by one check.

    Attributes:
        code: Stable code of the check, e.g. ``"PF202"``.
        name: Kebab-case name of the problem, e.g. ``"near-duplicates"``.
        family: Family of the check, e.g. ``"leakage"``.
        severity: ``error``, ``warning`` or ``info``.
        message: One factual sentence with the numbers.
        fix: What to do, in the imperative.
        evidence: Measured values (counts, scores, confidence intervals, example rows).
        columns: Columns the finding is about, if any.
        docs: The check's documentation, as printed by ``pitfall explain``.
        location: Where in the code (``pitfall lint``); None for findings about data.
    """

    code: str
    name: str
    family: str
    severity: Severity
    message: str
    fix: str
    evidence: dict[str, Any] = field(default_factory=dict)
    columns: tuple[str, ...] = ()
    docs: str = ""
    location: Location | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {
            "code": self.code,
            "name": self.name,
            "family": self.family,
            "severity": self.severity.value,
            "message": self.message,
            "fix": self.fix,
            "evidence": jsonable(self.evidence),
            "columns": list(self.columns),
            "explain": f"pitfall explain {self.code}",
        }
        if self.location is not None:  # only findings about code have one: scan's JSON is unchanged
            out["location"] = self.location.to_dict()
        return out
