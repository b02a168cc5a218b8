"""Benchmark `pitfall scan` and `pitfall drift` on a realistic table: time and memory against a
one-pass floor measured in the same run.

    python benchmarks/bench_scan.py [--rows 1000000] [--columns 25] [--model] [--stages data,dask,drift]
    python benchmarks/bench_scan.py --scaling        # 100k / 1M / 5M rows, 25 / 100 / 400 columns
    python benchmarks/bench_scan.py --scaling --sizes 100000x25,100000x400

The data are those of ``realistic_table.py`` (80% train / 20% test Parquet; numeric columns on
scales from 1e-3 to 1e6, Zipf categoricals with 10–50 levels, 5% missing cells, 3 drifted
columns, 1% of the test rows planted near copies of training rows). Each stage runs in a fresh
process and reports its wall time over the floor's and the peak resident memory it adds (over
the process after its imports) over the data's in-memory size (pandas, strings as read):

- floor: read both files with pandas and histogram every column (64 bins for numbers, counts
  for categories): the least any data check must do;
- data: ``pitfall.scan(..., select="PF1,PF2", ignore="PF106")``: every integrity and leakage
  check that fits no model of the label (PF106, confident learning, is a model check);
- dask: the data stage with ``engine="dask"`` on a ``LocalCluster`` of ``WORKERS`` worker
  processes (``--stages data,dask``); its memory is this process's (the client's), the workers'
  is not counted; its findings are compared with the data stage's;
- drift: ``pitfall.drift(train, test, target="label")``;
- model (``--model``): the full default scan.

The planted near copies found by PF202 and the drifted columns found by PF501/PF502 are checked
against what was planted. Generated tables are kept in bench-out/table-ROWS-COLUMNS/ and reused. Results go to
bench-out/scan.json (or scaling-STAGES.json).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from realistic_table import generate, in_memory_bytes  # noqa: E402

OUT = Path("bench-out")
WORKERS = 2  # Dask workers of the ``dask`` stage's LocalCluster (one process each)

# Peak RSS in KiB of the stage's process. Linux's getrusage ru_maxrss survives exec: a stage
# started by a process that held the generated data would start from its peak. VmHWM
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
for p in PATHS:
    f = pd.read_parquet(p)
    for c in f.columns:
        if f[c].dtype.kind in "fiub":
            x = f[c].to_numpy(dtype=float)
            np.histogram(x[np.isfinite(x)], bins=64)
        else:
            f[c].value_counts()
    del f
""",
    "data": """
import pitfall
r = pitfall.scan(PATHS[0], PATHS[1], target="label", select="PF1,PF2", ignore="PF106", config=False)
print(json.dumps({"codes": r.codes(), "crashed": r.crashed, "timings": r.timings, "notes": r.notes,
                  "messages": [f.message for f in r.findings],
                  "near": [[f.evidence["count"], [e["test_row"] for e in f.evidence["examples"]]]
                           for f in r.findings if f.code == "PF202"]}))
""",
    "dask": """
import pitfall, distributed
with distributed.LocalCluster(n_workers=WORKERS, threads_per_worker=1, dashboard_address=None) as c, \
        distributed.Client(c):
    r = pitfall.scan(PATHS[0], PATHS[1], target="label", select="PF1,PF2", ignore="PF106", config=False,
                     engine="dask")
print(json.dumps({"codes": r.codes(), "crashed": r.crashed, "timings": r.timings, "notes": r.notes,
                  "messages": [f.message for f in r.findings],
                  "near": [[f.evidence["count"], [e["test_row"] for e in f.evidence["examples"]]]
                           for f in r.findings if f.code == "PF202"]}))
""",
    "drift": """
import pitfall
r = pitfall.drift(PATHS[0], PATHS[1], target="label", config=False)
print(json.dumps({"codes": r.codes(), "crashed": r.crashed, "timings": r.timings,
                  "drifted": sorted({c for f in r.findings if f.code == "PF501" for c in f.columns}),
                  "pf502": [f.evidence.get("auc") for f in r.findings if f.code == "PF502"]}))
""",
    "model": """
import pitfall
r = pitfall.scan(PATHS[0], PATHS[1], target="label", config=False)
print(json.dumps({"codes": r.codes(), "crashed": r.crashed, "timings": r.timings}))
""",
}


def run_stage(name: str, paths: list[Path]) -> dict:
    code = f"import json, time\nPATHS = {[str(p) for p in paths]!r}\nWORKERS = {WORKERS}\n" + STAGES[name]
    wrapper = (
        "import resource, time, sys\n"
        + HIGH_WATER
        + "import numpy, pandas, pyarrow.parquet, sklearn.ensemble, pitfall.runners.scan, pitfall.checks.registry\n"
        "base = high_water()\n"
        "t0 = time.perf_counter()\n"
        f"exec(compile({code!r}, 'stage', 'exec'))\n"
        "dt = time.perf_counter() - t0\n"
        "peak = high_water()\n"
        "print('BENCH', dt, base, peak)\n"
    )
    proc = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True, env=os.environ.copy())
    if proc.returncode != 0:
        return {"failed": proc.stderr[-2000:]}
    lines = proc.stdout.strip().splitlines()
    bench = next(ln for ln in lines if ln.startswith("BENCH")).split()
    extra = [ln for ln in lines if ln.startswith("{")]
    return {
        "seconds": float(bench[1]),
        "peak_rss_bytes": int(bench[3]) * 1024,
        "start_rss_bytes": int(bench[2]) * 1024,
        "result": json.loads(extra[-1]) if extra else None,
    }


def measure(rows: int, columns: int, stages: list[str]) -> dict:
    folder = OUT / f"table-{rows}-{columns}"
    t0 = time.perf_counter()
    done = folder / "planted.json"
    planted = json.loads(done.read_text()) if done.exists() else generate(rows, folder, columns=columns)
    paths = [folder / "train.parquet", folder / "test.parquet"]
    size = in_memory_bytes(paths)
    print(
        f"\n{rows:,} rows x {columns} columns: generated in {time.perf_counter() - t0:.0f}s, "
        f"in memory {size / 2**20:.0f} MiB, Parquet {sum(p.stat().st_size for p in paths) / 2**20:.0f} MiB"
    )
    results = {s: run_stage(s, paths) for s in ["floor", *stages]}
    floor = results["floor"]["seconds"]
    print(f"{'stage':<8}{'seconds':>9}{'x floor':>9}{'added RSS MiB':>15}{'x data':>8}")
    for name, r in results.items():
        if "failed" in r:
            print(f"{name:<8} FAILED: {r['failed'].splitlines()[-1] if r['failed'] else ''}")
            continue
        added = r["peak_rss_bytes"] - r["start_rss_bytes"]
        r["time_over_floor"] = r["seconds"] / floor
        r["added_rss_over_data"] = added / size
        print(f"{name:<8}{r['seconds']:>9.1f}{r['time_over_floor']:>9.2f}{added / 2**20:>15.0f}{added / size:>8.2f}")
    planted_near = set(planted["near_copies"]["test_rows"])
    for name in ("data", "dask"):
        res = results.get(name, {}).get("result")
        if res:
            near = res.get("near") or [[0, []]]
            res["near_count"], examples = near[0]
            res["near_examples_planted"] = f"{len(set(examples) & planted_near)}/{len(examples)}"
            res["planted_near"] = len(planted_near)
            slow = sorted(((v, k) for k, v in res["timings"].items() if k != "total"), reverse=True)[:4]
            print(f"{name}: findings {res['codes']}, crashed {res['crashed']}")
            print(
                f"  PF202 near copies reported {res['near_count']} (planted {len(planted_near)}; "
                f"examples planted {res['near_examples_planted']}); slowest {[(k, round(v, 1)) for v, k in slow]}"
            )
    same = [results.get(n, {}).get("result") for n in ("data", "dask")]
    if all(same):
        print(f"dask: the same findings as data: {same[0]['messages'] == same[1]['messages']}")
    res = results.get("drift", {}).get("result")
    if res:
        print(
            f"drift: findings {res['codes']}; PF501 columns {res['drifted']} (planted {planted['drifted']}); "
            f"PF502 AUC {res['pf502']}; timings { ({k: round(v, 1) for k, v in res['timings'].items()}) }"
        )
    return {
        "rows": rows,
        "columns": columns,
        "in_memory_bytes": size,
        "planted_drift": planted["drifted"],
        "stages": results,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--columns", type=int, default=25)
    ap.add_argument("--model", action="store_true", help="also the full default scan")
    ap.add_argument("--scaling", action="store_true", help="100k/1M/5M rows at 25 columns; 25/100/400 columns")
    ap.add_argument("--stages", default="data,dask,drift", help="stages besides the floor (data, dask, drift)")
    ap.add_argument("--scaling-columns-rows", type=int, default=100_000, help="rows of the column sweep")
    ap.add_argument(
        "--sizes",
        default="",
        help="with --scaling, only these tables, e.g. 100000x25,1000000x25 (ROWSxCOLUMNS, comma-separated)",
    )
    args = ap.parse_args()
    stages = args.stages.split(",") + (["model"] if args.model else [])
    OUT.mkdir(exist_ok=True)
    if not args.scaling:
        summary = measure(args.rows, args.columns, stages)
        (OUT / "scan.json").write_text(json.dumps(summary, indent=2))
        print(f"\nwritten {OUT / 'scan.json'}")
        return
    sizes = [(r, 25) for r in (100_000, 1_000_000, 5_000_000)]
    sizes += [(args.scaling_columns_rows, c) for c in (100, 400)]
    if args.sizes:
        sizes = [tuple(int(v) for v in size.split("x")) for size in args.sizes.split(",")]
    runs = [measure(r, c, stages) for r, c in sizes]
    written = OUT / f"scaling-{'-'.join(stages)}.json"
    written.write_text(json.dumps(runs, indent=2))
    print(f"\n{'rows':>10}{'cols':>6}{'floor s':>9}" + "".join(f"{s + ' x':>9}" for s in stages))
    for r in runs:
        st = r["stages"]
        print(
            f"{r['rows']:>10,}{r['columns']:>6}{st['floor']['seconds']:>9.1f}"
            + "".join(f"{st[s].get('time_over_floor', float('nan')):>9.2f}" for s in stages)
        )
    print(f"\nwritten {written}")


if __name__ == "__main__":
    main()
