"""The helpers users put in their own test suites, run by a real pytest in a subprocess."""

from __future__ import annotations

import pytest

from pitfall import scan
from pitfall.testing import assert_no_findings, assert_no_pitfalls, failure_message
from tests.conftest import clean_classification, split_frame

pytest_plugins = ["pytester"]


@pytest.fixture(scope="module")
def frames():
    train, test = split_frame(clean_classification(n=600, d=4, seed=5))
    leaky_train, leaky_test = train.copy(), test.copy()
    leaky_train["leak"], leaky_test["leak"] = leaky_train["label"] * 10, leaky_test["label"] * 10
    return train, test, leaky_train, leaky_test


def test_clean_data_passes_and_returns_the_report(frames):
    train, test, _, _ = frames
    report = assert_no_pitfalls(train, test, target="label", select=["PF2"], config=False)
    assert report.inputs["n_test"] == len(test)


def test_a_leak_fails_with_the_finding_and_its_fix(frames):
    _, _, train, test = frames
    with pytest.raises(AssertionError) as info:
        assert_no_pitfalls(train, test, target="label", select=["PF205"], config=False)
    text = str(info.value)
    assert "pitfall found 1 finding(s) at or above error:" in text
    assert "PF205 target-leakage" in text and "'leak'" in text and "fix:" in text


def test_ignored_codes_are_not_run_and_their_reasons_are_kept(frames):
    _, _, train, test = frames
    report = assert_no_pitfalls(
        train,
        test,
        target="label",
        select=["PF205", "PF103"],
        ignore={"PF205": "leak is the answer key"},
        config=False,
    )
    assert "PF205" not in report.codes()


def test_crashed_checks_fail_the_assertion(frames):
    train, test, _, _ = frames
    report = scan(train, test, target="label", select=["PF103"], config=False)
    assert failure_message(report) is None
    report.crashed["PF999"] = "ValueError: boom"
    with pytest.raises(AssertionError, match="cannot vouch for them:\n  PF999: ValueError: boom"):
        assert_no_findings(report)


def test_plugin_in_a_users_suite(pytester, frames):
    _, _, train, test = frames
    train.to_csv(pytester.path / "train.csv", index=False)
    test.to_csv(pytester.path / "test.csv", index=False)
    pytester.makepyfile(
        test_user="""
        import pytest
        from pitfall.testing import assert_no_findings

        @pytest.mark.pitfall
        def test_scan_is_clean(pitfall_scan):
            report = pitfall_scan("train.csv", "test.csv", target="label", select=["PF205"], config=False)
            assert_no_findings(report)

        def test_without_leak(pitfall_scan):
            report = pitfall_scan("train.csv", "test.csv", target="label", select=["PF205"], config=False,
                                  ignore=["PF205"])
            assert report.findings == []
        """
    )
    result = pytester.runpytest_subprocess(
        "-m", "pitfall or not pitfall", "--pitfall-reports", "reports", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*PF205 target-leakage*'leak'*", "*-- pitfall --*", "*error   PF205 target-leakage*"])
    reports = sorted(p.name for p in (pytester.path / "reports").iterdir())
    assert reports == ["test_user.py_test_scan_is_clean.html", "test_user.py_test_without_leak.html"]
    assert "PF205" in (pytester.path / "reports" / reports[0]).read_text()
