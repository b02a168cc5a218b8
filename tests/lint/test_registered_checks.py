"""PF207 and PF209 are registered checks that only `pitfall lint` runs."""

from __future__ import annotations

import pytest

import pitfall
from pitfall.checks.base import Skip
from pitfall.checks.registry import CHECKS, SPECS
from pitfall.cli.explain import _needs
from tests.conftest import clean_classification, split_frame


@pytest.mark.parametrize("code", ["PF207", "PF209"])
def test_lint_checks_are_registered_for_lint_only(code):
    cls = CHECKS[code]
    assert cls.command() == "lint" and cls.requires.lint
    assert _needs(SPECS[code]) == ["`pitfall lint`"]
    with pytest.raises(Skip, match="pitfall lint"):
        list(cls().run(None))


def test_scan_leaves_lint_checks_out():
    train, test = split_frame(clean_classification(n=400))
    report = pitfall.scan(train, test, target="label", select=["PF20"], config=False)
    ran = set(report.timings) | set(report.skipped) | set(report.crashed)
    assert "PF207" not in ran and "PF209" not in ran
    assert "PF201" in ran
