"""Shared fixtures: small generated data sets with and without planted pitfalls."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def clean_classification(n: int = 2000, d: int = 6, seed: int = 0, *, imbalance: float | None = None) -> pd.DataFrame:
    """Independent rows, a label that depends on two features with noise: nothing to find."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    logit = 1.2 * X[:, 0] - 0.8 * X[:, 1]
    if imbalance is not None:
        shift = np.quantile(logit, 1 - imbalance)
        logit = logit - shift
    y = (logit + rng.logistic(size=n) > 0).astype(int)
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(d)])
    df["label"] = y
    return df


def split_frame(df: pd.DataFrame, test_share: float = 0.25, seed: int = 0):
    idx = np.random.default_rng(seed).permutation(len(df))
    cut = int(len(df) * (1 - test_share))
    return df.iloc[idx[:cut]].reset_index(drop=True), df.iloc[idx[cut:]].reset_index(drop=True)


@pytest.fixture
def clean_split():
    return split_frame(clean_classification())
