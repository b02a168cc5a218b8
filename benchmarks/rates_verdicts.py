"""Recall and false-alarm rates of PF202 (discrete), PF205, PF208, PF402, PF403 and PF407 on real tables.

    python benchmarks/rates_verdicts.py [--seeds 10] [--only PF208,PF205]

Every family is built on the data sets bundled with scikit-learn (no download), split at random
(75/25) with seeds 0..seeds-1; planted cases carry the pitfall, clean cases the same data
without it. A case counts as found when the check reports at the stated severity (planted) and
as a false alarm when it reports a warning or an error (clean). Prints one table per check and
writes bench-out/rates_verdicts.json; docs/false-alarms.md quotes the numbers.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

import pitfall

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.checks.shapes import SHAPES, sklearn_frame  # noqa: E402

OUT = Path("bench-out")


def split(df: pd.DataFrame, seed: int, share: float = 0.25) -> tuple[pd.DataFrame, pd.DataFrame]:
    idx = np.random.default_rng(seed + 1000).permutation(len(df))
    cut = int(round(len(df) * (1 - share)))
    return df.iloc[idx[:cut]].reset_index(drop=True), df.iloc[idx[cut:]].reset_index(drop=True)


def scan(train, test, code: str, seed: int, **kw) -> list:
    report = pitfall.scan(train, test, target="label", select=code, config=False, seed=seed, **kw)
    if report.crashed:
        raise RuntimeError(report.crashed)
    return [f for f in report.findings if f.code in code.split(",")]


def loud(found: list) -> bool:
    return any(f.severity.value != "info" for f in found)


def errors(found: list) -> bool:
    return any(f.severity.value == "error" for f in found)


def X(df):
    return df.drop(columns="label")


# ----- families: yield (case name, planted?, fired?) ---------------------------------------
def pf208(seeds: int) -> Iterator[tuple[str, bool, bool]]:
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.tree import DecisionTreeClassifier

    models: dict[str, Callable] = {
        "forest": lambda s: RandomForestClassifier(50, random_state=s),
        "forest-unseeded": lambda s: RandomForestClassifier(50),
        "1-nn": lambda s: KNeighborsClassifier(1),
        "deep-tree": lambda s: DecisionTreeClassifier(),
    }
    regression: dict[str, Callable] = {
        "forest": lambda s: RandomForestRegressor(50, random_state=s),
        "forest-unseeded": lambda s: RandomForestRegressor(50),
    }
    for name in ("iris", "wine", "breast_cancer", "digits", "diabetes"):
        df = sklearn_frame(name)
        for seed in range(seeds):
            train, test = split(df, seed)
            both = pd.concat([train, test])
            kinds = regression if name == "diabetes" else models
            for kind, make in kinds.items():
                np.random.seed(seed)  # what an unseeded model draws from: fixed, so a run repeats
                planted = make(seed).fit(X(both), both["label"])
                clean = make(seed).fit(X(train), train["label"])
                yield f"{name}/{kind}", True, errors(scan(train, test, "PF208", seed, model=planted))
                yield f"{name}/{kind}", False, loud(scan(train, test, "PF208", seed, model=clean))


def pf205(seeds: int) -> Iterator[tuple[str, bool, bool]]:
    for name in ("iris", "wine", "breast_cancer", "digits", "diabetes"):
        df = sklearn_frame(name)
        for seed in range(seeds):
            yield name, False, loud(scan(*split(df, seed), "PF205", seed))
            rng = np.random.default_rng(seed)
            leak = df.copy()
            if name == "diabetes":
                leak["band"] = pd.qcut(df["label"], 3, labels=["low", "mid", "high"]).astype(str)
            else:
                y = df["label"].to_numpy()
                k = y.max() + 1
                other = (y + rng.integers(1, k, len(y))) % k
                leak["review"] = [f"outcome_{v}" for v in np.where(rng.random(len(y)) < 0.005, other, y)]
            yield name, True, errors(scan(*split(leak, seed), "PF205", seed))


def _plant_digits(train, test, copies, changed, seed):
    rng = np.random.default_rng(seed)
    cols = [c for c in train.columns if c != "label"]
    cp = train.iloc[rng.choice(len(train), copies, replace=False)].copy().reset_index(drop=True)
    for i in range(copies):
        for c in rng.choice(cols, changed, replace=False):
            v = cp.at[i, c]
            cp.at[i, c] = v + 1 if v == 0 or (v < 16 and rng.random() < 0.5) else v - 1
    return pd.concat([test.iloc[: len(test) - copies], cp], ignore_index=True)


def pf202(seeds: int) -> Iterator[tuple[str, bool, bool]]:
    digits = sklearn_frame("digits")
    for seed in range(seeds):
        train, test = split(digits, seed)
        yield "digits", False, loud(scan(train, test, "PF202", seed))
        for copies, changed in ((60, 3), (12, 4)):
            planted = _plant_digits(train, test, copies, changed, seed)
            yield f"digits/{copies}x{changed}px", True, loud(scan(train, planted, "PF202", seed))
        for shape in ("survey", "one-hot", "counts"):
            yield shape, False, loud(scan(*split(SHAPES[shape](seed=seed), seed), "PF202", seed))


def pf402(seeds: int) -> Iterator[tuple[str, bool, bool]]:
    bc = sklearn_frame("breast_cancer")
    for seed in range(seeds):
        rare = bc[bc["label"] == 0].sample(8, random_state=seed)
        df = pd.concat([bc[bc["label"] == 1], rare]).sample(frac=1, random_state=seed)
        yield "breast_cancer 2% malignant", True, loud(scan(*split(df, seed, 0.5), "PF402", seed))
        for name in ("iris", "wine", "breast_cancer", "digits"):
            yield name, False, loud(scan(*split(sklearn_frame(name), seed), "PF402", seed))


def pf403(seeds: int) -> Iterator[tuple[str, bool, bool]]:
    for name in ("iris", "wine", "breast_cancer", "digits", "diabetes"):
        df = sklearn_frame(name)
        for seed in range(seeds):
            yield name, False, loud(scan(*split(df, seed), "PF403", seed))
            yield f"{name} claimed ±0.01", True, loud(scan(*split(df, seed), "PF403", seed, claimed_precision=0.01))


def pf407(seeds: int) -> Iterator[tuple[str, bool, bool]]:
    for name in ("iris", "wine", "digits"):  # multiclass: a class can go and two stay
        df = sklearn_frame(name)
        for seed in range(seeds):
            train, test = split(df, seed)
            yield name, False, loud(scan(train, test, "PF407", seed))
            gone = sorted(train["label"].unique())[-1]
            yield name, True, loud(scan(train[train["label"] != gone], test, "PF407", seed))


def _repeated(name: str, noise: float, seed: int, per: int = 4) -> pd.DataFrame:
    df = sklearn_frame(name)
    rng = np.random.default_rng(seed)
    cols = [c for c in df.columns if c != "label"]
    rep = df.loc[df.index.repeat(per)].reset_index(drop=True)
    rep[cols] = rep[cols] + rng.normal(size=(len(rep), len(cols))) * (noise * df[cols].std().to_numpy())
    return rep


def repeats(seeds: int) -> Iterator[tuple[str, bool, bool]]:
    """PF202 and PF203 on specimens measured 4 times (3% and 5% noise), split by row."""
    for name in ("iris", "wine", "breast_cancer", "diabetes"):
        for seed in range(seeds):
            train, test = split(sklearn_frame(name), seed)
            found = scan(train, test, "PF202,PF203", seed)
            yield f"{name} (PF202 or PF203)", False, loud(found)
            for noise in (0.03, 0.05):
                found = scan(*split(_repeated(name, noise, seed), seed), "PF202,PF203", seed)
                yield f"{name} x4 {noise:.0%} PF202", True, loud([f for f in found if f.code == "PF202"])
                yield f"{name} x4 {noise:.0%} PF203", True, loud([f for f in found if f.code == "PF203"])


FAMILIES = {
    "PF208": pf208,
    "PF205": pf205,
    "PF202": pf202,
    "PF402": pf402,
    "PF403": pf403,
    "PF407": pf407,
    "repeats": repeats,
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--only", default=",".join(FAMILIES))
    args = parser.parse_args()
    out: dict[str, dict] = {}
    for code in args.only.split(","):
        table: dict[tuple[str, bool], list[int]] = {}
        for case, planted, fired in FAMILIES[code](args.seeds):
            cell = table.setdefault((case, planted), [0, 0])
            cell[0] += int(fired)
            cell[1] += 1
        print(f"\n{code}")
        for (case, planted), (hit, n) in sorted(table.items()):
            print(f"  {'planted' if planted else 'clean  '} {case:32s} {'found' if planted else 'alarms'} {hit}/{n}")
        out[code] = {f"{'planted' if p else 'clean'}:{c}": v for (c, p), v in table.items()}
    OUT.mkdir(exist_ok=True)
    (OUT / "rates_verdicts.json").write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
