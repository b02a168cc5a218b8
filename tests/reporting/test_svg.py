"""SVG plot helpers: round ticks covering the data, escaped labels, NaN-safe geometry."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest

from pitfall.reporting.svg import Row, interval_chart, nice_ticks, scores_plot, single_feature_plot

from .conftest import EVIL, interval


@pytest.mark.parametrize(("lo", "hi"), [(0, 1), (-0.103, 0.829), (0.31, 0.42), (-40, 0.8), (2.5, 1e4), (1e-5, 3e-5)])
def test_ticks_are_round_even_and_cover_the_range(lo, hi):
    ticks = nice_ticks(lo, hi)
    assert ticks[0] <= lo and ticks[-1] >= hi
    assert 3 <= len(ticks) <= 12
    steps = {round(b - a, 12) for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len({round(s / min(steps), 6) for s in steps}) == 1  # evenly spaced
    step = min(steps)
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(math.isclose(mantissa, m) for m in (1, 2, 2.5, 5))


def test_degenerate_ranges_do_not_break():
    assert len(nice_ticks(0.5, 0.5)) >= 2
    assert nice_ticks(float("nan"), float("nan"))[0] == 0.0


def test_chart_escapes_labels_and_parses():
    svg = interval_chart([Row(EVIL, 0.5, 0.4, 0.6), Row("a & b", None)], title=f"t {EVIL}", x_label="x", uid="u")
    assert EVIL not in svg
    root = ET.fromstring(svg)  # well-formed XML
    texts = [t.text for t in root.iter("text")]
    assert EVIL in texts and "a & b" in texts and "n/a" in texts
    assert root.find("title").text == f"t {EVIL}"
    assert root.get("aria-labelledby") == "u-title u-desc"


def test_long_labels_wrap_onto_two_lines_instead_of_being_cut():
    name = "a_very_long_feature_name_from_a_warehouse_export_v2"
    root = ET.fromstring(interval_chart([Row(name, 0.3)], title="t", x_label="x", uid="u"))
    group = root.find("g")
    assert name in group.find("title").text
    lines = [t.text for t in group.findall("text")][:2]
    assert "".join(lines) == name and not any(line.endswith("…") for line in lines)


def test_slice_labels_break_after_the_column_name():
    label = "telescope_site_name_long = Mauna Kea, Hawaii (n=328)"
    root = ET.fromstring(interval_chart([Row(label, 0.3)], title="t", x_label="x", uid="u"))
    lines = [t.text for t in root.find("g").findall("text")][:2]
    assert lines == ["telescope_site_name_long =", "Mauna Kea, Hawaii (n=328)"]
    # the label column is wide enough for its longest line: the plot starts right of it
    first_grid = float(root.find("line").get("x1"))
    assert first_grid >= len("telescope_site_name_long =") * 6.8


def test_lower_is_better_metric_and_wide_range():
    scores = {
        "metric": "rmse",
        "greater_is_better": False,
        "values": {"model": interval(3.2, 0.4), "mean": interval(9.8, 0.6)},
        "model_minus_baseline": {"mean": interval(6.6, 0.5)},
    }
    root = ET.fromstring(scores_plot(scores))
    texts = [t.text for t in root.iter("text")]
    assert "rmse on the test set (lower is better)" in texts
    assert "0" in texts and "10" in texts
    # the model clearly beats the mean: drawn neutral, not amber
    mean = next(g for g in root.findall("g") if g.find("title").text.startswith("mean"))
    assert mean.find("circle").get("fill") != "#b45309"


def test_missing_or_malformed_metrics_give_no_plot():
    assert scores_plot(None) is None
    assert scores_plot({"metric": "x"}) is None
    assert scores_plot({"values": {}}) is None
    assert single_feature_plot(None) is None
    assert single_feature_plot({"features": {}}) is None


def test_feature_plot_orders_and_caps():
    features = {f"f{i}": {"estimate": i / 100} for i in range(40)}
    features["broken"] = {"estimate": float("nan")}
    svg, hidden = single_feature_plot({"metric": "balanced_accuracy", "features": features}, max_bars=10)
    assert hidden == 31
    labels = [g.find("text").text for g in ET.fromstring(svg).findall("g")]
    assert labels == [f"f{i}" for i in range(39, 29, -1)]
    assert not re.search(r'="[^"]*nan', svg, flags=re.I)
