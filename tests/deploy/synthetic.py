"""Well-calibrated planted data: y ~ Bernoulli(sigmoid(X @ w)), so a logistic model is right about its confidence."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

W = np.array([2.0, -1.5, 1.0])


def logistic_frame(rng: np.random.Generator, n: int, w: np.ndarray = W) -> pd.DataFrame:
    X = rng.normal(size=(n, len(w)))
    y = (rng.random(n) < 1 / (1 + np.exp(-(X @ w)))).astype(int)
    return pd.DataFrame(X, columns=[f"x{i}" for i in range(len(w))]).assign(label=y)


def fitted_logistic(train: pd.DataFrame) -> LogisticRegression:
    return LogisticRegression().fit(train.drop(columns="label"), train["label"])


def three_labels(seed: int = 0, n: int = 3000, names=("a", "b", "c")) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = np.array(names, dtype=object)[np.argmax(2 * X + rng.gumbel(size=X.shape), axis=1)]
    return pd.DataFrame(X, columns=["x", "y", "z"]).assign(label=y)
