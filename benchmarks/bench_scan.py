"""Benchmark `pitfall scan` at a million rows: time and memory against a one-pass floor.

    python benchmarks/bench_scan.py [--rows 1000000] [--features 25] [--skip-model]

Generates ``rows`` x ``features`` (80% train, 20% test, 2% of test rows copied from train and
2% near-copied, so PF201/PF202 have work to do), writes CSV, then runs each stage in a fresh
process and reports, from the same run:

- floor: read the two CSV files + a 64-bin histogram of every column (the least any data
  check must do);
- data checks: every check that fits no model (PF101–PF105, PF201–PF204, PF206);
- model checks: PF205 and PF401–PF403 with the default model, reported separately
  (``bench_model_checks.py`` times every model check at 100k rows);

as wall time over the floor's, and the peak resident memory the stage adds (over the process
after importing pandas, scikit-learn and pitfall) over the data's in-memory size.
Results go to bench-out/scan.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path("bench-out")

# Peak RSS in KiB of the stage's process. Linux's getrusage ru_maxrss survives exec: a stage
# started by this process (which holds the generated data) would start from its peak. VmHWM
# belongs to the new process image and starts afresh.
HIGH_WATER = """
def high_water():
    try:
        with open('/proc/self/status') as status:
            for line in status:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""

STAGES = {
    "floor": """
import numpy as np, pandas as pd
frames = [pd.read_csv(p, low_memory=False) for p in PATHS]
for f in frames:
    for c in f.columns:
        x = f[c].to_numpy(dtype=float)
        x = x[np.isfinite(x)]
        np.histogram(x, bins=64)
""",
    "data_checks": """
import pitfall
from pitfall.checks.registry import CHECKS
codes = [c for c, cls in CHECKS.items() if not cls.model_based and cls.command() == "scan"]
r = pitfall.scan(PATHS[0], PATHS[1], target="label", select=codes, config=False)
print(json.dumps({"codes": r.codes(), "crashed": r.crashed}))
""",
    "model_checks": """
import pitfall
r = pitfall.scan(PATHS[0], PATHS[1], target="label", select=["PF205", "PF401", "PF402", "PF403"], config=False)
print(json.dumps({"codes": r.codes(), "crashed": r.crashed, "timings": r.timings}))
""",
}


def generate(rows: int, features: int, seed: int = 0) -> tuple[Path, Path, int]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, features)).astype(np.float64)
    X[:, : features // 5] = np.round(X[:, : features // 5] * 3)  # some integer-valued columns
    y = (X[:, 0] + X[:, 1] - 0.5 * X[:, 2] + rng.logistic(size=rows) > 0).astype(int)
    df = pd.DataFrame(X, columns=[f"f{j:02d}" for j in range(features)])
    df["label"] = y
    n_train = int(rows * 0.8)
    train, test = df.iloc[:n_train].reset_index(drop=True), df.iloc[n_train:].reset_index(drop=True)
    k = int(0.02 * len(test))
    src = rng.choice(n_train, size=2 * k, replace=False)
    test.iloc[:k] = train.iloc[src[:k]].to_numpy()
    near = train.iloc[src[k:]].copy()
    # measurement noise on the continuous columns; the integer-valued ones (counts, codes) stay
    cols = [c for c in df.columns if c != "label"][features // 5 :]
    near[cols] = near[cols] + rng.normal(0, 0.005, size=(k, len(cols)))
    test.iloc[k : 2 * k] = near.to_numpy()
    test["label"] = test["label"].astype(int)
    OUT.mkdir(exist_ok=True)
    p_train, p_test = OUT / "train.csv", OUT / "test.csv"
    train.to_csv(p_train, index=False)
    test.to_csv(p_test, index=False)
    in_memory = int(train.memory_usage(deep=True).sum() + test.memory_usage(deep=True).sum())
    return p_train, p_test, in_memory


def run_stage(name: str, paths: list[Path]) -> dict:
    code = f"import json\nPATHS = {[str(p) for p in paths]!r}\n" + STAGES[name]
    wrapper = (
        "import resource, time, sys\n"
        + HIGH_WATER
        + "import numpy, pandas, sklearn.ensemble, pitfall.runners.scan, pitfall.checks.registry\n"
        "base = high_water()\n"
        "t0 = time.perf_counter()\n"
        f"exec(compile({code!r}, 'stage', 'exec'))\n"
        "dt = time.perf_counter() - t0\n"
        "peak = high_water()\n"
        "print('BENCH', dt, base, peak)\n"
    )
    proc = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True, env=os.environ.copy())
    if proc.returncode != 0:
        raise SystemExit(f"stage {name} failed:\n{proc.stderr[-2000:]}")
    lines = proc.stdout.strip().splitlines()
    bench = next(ln for ln in lines if ln.startswith("BENCH")).split()
    extra = [ln for ln in lines if ln.startswith("{")]
    return {
        "seconds": float(bench[1]),
        "peak_rss_bytes": int(bench[3]) * 1024,
        "start_rss_bytes": int(bench[2]) * 1024,
        "result": json.loads(extra[-1]) if extra else None,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--features", type=int, default=25)
    ap.add_argument("--skip-model", action="store_true", help="skip the default-model checks")
    args = ap.parse_args()
    t0 = time.perf_counter()
    p_train, p_test, in_memory = generate(args.rows, args.features)
    print(
        f"generated {args.rows:,} rows x {args.features} features in {time.perf_counter() - t0:.1f}s; "
        f"in memory {in_memory / 2**20:.0f} MiB, CSV {(p_train.stat().st_size + p_test.stat().st_size) / 2**20:.0f} MiB"
    )
    stages = ["floor", "data_checks"] + ([] if args.skip_model else ["model_checks"])
    results = {s: run_stage(s, [p_train, p_test]) for s in stages}
    floor = results["floor"]
    print(f"\n{'stage':<14}{'seconds':>9}{'x floor':>9}{'added RSS MiB':>14}{'x data':>8}")
    for name, r in results.items():
        extra_mem = r["peak_rss_bytes"] - r["start_rss_bytes"]
        print(
            f"{name:<14}{r['seconds']:>9.1f}{r['seconds'] / floor['seconds']:>9.2f}"
            f"{extra_mem / 2**20:>14.0f}{extra_mem / in_memory:>8.2f}"
        )
    for name in ("data_checks", "model_checks"):
        if name in results and results[name]["result"]:
            print(
                f"{name}: findings {results[name]['result'].get('codes')} "
                f"crashed {results[name]['result'].get('crashed')}"
            )
    summary = {
        "rows": args.rows,
        "features": args.features,
        "in_memory_bytes": in_memory,
        "stages": results,
        "ratios": {
            name: {
                "time_over_floor": r["seconds"] / floor["seconds"],
                "extra_rss_over_data": (r["peak_rss_bytes"] - r["start_rss_bytes"]) / in_memory,
            }
            for name, r in results.items()
        },
    }
    (OUT / "scan.json").write_text(json.dumps(summary, indent=2))
    print(f"\nwritten {OUT / 'scan.json'}")


if __name__ == "__main__":
    main()
