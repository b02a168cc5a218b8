"""False alarms and recall of the checks whose statistics were rebuilt for speed.

    python benchmarks/false_alarms_binned.py [--seeds 20] [--drift-runs 20] [--pf501-runs 40]

- PF205 (one-feature rules from binned counts): on every clean shape of
  ``tests/checks/shapes.py`` and the generators of ``tests/checks/evaluation/synthetic.py``,
  ``seeds`` seeds, 75/25 random split: seeds with a PF205 warning or error. Recall: a copy of
  the label with 1% noise added to each generator's data (binary, 5 classes, regression).
- PF502 (domain classifier on a sample sized for ±0.005 AUC): ``drift-runs`` pairs of clean
  50,000-row data sets (5 normal features and a categorical), where the sample (25,611 of each)
  is smaller than the data; and recall on a 0.25 sd shift of one feature (domain AUC ≈ 0.57,
  just above ``min_auc``), with the sample and with all rows (as before the sample was sized).
- PF501 (binned KS on edges from the reference's first 10,000 rows, or from its sample where
  those do not fit): ``pf501-runs`` pairs of clean 60,000-row data sets (20 normal features and
  a categorical), as read and with the reference sorted by one feature (whose edges then come
  from the sample); recall on a 0.15 sd shift of one feature in the sorted case.

Run from the repository root (it imports the test shapes). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.checks.evaluation.synthetic import binary, multiclass, regression  # noqa: E402
from tests.checks.shapes import SHAPES, random_split  # noqa: E402

import pitfall  # noqa: E402


def _loud(report, code: str) -> bool:
    return any(f.code == code and f.severity.value in ("warning", "error") for f in report.findings)


def pf205(seeds: int) -> list[tuple[str, str, int, int]]:
    rows = []
    makers = {
        **SHAPES,
        "binary (synthetic)": lambda seed: binary(3000, seed=seed),
        "5 classes (synthetic)": lambda seed: multiclass(2000, seed=seed),
        "regression (synthetic)": lambda seed: regression(2000, seed=seed),
    }
    for name, make in makers.items():
        hits = 0
        for seed in range(seeds):
            train, test = random_split(make(seed=seed), seed=seed)
            r = pitfall.scan(train, test, target="label", select="PF205", config=False, seed=seed)
            hits += _loud(r, "PF205")
        rows.append(("PF205 clean", name, hits, seeds))
        print(rows[-1], flush=True)
    for name, make in (("binary", binary), ("5 classes", multiclass), ("regression", regression)):
        hits = 0
        for seed in range(seeds):
            df = make(2000, seed=seed)
            rng = np.random.default_rng(seed)
            y = df["label"].to_numpy()
            codes = pd.factorize(y, sort=True)[0] if name != "regression" else y
            flip = rng.random(len(y)) < 0.01
            noisy = np.where(flip, rng.permutation(codes), codes) + rng.normal(scale=0.05, size=len(y))
            df["leak"] = noisy
            train, test = random_split(df, seed=seed)
            r = pitfall.scan(train, test, target="label", select="PF205", config=False, seed=seed)
            hits += any(
                f.code == "PF205" and f.severity.value == "error" and f.columns == ("leak",) for f in r.findings
            )
        rows.append(("PF205 planted leak (error)", name, hits, seeds))
        print(rows[-1], flush=True)
    return rows


N_DRIFT = 50_000  # rows of each data set: more than PF502's sample


def _pair(n: int, seed: int, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    X[:, 0] += shift
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(5)])
    df["c"] = rng.choice(list("abcd"), size=n, p=[0.4, 0.3, 0.2, 0.1])
    return df


def pf502(runs: int) -> list[tuple[str, str, int, int]]:
    from pitfall.config import Config

    out = []
    hits = 0
    for run in range(runs):
        r = pitfall.drift(_pair(N_DRIFT, 2 * run), _pair(N_DRIFT, 2 * run + 1), select="PF502", config=False, seed=run)
        hits += _loud(r, "PF502")
    out.append(("PF502 clean", f"{N_DRIFT:,} vs {N_DRIFT:,} rows, 5 normal + 1 categorical", hits, runs))
    print(out[-1], flush=True)
    # a 0.25 sd shift of one of five features: domain AUC Φ(0.25 / √2) ≈ 0.57, just above min_auc
    for label, cfg in (
        ("25,611 rows of each (±0.005, the default)", Config()),
        (f"all {N_DRIFT:,} of each", Config(checks={"PF502": {"precision": 0.001}})),
    ):
        hits = 0
        for run in range(runs):
            r = pitfall.drift(
                _pair(N_DRIFT, 2 * run), _pair(N_DRIFT, 2 * run + 1, 0.25), select="PF502", config=cfg, seed=run
            )
            hits += _loud(r, "PF502")
        out.append(("PF502 0.25 sd shift of x0 (recall)", label, hits, runs))
        print(out[-1], flush=True)
    return out


N_BINNED = 60_000  # rows of each data set: more than the first rows that set the bin edges


def _wide(n: int, seed: int, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.normal(size=(n, 20)), columns=[f"x{j:02d}" for j in range(20)])
    df["x00"] += shift
    df["c"] = rng.choice(list("abcd"), size=n, p=[0.4, 0.3, 0.2, 0.1])
    return df


def pf501(runs: int) -> list[tuple[str, str, int, int]]:
    out = []
    shape = f"{N_BINNED:,} vs {N_BINNED:,} rows, 20 normal + 1 categorical"
    for label, order in (("as generated", None), ("reference sorted by x00", "x00")):
        hits = 0
        for run in range(runs):
            ref = _wide(N_BINNED, 2 * run)
            ref = ref.sort_values(order, ignore_index=True) if order else ref
            hits += _loud(pitfall.drift(ref, _wide(N_BINNED, 2 * run + 1), select="PF501", config=False), "PF501")
        out.append((f"PF501 clean, {label}", shape, hits, runs))
        print(out[-1], flush=True)
    hits = 0
    for run in range(runs):
        ref = _wide(N_BINNED, 2 * run).sort_values("x00", ignore_index=True)
        r = pitfall.drift(ref, _wide(N_BINNED, 2 * run + 1, 0.15), select="PF501", config=False)
        hits += any(f.code == "PF501" and f.columns == ("x00",) for f in r.findings)
    out.append(("PF501 0.15 sd shift of x00 (recall), reference sorted by x00", shape, hits, runs))
    print(out[-1], flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--drift-runs", type=int, default=20)
    ap.add_argument("--pf501-runs", type=int, default=40)
    ap.add_argument("--skip-pf205", action="store_true")
    ap.add_argument("--skip-pf502", action="store_true")
    args = ap.parse_args()
    rows = ([] if args.skip_pf205 else pf205(args.seeds)) + ([] if args.skip_pf502 else pf502(args.drift_runs))
    rows += pf501(args.pf501_runs)
    print("\n| what | data | runs with a finding | runs |\n|---|---|---|---|")
    for what, data, hits, n in rows:
        print(f"| {what} | {data} | {hits} | {n} |")


if __name__ == "__main__":
    main()
