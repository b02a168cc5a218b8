"""PF204 temporal-leakage: test rows older than the newest training row."""

import numpy as np
import pandas as pd
import pytest

from pitfall.errors import InputError
from tests.checks.shapes import gaussian, random_split, scan_data


def _stamped(n: int = 1000, seed: int = 0) -> pd.DataFrame:
    df = gaussian(seed, n=n)
    start = pd.Timestamp("2019-01-01")
    df["visited"] = start + pd.to_timedelta(np.random.default_rng(seed).uniform(0, 5 * 365, n), unit="D")
    return df


def test_random_split_of_time_stamped_rows_fires():
    train, test = random_split(_stamped())
    [finding] = scan_data(train, test, select="PF204", time="visited").findings
    ev = finding.evidence
    assert ev["test_rows_older_than_train"] == int((test["visited"] < train["visited"].max()).sum())
    assert ev["train_rows_newer_than_test"] == int((train["visited"] > test["visited"].min()).sum())
    assert ev["share_of_test"] > 0.95
    assert finding.severity.value == "error"
    assert finding.columns == ("visited",)


def test_time_split_is_silent():
    df = _stamped()
    assert not scan_data(df, select="PF204", time="visited", split="time").findings
    ordered = df.sort_values("visited")
    assert not scan_data(ordered.iloc[:750], ordered.iloc[750:], select="PF204", time="visited").findings


def test_ties_at_the_boundary_are_allowed():
    df = gaussian(n=1000)
    df["day"] = np.repeat(pd.date_range("2024-01-01", periods=50, freq="D"), 20)
    train, test = df.iloc[:790], df.iloc[790:]  # day 40 is in both
    assert train["day"].max() == test["day"].min()
    assert not scan_data(train, test, select="PF204", time="day").findings


def test_a_few_old_rows_are_a_warning():
    ordered = _stamped(n=2000).sort_values("visited")
    train, test = ordered.iloc[:1500], ordered.iloc[1500:].copy()
    test.iloc[:5, test.columns.get_loc("visited")] = pd.Timestamp("2019-06-01")
    [finding] = scan_data(train, test, select="PF204", time="visited").findings
    assert finding.evidence["test_rows_older_than_train"] == 5
    assert finding.severity.value == "warning"


def test_iso_strings_with_time_zones_compare_with_naive_times():
    ordered = _stamped().sort_values("visited")
    train = ordered.iloc[:750]
    test = ordered.iloc[750:].assign(visited=lambda d: d["visited"].dt.strftime("%Y-%m-%dT%H:%M:%S+00:00"))
    assert not scan_data(train, test, select="PF204", time="visited").findings


def test_numbers_in_train_and_dates_in_test_are_a_clear_error():
    train, test = random_split(_stamped())
    train = train.assign(visited=train["visited"].dt.year)
    with pytest.raises(InputError, match="time column 'visited' holds numbers in train but dates in test"):
        scan_data(train, test, select="PF204", time="visited")
