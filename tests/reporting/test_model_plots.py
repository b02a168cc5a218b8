"""Plots of the model checks: drawn from their metrics, escaped, well formed, absent when empty."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from pitfall.report import Report
from pitfall.reporting import model_plots

from .conftest import EVIL
from .test_html import assert_self_contained, svgs


def interval(estimate: float, low: float, high: float) -> dict[str, float]:
    return {"estimate": estimate, "low": low, "high": high, "level": 0.95}


def calibration():
    return {
        "ece": interval(0.12, 0.08, 0.16),
        "null_ece_95": 0.04,
        "brier": 0.21,
        "bins": [
            {"confidence": 0.55, "accuracy": 0.52, "low": 0.45, "high": 0.6, "count": 120},
            {"confidence": 0.95, "accuracy": 0.7, "low": 0.62, "high": 0.77, "count": 300},
        ],
        "ensemble": {"members": 5, "ece": 0.03, "share_members_disagree": 0.042},
        "conformal": {"target": 0.9, "coverage": interval(0.91, 0.88, 0.93), "mean_set_size": 1.3, "method": "LAC"},
    }


def slices(n=3):
    rows = [
        {
            "column": EVIL,
            "slice": f"site {i}",
            "n": 40 + i,
            "score": interval(0.5 + 0.1 * i, 0.4, 0.8),
            "p_adjusted": 0.01,
            "flagged": i == 0,
        }
        for i in range(n)
    ]
    return {"metric": "accuracy", "overall": interval(0.8, 0.77, 0.83), "slices": rows}


def seeds():
    return {
        "seeds": [0, 1, 2],
        "scores": [0.81, 0.8, 0.82],
        "churn_pairwise": interval(0.12, 0.1, 0.14),
        "flip_any": 0.2,
        "disagreement_histogram": {"edges": [0, 0.2, 0.4, 0.6], "counts": [800, 150, 50]},
    }


def study():
    return {EVIL: {"ablation": {"drop": interval(0.1, 0.05, 0.15), "permute": interval(0.2, 0.15, 0.25)}}}


def test_reliability_diagram_marks_overconfident_bins():
    svg = ET.fromstring(model_plots.reliability_plot(calibration()))
    circles = svg.findall("circle")
    assert len(circles) == 2
    # the 0.95-confidence bin whose interval lies below the diagonal is drawn as a warning
    assert [c.get("fill") for c in circles] == ["#1e3a8a", "#b45309"]
    texts = " ".join(t.text or "" for t in svg.iter("text"))
    assert "ECE 0.120 [0.080, 0.160]" in texts and "coverage 0.910" in texts and "≤ 0.040" in texts
    assert "ensemble of 5 seeds: ECE 0.030" in texts and "disagree on 4.2% of rows" in texts


def test_slices_are_capped_escaped_and_flagged():
    svg_text, hidden = model_plots.slices_plot(slices(15))
    assert hidden == 15 - model_plots.MAX_SLICES
    svg = ET.fromstring(svg_text)
    labels = [t.text for t in svg.iter("text")]
    assert f"{EVIL} = site 0 (n=40)"[:29] in " ".join(x or "" for x in labels)
    assert len(svg.findall("g")) == model_plots.MAX_SLICES
    assert svg.findall("g")[0].find("circle").get("fill") == "#b91c1c"


def test_churn_histogram_has_one_bar_per_bin():
    svg = ET.fromstring(model_plots.churn_plot(seeds()))
    assert len(svg.findall("rect")) == 3
    texts = " ".join(t.text or "" for t in svg.iter("text"))
    assert "pairwise churn 0.120" in texts and "20.0%" in texts and "0.800 to 0.820" in texts


def test_ablation_bars_per_study_variable():
    svg = ET.fromstring(model_plots.ablation_plot(study(), "balanced_accuracy"))
    assert len(svg.findall("g")) == 2 and len(svg.findall("g/rect")) == 2
    assert "balanced_accuracy" in svg.find("title").text


@pytest.mark.parametrize(
    "bad",
    [
        None,
        {},
        {"bins": []},
        {"bins": [{"confidence": None}]},
        {"slices": "x"},
        {"disagreement_histogram": {"edges": [0, 1], "counts": [1, 2]}},
        {"a": {"ablation": {"drop": {"estimate": float("nan")}}}},
    ],
)
def test_nothing_to_draw_gives_none(bad):
    assert model_plots.reliability_plot(bad) is None
    assert model_plots.slices_plot(bad) is None
    assert model_plots.churn_plot(bad) is None
    assert model_plots.ablation_plot(bad) is None


def test_report_shows_the_model_plots_self_contained():
    report = Report(inputs={"data": "d.csv", "target": "y"})
    report.metrics = {"calibration": calibration(), "slices": slices(), "seeds": seeds(), "study": study()}
    html = report.to_html()
    assert_self_contained(html)
    titles = [ET.fromstring(s).find("title").text for s in svgs(html)]
    assert [t.split(" ")[0] for t in titles] == ["Score", "Worst", "Disagreement", "Reliability"]
    assert EVIL not in html  # raw markup never reaches the page


def _text_fits(svg_text: str) -> None:
    """Every legend line ends inside the SVG's width (at ~6.8 px a character, as the layout assumes)."""
    root = ET.fromstring(svg_text)
    width = float(root.get("width"))
    assert root.get("viewBox").split()[2] == root.get("width")
    for t in root.iter("text"):
        if t.get("text-anchor") in (None, "start"):
            assert float(t.get("x")) + len(t.text or "") * 6.8 <= width, (t.text, width)


def test_side_labels_of_the_reliability_diagram_and_churn_plot_are_not_clipped():
    long = {
        **calibration(),
        "null_ece_95": 0.0333333,
        "ensemble": {"members": 12, "ece": 0.0334, "share_members_disagree": 0.19412},
    }
    _text_fits(model_plots.reliability_plot(long))
    _text_fits(model_plots.churn_plot({**seeds(), "flip_any": 0.19444}))
