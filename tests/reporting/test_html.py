"""HTML report: self-contained, escaped, complete, with plots when there is something to plot."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from pitfall.report import Report
from pitfall.reporting.html import render_html

from .conftest import EVIL, EVIL_ESCAPED, hand_built_report, interval

NETWORK = re.compile(r"""(?:src|href|action|xlink:href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def svgs(html: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", html, flags=re.S)


def assert_self_contained(html: str) -> None:
    assert "http://" not in html and "https://" not in html
    assert not NETWORK.search(html)
    for tag in ("<script", "<link", "<img", "<iframe", "@import", "url("):
        assert tag not in html.lower(), tag


def test_page_is_self_contained(built):
    html = built.to_html()
    assert html.startswith("<!DOCTYPE html>")
    assert "<style>" in html
    assert_self_contained(html)


def test_user_strings_are_escaped_everywhere(built):
    html = built.to_html()
    assert EVIL not in html
    assert "<script" not in html
    # the name appears escaped in the finding, its columns, the inputs, the plots,
    # the skipped reason and the crash message
    assert html.count(EVIL_ESCAPED) >= 8
    # a quote in a name cannot open a new attribute
    assert 'onmouseover="alert' not in html
    assert "onmouseover=&#34;alert(2)" in html or "onmouseover=&quot;alert(2)" in html


def test_header_summary_and_sections(built):
    html = built.to_html()
    for text in (
        "label",
        "binary",
        "balanced_accuracy",
        "300 train / 105 test rows, 8 features",
        "data/test.csv",
        "given",
        "default (HistGradientBoosting)",
    ):
        assert text in html, text
    from pitfall import __version__

    assert f"pitfall {__version__}" in html
    # severity groups in order, each once
    assert html.index("Errors (1)") < html.index("Warnings (1)") < html.index("Info (1)")
    for code in ("PF205", "PF201", "PF403"):
        assert code in html
    assert "Deduplicate before splitting." in html
    assert "<code>pitfall explain PF205</code>" in html  # backticks in a fix become code
    # evidence: intervals on one line, NaN shown as n/a, long lists cut short
    assert "0.970 [0.940, 1.000] (95% CI)" in html
    assert "0.910 [0.880, n/a]" in html
    assert "(28 more)" in html
    # skipped with the reason, crashed with the error, timings with the total
    assert "PF204" in html and "needs --time" in html
    assert "ValueError: bad column" in html and "failed internally" in html
    assert "total 1.80 s" in html
    assert "duplicate-rows" in html  # PF101 ran and found nothing: listed as passed


def test_fragment_for_jupyter(built):
    frag = built._repr_html_()
    assert frag == render_html(built, fragment=True)
    assert frag.lstrip().startswith('<div class="pitfall-report')
    for tag in ("html", "head", "body", "!doctype", "meta"):
        assert not re.search(rf"<{tag}[\s>]", frag, flags=re.I), tag
    assert "<style>" in frag and "PF205" in frag and len(svgs(frag)) == 2
    assert EVIL not in frag
    assert_self_contained(frag)


def test_plots_present_well_formed_and_accessible(built):
    plots = svgs(built.to_html())
    assert len(plots) == 2
    scores, features = (ET.fromstring(p) for p in plots)
    for svg in (scores, features):
        assert svg.get("role") == "img"
        title = svg.find("title")
        assert title is not None and title.text
        texts = [t.text or "" for t in svg.iter("text")]
        assert "0.2" in texts and "0.8" in texts  # tick values
        assert any("on the test set" in t or "out-of-fold" in t for t in texts)  # axis label
    assert "Model vs baselines" in scores.find("title").text
    assert "Per-feature leakage scores" in features.find("title").text
    # one row group per baseline / feature, the malicious names as plain text
    assert len(scores.findall("g")) == 4
    assert len(features.findall("g")) == 8
    assert EVIL in [t.text for t in features.iter("text")]
    # the baseline the model does not beat is drawn in the warning colour
    rule = next(g for g in scores.findall("g") if g.find("title").text.startswith("rule:"))
    assert rule.find("circle").get("fill") == "#b45309"


def test_many_features_are_capped_and_counted():
    html = hand_built_report(n_features=45).to_html()
    features = ET.fromstring(svgs(html)[1])
    assert len(features.findall("g")) == 30
    assert "15 lower-scoring feature(s) not shown" in html


def test_no_plots_without_metrics(built):
    html = replace(built, metrics={}).to_html()
    assert "<svg" not in html
    only_scores = replace(built, metrics={"scores": built.metrics["scores"]}).to_html()
    assert len(svgs(only_scores)) == 1


def test_nan_and_none_in_metrics_render(built):
    metrics = {
        "scores": {
            "metric": "r2",
            "greater_is_better": True,
            "values": {
                "model": {"estimate": float("nan"), "low": None, "high": None},
                "mean": interval(-0.01),
                "rule: x": interval(-40.0, 5),
            },
            "model_minus_baseline": {"mean": {"estimate": None, "low": None, "high": None}},
        },
        "single_feature": {
            "metric": "r2",
            "model": {"estimate": None},
            "features": {"a": {"estimate": float("nan")}, "b": {"estimate": 0.3}, "c": {}},
            "top": {},
        },
    }
    html = replace(built, metrics=metrics).to_html()
    plots = svgs(html)
    assert len(plots) == 2
    for p in plots:
        ET.fromstring(p)
        assert not re.search(r'="[^"]*(nan|inf)', p, flags=re.I)  # no NaN coordinates
    assert "n/a" in plots[0]
    # R² below -1 is drawn at the clipped edge; the axis does not stretch to -40
    texts = [t.text for t in ET.fromstring(plots[0]).iter("text")]
    assert "-1" in texts and "-40" not in texts
    assert "-40.000 [-45.000, -35.000]" in texts


def test_clean_report_says_so():
    html = Report(inputs={"data": "all.csv", "target": "y"}).to_html()
    assert "No findings." in html and "all.csv" in html
    assert "<svg" not in html


def test_end_to_end_scan(scanned):
    html = scanned.to_html()
    assert_self_contained(html)
    assert "PF205" in html and "target-leakage" in html and "leak" in html
    assert EVIL not in html and EVIL_ESCAPED in html
    titles = [ET.fromstring(s).find("title").text for s in svgs(html)]
    assert titles[0].startswith("Model vs baselines") and titles[1].startswith("Per-feature leakage scores")
    frag = scanned._repr_html_()
    assert "<html" not in frag and "PF205" in frag


CHROMIUM = shutil.which("/usr/bin/chromium") or shutil.which("chromium")


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed")
def test_renders_in_headless_chromium(scanned, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(scanned.to_html(), encoding="utf-8")
    png = tmp_path / "report.png"
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--screenshot={png}",
        "--window-size=1200,2000",
        page.as_uri(),
    ]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1200, 2000)


def test_example_rows_become_a_table_with_test_train_pairs():
    from pitfall.findings import Finding, Severity

    examples = [
        {
            "test_row": 3,
            "train_row": 1200,
            "values": {EVIL: {"test": 1.5, "train": 1.25}, "id": {"test": 101163, "train": 101163}},
        },
        {"test_row": 7, "train_row": 12, "values": {EVIL: {"test": 2.0, "train": 2.0}}},
    ]
    report = Report(inputs={"data": "d.csv", "target": "y", "study": []})
    report.findings.append(
        Finding(
            code="PF202",
            name="near-duplicates",
            family="leakage",
            severity=Severity.ERROR,
            message="m",
            fix="f",
            evidence={"count": 2, "examples": examples},
        )
    )
    html = report.to_html()
    table = re.search(r'<table class="pf-examples">.*?</table>', html, flags=re.S).group(0)
    assert "2 of 2 example(s); pairs read test / train" in table
    assert EVIL_ESCAPED in table and EVIL not in html
    assert "<td>1.5 / 1.25</td>" in table and "<td>101163 / 101163</td>" in table and "<td>1200</td>" in table
    assert ">study<" not in html  # empty roles are not listed in the header


def test_flat_mappings_in_evidence_read_as_key_value_pairs():
    from pitfall.reporting.html import _format_value

    assert _format_value({"q05": 1.8055, "q50": 60.2897, "n": 11200}) == "q05 1.806, q50 60.29, n 11,200"
    assert _format_value([{"feature": "lead_time", "auc_drop": 0.17723}]) == "feature lead_time, auc_drop 0.1772"
    assert _format_value({"nested": {"a": 1}}) == '{"nested": {"a": 1}}'


def test_lists_read_as_text_not_as_python():
    from pitfall.reporting.html import _format_value

    assert _format_value([]) == "none"
    assert _format_value(["2026-05-25", "2026-06-01"]) == "2026-05-25, 2026-06-01"
    assert _format_value([[0, 0.70371], [1, 0.29629]]) == "0: 0.7037; 1: 0.2963"
    assert _format_value([[1, 2], [3]]) == "1, 2; 3"
    assert _format_value(list(range(15))).endswith("11 … (3 more)")


def _finding_with(evidence):
    from pitfall.findings import Finding, Severity

    report = Report(inputs={"data": "d.csv"})
    report.findings.append(
        Finding(
            code="PF405",
            name="miscalibrated",
            family="evaluation",
            severity=Severity.WARNING,
            message="m",
            fix="f",
            evidence=evidence,
        )
    )
    return report.to_html()


def test_lists_of_records_become_tables_and_long_evidence_starts_folded():
    bins = [{"confidence": 0.5 + i / 20, "accuracy": 0.5, "count": 100 + i, EVIL: 1} for i in range(4)]
    html = _finding_with({"ece": 0.1, "bins": bins})
    table = re.search(r'<table class="pf-records">.*?</table>', html, flags=re.S).group(0)
    assert "<th>confidence</th>" in table and "<td>0.65</td>" in table and "<td>103</td>" in table
    assert EVIL_ESCAPED in table and EVIL not in html
    assert "[confidence" not in html and "{&#34;" not in html
    assert re.search(r"<details open>\s*<summary>Evidence \(2 values\)", html)  # 2 + 4 table rows: short
    long = _finding_with({f"value_{i}": i for i in range(11)})
    assert re.search(r"<details>\s*<summary>Evidence \(11 values\)", long)  # long: folded
    assert "value_10" in long  # still in the page
