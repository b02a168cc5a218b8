"""Benchmark a full default `pitfall scan` on three small tables: wall time and the slowest checks.

    python benchmarks/bench_small.py [--cases digits,wide,texts] [--top 8]

Small data sets are where most studies live, and a scan of them should take seconds. Each case
is split 75% train / 25% test (seeded) and scanned with every default check, pitfall's default
model and ``target="label"``, in a fresh process (imports not counted):

- digits: scikit-learn's handwritten digits, 1,797 rows x 64 pixel columns, ten classes;
- wide: 200 rows x 2,000 numeric columns from a seeded generator; the binary label depends on
  the first five columns (plus logistic noise), the rest are noise;
- texts: 5,000 short texts of 6–14 words from a seeded made-up vocabulary of 3,000 words, and a
  binary label: each text draws a quarter of its words from one of two label-tied word lists.

It prints each case's wall time, its findings and the checks that took longest (from
``report.timings``). Results go to bench-out/small.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_model_checks import timed_stage  # noqa: E402

OUT = Path("bench-out")
SEED = 0


def digits() -> pd.DataFrame:
    from sklearn.datasets import load_digits

    data = load_digits()
    frame = pd.DataFrame(data.data, columns=[f"px{j:02d}" for j in range(data.data.shape[1])])
    frame["label"] = data.target
    return frame


def wide(rows: int = 200, columns: int = 2000, signal: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    X = rng.normal(size=(rows, columns))
    frame = pd.DataFrame(X, columns=[f"x{j:04d}" for j in range(columns)])
    frame["label"] = (X[:, :signal].sum(axis=1) + rng.logistic(size=rows) > 0).astype(int)
    return frame


def texts(rows: int = 5000, vocabulary: int = 3000) -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    vocab = np.array(["".join(rng.choice(letters, size=k)) for k in rng.integers(3, 9, size=vocabulary)])
    tied = [vocab[:40], vocab[40:80]]  # words that come with label 0 and with label 1
    weights = 1.0 / np.arange(1, vocabulary + 1) ** 0.9
    weights /= weights.sum()
    label = rng.integers(0, 2, size=rows)
    out = []
    for y, n in zip(label, rng.integers(6, 15, size=rows), strict=True):
        words = rng.choice(vocab, size=n, p=weights)
        signal = rng.random(n) < 0.25
        words[signal] = rng.choice(tied[y], size=int(signal.sum()))
        out.append(" ".join(words))
    return pd.DataFrame({"text": out, "label": label})


CASES = {"digits": digits, "wide": wide, "texts": texts}

STAGE = """
import pitfall
r = pitfall.scan(PATHS[0], PATHS[1], target="label", config=False)
print(json.dumps({"codes": r.codes(), "crashed": r.crashed, "skipped": r.skipped, "timings": r.timings}))
"""


def write(name: str) -> list[Path]:
    from sklearn.model_selection import train_test_split

    frame = CASES[name]()
    train, test = train_test_split(frame, test_size=0.25, random_state=SEED, stratify=frame["label"])
    folder = OUT / f"small-{name}"
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "train.parquet", folder / "test.parquet"]
    train.to_parquet(paths[0], index=False)
    test.to_parquet(paths[1], index=False)
    return paths


def run(paths: list[Path]) -> dict:
    timed = timed_stage(STAGE, paths)
    if isinstance(timed, str):
        return {"failed": timed}
    seconds, result = timed
    return {"seconds": seconds, **(result or {})}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default=",".join(CASES), help="comma-separated: " + ", ".join(CASES))
    ap.add_argument("--top", type=int, default=8, help="slowest checks shown per case")
    args = ap.parse_args()
    results = {}
    for name in args.cases.split(","):
        r = results[name] = run(write(name))
        if "failed" in r:
            print(f"{name}: FAILED {r['failed'].splitlines()[-1] if r['failed'] else ''}")
            continue
        slow = sorted(((v, k) for k, v in r["timings"].items() if k != "total"), reverse=True)[: args.top]
        print(f"{name}: {r['seconds']:.1f}s, findings {r['codes']}, crashed {r['crashed']}")
        print("  slowest: " + ", ".join(f"{k} {v:.1f}s" for v, k in slow))
    OUT.mkdir(exist_ok=True)
    (OUT / "small.json").write_text(json.dumps(results, indent=2))
    print(f"written {OUT / 'small.json'}")


if __name__ == "__main__":
    main()
