"""HTML plots of a drift report: at most 12 distributions, escaped names, robust to odd metrics."""

from __future__ import annotations

import pitfall
from pitfall.reporting.drift_plots import distribution_plot, drift_plots, windows_plot
from tests.drift.synthetic import frame


def test_plots_of_a_report_escape_names_and_cap_the_count():
    ref, cur = frame(600, d=14, seed=1), frame(600, d=14, seed=2, shift=1.0, days=14)
    ref["<b>evil</b>"], cur["<b>evil</b>"] = ref["x0"] * 2, cur["x0"] * 2  # drifted like x0
    report = pitfall.drift(ref, cur, time="t", window="7d", select="PF501", config=False)
    plots = drift_plots(report.metrics)
    assert len(plots) == 1  # distributions only: no per-window score without PF502/PF505
    svg = str(plots[0]["svg"])
    assert svg.count("<svg") == 12 and "<b>evil</b>" not in svg
    titles = [part.split("<")[0] for part in svg.split('-title">')[1:]]
    assert {t.split(" (")[0] for t in titles[:2]} == {"x0", "&lt;b&gt;evil&lt;/b&gt;"}  # drifted first
    assert "&lt;b&gt;evil" in report.to_html() and "<b>evil" not in report.to_html()


def test_odd_metrics_draw_nothing():
    assert drift_plots({}) == [] and drift_plots({"drift": "x"}) == []
    assert distribution_plot("a", {"reference": {"edges": [0, 1]}, "current": {}}, "u") is None
    assert windows_plot({"windows": [{"estimated": None}, {"estimated": None}]}) is None
