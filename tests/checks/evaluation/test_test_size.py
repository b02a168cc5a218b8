"""PF403 small-test-set: the score's interval against the precision it will be quoted with."""

import math

import pytest

from tests.checks.evaluation.synthetic import binary, regression, scan


def _pf403(report):
    return [f for f in report.findings if f.code == "PF403"]


def test_a_sixty_row_test_set_is_too_small_for_a_stated_claim():
    train, test = binary(1500), binary(60, seed=1)
    [finding] = _pf403(scan(train, test, select="PF403", claimed_precision=0.05))
    ev = finding.evidence
    assert finding.severity.value == "warning" and ev["claim_stated"]
    assert ev["n_test"] == 60
    assert ev["half_width"] > 0.05 == ev["claimed_precision"]
    assert ev["half_width"] == pytest.approx((ev["score"]["high"] - ev["score"]["low"]) / 2)
    assert ev["n_test_needed"] == math.ceil(60 * (ev["half_width"] / 0.05) ** 2)
    assert ev["n_test_needed"] > 60


def test_without_a_stated_claim_the_supported_precision_is_one_info_note():
    train, test = binary(1500), binary(60, seed=1)
    [finding] = _pf403(scan(train, test, select="PF403"))
    assert finding.severity.value == "info" and not finding.evidence["claim_stated"]
    assert "precise to ±" in finding.message and "test rows would" not in finding.message


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer", "diabetes"])
def test_small_real_test_sets_are_at_most_info_without_a_claim(name):
    from tests.checks.evaluation.synthetic import split
    from tests.checks.shapes import sklearn_frame

    for seed in (0, 1):
        report = scan(*split(sklearn_frame(name), 0.25, seed), select="PF403", seed=seed)
        assert all(f.severity.value == "info" for f in _pf403(report))


def test_a_large_test_set_is_silent():
    train, test = binary(1000), binary(4000, seed=1)
    assert _pf403(scan(train, test, select="PF403")) == []


def test_a_looser_claimed_precision_is_silent():
    train, test = binary(1500), binary(60, seed=1)
    assert _pf403(scan(train, test, select="PF403", claimed_precision=0.25)) == []


def test_errors_in_target_units_get_a_relative_precision():
    train, test = regression(1000), regression(80, seed=1)
    [finding] = _pf403(scan(train, test, select="PF403", metric="mae", claimed_precision=0.05))
    ev = finding.evidence
    assert ev["claimed_half_width"] == pytest.approx(0.05 * ev["score"]["estimate"])
    assert ev["half_width"] > ev["claimed_half_width"]
    assert "±5%" in finding.message
