"""How often the data checks (PF1xx, PF201-PF204) raise a warning or an error on clean data.

Each clean shape is drawn with 30 seeds and split at random (PF204 gets a time column and a
time split). docs/false-alarms.md reports the rates; regenerate its table with
``python -m tests.checks.test_false_alarms 100``.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from tests.checks.shapes import (
    DATA_CHECKS,
    SHAPES,
    SKLEARN,
    loud,
    random_split,
    scan_data,
    sklearn_frame,
)

SEEDS = 30
CODES = ("PF101", "PF102", "PF103", "PF104", "PF105", "PF201", "PF202", "PF203", "PF204")


def _with_time(df: pd.DataFrame, seed: int) -> pd.DataFrame:
    days = np.random.default_rng(seed).integers(0, 3 * 365, len(df))
    return df.assign(observed=pd.Timestamp("2021-01-01") + pd.to_timedelta(days, unit="D"))


def _frame(shape: str, seed: int) -> pd.DataFrame:
    return sklearn_frame(shape) if shape in SKLEARN else SHAPES[shape](seed=seed)


def alarms(shape: str, seeds: int, *, time_split_checks: str = "PF204") -> dict[str, int]:
    """Seeds (of ``seeds``) on which each data check raised a warning or error on ``shape``.

    Every seed is scanned twice: split at random (all data checks; PF204 is skipped for want
    of a time column), and with a random date per row split by time (``time_split_checks``).
    """
    counts = dict.fromkeys(CODES, 0)
    counts["any"] = 0
    for seed in range(seeds):
        df = _frame(shape, seed)  # a bundled data set is the same each time; only its split varies
        train, test = random_split(df, seed=seed)
        found = {f.code for f in loud(scan_data(train, test, seed=seed))}
        timed = scan_data(_with_time(df, seed), select=time_split_checks, time="observed", split="time", seed=seed)
        found |= {f.code for f in loud(timed)}
        for code in found:
            counts[code] += 1
        counts["any"] += bool(found)
    return counts


@pytest.mark.parametrize("shape", list(SHAPES))
def test_false_alarm_rate_is_at_most_a_few_percent(shape):
    counts = alarms(shape, SEEDS)
    assert counts["any"] <= 1, counts  # at most 1 of 30 seeds (3.3%) with any alarm


def table(seeds: int) -> str:
    lines = ["| check | shape | seeds | rate |", "|---|---|---|---|"]
    for shape in (*SHAPES, *SKLEARN):
        counts = alarms(shape, seeds, time_split_checks=DATA_CHECKS)
        for code in (*CODES, "any"):
            lines.append(f"| {code} | {shape} | {seeds} | {counts[code] / seeds:.1%} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(int(sys.argv[1]) if len(sys.argv) > 1 else SEEDS))
