"""Text and self-contained HTML reports of ``pitfall thresholds``.

The HTML page holds one inline SVG (no scripts, no URLs): auto-accepted accuracy with its 95%
band against the share of items sent to people, the target as a line and the chosen threshold
as a point. Every user string (labels, messages) is escaped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from markupsafe import Markup

from pitfall.reporting.html import environment
from pitfall.reporting.svg import COLOURS, FONT, esc, fmt, nice_ticks, tick

if TYPE_CHECKING:
    from pitfall.runners.thresholds import ThresholdResult

__all__ = ["curve_plot", "render_html", "render_text"]

W, H, LEFT, RIGHT, TOP, BOTTOM = 720, 360, 60, 20, 40, 50


def _summary_lines(r: ThresholdResult) -> list[str]:
    lines = [
        f"Validation rows: {r.n}; labels: {len(r.labels)}; target accuracy {r.target_accuracy:g} "
        "(95% lower confidence bound)."
    ]
    if r.accept is None:
        lines.append("No confidence threshold meets the target: nothing can be auto-accepted.")
    else:
        acc = r.accepted or {}
        lines.append(
            f"Accept at confidence ≥ {r.accept:.4f}: accuracy {acc.get('accuracy', float('nan')):.3f} "
            f"[{acc.get('low', float('nan')):.3f}, {acc.get('high', float('nan')):.3f}] on "
            f"{acc.get('n_accepted', 0)} rows."
        )
    how = (
        "--review-floor"
        if r.review_floor is not None
        else (f"no better than the commonest label ({r.prior_share:.3f})")
    )
    lines.append(f"Review at confidence ≥ {r.review:.4f}; below it abstain ({how}).")
    lines.append(
        f"Per 1,000 items: {1000 * r.accept_share:.0f} auto-accepted, {r.reviews_per_1000:.0f} reviewed, "
        f"{1000 * r.abstain_share:.0f} abstained ({1000 * r.human_share:.0f} left to people)."
    )
    return lines


def _label_lines(r: ThresholdResult) -> list[str]:
    if not r.per_label:
        return []
    out = ["Per-label thresholds:"]
    for label, e in r.per_label.items():
        if e["fallback"]:
            out.append(f"  {label}: global thresholds ({e['reason']})")
        elif e["accept"] is None:
            out.append(f"  {label}: never auto-accepted ({e['reason']})")
        else:
            out.append(
                f"  {label}: accept ≥ {e['accept']:.4f} ({e['accept_share']:.0%} of its {e['n_predicted']} "
                f"predictions, accuracy lower bound {e['accepted']['low']:.3f})"
            )
    return out


def render_text(r: ThresholdResult) -> str:
    lines = ["pitfall thresholds", *_summary_lines(r), *_label_lines(r)]
    lines += [f"Note: {n}" for n in r.notes]
    for f in r.findings:
        lines += [f"{f.severity.upper()} {f.code} {f.name}: {f.message}", f"  fix: {f.fix}"]
    if not r.findings:
        lines.append("No findings.")
    return "\n".join(lines) + "\n"


def curve_plot(r: ThresholdResult, uid: str = "pf-thresholds") -> str:
    """Auto-accepted accuracy (95% band) against the share of items left to people."""
    pts = [p for p in r.curve if p["n_accepted"] > 0]
    ys = [v for p in pts for v in (p["low"], p["high"])] + [r.target_accuracy]
    yt = nice_ticks(max(0.0, min(ys)), 1.0) if ys else [0.0, 1.0]
    ylo, yhi = yt[0], max(yt[-1], 1.0)
    x0, x1, y0, y1 = LEFT, W - RIGHT, H - BOTTOM, TOP

    def x(v: float) -> float:
        return x0 + min(max(v, 0.0), 1.0) * (x1 - x0)

    def y(v: float) -> float:
        return y0 - (min(max(v, ylo), yhi) - ylo) / (yhi - ylo) * (y0 - y1)

    title = f"Auto-accepted accuracy against the share left to people (target {r.target_accuracy:g})"
    out = [
        f'<svg class="pf-plot" role="img" viewBox="0 0 {W} {H}" width="{W}" height="{H}" '
        f'aria-labelledby="{uid}-title {uid}-desc" font-family="system-ui, sans-serif" font-size="{FONT}">',
        f'<title id="{uid}-title">{esc(title)}</title>',
        f'<desc id="{uid}-desc">Each point is a confidence threshold: accuracy of the predictions at or above it, '
        "with the 95% Wilson band, against the share of items below it. The dashed line is the target; the "
        "circle is the chosen threshold.</desc>",
        f'<text x="0" y="16" font-size="14" font-weight="600" fill="{COLOURS["text"]}">{esc(title)}</text>',
    ]
    for t in yt:
        out.append(f'<line x1="{x0}" y1="{y(t):.1f}" x2="{x1}" y2="{y(t):.1f}" stroke="{COLOURS["grid"]}"/>')
        out.append(f'<text x="{x0 - 6}" y="{y(t) + 4:.1f}" text-anchor="end" fill="{COLOURS["axis"]}">{tick(t)}</text>')
    for t in nice_ticks(0.0, 1.0):
        out.append(f'<text x="{x(t):.1f}" y="{y0 + 16}" text-anchor="middle" fill="{COLOURS["axis"]}">{tick(t)}</text>')
    out.append(f'<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y0}" stroke="{COLOURS["axis"]}"/>')
    out.append(
        f'<text x="{(x0 + x1) / 2:.1f}" y="{y0 + 36}" text-anchor="middle" fill="{COLOURS["axis"]}">'
        "share of items left to people (below the threshold)</text>"
    )
    if pts:
        pts = sorted(pts, key=lambda p: p["human_share"])
        upper = " ".join(f"{x(p['human_share']):.1f},{y(p['high']):.1f}" for p in pts)
        lower = " ".join(f"{x(p['human_share']):.1f},{y(p['low']):.1f}" for p in reversed(pts))
        out.append(f'<polygon points="{upper} {lower}" fill="{COLOURS["band"]}" opacity="0.7"/>')
        line = " ".join(f"{x(p['human_share']):.1f},{y(p['accuracy']):.1f}" for p in pts)
        out.append(f'<polyline points="{line}" fill="none" stroke="{COLOURS["model"]}" stroke-width="1.5"/>')
    yt_ = y(r.target_accuracy)
    out.append(
        f'<line x1="{x0}" y1="{yt_:.1f}" x2="{x1}" y2="{yt_:.1f}" stroke="{COLOURS["error"]}" stroke-dasharray="4 3"/>'
    )
    out.append(
        f'<text x="{x1}" y="{yt_ - 4:.1f}" text-anchor="end" fill="{COLOURS["error"]}">'
        f"target {esc(f'{r.target_accuracy:g}')}</text>"
    )
    if r.accepted:
        a = r.accepted
        cx, cy = x(a["human_share"]), y(a["accuracy"])
        out.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="5" fill="{COLOURS["warning"]}"><title>'
            f"confidence ≥ {fmt(a['threshold'], 4)}: accuracy {fmt(a['accuracy'])} "
            f"[{fmt(a['low'])}, {fmt(a['high'])}], {a['human_share']:.0%} left to people</title></circle>"
        )
    out.append("</svg>")
    return "".join(out)


def render_html(r: ThresholdResult) -> str:
    findings = [
        {
            "severity": f.severity,
            "heading": f"{f.severity.upper()} {f.code} {f.name}",
            "message": f.message,
            "fix": f.fix,
        }
        for f in r.findings
    ]
    return (
        environment()
        .get_template("command_page.html.j2")
        .render(
            title="pitfall thresholds",
            evidence=_summary_lines(r) + _label_lines(r)[1:],
            chart=Markup(curve_plot(r)),
            findings=findings,
            no_findings="No findings.",
            notes=r.notes,
        )
        + "\n"
    )
