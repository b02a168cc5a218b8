"""PF101 duplicate-rows: copies within a split fire; chance agreement of discrete rows does not."""

import numpy as np
import pandas as pd
import pytest

from tests.checks.shapes import (
    CLEAN,
    clean_report,
    gaussian,
    loud,
    random_split,
    scan_data,
    sklearn_frame,
    survey,
)


def _with_copies(frame: pd.DataFrame, k: int, seed: int = 1) -> pd.DataFrame:
    rows = np.random.default_rng(seed).choice(len(frame), k, replace=False)
    return pd.concat([frame, frame.iloc[rows]], ignore_index=True)


def test_copies_within_train_are_counted():
    train, test = random_split(gaussian(n=2000))
    report = scan_data(_with_copies(train, 30), test, select="PF101")
    [finding] = report.findings
    assert (finding.code, finding.severity.value) == ("PF101", "warning")
    ev = finding.evidence
    assert ev["split"] == "train"
    assert ev["redundant_rows"] == 30
    assert ev["rows_involved"] == 60
    assert ev["expected_by_chance"] < 0.01
    assert ev["p_value"] < 1e-6


def test_copies_within_test_are_reported_for_test():
    train, test = random_split(gaussian(n=2000))
    report = scan_data(train, _with_copies(test, 7), select="PF101")
    [finding] = report.findings
    assert finding.evidence["split"] == "test"
    assert finding.evidence["redundant_rows"] == 7


def test_copies_with_new_identifiers_are_still_copies():
    train, test = random_split(gaussian(n=2000))
    copied = _with_copies(train, 12)
    copied.insert(0, "row_id", np.arange(len(copied)))  # a fresh id per row, as after a re-export
    report = scan_data(copied, test.assign(row_id=np.arange(len(test)) + len(copied)), select="PF101,PF104")
    assert {f.code for f in report.findings} == {"PF101", "PF104"}
    [dup] = [f for f in report.findings if f.code == "PF101"]
    assert dup.evidence["redundant_rows"] == 12


def test_identical_survey_answers_are_expected_by_chance():
    df = survey()
    features = df.drop(columns="label")
    assert features.duplicated().sum() > 10  # many respondents answer alike
    train, test = random_split(df)
    assert not loud(scan_data(train, test, select="PF101"))


def test_iris_duplicate_pair_is_plausible_by_chance():
    # Iris holds one repeated flower (rows 101 and 142: 5.8, 2.7, 5.1, 1.9). Its measurements are
    # rounded to a millimetre, take 22-43 values per column and are strongly correlated, so two
    # of 150 flowers agreeing is expected (about 0.8 chance partners for that row): not a copy.
    iris = sklearn_frame("iris")
    assert iris.drop(columns="label").duplicated(keep=False).sum() == 2
    report = scan_data(iris, iris.head(30), select="PF101")
    assert not [f for f in report.findings if f.evidence.get("split") == "train"]


@pytest.mark.parametrize("name", CLEAN)
def test_clean_data_is_silent(name):
    assert not loud(clean_report(name), "PF101")
