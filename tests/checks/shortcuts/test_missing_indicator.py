"""PF301: a column whose missingness alone predicts the label is named, at least as a warning.

Planted: a measurement taken only when the outcome was suspected (missing in 80% of one class
and 10% of the other) on real tables; clean: the same column missing completely at random.
"""

import numpy as np
import pandas as pd
import pytest

from tests.checks.evaluation.synthetic import loud, scan, split
from tests.checks.shapes import sklearn_frame


def table(name: str) -> pd.DataFrame:
    df = sklearn_frame(name)
    if name == "wine":  # the first cultivar against the other two
        df["label"] = (df["label"] == 0).astype(int)
    if name == "diabetes":  # regression: progression above the median
        df["label"] = (df["label"] > df["label"].median()).astype(int)
    return df


def with_missing(df: pd.DataFrame, col: str, seed: int, planted: bool) -> pd.DataFrame:
    rng = np.random.default_rng([seed, 3])
    y = df["label"].to_numpy()
    rate = np.where(y == y.max(), 0.1, 0.8) if planted else np.full(len(df), 0.3)
    out = df.copy()
    out.loc[rng.random(len(df)) < rate, col] = np.nan
    return out


CASES = [("breast_cancer", "mean area", 0), ("wine", "magnesium", 1), ("diabetes", "bmi", 2)]


@pytest.mark.parametrize(("name", "col", "seed"), CASES)
def test_missingness_that_encodes_the_label_is_a_warning_naming_the_column(name, col, seed):
    df = with_missing(table(name), col, seed, planted=True)
    found = [f for f in loud(scan(*split(df, seed=seed), select="PF301", seed=seed), "PF301") if f.columns == (col,)]
    [finding] = found
    assert finding.severity.value == "warning" and finding.evidence["column"] == col
    assert finding.evidence["indicator_minus_dummy"]["low"] > 0
    rates = finding.evidence["missing_by_class"]
    assert max(rates.values()) > 0.6 and min(rates.values()) < 0.2


@pytest.mark.parametrize(("name", "col", "seed"), CASES)
def test_missing_completely_at_random_is_silent(name, col, seed):
    df = with_missing(table(name), col, seed, planted=False)
    report = scan(*split(df, seed=seed), select="PF301", seed=seed)
    assert loud(report, "PF301") == []
    assert col in report.metrics["missing_indicators"]
