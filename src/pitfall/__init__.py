"""pitfall: a linter for machine-learning projects.

>>> import pitfall
>>> report = pitfall.scan(train_df, test_df, target="label")  # doctest: +SKIP
>>> report.errors                                            # doctest: +SKIP

Heavy modules load on first use, so ``import pitfall`` stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("pitfall")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "ConfigError",
    "Finding",
    "InputError",
    "ModelError",
    "PitfallError",
    "Report",
    "Severity",
    "__version__",
    "drift",
    "scan",
    "thresholds",
]

_LAZY = {
    "scan": "pitfall.runners.scan",
    "drift": "pitfall.runners.drift",
    "thresholds": "pitfall.runners.thresholds",
    "Report": "pitfall.report",
    "Finding": "pitfall.findings",
    "Severity": "pitfall.findings",
    "PitfallError": "pitfall.errors",
    "InputError": "pitfall.errors",
    "ConfigError": "pitfall.errors",
    "ModelError": "pitfall.errors",
}

if TYPE_CHECKING:  # pragma: no cover
    from pitfall.errors import ConfigError, InputError, ModelError, PitfallError
    from pitfall.findings import Finding, Severity
    from pitfall.report import Report
    from pitfall.runners.drift import drift
    from pitfall.runners.scan import scan
    from pitfall.runners.thresholds import thresholds


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'pitfall' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
