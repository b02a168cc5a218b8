"""The per-window numbers of ``pitfall monitor`` as HTML: a table and interval charts.

Pure rendering from ``metrics["monitor"]`` (no database, no web framework), shared by the
service's monitoring page and the HTML report of ``pitfall monitor``.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from markupsafe import Markup

from pitfall.reporting.svg import COLOURS, Row, interval_chart
from pitfall.stats import wilson

__all__ = ["accuracy_text", "drift_text", "monitor_charts", "monitor_plots", "monitor_table"]


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def drift_text(verdict: Mapping[str, Any] | None) -> str:
    """A window's drift verdict in a few words: ``-`` without a reference."""
    if not verdict:
        return "-"
    if not verdict.get("tested"):
        return f"not tested ({verdict.get('reason')})"
    parts = []
    if verdict.get("features_drifted"):
        parts.append("features: " + ", ".join(map(str, verdict["features_drifted"])))
    if verdict.get("prediction_drifted"):
        parts.append("predictions")
    return "; ".join(parts) if parts else "no drift"


def accuracy_text(audit: Mapping[str, Any]) -> str:
    """``0.950 [0.900, 0.980] (n=60)``, or ``-`` when no audited item has a final review."""
    acc = audit.get("accuracy")
    if not acc:
        return "-"
    return f"{acc['estimate']:.3f} [{acc['low']:.3f}, {acc['high']:.3f}] (n={audit['reviewed']})"


def monitor_table(ops: Mapping[str, Any]) -> str:
    """The per-window numbers as an HTML table, whole period last; every value escaped."""
    head = (
        "window",
        "items",
        "auto",
        "review rate",
        "reviewed",
        "pending",
        "audited",
        "audit accuracy [95% CI]",
        "drift",
    )
    rows = []
    for w in [*ops["windows"], {**ops["overall"], "start": "all"}]:
        cells = (
            w["start"],
            w["n"],
            _pct(w["shares"]["auto"]),
            _pct(w["review_rate"]),
            w["reviewed"],
            w["pending"],
            w["audit"]["reviewed"],
            accuracy_text(w["audit"]),
            drift_text(w.get("drift")),
        )
        rows.append("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in cells) + "</tr>")
    header = "".join(f"<th>{escape(h)}</th>" for h in head)
    return f'<table id="windows"><thead><tr>{header}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def monitor_charts(ops: Mapping[str, Any], target: float | None) -> list[str]:
    """Review rate and audited accuracy per window, with 95% intervals (SVG)."""
    windows = ops["windows"] or [{**ops["overall"], "start": "all"}]
    rate_rows = []
    acc_rows = []
    for w in windows:
        n, rate = w["n"], w["review_rate"]
        ci = wilson(round(rate * n), n) if n else None
        rate_rows.append(
            Row(str(w["start"]), rate, ci.low if ci else None, ci.high if ci else None, colour=COLOURS["bar"])
        )
        acc = w["audit"]["accuracy"]
        acc_rows.append(
            Row(
                f"{w['start']} (n={w['audit']['reviewed']})",
                acc["estimate"] if acc else None,
                acc["low"] if acc else None,
                acc["high"] if acc else None,
                colour=COLOURS["model"],
            )
        )
    svgs = [
        interval_chart(
            rate_rows, title="Share sent to people per window", x_label="review rate", uid="pf-review-rate", bars=True
        )
    ]
    reference = {"estimate": target, "low": target, "high": target} if target is not None else None
    svgs.append(
        interval_chart(
            acc_rows,
            title="Accuracy of automatic labels on the audit sample",
            x_label="accuracy (audited items with a final review)",
            uid="pf-audit",
            reference=reference,
            reference_label="target",
        )
    )
    return svgs


def monitor_plots(metrics: Mapping[str, Any], inputs: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Plot entries for the HTML report (empty unless it is a ``pitfall monitor`` report)."""
    ops = metrics.get("monitor") if isinstance(metrics, Mapping) else None
    if not isinstance(ops, Mapping) or "overall" not in ops:
        return []
    target = inputs.get("target_accuracy")
    entries = [
        {
            "svg": Markup(monitor_table(ops)),
            "note": "Items, review rate and audited accuracy per window; the last row is the whole period.",
            "table": None,
        }
    ]
    entries += [
        {"svg": Markup(svg), "note": "Whiskers: 95% Wilson intervals.", "table": None}
        for svg in monitor_charts(ops, target if isinstance(target, float) else None)
    ]
    return entries
