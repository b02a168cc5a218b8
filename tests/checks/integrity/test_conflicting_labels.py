"""PF102 conflicting-labels: copied rows with a different label fire; chance agreement does not."""

import numpy as np
import pandas as pd
import pytest

from tests.checks.shapes import CLEAN, clean_report, gaussian, loud, random_split, scan_data, survey


def _copies(train: pd.DataFrame, k: int, *, flip: bool) -> pd.DataFrame:
    rows = train.iloc[np.random.default_rng(3).choice(len(train), k, replace=False)].copy()
    if flip:
        rows["label"] = 1 - rows["label"]
    return pd.concat([train, rows], ignore_index=True)


def test_copies_with_flipped_labels_fire():
    train, test = random_split(gaussian(n=2000))
    report = scan_data(_copies(train, 20, flip=True), test, select="PF102")
    [finding] = report.findings
    assert (finding.code, finding.severity.value) == ("PF102", "warning")
    assert finding.evidence["groups"] == 20
    assert finding.evidence["rows"] == 40
    assert finding.evidence["p_value"] < 1e-6
    assert finding.columns == ("label",)


def test_copies_with_the_same_label_do_not_conflict():
    train, test = random_split(gaussian(n=2000))
    assert not scan_data(_copies(train, 20, flip=False), test, select="PF102").findings


def test_identical_survey_answers_with_different_labels_are_not_reported():
    df = survey()
    features = list(df.columns.drop("label"))
    groups = df.groupby(features)["label"].nunique()
    assert (groups > 1).sum() >= 1  # the same answers with both labels do occur
    train, test = random_split(df)
    assert not scan_data(train, test, select="PF102").findings


@pytest.mark.parametrize("name", CLEAN)
def test_clean_data_is_silent(name):
    assert not loud(clean_report(name), "PF102")
