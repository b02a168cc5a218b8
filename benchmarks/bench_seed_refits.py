"""PF404's two-stage refits against fitting every refit, on the same data in the same run.

    python benchmarks/bench_seed_refits.py [--data digits|breast_cancer|wine]

Runs PF404 alone with the default model, once as shipped (3 refits, then 2 more unless the
contradiction rate is clearly below the bar) and once with the first stage set to all 5 refits
(the behaviour without the futility stop), each in a fresh process, and prints the wall times,
their ratio and both verdicts (they must agree).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

CODE = """
import json, sys, time
sys.path.insert(0, ".")
import pitfall.checks.evaluation.underspecification as u
u.FIRST_STAGE = {stage}
import pitfall
from tests.checks.shapes import sklearn_frame
from tests.checks.evaluation.synthetic import split
train, test = split(sklearn_frame("{data}"), seed=0)
t = time.perf_counter()
r = pitfall.scan(train, test, target="label", select="PF404", config=False)
m = r.metrics["seeds"]
print(json.dumps({{"seconds": time.perf_counter() - t, "loud": [f.severity.value for f in r.findings],
                   "refits": m["refits_fitted"], "contradicting": m["churn_contradicting"]}}))
"""

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="digits")
    args = parser.parse_args()
    out = {}
    for name, stage in (("all refits", 5), ("two stages", 3)):
        done = subprocess.run(
            [sys.executable, "-c", CODE.format(stage=stage, data=args.data)], capture_output=True, text=True, check=True
        )
        out[name] = json.loads(done.stdout.strip().splitlines()[-1])
        print(name, out[name], flush=True)
    print(f"two stages / all refits: {out['two stages']['seconds'] / out['all refits']['seconds']:.2f}")
