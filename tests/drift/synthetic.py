"""Generated reference/current data for the drift tests."""

from __future__ import annotations

import numpy as np
import pandas as pd


def frame(n: int, d: int = 5, seed: int = 0, *, shift: float = 0.0, days: float | None = None) -> pd.DataFrame:
    """``d`` standard-normal features, a categorical ``c`` and a binary ``label`` from x0 and x1;
    ``shift`` moves x0 (in sd units); ``days`` adds a time column ``t`` spread over that many days."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.normal(size=(n, d)), columns=[f"x{j}" for j in range(d)])
    df["x0"] += shift
    df["c"] = rng.choice(["a", "b", "c", "d"], size=n, p=[0.4, 0.3, 0.2, 0.1])
    logit = 1.5 * (df["x0"] - shift) - df["x1"]
    df["label"] = (logit + rng.logistic(size=n) > 0).astype(int)
    if days is not None:
        df["t"] = pd.Timestamp("2026-03-02") + pd.to_timedelta(np.sort(rng.uniform(0, days, n)), unit="D")
    return df


def features(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c not in ("label", "t")]
