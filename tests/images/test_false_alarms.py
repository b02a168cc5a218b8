"""False alarms of the image checks on clean image data: a structural task (which half of the
picture the shape is in, random colours), no copies, no shortcut.

    python -m tests.images.test_false_alarms 20    # the table in docs/false-alarms.md
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from pitfall import scan

from .synth import placed_folder

CHECKS = ("PF107", "PF201", "PF202", "PF203", "PF301", "PF302", "PF401")


def alarms(seeds: range, n_per_class: int = 100) -> dict[str, int]:
    """Seeds on which each image check raised a warning or an error."""
    counts = dict.fromkeys(CHECKS, 0)
    for seed in seeds:
        with tempfile.TemporaryDirectory() as tmp:
            root = placed_folder(Path(tmp) / "placed", n_per_class, seed=1000 + seed)
            report = scan(root, select=list(CHECKS), seed=seed, config=False)
        for code in {f.code for f in report.findings if f.severity.value in ("warning", "error")}:
            counts[code] += 1
    return counts


def test_clean_images_raise_no_alarm():
    counts = alarms(range(3))
    assert sum(counts.values()) == 0, counts


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    result = alarms(range(n))
    print("| check | seeds | alarms |\n|---|---|---|")
    for code, k in result.items():
        print(f"| {code} | {n} | {k} ({k / n:.0%}) |")
