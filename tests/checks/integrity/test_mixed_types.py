"""PF105 mixed-types: placeholders in numbers, infinities, a type that changes between splits."""

import numpy as np
import pandas as pd
import pytest

import pitfall
from tests.checks.shapes import (
    CLEAN,
    categorical,
    clean_report,
    gaussian,
    loud,
    random_split,
    scan_data,
)


def _split():
    return random_split(gaussian(n=800))


def test_na_strings_in_a_numeric_column_fire():
    train, test = _split()
    redshift = np.round(np.random.default_rng(0).uniform(0, 2, 800), 4).astype(str).astype(object)
    redshift[::40] = "n/a"  # 20 placeholders
    both = pd.concat([train, test], ignore_index=True).assign(redshift=redshift)
    train, test = both.iloc[:600], both.iloc[600:]
    [finding] = scan_data(train, test, select="PF105").findings
    assert (finding.code, finding.severity.value, finding.columns) == (
        "PF105",
        "warning",
        ("redshift",),
    )
    assert finding.evidence["unparsable"] == 20
    assert finding.evidence["share_unparsable"] == pytest.approx(20 / 800)
    assert finding.evidence["placeholders"] == ["n/a"]


def test_question_marks_read_from_csv_fire(tmp_path):
    train, test = _split()
    train = train.astype({"x0": object})
    train.loc[:9, "x0"] = "?"  # pandas does not treat "?" as missing
    train.to_csv(tmp_path / "train.csv", index=False)
    test.to_csv(tmp_path / "test.csv", index=False)
    report = pitfall.scan(tmp_path / "train.csv", tmp_path / "test.csv", target="label", select="PF105", config=False)
    [finding] = report.findings
    assert finding.columns == ("x0",)
    assert "categorical in train but numeric in test" in finding.message  # only train has the "?"
    assert finding.evidence["examples"] == {"?": 10}


def test_infinite_values_are_counted():
    train, test = _split()
    train.loc[:2, "x1"] = np.inf
    test.loc[0, "x1"] = -np.inf
    [finding] = scan_data(train, test, select="PF105").findings
    assert finding.evidence == {"infinite": 4}
    assert finding.columns == ("x1",)


def test_numeric_in_train_but_text_in_test_fires():
    train, test = _split()
    test = test.astype({"x2": object})
    test.loc[3, "x2"] = "missing"
    [finding] = scan_data(train, test, select="PF105").findings
    assert finding.columns == ("x2",)
    assert "numeric in train but categorical in test" in finding.message
    assert finding.evidence["examples"] == {"missing": 1}


def test_numeric_labels_of_a_category_are_not_mixed_types():
    # UCI car data: doors is "2", "3", "4" or "5more" -- four levels of a category
    train, test = random_split(categorical())
    assert not scan_data(train, test, select="PF105").findings


def test_units_in_a_measurement_column_fire():
    train, test = _split()
    mass = np.round(np.random.default_rng(4).uniform(1, 90, 800), 2).astype(str).astype(object)
    mass[::50] = [f"{v}kg" for v in mass[::50]]
    both = pd.concat([train, test], ignore_index=True).assign(mass=mass)
    [finding] = scan_data(both.iloc[:600], both.iloc[600:], select="PF105").findings
    assert finding.evidence["unparsable"] == 16


@pytest.mark.parametrize("name", CLEAN)
def test_clean_data_is_silent(name):
    assert not loud(clean_report(name), "PF105")
