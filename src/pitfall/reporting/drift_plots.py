"""SVG plots for ``pitfall drift`` reports: reference vs current distributions of the most
drifted columns, and statistics over time windows.

Each function reads ``Report.metrics["drift"]`` (written by PF501–PF505) and returns inline SVG
strings; like ``svg.py``, every user-supplied string is escaped and nothing refers outside the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from markupsafe import Markup

from pitfall.reporting.svg import COLOURS, FONT, esc, fmt, nice_ticks, num

__all__ = ["distribution_plot", "drift_plots", "windows_plot"]

MAX_FEATURES = 12
GRID_BINS = 30
MAX_CATEGORIES = 10
REF_COLOUR = COLOURS["baseline"]
CUR_COLOUR = COLOURS["model"]


def _open(width: int, height: int, uid: str, title: str, desc: str) -> list[str]:
    return [
        f'<svg class="pf-plot" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{uid}-title {uid}-desc" font-family="system-ui, sans-serif" font-size="{FONT}">',
        f'<title id="{uid}-title">{esc(title)}</title><desc id="{uid}-desc">{esc(desc)}</desc>',
        f'<text x="0" y="16" font-size="13" font-weight="600" fill="{COLOURS["text"]}">{esc(title)}</text>',
    ]


def _legend(x: float, y: float) -> str:
    return (
        f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{REF_COLOUR}" opacity="0.6"/>'
        f'<text x="{x + 14}" y="{y}" fill="{COLOURS["text"]}">reference</text>'
        f'<rect x="{x + 90}" y="{y - 9}" width="10" height="10" fill="{CUR_COLOUR}" opacity="0.6"/>'
        f'<text x="{x + 104}" y="{y}" fill="{COLOURS["text"]}">current</text>'
    )


def _regrid(edges: list[float], counts: list[float], grid: np.ndarray) -> np.ndarray:
    """Shares of a fine histogram in the bins of ``grid`` (linear CDF within each fine bin)."""
    e, c = np.asarray(edges, float), np.asarray(counts, float)
    cdf = np.concatenate([[0.0], np.cumsum(c)]) / max(c.sum(), 1.0)
    return np.diff(np.interp(grid, e, cdf))


def distribution_plot(name: str, entry: Mapping[str, Any], uid: str) -> str | None:
    """Reference vs current: shares per equal-width bin (numeric) or per category."""
    ref, cur = entry.get("reference"), entry.get("current")
    if not isinstance(ref, Mapping) or not isinstance(cur, Mapping):
        return None
    width, height, left, top, plot_w, plot_h = 420, 230, 44, 40, 356, 140
    effect = num(entry.get("effect"))
    title = f"{name}" + (f" ({entry.get('effect_name', 'effect')} {fmt(effect, 2)})" if effect is not None else "")
    out = _open(width, height, uid, title, f"Distribution of {name} in the reference and current data.")
    if "edges" in ref:
        edges, rc, cc = ref.get("edges") or [], ref.get("counts") or [], cur.get("counts") or []
        if len(edges) < 2 or len(rc) != len(edges) - 1 or len(cc) != len(rc):
            return None
        e = np.asarray(edges, float)
        # the outer bins stretch to the extremes; show the central part where the mass is
        cdfs = [np.cumsum(c) / max(sum(c), 1) for c in (rc, cc)]
        lo = min(float(np.interp(0.01, f, e[1:])) for f in cdfs)
        hi = max(float(np.interp(0.99, f, e[1:])) for f in cdfs)
        lo, hi = (e[0], e[-1]) if not hi > lo else (lo, hi)
        if not hi > lo:
            lo, hi = lo - 0.5, hi + 0.5
        grid = np.linspace(lo, hi, GRID_BINS + 1)
        shares = [_regrid(edges, rc, grid), _regrid(edges, cc, grid)]
        top_share = max(float(max(s.max() for s in shares)), 1e-9)
        bw = plot_w / GRID_BINS
        for s, colour in zip(shares, (REF_COLOUR, CUR_COLOUR), strict=True):
            for i, v in enumerate(s):
                h = plot_h * v / top_share
                out.append(
                    f'<rect x="{left + i * bw:.1f}" y="{top + plot_h - h:.1f}" width="{bw:.1f}" height="{h:.1f}" '
                    f'fill="{colour}" opacity="0.45"><title>{esc(f"{grid[i]:.3g} to {grid[i + 1]:.3g}: {v:.1%}")}'
                    "</title></rect>"
                )
        for t in nice_ticks(lo, hi, 4):
            if lo <= t <= hi:
                x = left + (t - lo) / (hi - lo) * plot_w
                out.append(
                    f'<text x="{x:.1f}" y="{top + plot_h + 14}" text-anchor="middle" '
                    f'fill="{COLOURS["axis"]}">{t:g}</text>'
                )
    else:
        cats = list(ref.get("categories") or [])[:MAX_CATEGORIES]
        rc, cc = ref.get("counts") or [], cur.get("counts") or []
        if not cats:
            return None
        rn, cn = max(sum(rc), 1), max(sum(cc), 1)
        rows = [(c, rc[i] / rn, cc[i] / cn) for i, c in enumerate(cats)]
        top_share = max(max(r, c) for _, r, c in rows) or 1.0
        row_h = plot_h / len(rows)
        label_w = 110
        for i, (cat, r, c) in enumerate(rows):
            y = top + i * row_h
            label = str(cat) if len(str(cat)) <= 16 else str(cat)[:15] + "…"
            out.append(
                f'<text x="{label_w - 4}" y="{y + row_h * 0.6:.1f}" text-anchor="end" '
                f'fill="{COLOURS["text"]}">{esc(label)}</text>'
            )
            for j, (v, colour) in enumerate(((r, REF_COLOUR), (c, CUR_COLOUR))):
                w = (width - label_w - 50) * v / top_share
                out.append(
                    f'<rect x="{label_w}" y="{y + j * row_h * 0.42 + 1:.1f}" width="{w:.1f}" '
                    f'height="{row_h * 0.4:.1f}" fill="{colour}" opacity="0.7"><title>'
                    f"{esc(f'{cat}: {v:.1%}')}</title></rect>"
                )
            out.append(
                f'<text x="{label_w + (width - label_w - 50) * max(r, c) / top_share + 4:.1f}" '
                f'y="{y + row_h * 0.6:.1f}" fill="{COLOURS["muted"]}">{c:.0%}</text>'
            )
    out.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="{COLOURS["axis"]}"/>'
    )
    out.append(_legend(left, height - 12))
    out.append("</svg>")
    return "".join(out)


def windows_plot(drift: Mapping[str, Any], uid: str = "pf-drift-windows") -> str | None:
    """The estimated (and realised) score per window against the reference score (PF505), or
    the domain classifier's AUC per window (PF502) when there is no model score."""
    windows = [w for w in drift.get("windows") or [] if isinstance(w, Mapping)]
    if len(windows) < 2:
        return None
    perf = drift.get("performance") if isinstance(drift.get("performance"), Mapping) else None
    if perf and any(isinstance(w.get("estimated"), Mapping) for w in windows):
        series = [
            ("estimated", [w.get("estimated") for w in windows], CUR_COLOUR),
            ("realised", [w.get("realised") for w in windows], COLOURS["warning"]),
        ]
        ref = perf.get("reference") if isinstance(perf.get("reference"), Mapping) else None
        label = f"{perf.get('metric', 'score')} per window"
    elif any(isinstance(w.get("domain_auc"), Mapping) for w in windows):
        series = [("domain AUC", [w.get("domain_auc") for w in windows], CUR_COLOUR)]
        ref = {"estimate": 0.5, "low": 0.5, "high": 0.5}
        label = "domain-classifier AUC per window (0.5 = no drift)"
    else:
        return None
    values = [
        num(v.get(k)) for _, vs, _ in series for v in vs if isinstance(v, Mapping) for k in ("estimate", "low", "high")
    ]
    values += [num(ref.get(k)) for k in ("low", "high")] if ref else []
    values = [v for v in values if v is not None]
    if not values:
        return None
    lo, hi = min(values), max(values)
    ticks = nice_ticks(lo, hi, 4)
    lo, hi = ticks[0], ticks[-1]
    width, height, left, top, plot_w, plot_h = 880, 260, 56, 40, 780, 160
    out = _open(width, height, uid, label, "Score or AUC of each time window with 95% intervals.")

    def px(i: int) -> float:
        return left + (i + 0.5) * plot_w / len(windows)

    def py(v: float) -> float:
        return top + plot_h * (1 - (v - lo) / (hi - lo or 1))

    for t in ticks:
        out.append(
            f'<line x1="{left}" y1="{py(t):.1f}" x2="{left + plot_w}" y2="{py(t):.1f}" '
            f'stroke="{COLOURS["grid"]}"/><text x="{left - 6}" y="{py(t) + 4:.1f}" text-anchor="end" '
            f'fill="{COLOURS["axis"]}">{t:g}</text>'
        )
    if ref and num(ref.get("low")) is not None and num(ref.get("high")) is not None:
        y1, y2 = py(num(ref["high"])), py(num(ref["low"]))
        out.append(
            f'<rect x="{left}" y="{y1:.1f}" width="{plot_w}" height="{max(y2 - y1, 1):.1f}" '
            f'fill="{COLOURS["band"]}" opacity="0.6"><title>reference</title></rect>'
        )
    for k, (name, vs, colour) in enumerate(series):
        dx = (k - (len(series) - 1) / 2) * 6  # side by side, so whiskers do not hide each other
        pts = []
        for i, v in enumerate(vs):
            if not isinstance(v, Mapping) or num(v.get("estimate")) is None:
                continue
            est, low, high = num(v.get("estimate")), num(v.get("low")), num(v.get("high"))
            if low is not None and high is not None:
                out.append(
                    f'<line x1="{px(i) + dx:.1f}" y1="{py(low):.1f}" x2="{px(i) + dx:.1f}" '
                    f'y2="{py(high):.1f}" stroke="{colour}" stroke-width="1.5"/>'
                )
            tip = f"{windows[i].get('start')}: {name} {fmt(est)}"
            out.append(
                f'<circle cx="{px(i) + dx:.1f}" cy="{py(est):.1f}" r="3.5" fill="{colour}">'
                f"<title>{esc(tip)}</title></circle>"
            )
            pts.append(f"{px(i) + dx:.1f},{py(est):.1f}")
        if len(pts) > 1:
            out.append(f'<polyline points="{" ".join(pts)}" fill="none" stroke="{colour}" stroke-width="1"/>')
    step = max(1, len(windows) // 8)
    for i in range(0, len(windows), step):
        out.append(
            f'<text x="{px(i):.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
            f'fill="{COLOURS["axis"]}">{esc(windows[i].get("start"))}</text>'
        )
    x = left
    for name, _, colour in series:
        out.append(f'<text x="{x}" y="{height - 10}" fill="{colour}">● {esc(name)}</text>')
        x += 16 + 7 * len(name)
    if ref:
        out.append(f'<text x="{x}" y="{height - 10}" fill="{COLOURS["muted"]}">band: reference (95% CI)</text>')
    out.append("</svg>")
    return "".join(out)


def drift_plots(metrics: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Plot entries for the HTML report (empty when the report is not a drift report)."""
    drift = metrics.get("drift") if isinstance(metrics, Mapping) else None
    if not isinstance(drift, Mapping):
        return []
    out = []
    entries: list[tuple[str, Mapping[str, Any]]] = []
    for section, suffix in (("label", " (label)"), ("prediction", ""), ("features", "")):
        for col, entry in (drift.get(section) or {}).items():
            if isinstance(entry, Mapping) and num(entry.get("effect")) is not None:
                name = "model predictions" if col == "__prediction__" else f"{col}{suffix}"
                entries.append((name, entry))
    entries.sort(key=lambda ne: (not ne[1].get("drifted"), -(num(ne[1].get("effect")) or 0)))
    shown = entries[:MAX_FEATURES]
    svgs = [distribution_plot(name, entry, f"pf-drift-{i}") for i, (name, entry) in enumerate(shown)]
    svgs = [s for s in svgs if s]
    if svgs:
        note = "PF501/PF503/PF504: reference (grey) vs current (blue), most drifted first."
        if len(entries) > len(shown):
            note += f" {len(entries) - len(shown)} more column(s) in the JSON report."
        grid = '<div style="display:flex;flex-wrap:wrap;gap:8px">' + "".join(svgs) + "</div>"
        out.append({"svg": Markup(grid), "note": note, "table": None})
    win = windows_plot(drift)
    if win:
        out.append({"svg": Markup(win), "note": "Per time window, with 95% intervals.", "table": None})
    return out
