"""The monitoring web page of ``pitfall serve``: items, review rate, audited accuracy and drift per time window.

Reviewers sign in on the review page; the session cookie is scoped to ``/review``, so the page lives at
``/review/monitor`` and ``GET /monitor`` redirects there. Every number comes from ``pitfall.runners.monitor`` (the same
as ``pitfall monitor``), the plots are inline SVG, and the page has the review page's Content-Security-Policy with a
per-response nonce; every value that could come from a client (record fields, labels, window names) is escaped.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

import pandas as pd
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from pitfall.deploy.store import Store
from pitfall.errors import PitfallError
from pitfall.reporting.drift_plots import distribution_plot
from pitfall.reporting.monitor_plots import monitor_charts, monitor_table
from pitfall.reporting.review_page import render_review
from pitfall.runners.drift import parse_window
from pitfall.runners.monitor import monitor
from pitfall.serve.pages import COOKIE, page_response

__all__ = ["DEFAULT_WINDOW", "add_monitor_pages"]

DEFAULT_WINDOW = "1d"
MAX_PLOTTED = 6  # drifted columns drawn as distributions
MAX_ITEMS = 20_000  # the page looks at the most recent items only, so its cost is bounded (`pitfall monitor`: all)


def _plots(ops: Mapping[str, Any], target: float | None, drift: Mapping[str, Any] | None) -> list[Markup]:
    """The page's SVG plots (built and escaped by ``pitfall.reporting``)."""
    svgs = monitor_charts(ops, target)
    if drift:
        entries = [
            (str(col), e)
            for col, e in (drift.get("features") or {}).items()
            if isinstance(e, Mapping) and e.get("drifted")
        ]
        entries += [
            ("model predictions", e)
            for e in (drift.get("prediction") or {}).values()
            if isinstance(e, Mapping) and e.get("drifted")
        ]
        for i, (name, entry) in enumerate(entries[:MAX_PLOTTED]):
            svg = distribution_plot(name, entry, f"pf-drift-{i}")
            if svg:
                svgs.append(svg)
    return [Markup(s) for s in svgs]


def _render(status: int = 200, **view: Any) -> Response:
    nonce = secrets.token_urlsafe(16)
    return page_response(render_review("monitor", nonce=nonce, title="pitfall monitor", **view), nonce, status)


def add_monitor_pages(
    app: FastAPI,
    store: Store,
    *,
    model: Any = None,
    policy: Any = None,
    reference: pd.DataFrame | None = None,
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
            return _render(400, error_heading="Bad window", error=str(exc))
        counts = store.counts()
        if counts["total"] == 0:
            return _render(empty=True)
        drift_note = "needs-reference"
        try:
            report = None
            if reference is not None:
                try:
                    report = monitor(store, reference, model=model, policy=policy, window=window, max_items=MAX_ITEMS)
                    drift_note = ""
                except PitfallError as exc:
                    drift_note = f"Drift could not be measured: {exc}"
            if report is None:
                report = monitor(store, None, model=model, policy=policy, window=window, max_items=MAX_ITEMS)
        except PitfallError as exc:  # e.g. a window so short that the period has thousands of them
            return _render(400, error_heading="Cannot monitor", error=str(exc))
        ops = report.metrics["monitor"]
        target = report.inputs.get("target_accuracy")
        return _render(
            user=session.user,
            total=counts["total"],
            max_items=MAX_ITEMS,
            window=window,
            drift_note=drift_note,
            target=(
                f"target accuracy {target:g}"
                if target is not None
                else "no target accuracy in the policy (PF603 is not judged)"
            ),
            findings=[
                {"code": f.code, "name": f.name, "severity": f.severity.value, "message": f.message}
                for f in report.findings
            ],
            skipped=list(report.skipped.items()),
            table=Markup(monitor_table(ops)),  # every value escaped by monitor_table
            plots=_plots(ops, target, report.metrics.get("drift")),
        )
