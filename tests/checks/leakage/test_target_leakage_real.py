"""PF205 on real tables: a near copy of the label is an error even when other features are strong.

Planted: a categorical column written after the outcome (the label with 0.5% of rows changed)
next to the strong genuine features of breast_cancer and wine, and a 3-level band of the
diabetes target (a regression leak that explains R² about 0.85 alone). Clean: the bundled
tables as they are, several splits.
"""

import numpy as np
import pandas as pd
import pytest

from tests.checks.evaluation.synthetic import loud, scan, split
from tests.checks.shapes import sklearn_frame


def _with_review(name, seed, flip=0.005):
    df = sklearn_frame(name)
    rng = np.random.default_rng(seed)
    y = df["label"].to_numpy()
    k = y.max() + 1
    other = (y + rng.integers(1, k, len(y))) % k
    df["review"] = [f"outcome_{v}" for v in np.where(rng.random(len(y)) < flip, other, y)]
    return df


@pytest.mark.parametrize("name", ["breast_cancer", "wine"])
@pytest.mark.parametrize("seed", [0, 1])
def test_a_near_copy_of_the_label_next_to_strong_features_is_an_error(name, seed):
    report = scan(*split(_with_review(name, seed), 0.25, seed), select="PF205", seed=seed)
    [finding] = [f for f in report.findings if f.columns == ("review",)]
    assert finding.severity.value == "error"
    fixed = finding.evidence["label_function"]["column_given_label"]
    assert fixed["high"] <= 0.25 and finding.evidence["determined_by_label"]
    assert "gain_over_rest" in finding.evidence and "nearly a function of the label" in finding.message


@pytest.mark.parametrize("seed", [0, 1])
def test_a_band_of_a_regression_target_is_an_error_not_a_baseline_note(seed):
    df = sklearn_frame("diabetes")
    df["band"] = pd.qcut(df["label"], 3, labels=["low", "mid", "high"]).astype(str)
    report = scan(*split(df, 0.25, seed), select="PF205", seed=seed)
    [finding] = loud(report, "PF205")
    assert (finding.severity.value, finding.columns) == ("error", ("band",))
    ev = finding.evidence
    assert ev["feature_score"]["estimate"] > 0.75  # R² of the band alone
    assert ev["rule_test_score"]["estimate"] > ev["rest_test_score"]["estimate"]


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer", "diabetes"])
def test_bundled_tables_give_no_loud_target_leakage(name):
    # another split than tests/checks/evaluation/test_real_data.py (digits: there and in
    # benchmarks/rates_verdicts.py, five splits)
    report = scan(*split(sklearn_frame(name), 0.25, 1), select="PF205", seed=1)
    assert loud(report, "PF205") == [], [f.message for f in loud(report, "PF205")]
