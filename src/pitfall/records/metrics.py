"""The numbers of a report that carry a confidence interval, by a stable dotted name.

Reports nest their measurements (``scores.values.model``, ``imbalance.model.accuracy``); every
``{"estimate", "low", "high"}`` mapping reachable through mappings (not lists, whose positions are
not stable) is a metric with its CI. Runs are compared, listed and logged by these names.
"""

from __future__ import annotations

from typing import Any

__all__ = ["headline", "intervals"]


def _is_interval(value: Any) -> bool:
    return isinstance(value, dict) and "estimate" in value and "low" in value and "high" in value


def intervals(metrics: dict[str, Any], prefix: str = "") -> dict[str, dict[str, float | None]]:
    """Every interval in ``metrics`` as ``{dotted.name: {estimate, low, high}}``."""
    found: dict[str, dict[str, float | None]] = {}
    for key, value in (metrics or {}).items():
        name = f"{prefix}{key}"
        if _is_interval(value):
            found[name] = {k: value.get(k) for k in ("estimate", "low", "high")}
        elif isinstance(value, dict):
            found.update(intervals(value, name + "."))
    return found


def headline(report: dict[str, Any]) -> dict[str, dict[str, float | None]]:
    """The model's own scores: the scan's metric and the other metrics it measured on the test set.

    Falls back to every interval for reports without a ``scores`` table (drift, thresholds).
    """
    metrics = report.get("metrics") or {}
    out: dict[str, dict[str, float | None]] = {}
    scores = metrics.get("scores") or {}
    name = scores.get("metric") or (report.get("inputs") or {}).get("metric")
    for key, value in (scores.get("values") or {}).items():
        if _is_interval(value):
            label = name if key == "model" else f"{name} ({key})"
            out[str(label)] = {k: value.get(k) for k in ("estimate", "low", "high")}
    for metric, value in ((metrics.get("imbalance") or {}).get("model") or {}).items():
        if _is_interval(value) and metric not in out:
            out[metric] = {k: value.get(k) for k in ("estimate", "low", "high")}
    return out or intervals(metrics)
