"""PF302 on real tables: predicted classes that turn a 72/28 colour-class link into near-certainty.

A `colour` column is added that agrees with the label in 72% of rows. On randhie (did the
person see a doctor; the columns predict it weakly) pitfall's default model leans on colour and
predicts by it almost alone: its predicted classes tie colour to the label far more than the
labels do. On breast_cancer the columns predict the label almost perfectly; the model barely
needs colour and its predicted classes follow the labels.
"""

import numpy as np
import pandas as pd
import pytest

from tests.checks.evaluation.synthetic import loud, scan, split
from tests.checks.shapes import sklearn_frame


def with_colour(df: pd.DataFrame, seed: int, agree: float = 0.72) -> pd.DataFrame:
    rng = np.random.default_rng([seed, 302])
    y = df["label"].to_numpy()
    blue = rng.random(len(df)) < np.where(y == y.max(), agree, 1 - agree)
    return df.assign(colour=np.where(blue, "blue", "red"))


def randhie(seed: int, n: int = 5000) -> pd.DataFrame:
    from statsmodels.datasets import randhie as data

    df = data.load_pandas().data.sample(n, random_state=seed).reset_index(drop=True)
    df["label"] = (df.pop("mdvis") > 0).astype(int)
    return df


@pytest.mark.parametrize("seed", [0, 1])
def test_a_model_whose_predicted_classes_harden_a_72_28_link_is_a_warning(seed):
    df = with_colour(randhie(seed), seed)
    [finding] = loud(scan(*split(df, seed=seed), select="PF302", study="colour", seed=seed), "PF302")
    ev = finding.evidence
    assert ev["hardened"] and ev["hard_amplification"]["low"] > 0
    assert ev["hard_prediction_association"]["estimate"] > 2 * ev["label_association"]["estimate"]


@pytest.mark.parametrize("seed", [0, 1])
def test_a_model_that_predicts_from_its_real_features_is_not_warned(seed):
    df = with_colour(sklearn_frame("breast_cancer"), seed)
    report = scan(*split(df, seed=seed), select="PF302", study="colour", seed=seed)
    assert loud(report, "PF302") == []
