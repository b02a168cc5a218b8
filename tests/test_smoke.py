"""End-to-end: a clean split gives no errors; the API returns a Report."""

import pitfall

from .conftest import clean_classification, split_frame


def test_clean_split_has_no_errors_or_warnings():
    train, test = split_frame(clean_classification())
    report = pitfall.scan(train, test, target="label", config=False)
    assert not report.crashed
    assert [f.code for f in report.findings if f.severity.value != "info"] == []
    assert report.metrics["scores"]["values"]["model"]["estimate"] > 0.6
