"""PF103 constant-column: empty and constant columns; constants a random split cannot explain."""

import numpy as np
import pytest
from scipy import stats

from pitfall.checks.integrity.constant_columns import all_in_test_p
from tests.checks.shapes import CLEAN, clean_report, gaussian, loud, random_split, scan_data


def _split():
    return random_split(gaussian(n=800))


def test_empty_column_is_a_warning():
    train, test = _split()
    train["redshift"] = np.nan
    test["redshift"] = np.nan
    [finding] = scan_data(train, test, select="PF103").findings
    assert finding.severity.value == "warning"
    assert finding.evidence["columns"] == ["redshift"]


def test_constant_column_is_info_with_its_value():
    train, test = _split()
    train["telescope"] = "VLT"
    test["telescope"] = "VLT"
    [finding] = scan_data(train, test, select="PF103").findings
    assert finding.severity.value == "info"
    assert finding.evidence["values"] == {"telescope": "VLT"}
    assert "'telescope'='VLT'" in finding.message


def test_constant_in_train_but_varied_in_test_is_a_warning():
    train, test = _split()
    train["telescope"] = "VLT"
    test["telescope"] = np.where(np.arange(len(test)) % 3 == 0, "Keck", "VLT")  # a filter kept VLT only
    [finding] = scan_data(train, test, select="PF103").findings
    assert finding.severity.value == "warning"
    assert finding.evidence["vary_in_test"] == ["telescope"]
    assert finding.evidence["test_rows_with_other_values"] == {"telescope": int((test["telescope"] == "Keck").sum())}


def test_one_rare_value_that_landed_in_test_stays_info():
    train, test = _split()
    train["flag"] = 0
    test["flag"] = 0
    test.loc[5, "flag"] = 1  # one of 800 rows differs; 25% chance it falls into test
    [finding] = scan_data(train, test, select="PF103").findings
    assert finding.severity.value == "info"
    assert finding.evidence["vary_in_test"] == []


def test_chance_of_all_differing_rows_landing_in_test_is_hypergeometric():
    for n_train, n_test, k in [(600, 200, 1), (600, 200, 5), (90, 10, 3)]:
        expected = stats.hypergeom(n_train + n_test, k, n_test).pmf(k)
        assert all_in_test_p(n_train, n_test, k) == pytest.approx(expected)


def test_missing_values_are_not_a_second_value():
    train, test = _split()
    train["note"] = np.where(np.arange(len(train)) % 2 == 0, "ok", None)
    test["note"] = "ok"
    [finding] = scan_data(train, test, select="PF103").findings
    assert finding.evidence["columns"] == ["note"]


@pytest.mark.parametrize("name", CLEAN)
def test_clean_data_is_silent(name):
    assert not loud(clean_report(name), "PF103")
