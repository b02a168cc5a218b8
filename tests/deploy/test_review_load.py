"""PF602 is a registered, documented check that only `pitfall thresholds` produces."""

import pandas as pd
import pytest

import pitfall
from pitfall.checks.base import Skip
from pitfall.checks.deployment.review_load import ReviewQueueOverload
from pitfall.checks.registry import CHECKS
from pitfall.findings import Severity


def test_documented_like_every_registered_check():
    docs = ReviewQueueOverload.docs()
    for section in ("## What it finds", "## Why it matters", "## How to fix", "## Example", "## Options"):
        assert section in docs
    assert all(f"`{name}`" in docs for name in ReviewQueueOverload().params())
    assert ReviewQueueOverload.__name__ == "".join(p.capitalize() for p in ReviewQueueOverload.name.split("-"))


REGISTERED = pytest.mark.skipif("PF602" not in CHECKS, reason="PF602 not in the registry yet (needs the README row)")


@REGISTERED
def test_registered_but_left_out_of_scan(clean_split):
    assert CHECKS["PF602"] is ReviewQueueOverload
    train, test = clean_split
    report = pitfall.scan(train, test, target="label", select=["PF6"], config=False)
    assert "PF602" not in report.timings and "PF602" not in report.skipped and not report.crashed


@REGISTERED
def test_drift_leaves_it_out():
    ref = pd.DataFrame({"a": range(50), "label": [0, 1] * 25})
    report = pitfall.drift(ref, ref, target="label", select=["PF602"], config=False)
    assert "PF602" not in report.skipped and "PF602" not in report.timings and not report.crashed
    assert ReviewQueueOverload.command() == "thresholds"
    with pytest.raises(Skip):
        ReviewQueueOverload().run(None)


def test_judge_levels():
    check = ReviewQueueOverload(max_review_share=0.3)
    assert check.judge(target=0.9, accept=0.8, human_share=0.3, n=100, best=None) == []
    (warn,) = check.judge(target=0.9, accept=0.8, human_share=0.31, n=100, best=None)
    assert warn.severity == Severity.WARNING and "310 per 1,000" in warn.message
    (err,) = check.judge(target=0.9, accept=None, human_share=1.0, n=100, best=None)
    assert err.severity == Severity.ERROR
