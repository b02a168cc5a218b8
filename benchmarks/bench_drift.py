"""Benchmark `pitfall drift` on Parquet files larger than it holds: time and memory against a
one-pass floor, and against Evidently's DataDriftPreset where Evidently runs.

    python benchmarks/bench_drift.py [--rows 5000000] [--features 25] [--evidently-rows 1000000]
                                     [--evidently-python PATH] [--dask]

Generates a reference and a current Parquet file of ``rows`` rows each (``features`` columns:
numeric, a few integer-valued and a few categorical, plus a binary ``label``; three numeric
features, one categorical and the label rate drift in the current file), then runs each stage in
a fresh process and reports, from the same run:

- floor: read both files once with pyarrow in batches and histogram every column (64 bins for
  numbers, counts for categories): the least a one-pass drift check must do;
- pitfall: ``pitfall drift REF CUR --target label`` with the local engine (``--dask`` adds the
  same on a local Dask cluster);
- at ``evidently_rows`` rows (the first rows of each file): Evidently's DataDriftPreset on the
  two DataFrames, and pitfall on the same rows, both including the read, with their ratio.

as wall time over the floor's, and the peak resident memory each stage adds (over the process
after its imports) over the data's in-memory size. ``--evidently-python`` runs the Evidently
stage with another interpreter (one with Evidently and a pandas it supports); when Evidently
cannot be imported, the reason is recorded instead. Results go to bench-out/drift.json.
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
import pyarrow as pa
import pyarrow.parquet as pq

OUT = Path("bench-out")
WRITE_ROWS = 500_000  # rows generated and written at a time (one Parquet row group)
N_CATEGORICAL = 3
DRIFTED = ["f00", "f05", "f10"]

# Peak RSS in KiB of this process. Linux's getrusage ru_maxrss survives exec, so a child started by
# a parent that held the generated data would start from the parent's peak; VmHWM starts afresh.
HIGH_WATER = """
def high_water():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
"""
PITFALL_IMPORTS = "import numpy, pandas, pyarrow.parquet, sklearn.ensemble, pitfall.runners.drift"
STAGES = {
    "floor": (
        "import numpy, pandas, pyarrow.parquet",
        """
import numpy as np, pyarrow.parquet as pq
for p in PATHS:
    for batch in pq.ParquetFile(p).iter_batches(batch_size=100_000):
        frame = batch.to_pandas()
        for c in frame.columns:
            if frame[c].dtype.kind in "fiub":
                x = frame[c].to_numpy(dtype=float)
                np.histogram(x[np.isfinite(x)], bins=64)
            else:
                frame[c].value_counts()
""",
    ),
    "pitfall": (
        PITFALL_IMPORTS,
        """
import pitfall
r = pitfall.drift(PATHS[0], PATHS[1], target="label", config=False)
print(json.dumps({"codes": r.codes(), "crashed": r.crashed, "skipped": r.skipped, "timings": r.timings}))
""",
    ),
    "pitfall_dask": (
        PITFALL_IMPORTS + ", distributed",
        """
import pitfall
r = pitfall.drift(PATHS[0], PATHS[1], target="label", config=False, engine="dask")
print(json.dumps({"codes": r.codes(), "crashed": r.crashed, "skipped": r.skipped, "timings": r.timings}))
""",
    ),
    "evidently": (
        "import numpy, pandas, pyarrow.parquet, evidently.presets",
        """
import pandas as pd
from evidently import Report
from evidently.presets import DataDriftPreset
ref, cur = pd.read_parquet(PATHS[0]), pd.read_parquet(PATHS[1])
t = time.perf_counter()
snapshot = Report([DataDriftPreset()]).run(current_data=cur, reference_data=ref)
run = time.perf_counter() - t
metrics = snapshot.dict().get("metrics", [])
first = json.dumps(metrics[0], default=str)[:300] if metrics else None  # the drifted-columns count
print(json.dumps({"run_seconds": run, "first_metric": first, "version": __import__("evidently").__version__}))
""",
    ),
}


def _chunk(rng: np.random.Generator, rows: int, features: int, drifted: bool) -> pd.DataFrame:
    n_num = features - N_CATEGORICAL
    X = rng.normal(size=(rows, n_num))
    X[:, n_num - 4 :] = np.round(X[:, n_num - 4 :] * 3)  # some integer-valued columns
    if drifted:
        X[:, [int(c[1:]) for c in DRIFTED]] += [0.1, 0.25, -0.15]
    df = pd.DataFrame(X, columns=[f"f{j:02d}" for j in range(n_num)])
    levels = np.array(["alpha", "beta", "gamma", "delta", "epsilon", "zeta"], dtype=object)
    for j in range(N_CATEGORICAL):
        p = np.array([0.3, 0.25, 0.2, 0.1, 0.1, 0.05])
        if drifted and j == 0:
            p = np.array([0.15, 0.25, 0.2, 0.25, 0.1, 0.05])
        df[f"c{j}"] = levels[rng.choice(len(levels), size=rows, p=p)]
    logit = X[:, 1] - 0.5 * X[:, 2] + (0.5 if drifted else 0.0)
    df["label"] = (logit + rng.logistic(size=rows) > 0).astype(np.int64)
    return df


def generate(rows: int, features: int, path: Path, *, drifted: bool, seed: int) -> int:
    """Write ``rows`` rows in row groups of WRITE_ROWS; return their in-memory size in bytes."""
    rng = np.random.default_rng(seed)
    size, writer = 0, None
    try:
        for start in range(0, rows, WRITE_ROWS):
            df = _chunk(rng, min(WRITE_ROWS, rows - start), features, drifted)
            size += int(df.memory_usage(deep=True, index=False).sum())
            table = pa.Table.from_pandas(df, preserve_index=False)
            writer = writer or pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    return size


def head(src: Path, dst: Path, rows: int) -> int:
    """The first ``rows`` rows of ``src`` as ``dst``; return their in-memory size."""
    table = pq.read_table(src).slice(0, rows)
    pq.write_table(table, dst, row_group_size=WRITE_ROWS)
    return int(table.to_pandas().memory_usage(deep=True, index=False).sum())


def run_stage(name: str, paths: list[Path], python: str = sys.executable) -> dict:
    imports, body = STAGES[name]
    code = f"import json, time\nPATHS = {[str(p) for p in paths]!r}\n" + body
    wrapper = (
        "import resource, time, sys\n"
        f"{HIGH_WATER}\n"
        f"{imports}\n"
        "base = high_water()\n"
        "t0 = time.perf_counter()\n"
        f"exec(compile({code!r}, 'stage', 'exec'))\n"
        "dt = time.perf_counter() - t0\n"
        "peak = high_water()\n"
        "print('BENCH', dt, base, peak)\n"
    )
    proc = subprocess.run([python, "-c", wrapper], capture_output=True, text=True, env=os.environ.copy())
    if proc.returncode != 0:
        raise RuntimeError(f"stage {name} failed:\n{proc.stderr[-2000:]}")
    lines = proc.stdout.strip().splitlines()
    bench = next(ln for ln in lines if ln.startswith("BENCH")).split()
    extra = [ln for ln in lines if ln.startswith("{")]
    return {
        "seconds": float(bench[1]),
        "peak_rss_bytes": int(bench[3]) * 1024,
        "start_rss_bytes": int(bench[2]) * 1024,
        "result": json.loads(extra[-1]) if extra else None,
    }


def evidently_problem(python: str) -> str | None:
    """Why Evidently's DataDriftPreset cannot run with ``python`` (None when it can)."""
    probe = "from evidently import Report\nfrom evidently.presets import DataDriftPreset\n"
    proc = subprocess.run([python, "-c", probe], capture_output=True, text=True)
    if proc.returncode == 0:
        return None
    lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
    return lines[-1] if lines else f"exit status {proc.returncode}"


def _ratios(r: dict, floor: dict, in_memory: int) -> dict:
    extra = r["peak_rss_bytes"] - r["start_rss_bytes"]
    return {"time_over_floor": r["seconds"] / floor["seconds"], "extra_rss_over_data": extra / in_memory}


def _table(results: dict, floor: dict, in_memory: int) -> None:
    print(f"\n{'stage':<16}{'seconds':>9}{'x floor':>9}{'added RSS MiB':>14}{'x data':>8}")
    for name, r in results.items():
        extra = r["peak_rss_bytes"] - r["start_rss_bytes"]
        print(
            f"{name:<16}{r['seconds']:>9.1f}{r['seconds'] / floor['seconds']:>9.2f}"
            f"{extra / 2**20:>14.0f}{extra / in_memory:>8.2f}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=5_000_000, help="rows of each file")
    ap.add_argument("--features", type=int, default=25)
    ap.add_argument("--evidently-rows", type=int, default=1_000_000)
    ap.add_argument("--evidently-python", default=sys.executable, help="interpreter with Evidently installed")
    ap.add_argument("--dask", action="store_true", help="also time --engine dask on a local cluster")
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    ref, cur = OUT / "drift_ref.parquet", OUT / "drift_cur.parquet"
    t0 = time.perf_counter()
    in_memory = generate(args.rows, args.features, ref, drifted=False, seed=0)
    in_memory += generate(args.rows, args.features, cur, drifted=True, seed=1)
    on_disk = ref.stat().st_size + cur.stat().st_size
    print(
        f"generated 2 x {args.rows:,} rows x {args.features} features in {time.perf_counter() - t0:.1f}s; "
        f"in memory {in_memory / 2**20:.0f} MiB, Parquet {on_disk / 2**20:.0f} MiB"
    )

    stages = ["floor", "pitfall"] + (["pitfall_dask"] if args.dask else [])
    results = {s: run_stage(s, [ref, cur]) for s in stages}
    floor = results["floor"]
    _table(results, floor, in_memory)
    found = results["pitfall"]["result"]
    checks = {k: round(v, 1) for k, v in found["timings"].items() if k != "total"}
    print(
        f"pitfall: findings {found['codes']} crashed {found['crashed']}; seconds per check {checks}, "
        f"reading passes {found['timings']['total'] - sum(checks.values()):.1f}"
    )

    summary = {
        "rows": args.rows,
        "features": args.features,
        "drifted": DRIFTED + ["c0", "label"],
        "in_memory_bytes": in_memory,
        "parquet_bytes": on_disk,
        "stages": results,
        "ratios": {name: _ratios(r, floor, in_memory) for name, r in results.items()},
    }

    n_ev = min(args.evidently_rows, args.rows)
    problem = evidently_problem(args.evidently_python)
    if problem is not None:
        print(f"\nEvidently not timed: {problem}")
        summary["evidently"] = {"skipped": problem, "python": args.evidently_python}
    else:
        if n_ev < args.rows:
            small = [OUT / "drift_ref_small.parquet", OUT / "drift_cur_small.parquet"]
            small_memory = head(ref, small[0], n_ev) + head(cur, small[1], n_ev)
        else:
            small, small_memory = [ref, cur], in_memory
        try:
            ev = run_stage("evidently", small, args.evidently_python)
        except RuntimeError as exc:
            print(f"\nEvidently failed: {str(exc).strip().splitlines()[-1]}")
            summary["evidently"] = {"failed": str(exc)[-2000:], "python": args.evidently_python}
        else:
            pf = run_stage("pitfall", small) if n_ev < args.rows else results["pitfall"]
            fl = run_stage("floor", small) if n_ev < args.rows else floor
            at = {"evidently": ev, "pitfall": pf, "floor": fl}
            print(f"\nat {n_ev:,} rows (Evidently {ev['result']['version']}):")
            _table(at, fl, small_memory)
            ratio = ev["seconds"] / pf["seconds"]
            print(f"Evidently DataDriftPreset / pitfall drift wall time: {ratio:.1f}x")
            summary["evidently"] = {
                "rows": n_ev,
                "in_memory_bytes": small_memory,
                "stages": at,
                "ratios": {name: _ratios(r, fl, small_memory) for name, r in at.items()},
                "evidently_over_pitfall_seconds": ratio,
            }
    (OUT / "drift.json").write_text(json.dumps(summary, indent=2))
    print(f"\nwritten {OUT / 'drift.json'}")


if __name__ == "__main__":
    main()
