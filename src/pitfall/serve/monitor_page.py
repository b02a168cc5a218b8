"""The monitoring web page of ``pitfall serve``: items, review rate, audited accuracy and drift per time window.

Reviewers sign in on the review page; the session cookie is scoped to ``/review``, so the page lives at
``/review/monitor`` and ``GET /monitor`` redirects there. Every number comes from ``pitfall.runners.monitor`` (the same
as ``pitfall monitor``), the plots are inline SVG, and the page has the review page's Content-Security-Policy with a
per-response nonce; every value that could come from a client (record fields, labels, window names) is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

import pandas as pd
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from pitfall.deploy.store import Store
from pitfall.errors import PitfallError
from pitfall.reporting.drift_plots import distribution_plot
from pitfall.reporting.monitor_plots import monitor_charts, monitor_table
from pitfall.runners.drift import parse_window
from pitfall.runners.monitor import monitor
from pitfall.serve.pages import COOKIE, _page

__all__ = ["DEFAULT_WINDOW", "add_monitor_pages"]

DEFAULT_WINDOW = "1d"
MAX_PLOTTED = 6  # drifted columns drawn as distributions
MAX_ITEMS = 20_000  # the page looks at the most recent items only, so its cost is bounded (`pitfall monitor`: all)


def _plots(ops: Mapping[str, Any], target: float | None, drift: Mapping[str, Any] | None) -> str:
    svgs = monitor_charts(ops, target)
    if drift:
        entries = [(str(col), e) for col, e in (drift.get("features") or {}).items()
                   if isinstance(e, Mapping) and e.get("drifted")]
        entries += [("model predictions", e) for e in (drift.get("prediction") or {}).values()
                    if isinstance(e, Mapping) and e.get("drifted")]
        for i, (name, entry) in enumerate(entries[:MAX_PLOTTED]):
            svg = distribution_plot(name, entry, f"pf-drift-{i}")
            if svg:
                svgs.append(svg)
    return "".join(f"<figure>{s}</figure>" for s in svgs)


def _findings(report: Any) -> str:
    if not report.findings:
        return '<p id="findings">No findings.</p>'
    items = "".join(
        f'<li class="err" data-code="{escape(f.code)}"><strong>{escape(f.code)} {escape(f.name)}</strong> '
        f"({escape(f.severity.value)}): {escape(f.message)}</li>"
        for f in report.findings
    )
    return f'<ul id="findings">{items}</ul>'


def add_monitor_pages(
    app: FastAPI, store: Store, *, model: Any = None, policy: Any = None, reference: pd.DataFrame | None = None,
) -> None:
    """Add ``GET /review/monitor`` (signed-in reviewers) and ``GET /monitor`` (a redirect to it) to ``app``.

    Needs ``add_review_pages`` first (its sessions sign reviewers in). ``reference`` is the training data the
    stored records are compared with; when the model knows its feature names, only those columns are compared
    (the label and other columns of the training file are left out). Without it the page says so."""
    sessions = app.state.review_sessions
    if reference is not None:
        names = [str(c) for c in getattr(model, "feature_names_in_", [])]
        if names and set(names) <= set(map(str, reference.columns)):
            reference = reference[names]

    @app.get("/monitor", include_in_schema=False)
    def monitor_redirect(request: Request) -> Response:
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"/review/monitor{query}", status_code=303)

    @app.get("/review/monitor", include_in_schema=False)
    def monitor_page(request: Request, window: str = DEFAULT_WINDOW) -> Response:
        session = sessions.get(request.cookies.get(COOKIE))
        if session is None:
            return RedirectResponse("/review/login", status_code=303)
        try:
            parse_window(window)
        except PitfallError as exc:
            return _page("Bad window", f'<h1>Bad window</h1><p class="err">{escape(str(exc))}</p>', status=400)
        counts = store.counts()
        if counts["total"] == 0:
            return _page("pitfall monitor", "<h1>Monitoring</h1><p>No items yet: nothing to monitor.</p>")
        drift_note = ("Drift needs a training reference: start the service with "
                      "<code>pitfall serve … --reference train.csv</code>.")
        try:
            report = None
            if reference is not None:
                try:
                    report = monitor(store, reference, model=model, policy=policy, window=window,
                                     max_items=MAX_ITEMS)
                    drift_note = ""
                except PitfallError as exc:
                    drift_note = f"Drift could not be measured: {escape(str(exc))}"
            if report is None:
                report = monitor(store, None, model=model, policy=policy, window=window, max_items=MAX_ITEMS)
        except PitfallError as exc:  # e.g. a window so short that the period has thousands of them
            return _page("Cannot monitor", f'<h1>Cannot monitor</h1><p class="err">{escape(str(exc))}</p>',
                         status=400)
        ops = report.metrics["monitor"]
        target = report.inputs.get("target_accuracy")
        target_txt = (f"target accuracy {target:g}" if target is not None
                      else "no target accuracy in the policy (PF603 is not judged)")
        skipped = "".join(f"<li>{escape(code)}: {escape(reason)}</li>" for code, reason in report.skipped.items())
        body = (
            f"<h1>Monitoring</h1><p>Signed in as <strong>{escape(session.user)}</strong> · "
            f"{counts['total']} items"
            + (f" (the most recent {MAX_ITEMS:,} shown; <code>pitfall monitor</code> reads all)"
               if counts["total"] > MAX_ITEMS else "")
            + f" · windows of {escape(window)} (UTC) · {escape(target_txt)} · "
            '<a href="/review">review queue</a></p>'
            f'<form method="get" action="/review/monitor"><label>Window <input name="window" '
            f'value="{escape(window)}" size="6"></label> <button type="submit">Show</button></form>'
            f'<p class="muted" id="drift-note">{drift_note}</p>'
            f"<h2>Findings</h2>{_findings(report)}"
            + (f'<ul class="muted" id="skipped">{skipped}</ul>' if skipped else "")
            + f"<h2>Per window</h2>{monitor_table(ops)}<h2>Plots</h2>"
            + _plots(ops, target, report.metrics.get("drift"))
        )
        return _page("pitfall monitor", body)
