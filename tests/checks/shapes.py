"""Clean data sets of several shapes, for the data checks' silence tests and false-alarm rates.

Each generator draws independent rows (no copies, no groups, no time order) and returns a frame
with a ``label`` column. Anything a data check reports on them is a false alarm.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np
import pandas as pd


def _label(score: np.ndarray, rng: np.random.Generator, positives: float | None = None) -> np.ndarray:
    score = (score - score.mean()) / (score.std() + 1e-12)
    noisy = score + rng.logistic(size=len(score))
    cut = np.quantile(noisy, 1 - positives) if positives is not None else 0.0
    return (noisy > cut).astype(int)


def gaussian(seed: int = 0, n: int = 2000, d: int = 5) -> pd.DataFrame:
    """Independent standard normal features."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(d)])
    df["label"] = _label(X[:, 0] - X[:, 1], rng)
    return df


def low_dimensional(seed: int = 0, n: int = 20_000) -> pd.DataFrame:
    """Two continuous features and many rows: close neighbours are expected by chance."""
    return gaussian(seed, n=n, d=2)


def survey(seed: int = 0, n: int = 3000, items: int = 15) -> pd.DataFrame:
    """Likert answers 1-5 driven by one latent attitude: many respondents answer alike."""
    rng = np.random.default_rng(seed)
    attitude = rng.normal(size=(n, 1))
    raw = 0.8 * attitude + 0.6 * rng.normal(size=(n, items))
    cuts = np.array([-1.5, -0.5, 0.5, 1.5])
    answers = 1 + np.searchsorted(cuts, raw)
    df = pd.DataFrame(answers, columns=[f"q{j + 1}" for j in range(items)])
    df["label"] = _label(attitude[:, 0], rng)
    return df


def categorical(seed: int = 0, n: int = 1728) -> pd.DataFrame:
    """Six categorical columns of 3-4 levels, like the UCI car data (4*4*4*3*3*3 = 1728 cells)."""
    rng = np.random.default_rng(seed)
    levels = {
        "buying": ["vhigh", "high", "med", "low"],
        "maint": ["vhigh", "high", "med", "low"],
        "doors": ["2", "3", "4", "5more"],
        "persons": ["2", "4", "more"],
        "lug_boot": ["small", "med", "big"],
        "safety": ["low", "med", "high"],
    }
    df = pd.DataFrame({c: rng.choice(v, size=n) for c, v in levels.items()})
    score = (df["safety"] != "low").astype(float) + (df["persons"] != "2") - (df["buying"] == "vhigh")
    df["label"] = _label(score.to_numpy(dtype=float), rng)
    return df


def one_hot(seed: int = 0, n: int = 1728) -> pd.DataFrame:
    """The categorical shape one-hot encoded into 0/1 columns."""
    df = categorical(seed, n)
    encoded = pd.get_dummies(df.drop(columns="label"), dtype=int)
    encoded["label"] = df["label"]
    return encoded


def counts(seed: int = 0, n: int = 2000) -> pd.DataFrame:
    """Integer event counts (Poisson, means 0.5 to 8)."""
    rng = np.random.default_rng(seed)
    means = np.array([0.5, 1.0, 2.0, 4.0, 8.0])
    X = rng.poisson(means, size=(n, len(means)))
    df = pd.DataFrame(X, columns=[f"n{j}" for j in range(len(means))])
    df["label"] = _label(X[:, 2] - X[:, 3] / 2, rng)
    return df


def imbalanced(seed: int = 0, n: int = 2000, d: int = 5) -> pd.DataFrame:
    """Gaussian features, 2% positive labels."""
    df = gaussian(seed, n=n, d=d)
    rng = np.random.default_rng(seed + 1)
    df["label"] = _label(df["x0"].to_numpy() - df["x1"].to_numpy(), rng, positives=0.02)
    return df


def correlated(seed: int = 0, n: int = 2000, d: int = 6) -> pd.DataFrame:
    """Features that share one latent variable (pairwise correlation about 0.9)."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(n, 1))
    X = 0.95 * latent + 0.31 * rng.normal(size=(n, d))
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(d)])
    df["label"] = _label(latent[:, 0], rng)
    return df


def wide(seed: int = 0, n: int = 2000) -> pd.DataFrame:
    """Forty features: ten informative-looking gaussian blocks of four correlated columns."""
    rng = np.random.default_rng(seed)
    blocks = rng.normal(size=(n, 10))
    X = np.repeat(blocks, 4, axis=1) * 0.7 + 0.7 * rng.normal(size=(n, 40))
    df = pd.DataFrame(X, columns=[f"f{j:02d}" for j in range(40)])
    df["label"] = _label(blocks[:, 0] + blocks[:, 1], rng)
    return df


def clustered(seed: int = 0, n: int = 2000, d: int = 5, k: int = 10) -> pd.DataFrame:
    """Ten well separated gaussian clusters (rows are much denser than the marginals suggest)."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(k, d)) * 6.0
    member = rng.integers(0, k, n)
    X = centers[member] + rng.normal(size=(n, d))
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(d)])
    df["label"] = _label(X[:, 0] + member % 2, rng)
    return df


def cyclic(seed: int = 0, n: int = 5000) -> pd.DataFrame:
    """Time of day as sin and cos (a circle: uncorrelated, yet one dimension) and two features."""
    rng = np.random.default_rng(seed)
    hour = rng.uniform(0, 24, n)
    df = pd.DataFrame(
        {
            "hour_sin": np.sin(2 * np.pi * hour / 24),
            "hour_cos": np.cos(2 * np.pi * hour / 24),
            "amount": rng.gamma(2.0, 10.0, n),
            "score": rng.normal(size=n),
        }
    )
    df["label"] = _label(df["hour_sin"].to_numpy() + df["score"].to_numpy(), rng)
    return df


SHAPES: dict[str, Callable[..., pd.DataFrame]] = {
    "gaussian": gaussian,
    "low-dimensional": low_dimensional,
    "survey": survey,
    "categorical": categorical,
    "one-hot": one_hot,
    "counts": counts,
    "imbalanced": imbalanced,
    "correlated": correlated,
    "wide": wide,
    "clustered": clustered,
    "cyclic": cyclic,
}

SKLEARN = ("iris", "wine", "breast_cancer", "digits", "diabetes")
DATA_CHECKS = "PF101,PF102,PF103,PF104,PF105,PF201,PF202,PF203,PF204"


def random_split(df: pd.DataFrame, test_share: float = 0.25, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Shuffle the rows and cut: the split a user makes with ``train_test_split``."""
    idx = np.random.default_rng(seed).permutation(len(df))
    cut = int(round(len(df) * (1 - test_share)))
    return df.iloc[idx[:cut]].reset_index(drop=True), df.iloc[idx[cut:]].reset_index(drop=True)


def sklearn_frame(name: str) -> pd.DataFrame:
    """A data set bundled with scikit-learn (no download), as a frame with a ``label`` column."""
    from sklearn import datasets

    loader = getattr(datasets, f"load_{name}")
    bunch = loader(as_frame=True)
    df = bunch.frame.rename(columns={"target": "label"})
    return df


def views(seed: int = 0, objects: int = 500, per: int = 4, d: int = 8, noise: float = 0.01) -> pd.DataFrame:
    """``per`` measurements of each of ``objects`` objects, with gaussian noise of ``noise`` SD.

    A ``galaxy_id`` column names the object of each row.
    """
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(objects, d))
    X = np.repeat(base, per, axis=0) + noise * rng.normal(size=(objects * per, d))
    df = pd.DataFrame(X, columns=[f"band{j}" for j in range(d)])
    df["label"] = _label(np.repeat(base[:, 0], per), rng)
    df["galaxy_id"] = np.repeat([f"G{i:05d}" for i in range(objects)], per)
    return df


def scan_data(train: pd.DataFrame, test: pd.DataFrame | None = None, *, select: str = DATA_CHECKS, **kwargs):
    """``pitfall.scan`` of the data checks only, without config files."""
    import pitfall

    return pitfall.scan(train, test, target=kwargs.pop("target", "label"), select=select, config=False, **kwargs)


def loud(report, code: str | None = None) -> list:
    """Findings of ``code`` (all codes when None) at warning or error severity."""
    return [f for f in report.findings if f.severity.value != "info" and (code is None or f.code == code)]


@cache
def clean_report(name: str):
    """Data checks on a clean data set (synthetic or from scikit-learn) split at random, seed 0."""
    df = sklearn_frame(name) if name in SKLEARN else SHAPES[name](seed=0)
    train, test = random_split(df, seed=0)
    report = scan_data(train, test)
    assert not report.crashed, report.crashed
    return report


CLEAN = (*SHAPES, *SKLEARN)
