"""PF201 train-test-duplicates: copied rows fire with their count; chance agreement does not."""

import numpy as np
import pandas as pd
import pytest

from tests.checks.shapes import (
    CLEAN,
    categorical,
    clean_report,
    gaussian,
    loud,
    random_split,
    scan_data,
    survey,
)


def _plant(train: pd.DataFrame, test: pd.DataFrame, k: int, n_test: int, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    copies = train.iloc[rng.choice(len(train), k, replace=False)]
    return pd.concat([test.iloc[: n_test - k], copies], ignore_index=True).sample(frac=1, random_state=seed)


def test_forty_copies_in_four_hundred_test_rows():
    train, test = random_split(gaussian(n=2000))
    report = scan_data(train, _plant(train, test, 40, 400), select="PF201")
    [finding] = report.findings
    assert (finding.code, finding.severity.value) == ("PF201", "error")
    ev = finding.evidence
    assert ev["count"] == 40
    assert ev["share_of_test"] == pytest.approx(0.1)
    assert ev["score_noise_half_width"] == pytest.approx(1.96 * np.sqrt(0.25 / 400))
    assert ev["expected_by_chance"] < 0.01
    assert len(ev["examples"]) == 5


def test_examples_point_at_identical_rows():
    train, test = random_split(gaussian(n=2000))
    test = _plant(train, test, 10, 300).reset_index(drop=True)
    [finding] = scan_data(train, test, select="PF201").findings
    features = [f"x{j}" for j in range(5)]
    for ex in finding.evidence["examples"]:
        assert train.loc[ex["train_row"], features].equals(test.loc[ex["test_row"], features])


def test_a_few_copies_are_a_warning():
    train, test = random_split(gaussian(n=2000))
    [finding] = scan_data(train, _plant(train, test, 3, 500), select="PF201").findings
    assert finding.severity.value == "warning"  # 0.6% of test is below the score noise (4.4%)
    assert finding.evidence["count"] == 3


def test_copies_with_new_identifiers_are_found():
    train, test = random_split(gaussian(n=2000))
    test = _plant(train, test, 25, 400)
    train = train.assign(obs_id=[f"A{i:06d}" for i in range(len(train))])
    test = test.assign(obs_id=[f"B{i:06d}" for i in range(len(test))])
    [finding] = scan_data(train, test, select="PF201").findings
    assert finding.evidence["count"] == 25


def test_common_survey_answers_in_both_splits_are_chance():
    train, test = random_split(survey())
    report = scan_data(train, test, select="PF201")
    assert not report.findings
    # the split does share identical rows, they just are not improbable
    keys = list(train.columns.drop("label"))
    assert len(test.merge(train[keys].drop_duplicates(), on=keys)) > 0


def test_categorical_rows_repeat_by_chance():
    train, test = random_split(categorical())  # 1,728 draws from 1,728 combinations
    assert not scan_data(train, test, select="PF201").findings


@pytest.mark.parametrize("name", CLEAN)
def test_clean_data_is_silent(name):
    assert not loud(clean_report(name), "PF201")
