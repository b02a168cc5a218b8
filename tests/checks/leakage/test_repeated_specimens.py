"""Repeated measurements of one specimen without an identifier, split by row (PF202, PF203).

Each specimen of a real table is measured several times with noise of a few percent of each
column's spread; the rows are then split at random, so most test specimens were also measured
in train.
"""

import numpy as np
import pandas as pd
import pytest

from tests.checks.evaluation.synthetic import scan
from tests.checks.shapes import random_split, sklearn_frame


def repeated(name, per=4, noise=0.03, seed=0, keep=()):
    df = sklearn_frame(name)
    rng = np.random.default_rng(seed)
    cols = [c for c in df.columns if c != "label" and c not in keep]
    rep = df.loc[df.index.repeat(per)].reset_index(drop=True)
    rep[cols] = rep[cols] + rng.normal(size=(len(rep), len(cols))) * (noise * df[cols].std().to_numpy())
    return rep


def _codes(report, code):
    return [f for f in report.findings if f.code == code]


def test_a_whole_number_measurement_is_never_proposed_as_the_group_key():
    # wine's proline and magnesium are integers; copied unchanged with their specimen they are
    # constant within each cluster, but they are measurements, not keys
    train, test = random_split(repeated("wine", keep=("proline", "magnesium")), seed=0)
    report = scan(train, test, select="PF202,PF203")
    [pf203] = _codes(report, "PF203")
    assert pf203.evidence["group_key_candidates"] == []
    assert "--group" not in pf203.message


def test_an_arbitrary_integer_code_is_still_proposed():
    df = repeated("wine", keep=("proline", "magnesium"))
    df["specimen"] = np.repeat(np.random.default_rng(1).permutation(len(df) // 4) + 1000, 4)
    train, test = random_split(df, seed=0)
    [pf203] = _codes(scan(train, test, select="PF203"), "PF203")
    assert pf203.evidence["group_key_candidates"][:1] == ["specimen"]


@pytest.mark.parametrize(("name", "noise"), [("wine", 0.03), ("breast_cancer", 0.05), ("diabetes", 0.05)])
def test_specimens_measured_four_times_are_found_by_pf202_and_pf203(name, noise):
    seed = int(noise * 100)
    train, test = random_split(repeated(name, noise=noise, seed=seed), seed=seed)
    report = scan(train, test, select="PF202,PF203", seed=seed)
    [pf202] = _codes(report, "PF202")
    [pf203] = _codes(report, "PF203")
    assert pf202.severity.value == "error"
    assert pf203.severity.value == "warning"


def panel(name, years=5, noise=0.3, seed=0):
    """Each row of a real table is a firm observed over ``years`` years with 30% noise: not
    near copies, but the same firms on both sides of a random split."""
    df = sklearn_frame(name)
    rng = np.random.default_rng(seed)
    cols = [c for c in df.columns if c != "label"]
    rep = df.loc[df.index.repeat(years)].reset_index(drop=True)
    rep[cols] = rep[cols] + rng.normal(size=(len(rep), len(cols))) * (noise * df[cols].std().to_numpy())
    rep["firm"] = np.repeat([f"F{i:04d}" for i in rng.permutation(len(df))], years)
    rep["year"] = np.tile(np.arange(2015, 2015 + years), len(df))
    return rep


@pytest.mark.parametrize("seed", [1])
def test_a_firm_column_across_years_is_suggested_as_the_group(seed):
    train, test = random_split(panel("diabetes", seed=seed), seed=seed)
    [pf203] = _codes(scan(train, test, select="PF203", seed=seed), "PF203")
    assert pf203.evidence["method"] == "group key" and pf203.columns == ("firm",)
    assert "--group firm" in pf203.message
    assert pf203.evidence["drop"]["low"] > 0


@pytest.mark.parametrize("name", ["diabetes"])
def test_a_split_by_firm_is_silent(name):
    df = panel(name)
    firms = df["firm"].unique()
    held = set(np.random.default_rng(0).choice(firms, len(firms) // 4, replace=False))
    train, test = df[~df["firm"].isin(held)], df[df["firm"].isin(held)]
    assert _codes(scan(train, test, select="PF202,PF203"), "PF203") == []


def test_a_repeated_code_that_does_not_change_the_score_is_not_suggested():
    # a batch code assigned at random: rows of one batch share nothing else
    df = sklearn_frame("wine")
    df["batch"] = [f"B{i:03d}" for i in np.random.default_rng(0).integers(0, 60, len(df))]
    train, test = random_split(df, seed=0)
    assert _codes(scan(train, test, select="PF203"), "PF203") == []


def dated(drift: bool, seed: int = 0):
    """diabetes with an observation date over ten years; with ``drift`` the target follows a
    three-year cycle of the date, which neighbouring dates reveal and a later period does not."""
    df = sklearn_frame("diabetes")
    rng = np.random.default_rng(seed)
    days = np.sort(rng.integers(0, 3650, len(df)))
    df["date"] = pd.Timestamp("2010-01-01") + pd.to_timedelta(rng.permutation(days), unit="D")
    if drift:
        years = (df["date"] - pd.Timestamp("2010-01-01")).dt.days / 365.25
        df["label"] = df["label"] + 80 * np.sin(2 * np.pi * years / 3)
    return df


def test_a_date_along_which_the_split_is_random_is_suggested_as_time():
    train, test = random_split(dated(drift=True), seed=0)
    [pf203] = _codes(scan(train, test, select="PF203"), "PF203")
    assert pf203.evidence["method"] == "time key" and pf203.columns == ("date",)
    assert "--time date" in pf203.message and pf203.evidence["drop"]["low"] > 0


def test_a_date_that_does_not_change_the_score_is_not_suggested():
    train, test = random_split(dated(drift=False), seed=0)
    assert _codes(scan(train, test, select="PF203"), "PF203") == []
