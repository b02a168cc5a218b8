"""Benchmark the model checks at 100k rows: wall time over one fit of the default model.

    python benchmarks/bench_model_checks.py [--rows 100000] [--features 20]

Generates ``rows`` x ``features`` (80% train, 20% test, a label from three features plus noise,
one categorical column), then, in fresh processes and in the same run:

- one fit: pitfall's default model fitted once on the training rows (the unit of cost);
- model checks: one scan running every model-based check (``model_based = True``) with the
  default model, with the time each check took (the check that first needs the model pays
  for fitting it).

It prints the scan's wall time over one fit, each check's share, and which check dominates.
Results go to bench-out/model_checks.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path("bench-out")

STAGES = {
    "one_fit": """
import pandas as pd
from pitfall.data.model import default_model
train = pd.read_parquet(PATHS[0])
model = default_model("binary", 0)
model.fit(train.drop(columns="label"), train["label"])
print(json.dumps({}))
""",
    "model_checks": """
import pandas as pd
import pitfall
from pitfall.checks.registry import CHECKS
codes = [c for c, cls in CHECKS.items() if cls.model_based and cls.command() == "scan"]
train, test = pd.read_parquet(PATHS[0]), pd.read_parquet(PATHS[1])
r = pitfall.scan(train, test, target="label", select=codes, config=False)
print(json.dumps({"codes": r.codes(), "crashed": r.crashed, "skipped": r.skipped, "timings": r.timings,
                  "checks": codes}))
""",
}


def generate(rows: int, features: int, seed: int = 0) -> list[Path]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, features))
    df = pd.DataFrame(X, columns=[f"f{j:02d}" for j in range(features)])
    df["site"] = rng.choice(["north", "south", "east", "west"], size=rows)
    df["label"] = (X[:, 0] + X[:, 1] - 0.5 * X[:, 2] + rng.logistic(size=rows) > 0).astype(int)
    n_train = int(rows * 0.8)
    OUT.mkdir(exist_ok=True)
    paths = [OUT / "model_train.parquet", OUT / "model_test.parquet"]
    df.iloc[:n_train].to_parquet(paths[0], index=False)
    df.iloc[n_train:].to_parquet(paths[1], index=False)
    return paths


def timed_stage(stage: str, paths: list[Path]) -> tuple[float, dict | None] | str:
    """Run ``stage`` (Python code that sees ``PATHS`` and may print one JSON line) in a fresh
    process after the heavy imports: its seconds and its JSON, or its stderr when it failed."""
    code = f"import json\nPATHS = {[str(p) for p in paths]!r}\n" + stage
    wrapper = (
        "import time\n"
        "import numpy, pandas, sklearn.ensemble, pitfall.runners.scan, pitfall.checks.registry\n"
        "t0 = time.perf_counter()\n"
        f"exec(compile({code!r}, 'stage', 'exec'))\n"
        "print('BENCH', time.perf_counter() - t0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True, env=os.environ.copy())
    if proc.returncode != 0:
        return proc.stderr[-2000:]
    lines = proc.stdout.strip().splitlines()
    seconds = float(next(ln for ln in lines if ln.startswith("BENCH")).split()[1])
    extra = [ln for ln in lines if ln.startswith("{")]
    return seconds, json.loads(extra[-1]) if extra else None


def run_stage(name: str, paths: list[Path]) -> dict:
    timed = timed_stage(STAGES[name], paths)
    if isinstance(timed, str):
        raise SystemExit(f"stage {name} failed:\n{timed}")
    seconds, result = timed
    return {"seconds": seconds, "result": result}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--features", type=int, default=20)
    args = ap.parse_args()
    paths = generate(args.rows, args.features)
    fit = run_stage("one_fit", paths)
    scan = run_stage("model_checks", paths)
    unit = fit["seconds"]
    result = scan["result"]
    timings = {c: t for c, t in result["timings"].items() if c != "total"}
    total = result["timings"]["total"]
    print(f"{args.rows:,} rows x {args.features + 1} features; one default-model fit: {unit:.1f}s")
    print(f"\n{'check':<8}{'seconds':>9}{'x one fit':>11}{'share':>8}")
    for code, t in sorted(timings.items(), key=lambda kv: -kv[1]):
        print(f"{code:<8}{t:>9.1f}{t / unit:>11.2f}{t / total:>8.0%}")
    print(f"{'all':<8}{total:>9.1f}{total / unit:>11.2f}{1:>8.0%}")
    dominant = max(timings, key=timings.get)
    print(
        f"\ndominant check: {dominant}; findings {result['codes']}; crashed {result['crashed']}; "
        f"skipped {sorted(result['skipped'])}"
    )
    summary = {
        "rows": args.rows,
        "features": args.features + 1,
        "one_fit_seconds": unit,
        "scan_seconds": total,
        "scan_over_one_fit": total / unit,
        "checks": {c: {"seconds": t, "over_one_fit": t / unit} for c, t in timings.items()},
        "dominant": dominant,
        "result": result,
    }
    (OUT / "model_checks.json").write_text(json.dumps(summary, indent=2))
    print(f"written {OUT / 'model_checks.json'}")


if __name__ == "__main__":
    main()
