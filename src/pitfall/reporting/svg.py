"""Small hand-written SVG plots for the HTML report.

The report must be one self-contained file that opens offline, so plots are plain inline SVG
strings built here rather than images or a JavaScript charting library. They are meant for
HTML5 pages (no XML namespace declaration, so the page holds no URL at all). Every user-supplied
string (feature and baseline names) goes through ``esc``; callers can embed the result as-is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

__all__ = ["Row", "interval_chart", "nice_ticks", "scores_plot", "single_feature_plot"]

# Colours: severity colours match the report's CSS; the rest are neutral.
COLOURS = {
    "model": "#1e3a8a",
    "baseline": "#64748b",
    "warning": "#b45309",
    "error": "#b91c1c",
    "bar": "#94a3b8",
    "band": "#bfdbfe",
    "axis": "#475569",
    "grid": "#e2e8f0",
    "text": "#0f172a",
    "muted": "#64748b",
}

WIDTH = 880
ROW_H = 24
TOP = 40
BOTTOM = 46
VALUE_W = 170
FONT = 12
CHAR_W = 6.8  # rough width of one character at 12px sans-serif, for layout only
MAX_LABEL_CHARS = 44  # longer labels wrap onto a second line; only beyond two lines are they cut
MAX_BARS = 30


@dataclass(frozen=True)
class Row:
    """One row of a horizontal chart: a point (or bar) with an optional interval."""

    label: str
    estimate: float | None
    low: float | None = None
    high: float | None = None
    colour: str = COLOURS["baseline"]
    bold: bool = False


def esc(text: Any) -> str:
    return escape(str(text), quote=True)


def num(value: Any) -> float | None:
    """A finite float, or None for None/NaN/inf/non-numbers (reports may hold any of these)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def _label_lines(label: str) -> list[str]:
    """A label as one line, or two split at a space (``column =`` / ``value (n=..)`` for slices),
    so long names are read whole; the full text is always in the row's tooltip."""
    if len(label) <= MAX_LABEL_CHARS:
        return [label]
    cut = label.find(" = ")
    if 0 < cut <= MAX_LABEL_CHARS - 2 and len(label) - cut - 3 <= MAX_LABEL_CHARS:
        return [label[: cut + 2], label[cut + 3 :]]
    spaces = [i for i, ch in enumerate(label) if ch == " " and i <= MAX_LABEL_CHARS]
    at = min(spaces, key=lambda i: abs(i - len(label) / 2)) if spaces else MAX_LABEL_CHARS
    first, rest = label[:at].rstrip(), label[at:].lstrip()
    return [_short(first), _short(rest)]


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering ``[lo, hi]`` (1, 2 or 5 times a power of ten apart)."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        lo, hi = (lo - 0.5, lo + 0.5) if math.isfinite(lo) else (0.0, 1.0)
    raw = (hi - lo) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(lo / step + 1e-9) * step
    ticks = []
    t = start
    while t <= hi + step * 1e-9:
        ticks.append(round(t, 12))
        t += step
    if ticks[-1] < hi - step * 1e-9:
        ticks.append(round(t, 12))
    return ticks


def _axis(values: Sequence[float], floor: float | None) -> list[float]:
    """Ticks of the axis; the first and last are its ends. [0, 1] when every value fits (most
    metrics), else rounded bounds that include 0 for non-negative values."""
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    if floor is not None:
        lo, hi = max(lo, floor), max(hi, floor + 1)
    if lo >= 0 and hi <= 1:
        lo, hi = 0.0, 1.0
    elif lo >= 0:
        lo = 0.0
    return nice_ticks(lo, hi)


def interval_chart(
    rows: Sequence[Row],
    *,
    title: str,
    x_label: str,
    uid: str,
    description: str = "",
    reference: Mapping[str, float | None] | None = None,
    reference_label: str = "model",
    bars: bool = False,
    floor: float | None = None,
) -> str:
    """A horizontal chart: one row per label, a point or bar per estimate, whiskers for CIs.

    Args:
        rows: What to draw, top to bottom.
        title: Shown above the plot and as the SVG ``<title>``.
        x_label: Axis label below the ticks.
        uid: Prefix for element ids (several plots share one HTML page).
        description: Longer text for the SVG ``<desc>`` (screen readers).
        reference: ``{"estimate", "low", "high"}`` drawn as a vertical line with a shaded band.
        reference_label: Text next to the reference line.
        bars: Draw bars from the axis origin instead of points.
        floor: Lowest axis value; estimates below it are drawn at the edge with an arrow.
    """
    ref = {k: num((reference or {}).get(k)) for k in ("estimate", "low", "high")}
    finite = [v for r in rows for v in (num(r.estimate), num(r.low), num(r.high)) if v is not None]
    finite += [v for v in ref.values() if v is not None]
    ticks = _axis(finite, floor)
    lo, hi = ticks[0], ticks[-1]
    label_w = max([len(line) for r in rows for line in _label_lines(r.label)] + [6]) * CHAR_W + 16
    x0, x1 = label_w, WIDTH - VALUE_W
    height = TOP + ROW_H * max(len(rows), 1) + BOTTOM
    plot_bottom = TOP + ROW_H * max(len(rows), 1)

    def x(v: float) -> float:
        v = min(max(v, lo), hi)
        return x0 + (v - lo) / (hi - lo) * (x1 - x0)

    out = [
        f'<svg class="pf-plot" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'aria-labelledby="{uid}-title {uid}-desc" font-family="system-ui, sans-serif" '
        f'font-size="{FONT}">',
        f'<title id="{uid}-title">{esc(title)}</title>',
        f'<desc id="{uid}-desc">{esc(description or title)}</desc>',
        f'<text x="0" y="16" font-size="14" font-weight="600" fill="{COLOURS["text"]}">{esc(title)}</text>',
    ]
    # grid and tick labels
    for t in ticks:
        xt = x(t)
        out.append(f'<line x1="{xt:.1f}" y1="{TOP - 6}" x2="{xt:.1f}" y2="{plot_bottom}" stroke="{COLOURS["grid"]}"/>')
        out.append(
            f'<text x="{xt:.1f}" y="{plot_bottom + 16}" text-anchor="middle" fill="{COLOURS["axis"]}">{tick(t)}</text>'
        )
    out.append(f'<line x1="{x0}" y1="{plot_bottom}" x2="{x1}" y2="{plot_bottom}" stroke="{COLOURS["axis"]}"/>')
    out.append(
        f'<text x="{(x0 + x1) / 2:.1f}" y="{plot_bottom + 36}" text-anchor="middle" '
        f'fill="{COLOURS["axis"]}">{esc(x_label)}</text>'
    )
    out.append(
        f'<text x="{WIDTH - 4}" y="{TOP - 12}" text-anchor="end" fill="{COLOURS["muted"]}">estimate [95% CI]</text>'
    )
    # reference line and band (drawn under the rows)
    if ref["estimate"] is not None:
        if ref["low"] is not None and ref["high"] is not None:
            xa, xb = x(ref["low"]), x(ref["high"])
            out.append(
                f'<rect x="{xa:.1f}" y="{TOP - 6}" width="{max(xb - xa, 1):.1f}" '
                f'height="{plot_bottom - TOP + 6}" fill="{COLOURS["band"]}" opacity="0.6">'
                f"<title>{esc(reference_label)} 95% CI {fmt(ref['low'])} to "
                f"{fmt(ref['high'])}</title></rect>"
            )
        xr = x(ref["estimate"])
        out.append(
            f'<line x1="{xr:.1f}" y1="{TOP - 6}" x2="{xr:.1f}" y2="{plot_bottom}" '
            f'stroke="{COLOURS["model"]}" stroke-width="1.5" stroke-dasharray="4 3"/>'
        )
        anchor = "end" if xr > (x0 + x1) / 2 else "start"
        dx = -4 if anchor == "end" else 4
        out.append(
            f'<text x="{xr + dx:.1f}" y="{TOP - 12}" text-anchor="{anchor}" '
            f'fill="{COLOURS["model"]}">{esc(reference_label)} {fmt(ref["estimate"])}</text>'
        )
    origin = x(0.0) if lo <= 0 <= hi else x0
    for i, r in enumerate(rows):
        out.extend(_row(r, TOP + i * ROW_H + ROW_H / 2, x, origin, bars, lo, label_w))
    out.append("</svg>")
    return "".join(out)


def tick(t: float) -> str:
    if t == 0:
        return "0"
    return f"{t:g}" if abs(t) >= 1e-3 else f"{t:.1e}"


def _row(r: Row, cy: float, x, origin: float, bars: bool, lo: float, label_w: float) -> list[str]:
    est, low, high = num(r.estimate), num(r.low), num(r.high)
    weight = ' font-weight="600"' if r.bold else ""
    text = f"{fmt(est)}"
    if low is not None and high is not None:
        text += f" [{fmt(low)}, {fmt(high)}]"
    tip = f"{r.label}: {text}"
    out = [f"<g><title>{esc(tip)}</title>"]
    lines = _label_lines(r.label)
    small = ' font-size="11"' if len(lines) > 1 else ""
    for k, line in enumerate(lines):
        dy = 4 if len(lines) == 1 else (-2 if k == 0 else 9)
        out.append(
            f'<text x="{label_w - 10:.1f}" y="{cy + dy:.1f}" text-anchor="end" '
            f'fill="{COLOURS["text"]}"{weight}{small}>{esc(line)}</text>'
        )
    if est is not None:
        xe = x(est)
        if bars:
            xa, xb = sorted((origin, xe))
            out.append(
                f'<rect x="{xa:.1f}" y="{cy - 7:.1f}" width="{max(xb - xa, 1.5):.1f}" height="14" '
                f'rx="2" fill="{r.colour}"/>'
            )
        if low is not None and high is not None:
            xl, xh = x(low), x(high)
            stroke = COLOURS["text"] if bars else r.colour
            out.append(
                f'<line x1="{xl:.1f}" y1="{cy:.1f}" x2="{xh:.1f}" y2="{cy:.1f}" '
                f'stroke="{stroke}" stroke-width="1.5"/>'
                f'<line x1="{xl:.1f}" y1="{cy - 5:.1f}" x2="{xl:.1f}" y2="{cy + 5:.1f}" '
                f'stroke="{stroke}" stroke-width="1.5"/>'
                f'<line x1="{xh:.1f}" y1="{cy - 5:.1f}" x2="{xh:.1f}" y2="{cy + 5:.1f}" '
                f'stroke="{stroke}" stroke-width="1.5"/>'
            )
        if not bars:
            out.append(f'<circle cx="{xe:.1f}" cy="{cy:.1f}" r="{5 if r.bold else 4}" fill="{r.colour}"/>')
        if est < lo:  # clipped at the left edge: say so with an arrow
            out.append(f'<path d="M{xe + 2:.1f},{cy:.1f} l8,-5 v10 z" fill="{COLOURS["error"]}"/>')
    out.append(
        f'<text x="{WIDTH - 4}" y="{cy + 4:.1f}" text-anchor="end" fill="{COLOURS["text"]}"'
        f"{weight}>{esc(text)}</text></g>"
    )
    return out


def _floor(metric: str) -> float | None:
    """R² has no lower bound; a hopeless feature must not squash the rest of the axis."""
    return -1.0 if metric == "r2" else None


def scores_plot(scores: Mapping[str, Any] | None, uid: str = "pf-scores") -> str | None:
    """Model vs baselines: points with 95% CI whiskers, the model's CI as a shaded band.

    Baselines whose paired difference to the model has a CI reaching zero (the model does
    not clearly beat them) are drawn in the warning colour.
    """
    if not isinstance(scores, Mapping) or not isinstance(scores.get("values"), Mapping):
        return None
    values = scores["values"]
    if not values:
        return None
    diffs = scores.get("model_minus_baseline") or {}
    metric = str(scores.get("metric") or "score")
    rows = []
    for name, iv in values.items():
        iv = iv if isinstance(iv, Mapping) else {}
        colour = COLOURS["model"] if name == "model" else COLOURS["baseline"]
        diff = diffs.get(name) if isinstance(diffs, Mapping) else None
        d_low = num(diff.get("low")) if isinstance(diff, Mapping) else None
        if name != "model" and d_low is not None and d_low <= 0:
            colour = COLOURS["warning"]
        rows.append(
            Row(
                str(name),
                iv.get("estimate"),
                iv.get("low"),
                iv.get("high"),
                colour,
                bold=name == "model",
            )
        )
    better = "higher" if scores.get("greater_is_better", True) else "lower"
    return interval_chart(
        rows,
        title=f"Model vs baselines ({metric}, 95% CI)",
        x_label=f"{metric} on the test set ({better} is better)",
        uid=uid,
        description=(
            f"{metric} of the model and each baseline with 95% bootstrap intervals; baselines "
            "in amber are not clearly beaten by the model."
        ),
        reference=values.get("model") if isinstance(values.get("model"), Mapping) else None,
        floor=_floor(metric),
    )


def single_feature_plot(
    single: Mapping[str, Any] | None, uid: str = "pf-features", max_bars: int = MAX_BARS
) -> tuple[str, int] | None:
    """Per-feature leakage scores: one bar per feature (best first), the model as a reference.

    Returns:
        The SVG and how many features were left out (beyond ``max_bars``), or None when there
        is nothing to plot.
    """
    if not isinstance(single, Mapping) or not isinstance(single.get("features"), Mapping):
        return None
    features = single["features"]
    if not features:
        return None
    top = single.get("top") if isinstance(single.get("top"), Mapping) else {}
    model = single.get("model") if isinstance(single.get("model"), Mapping) else {}
    m_low = num(model.get("low"))
    metric = str(single.get("metric") or "score")

    def score(item: tuple[str, Any]) -> float:
        v = num(item[1].get("estimate")) if isinstance(item[1], Mapping) else None
        return -math.inf if v is None else v

    ordered = sorted(features.items(), key=score, reverse=True)
    shown, hidden = ordered[:max_bars], max(len(ordered) - max_bars, 0)
    rows = []
    for name, entry in shown:
        iv = top.get(name) if isinstance(top.get(name), Mapping) else entry
        iv = iv if isinstance(iv, Mapping) else {}
        est = num(iv.get("estimate"))
        colour = COLOURS["warning"] if est is not None and m_low is not None and est >= m_low else (COLOURS["bar"])
        rows.append(Row(str(name), est, iv.get("low"), iv.get("high"), colour))
    title = f"Per-feature leakage scores ({metric} of a one-feature rule)"
    svg = interval_chart(
        rows,
        title=title,
        x_label=f"{metric}, out-of-fold on train (one feature alone)",
        uid=uid,
        description=(
            f"{metric} of a rule using only one feature, for the {len(shown)} best features; the "
            "dashed line and band are the model's score and 95% CI. Features reaching the "
            "model's interval are in amber."
        ),
        reference=model,
        bars=True,
        floor=_floor(metric),
    )
    return svg, hidden
