"""SVG plots for the model checks: reliability diagram, per-slice scores, churn across seeds,
ablation of study variables.

Each function reads one entry of ``Report.metrics`` (written by the check named in its
docstring) and returns an inline SVG string, or None when there is nothing to draw. Like
``svg.py``, every user-supplied string is escaped and nothing refers outside the page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pitfall.reporting.svg import CHAR_W, COLOURS, FONT, Row, esc, fmt, interval_chart, num

__all__ = ["ablation_plot", "churn_plot", "reliability_plot", "slices_plot"]

SQUARE = 340  # side of the reliability diagram's plotting area
MAX_SLICES = 12


def _svg_open(width: int, height: int, uid: str, title: str, description: str) -> list[str]:
    return [
        f'<svg class="pf-plot" role="img" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" aria-labelledby="{uid}-title {uid}-desc" '
        f'font-family="system-ui, sans-serif" font-size="{FONT}">',
        f'<title id="{uid}-title">{esc(title)}</title>',
        f'<desc id="{uid}-desc">{esc(description)}</desc>',
        f'<text x="0" y="16" font-size="14" font-weight="600" fill="{COLOURS["text"]}">{esc(title)}</text>',
    ]


def _side_text(out: list[str], lines: list[str], x: float, top: float, width: int) -> None:
    """Write the legend lines at ``x`` and widen the SVG (its first element) so none is clipped."""
    for i, text in enumerate(lines):
        out.append(f'<text x="{x}" y="{top + 14 + 20 * i}" fill="{COLOURS["text"]}">{esc(text)}</text>')
    needed = int(x + max((len(t) for t in lines), default=0) * CHAR_W + 12)
    if needed > width:
        out[0] = (
            out[0]
            .replace(f'viewBox="0 0 {width} ', f'viewBox="0 0 {needed} ', 1)
            .replace(f'width="{width}"', f'width="{needed}"', 1)
        )


def _interval(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def reliability_plot(calibration: Mapping[str, Any] | None, uid: str = "pf-reliability") -> str | None:
    """PF405: accuracy against confidence per bin, with Wilson 95% whiskers and the diagonal.

    Points on the diagonal are calibrated; below it, the model is more confident than right.
    A point's area grows with the number of test rows in its bin.
    """
    if not isinstance(calibration, Mapping) or not isinstance(calibration.get("bins"), Sequence):
        return None
    bins = [b for b in calibration["bins"] if isinstance(b, Mapping)]
    points = [(num(b.get("confidence")), num(b.get("accuracy")), b) for b in bins]
    points = [(c, a, b) for c, a, b in points if c is not None and a is not None]
    if not points:
        return None
    left, top = 56, 36
    width, height = left + SQUARE + 220, top + SQUARE + 50
    ece = _interval(calibration.get("ece"))
    title = "Reliability diagram (top-class confidence vs accuracy)"
    out = _svg_open(
        width,
        height,
        uid,
        title,
        "Each point is a bin of test rows: mean confidence of the predicted class against the share "
        "predicted correctly, with 95% Wilson intervals. The dashed diagonal is perfect calibration.",
    )

    def px(v: float) -> float:
        return left + max(0.0, min(1.0, v)) * SQUARE

    def py(v: float) -> float:
        return top + (1 - max(0.0, min(1.0, v))) * SQUARE

    for t in (0, 0.25, 0.5, 0.75, 1):
        out.append(
            f'<line x1="{px(t):.1f}" y1="{top}" x2="{px(t):.1f}" y2="{top + SQUARE}" stroke="{COLOURS["grid"]}"/>'
        )
        out.append(
            f'<line x1="{left}" y1="{py(t):.1f}" x2="{left + SQUARE}" y2="{py(t):.1f}" stroke="{COLOURS["grid"]}"/>'
        )
        out.append(
            f'<text x="{px(t):.1f}" y="{top + SQUARE + 16}" text-anchor="middle" fill="{COLOURS["axis"]}">{t:g}</text>'
        )
        out.append(f'<text x="{left - 6}" y="{py(t) + 4:.1f}" text-anchor="end" fill="{COLOURS["axis"]}">{t:g}</text>')
    out.append(
        f'<rect x="{left}" y="{top}" width="{SQUARE}" height="{SQUARE}" fill="none" stroke="{COLOURS["axis"]}"/>'
        f'<line x1="{px(0):.1f}" y1="{py(0):.1f}" x2="{px(1):.1f}" y2="{py(1):.1f}" '
        f'stroke="{COLOURS["muted"]}" stroke-dasharray="5 4"/>'
        f'<text x="{left + SQUARE / 2}" y="{top + SQUARE + 36}" text-anchor="middle" fill="{COLOURS["axis"]}">'
        "mean confidence of the predicted class</text>"
        f'<text x="14" y="{top + SQUARE / 2}" text-anchor="middle" fill="{COLOURS["axis"]}" '
        f'transform="rotate(-90 14 {top + SQUARE / 2})">share correct</text>'
    )
    largest = max((num(b.get("count")) or 0 for _, _, b in points), default=1) or 1
    for c, a, b in points:
        lo, hi, n = num(b.get("low")), num(b.get("high")), num(b.get("count")) or 0
        tip = f"confidence {fmt(c)}, accuracy {fmt(a)}"
        if lo is not None and hi is not None:
            tip += f" [{fmt(lo)}, {fmt(hi)}]"
            out.append(
                f'<line x1="{px(c):.1f}" y1="{py(lo):.1f}" x2="{px(c):.1f}" y2="{py(hi):.1f}" '
                f'stroke="{COLOURS["model"]}" stroke-width="1.5"/>'
            )
        r = 3 + 5 * (n / largest) ** 0.5
        colour = COLOURS["warning"] if hi is not None and hi < c else COLOURS["model"]
        out.append(
            f'<circle cx="{px(c):.1f}" cy="{py(a):.1f}" r="{r:.1f}" fill="{colour}" opacity="0.85">'
            f"<title>{esc(tip)}, {int(n)} rows</title></circle>"
        )
    legend_x = left + SQUARE + 24
    lines = [f"ECE {fmt(num(ece.get('estimate')))}"]
    if num(ece.get("low")) is not None:
        lines[0] += f" [{fmt(num(ece.get('low')))}, {fmt(num(ece.get('high')))}]"
    null = num(calibration.get("null_ece_95"))
    if null is not None:
        lines.append(f"95% of calibrated models: ≤ {fmt(null)}")
    brier = num(calibration.get("brier"))
    if brier is not None:
        lines.append(f"Brier score {fmt(brier)}")
    conformal = calibration.get("conformal")
    if isinstance(conformal, Mapping):
        cov = _interval(conformal.get("coverage"))
        target = num(conformal.get("target"))
        if num(cov.get("estimate")) is not None and target is not None:
            lines.append(f"conformal sets ({target:.0%} target):")
            size = fmt(num(conformal.get("mean_set_size")), 2)
            lines.append(f"  coverage {fmt(num(cov.get('estimate')))}, mean size {size}")
    ensemble = calibration.get("ensemble")
    if isinstance(ensemble, Mapping) and num(ensemble.get("ece")) is not None:
        lines.append(f"ensemble of {ensemble.get('members')} seeds: ECE {fmt(num(ensemble.get('ece')))}")
        spread = num(ensemble.get("share_members_disagree"))
        if spread is not None:
            lines.append(f"  members disagree on {spread:.1%} of rows")
    _side_text(out, lines, legend_x, top, width)
    out.append("</svg>")
    return "".join(out)


def slices_plot(slices: Mapping[str, Any] | None, uid: str = "pf-slices") -> tuple[str, int] | None:
    """PF303: the score of the worst slices with 95% CIs, the whole test set as the reference.

    Returns the SVG and how many slices were left out.
    """
    if not isinstance(slices, Mapping) or not isinstance(slices.get("slices"), Sequence):
        return None
    items = [s for s in slices["slices"] if isinstance(s, Mapping) and isinstance(s.get("score"), Mapping)]
    if not items:
        return None
    shown = items[:MAX_SLICES]
    metric = str(slices.get("metric") or "score")
    rows = []
    for s in shown:
        iv = s["score"]
        label = f"{s.get('column')} = {s.get('slice')} (n={s.get('n')})"
        colour = COLOURS["error"] if s.get("flagged") else COLOURS["baseline"]
        rows.append(Row(label, iv.get("estimate"), iv.get("low"), iv.get("high"), colour, bold=bool(s.get("flagged"))))
    svg = interval_chart(
        rows,
        title=f"Worst slices of the test set ({metric}, 95% CI)",
        x_label=f"{metric} within the slice",
        uid=uid,
        description="Score of the model within each slice of the test set; flagged slices in red. "
        "The dashed line and band are the score on the whole test set.",
        reference=_interval(slices.get("overall")) or None,
        reference_label="all rows",
    )
    return svg, len(items) - len(shown)


def churn_plot(seeds: Mapping[str, Any] | None, uid: str = "pf-churn") -> str | None:
    """PF404: how many refits disagree on each test row, as a histogram."""
    if not isinstance(seeds, Mapping):
        return None
    hist = seeds.get("disagreement_histogram")
    if not isinstance(hist, Mapping):
        return None
    edges = [num(e) for e in hist.get("edges") or []]
    counts = [num(c) for c in hist.get("counts") or []]
    if not counts or len(edges) != len(counts) + 1 or any(v is None for v in edges + counts):
        return None
    left, top, plot_w, plot_h = 56, 40, 600, 200
    width, height = left + plot_w + 200, top + plot_h + 56
    total = sum(counts) or 1
    peak = max(counts) or 1
    title = "Disagreement between refits with different seeds"
    out = _svg_open(
        width,
        height,
        uid,
        title,
        "Histogram of test rows by the share of refits whose prediction differs from the majority "
        "prediction for that row. Rows at zero get the same prediction from every refit.",
    )
    bar_w = plot_w / len(counts)
    for i, c in enumerate(counts):
        h = plot_h * c / peak
        x = left + i * bar_w
        colour = COLOURS["bar"] if i == 0 else COLOURS["warning"]
        out.append(
            f'<rect x="{x + 1:.1f}" y="{top + plot_h - h:.1f}" width="{max(bar_w - 2, 1):.1f}" height="{h:.1f}" '
            f'fill="{colour}"><title>{fmt(edges[i], 2)}–{fmt(edges[i + 1], 2)}: {int(c)} rows '
            f"({c / total:.1%})</title></rect>"
        )
    for i, e in enumerate(edges):
        if len(edges) <= 12 or i % 2 == 0:
            out.append(
                f'<text x="{left + i * bar_w:.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
                f'fill="{COLOURS["axis"]}">{e:.2g}</text>'
            )
    out.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="{COLOURS["axis"]}"/>'
        f'<text x="{left + plot_w / 2}" y="{top + plot_h + 38}" text-anchor="middle" fill="{COLOURS["axis"]}">'
        "share of refits that disagree with the row's majority prediction</text>"
        f'<text x="{left - 8}" y="{top + 4}" text-anchor="end" fill="{COLOURS["axis"]}">{int(peak)}</text>'
        f'<text x="{left - 8}" y="{top + plot_h}" text-anchor="end" fill="{COLOURS["axis"]}">0</text>'
    )
    lines = []
    churn = _interval(seeds.get("churn_pairwise"))
    if num(churn.get("estimate")) is not None:
        lines.append(f"pairwise churn {fmt(num(churn.get('estimate')))}")
        if num(churn.get("low")) is not None:
            lines.append(f"  95% CI [{fmt(num(churn.get('low')))}, {fmt(num(churn.get('high')))}]")
    flip = num(seeds.get("flip_any"))
    if flip is not None:
        lines.append(f"rows flipping in any refit {flip:.1%}")
    scores = [num(s) for s in seeds.get("scores") or []]
    scores = [s for s in scores if s is not None]
    if scores:
        lines.append(f"scores {min(scores):.3f} to {max(scores):.3f}")
    _side_text(out, lines, left + plot_w + 20, top, width)
    out.append("</svg>")
    return "".join(out)


def ablation_plot(study: Mapping[str, Any] | None, metric: str = "score", uid: str = "pf-ablation") -> str | None:
    """PF302: how much the score falls without each study variable (dropped and refitted, or
    permuted), with 95% paired-bootstrap intervals."""
    if not isinstance(study, Mapping):
        return None
    rows = []
    for column, entry in study.items():
        ablation = entry.get("ablation") if isinstance(entry, Mapping) else None
        if not isinstance(ablation, Mapping):
            continue
        for kind, label in (("drop", "dropped, refitted"), ("permute", "permuted")):
            iv = ablation.get(kind)
            if isinstance(iv, Mapping) and num(iv.get("estimate")) is not None:
                rows.append(
                    Row(f"{column}: {label}", iv.get("estimate"), iv.get("low"), iv.get("high"), COLOURS["model"])
                )
    if not rows:
        return None
    return interval_chart(
        rows,
        title=f"Score lost without each study variable ({metric}, 95% CI)",
        x_label=f"fall in {metric} on the test set (0 = the model does not need it)",
        uid=uid,
        description="For each study variable, the fall in the model's test score when the variable is "
        "dropped and the model refitted, and when its values are permuted.",
        bars=True,
    )
