"""PF203 group-leakage: declared groups on both sides are counted; inferred ones name their key."""

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GroupShuffleSplit

from tests.checks.shapes import CLEAN, clean_report, loud, random_split, scan_data, views


def _grouped(n_groups: int = 100, per: int = 5, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.normal(size=(n_groups * per, 4)), columns=["a", "b", "c", "d"])
    df["patient"] = np.repeat([f"P{i:03d}" for i in range(n_groups)], per)
    df["label"] = rng.integers(0, 2, len(df))
    return df


def test_declared_groups_in_both_splits_are_counted():
    df = _grouped()
    group = df["patient"].str[1:].astype(int)
    visit = df.groupby("patient").cumcount()
    in_test = (group >= 80) | ((group < 12) & (visit < 2))  # 12 patients leak 2 visits each
    train, test = df[~in_test], df[in_test]
    [finding] = scan_data(train, test, select="PF203", group="patient").findings
    ev = finding.evidence
    assert ev["shared_groups"] == 12
    assert ev["test_rows_in_shared_groups"] == 24
    assert ev["test_groups"] == 32
    assert ev["share_of_test"] == pytest.approx(24 / 124)
    assert finding.severity.value == "error"  # 19% of test > 8.8% score noise
    assert finding.columns == ("patient",)


def test_one_shared_group_in_a_large_test_set_is_a_warning():
    df = _grouped(n_groups=400)
    group = df["patient"].str[1:].astype(int)
    in_test = (group >= 300) | ((group == 0) & (df.groupby("patient").cumcount() == 0))
    [finding] = scan_data(df[~in_test], df[in_test], select="PF203", group="patient").findings
    assert finding.severity.value == "warning"
    assert finding.evidence["shared_groups"] == 1


def test_group_split_is_silent():
    df = _grouped()
    train_idx, test_idx = next(GroupShuffleSplit(test_size=0.25, random_state=0).split(df, groups=df["patient"]))
    assert not scan_data(df.iloc[train_idx], df.iloc[test_idx], select="PF203", group="patient").findings


def test_inferred_groups_name_the_key_column():
    train, test = random_split(views(noise=0.01))  # galaxy_id is a feature here, not declared
    [finding] = scan_data(train, test, select="PF203").findings
    ev = finding.evidence
    assert ev["inferred"] is True
    assert ev["group_key_candidates"][0] == "galaxy_id"
    assert "--group galaxy_id" in finding.message
    assert finding.severity.value == "warning"
    assert ev["median_cluster_size"] >= 3


def test_an_attribute_shared_by_many_objects_is_not_a_key():
    df = views(noise=0.01)
    objects = df["galaxy_id"].str[1:].astype(int)
    df["field"] = "F" + (objects % 20).astype(str)  # one of 20 survey fields per galaxy
    train, test = random_split(df)
    [finding] = scan_data(train, test, select="PF203").findings
    assert finding.evidence["group_key_candidates"] == ["galaxy_id"]


def test_inferred_groups_without_a_key_column():
    train, test = random_split(views(noise=0.01).drop(columns="galaxy_id"))
    [finding] = scan_data(train, test, select="PF203").findings
    assert finding.evidence["group_key_candidates"] == []
    assert finding.evidence["clusters_straddling"] > 100


def test_copied_pairs_without_a_key_are_left_to_pf201():
    train, test = random_split(views(noise=0.0, per=2, d=6).drop(columns="galaxy_id"))
    report = scan_data(train, test, select="PF201,PF203")
    assert [f.code for f in report.findings] == ["PF201"]


@pytest.mark.parametrize("name", CLEAN)
def test_clean_data_is_silent(name):
    assert not loud(clean_report(name), "PF203")
