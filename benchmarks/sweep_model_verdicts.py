"""Recall and false-alarm rates of the model checks on planted and clean real data, over seeds.

    python benchmarks/sweep_model_verdicts.py label-noise [--seeds 10] [--jobs 4]
    python benchmarks/sweep_model_verdicts.py seed-churn [--seeds 10]
    python benchmarks/sweep_model_verdicts.py missingness [--seeds 10]
    python benchmarks/sweep_model_verdicts.py study [--seeds 10]

Each family scans planted cases (the pitfall is there: the check must warn) and clean cases
(it must not) built from data sets that ship with scikit-learn and statsmodels, one scan per
seed, and prints one line per case: ``case  loud/scans``. The numbers are those reported in
docs/false-alarms.md. Slow by design (minutes): not part of the test suite.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.checks.evaluation.synthetic import multiclass  # noqa: E402
from tests.checks.shapes import SHAPES, sklearn_frame  # noqa: E402

import pitfall  # noqa: E402


def split(df: pd.DataFrame, seed: int, test_share: float = 0.3) -> tuple[pd.DataFrame, pd.DataFrame]:
    idx = np.random.default_rng(seed + 1000).permutation(len(df))
    cut = int(round(len(df) * (1 - test_share)))
    return df.iloc[idx[:cut]].reset_index(drop=True), df.iloc[idx[cut:]].reset_index(drop=True)


def flip(df: pd.DataFrame, rate: float, seed: int) -> pd.DataFrame:
    """``rate`` of the labels replaced by a random other class."""
    rng = np.random.default_rng([seed, 7])
    y = df["label"].to_numpy(copy=True)
    classes = np.unique(y)
    k = len(classes)
    pos = np.searchsorted(classes, y)
    hit = rng.random(len(y)) < rate
    pos[hit] = (pos[hit] + rng.integers(1, k, hit.sum())) % k
    return df.assign(label=classes[pos])


def loud(report: pitfall.Report, code: str) -> bool:
    return any(f.code == code and f.severity.value != "info" for f in report.findings)


def one(family: str, name: str, seed: int) -> bool:
    """Whether one scan of one case at one seed is loud (a warning or an error)."""
    code, cases = FAMILIES[family]
    train, test, kw = cases()[name](seed)
    report = pitfall.scan(train, test, target="label", select=[code], config=False, seed=seed, **kw)
    return loud(report, code)


def run(family: str, seeds: int, jobs: int = 1, only: str = "") -> None:
    code, cases = FAMILIES[family]
    names = [name for name in cases() if only in name]
    if jobs > 1:
        from concurrent.futures import ProcessPoolExecutor

        tasks = [(family, name, seed) for name in names for seed in range(seeds)]
        with ProcessPoolExecutor(jobs) as pool:
            results = list(pool.map(one, *zip(*tasks, strict=True)))
        counts = [sum(results[k * seeds : (k + 1) * seeds]) for k in range(len(names))]
        for name, hits in zip(names, counts, strict=True):
            print(f"{code}  {name:<52} {hits}/{seeds}", flush=True)
        return
    for name in names:
        hits = sum(one(family, name, seed) for seed in range(seeds))
        print(f"{code}  {name:<52} {hits}/{seeds}", flush=True)


def label_noise() -> dict[str, Callable[[int], tuple]]:
    def noisy(name: str, rate: float):
        def make(seed: int):
            train, test = split(sklearn_frame(name), seed)
            return flip(train, rate, seed), test, {}

        return make

    def clean(frame: Callable[[int], pd.DataFrame]):
        def make(seed: int):
            train, test = split(frame(seed), seed)
            return train, test, {}

        return make

    return {
        "planted: digits, 15% of train labels flipped": noisy("digits", 0.15),
        "planted: digits, 5% flipped": noisy("digits", 0.05),
        "planted: breast_cancer, 15% flipped": noisy("breast_cancer", 0.15),
        "clean: digits": clean(lambda s: sklearn_frame("digits")),
        "clean: wine": clean(lambda s: sklearn_frame("wine")),
        "clean: iris": clean(lambda s: sklearn_frame("iris")),
        "clean: breast_cancer": clean(lambda s: sklearn_frame("breast_cancer")),
        "clean: imbalanced (2% positives)": clean(lambda s: SHAPES["imbalanced"](seed=s)),
        "clean: 4 overlapping gaussian classes": clean(lambda s: multiclass(1500, seed=s, k=4)),
    }


def _colour(df: pd.DataFrame, seed: int, agree: float = 0.72) -> pd.DataFrame:
    rng = np.random.default_rng([seed, 302])
    y = df["label"].to_numpy()
    blue = rng.random(len(df)) < np.where(y == y.max(), agree, 1 - agree)
    return df.assign(colour=np.where(blue, "blue", "red"))


def randhie(seed: int, n: int = 5000) -> pd.DataFrame:
    from statsmodels.datasets import randhie as data

    df = data.load_pandas().data.sample(n, random_state=seed).reset_index(drop=True)
    df["label"] = (df.pop("mdvis") > 0).astype(int)
    return df


def binary_table(name: str) -> pd.DataFrame:
    df = sklearn_frame(name)
    if name == "wine":
        df["label"] = (df["label"] == 0).astype(int)
    if name == "diabetes":
        df["label"] = (df["label"] > df["label"].median()).astype(int)
    return df


def study() -> dict[str, Callable[[int], tuple]]:
    def make(frame: Callable[[int], pd.DataFrame]):
        def inner(seed: int):
            train, test = split(_colour(frame(seed), seed), seed)
            return train, test, {"study": "colour"}

        return inner

    return {
        "planted: randhie + colour 72/28": make(randhie),
        "planted: diabetes (binary) + colour 72/28": make(lambda s: binary_table("diabetes")),
        "clean: breast_cancer + colour 72/28": make(lambda s: binary_table("breast_cancer")),
        "clean: wine (binary) + colour 72/28": make(lambda s: binary_table("wine")),
    }


def missingness() -> dict[str, Callable[[int], tuple]]:
    def make(name: str, col: str, planted: bool):
        def inner(seed: int):
            df = binary_table(name)
            rng = np.random.default_rng([seed, 3])
            y = df["label"].to_numpy()
            rate = np.where(y == y.max(), 0.1, 0.8) if planted else np.full(len(df), 0.3)
            df.loc[rng.random(len(df)) < rate, col] = np.nan
            train, test = split(df, seed)
            return train, test, {}

        return inner

    return {
        f"{'planted' if p else 'clean (30% missing at random)'}: {name} {col!r}": make(name, col, p)
        for p in (True, False)
        for name, col in (("breast_cancer", "mean area"), ("wine", "magnesium"), ("diabetes", "bmi"))
    } | {"clean: randhie (no missing values)": lambda s: (*split(randhie(s), s), {})}


def seed_churn() -> dict[str, Callable[[int], tuple]]:
    from sklearn.ensemble import RandomForestClassifier

    def make(n_trees: int, noise: float, name: str = "digits"):
        def inner(seed: int):
            train, test = split(sklearn_frame(name), seed)
            train = flip(train, noise, seed) if noise else train
            model = RandomForestClassifier(n_estimators=n_trees, max_features=1, random_state=seed)
            model.fit(train.drop(columns="label"), train["label"])
            return train, test, {"model": model}

        return inner

    return {
        "planted: digits 15% noise, 10-tree forest": make(10, 0.15),
        "clean: digits 15% noise, 200-tree forest": make(200, 0.15),
        "clean: digits, 200-tree forest": make(200, 0.0),
        "clean: breast_cancer, 200-tree forest": make(200, 0.0, "breast_cancer"),
        "clean: 4 gaussian classes, default model": lambda s: (*split(multiclass(1500, seed=s, k=4), s), {}),
        "clean: digits, default model": lambda s: (*split(sklearn_frame("digits"), s), {}),
        "clean: randhie, default model": lambda s: (*split(randhie(s, 3000), s), {}),
    }


FAMILIES = {
    "label-noise": ("PF106", label_noise),
    "study": ("PF302", study),
    "missingness": ("PF301", missingness),
    "seed-churn": ("PF404", seed_churn),
}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("family", choices=sorted(FAMILIES))
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=1, help="processes (each scan runs one thread)")
    parser.add_argument("--only", default="", help="run the cases whose name contains this text")
    args = parser.parse_args()
    run(args.family, args.seeds, args.jobs, args.only)
