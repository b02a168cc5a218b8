"""The report's plots measured in real headless Chromium: no text runs past its SVG's edge (the browser's own
font metrics, not the layout's estimate), and no slice or feature label is cut short."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pitfall.report import Report

from .test_model_plots import calibration, interval, seeds

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e .[dev])")
from selenium.webdriver.chrome.service import Service  # noqa: E402

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
LONG = "telescope_site_name_with_a_long_warehouse_suffix"

# For every <text> in every SVG: its left and right edges and the SVG's width, in screen pixels as drawn
# (rotated labels included); a text box that leaves its SVG's box is clipped on the page.
MEASURE = """
return Array.from(document.querySelectorAll('svg')).flatMap(function (svg) {
  var s = svg.getBoundingClientRect();
  return Array.from(svg.querySelectorAll('text')).map(function (t) {
    var r = t.getBoundingClientRect();
    return [t.textContent, r.left - s.left, r.right - s.left, s.width];
  });
});
"""


@pytest.fixture
def browser():
    if not all(Path(p).exists() and shutil.which(p) for p in (CHROMIUM, CHROMEDRIVER)):
        pytest.skip("needs Debian's chromium and chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def test_no_plot_text_is_clipped_or_cut(browser, tmp_path):
    slices = {
        "metric": "accuracy",
        "overall": interval(0.8, 0.77, 0.83),
        "slices": [
            {
                "column": LONG,
                "slice": "Mauna Kea, Hawaii (summit)",
                "n": 328,
                "score": interval(0.6, 0.5, 0.7),
                "p_adjusted": 0.01,
                "flagged": True,
            },
            {"column": "f1", "slice": "≤ -0.697", "n": 218, "score": interval(0.7, 0.6, 0.8), "flagged": False},
        ],
    }
    cal = {
        **calibration(),
        "null_ece_95": 0.0333333,
        "ensemble": {"members": 12, "ece": 0.0334, "share_members_disagree": 0.19412},
    }
    report = Report(inputs={"data": "d.csv", "target": "y"})
    report.metrics = {"calibration": cal, "slices": slices, "seeds": {**seeds(), "flip_any": 0.19444}}
    page = tmp_path / "report.html"
    page.write_text(report.to_html(), encoding="utf-8")
    browser.get(page.as_uri())
    texts = browser.execute_script(MEASURE)
    assert len(texts) > 40
    clipped = [(t, round(left), round(right), w) for t, left, right, w in texts if left < -0.5 or right > w + 0.5]
    assert not clipped
    shown = " ".join(t for t, *_ in texts)
    assert "…" not in shown  # nothing cut short
    assert LONG in shown.replace(" ", "") and "Mauna Kea, Hawaii (summit) (n=328)" in shown
    assert "95% of calibrated models: ≤ 0.033" in shown and "rows flipping in any refit 19.4%" in shown
    browser.save_screenshot(str(tmp_path / "plots.png"))
