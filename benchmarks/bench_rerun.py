"""How often does `pitfall rerun` raise PF701/PF702 on projects that are, and are not, reproducible?

    python benchmarks/bench_rerun.py [--projects 10] [--rows 600] [--out bench-out]

For each of ``projects`` generated classification sets (scikit-learn's ``make_classification``, a
different seed each, 75/25 train/test files) in a temporary folder:

- a seeded training script (random forest, ``random_state=0``) is run, the scan with its model is
  recorded, and ``pitfall rerun --train-script`` is run: every PF701 or PF702 here is a false alarm;
- the same with an unseeded script (``random_state=None``): PF702 "not deterministic" and "seed
  missing" should fire every time; PF701 fires only when refitting alone moves a score outside
  its recorded interval, which is how often the reported number is not reproducible.

Results (counts per outcome and seconds per rerun) go to ``OUT/rerun.json``.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from sklearn.datasets import make_classification

SCRIPT = """
import joblib, pandas as pd
from sklearn.ensemble import RandomForestClassifier
d = pd.read_csv("train.csv")
m = RandomForestClassifier(n_estimators=20, random_state={state}).fit(d.drop(columns="label"), d["label"])
joblib.dump(m, "model.joblib")
"""


def pitfall(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pitfall", *args], cwd=folder, capture_output=True, text=True, check=False
    )


def one(folder: Path, seed: int, rows: int, state: str) -> dict:
    x, y = make_classification(n_samples=rows, n_features=8, n_informative=4, random_state=seed)
    frame = pd.DataFrame(x, columns=[f"f{i}" for i in range(8)]).round(6)
    frame["label"] = y
    cut = int(0.75 * rows)
    frame.iloc[:cut].to_csv(folder / "train.csv", index=False)
    frame.iloc[cut:].to_csv(folder / "test.csv", index=False)
    (folder / "train.py").write_text(SCRIPT.replace("{state}", state), encoding="utf-8")
    train = f"{shlex.quote(sys.executable)} train.py"
    subprocess.run(train, shell=True, cwd=folder, check=True)
    done = pitfall(
        folder,
        "scan",
        "train.csv",
        "test.csv",
        "-t",
        "label",
        "--model",
        "model.joblib",
        "--trust-model",
        "--select",
        "PF201,PF401,PF402,PF403",
        "--record",
        "--quiet",
        "--format",
        "json",
        "--output",
        "r.json",
    )
    assert done.returncode in (0, 1), done.stderr
    started = time.perf_counter()
    done = pitfall(folder, "rerun", "last", "--train-script", train, "--format", "json", "--no-record")
    seconds = time.perf_counter() - started
    assert done.returncode in (0, 1), done.stderr
    result = json.loads(done.stdout)
    pf702 = [f["evidence"] for f in result["findings"] if f["code"] == "PF702"]
    return {
        "seed": seed,
        "identical": result["reproduced_bit_for_bit"],
        "pf701": any(f["code"] == "PF701" for f in result["findings"]),
        "pf702": sorted(e.get("kind", "") for e in pf702),
        "unseeded_named": any(e.get("unseeded_parameters") for e in pf702),
        "disagree": [e.get("disagree") for e in pf702 if e.get("kind") == "not-deterministic"],
        "seconds": seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=10)
    parser.add_argument("--rows", type=int, default=600)
    parser.add_argument("--out", type=Path, default=Path("bench-out"))
    parser.add_argument("--only", choices=["seeded", "unseeded"], help="Run one of the two cases.")
    args = parser.parse_args()
    results = {}
    for label, state in (("seeded", "0"), ("unseeded", "None")):
        if args.only and label != args.only:
            continue
        runs = []
        for seed in range(args.projects):
            with tempfile.TemporaryDirectory(prefix="pitfall-bench-rerun-") as tmp:
                runs.append(one(Path(tmp), seed, args.rows, state))
        results[label] = {
            "runs": runs,
            "bit_for_bit": sum(r["identical"] for r in runs),
            "pf701": sum(r["pf701"] for r in runs),
            "pf702_not_deterministic": sum("not-deterministic" in r["pf702"] for r in runs),
            "pf702_names_the_unseeded_random_state": sum(r["unseeded_named"] for r in runs),
            "median_seconds": sorted(r["seconds"] for r in runs)[len(runs) // 2],
        }
        summary = {k: v for k, v in results[label].items() if k != "runs"}
        print(f"{label}: {args.projects} projects: {summary}", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "rerun.json").write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
