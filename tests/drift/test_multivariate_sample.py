"""PF502 sizes its sample from the precision asked of the AUC and says so in the evidence."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

import pitfall
from pitfall.checks.drift.multivariate_drift import rows_for_precision


def test_rows_for_precision_give_that_half_width_at_auc_one_half():
    for precision in (0.005, 0.01, 0.03):
        m = rows_for_precision(precision)
        half = 1.959964 * math.sqrt((2 * m + 1) / (12 * m * m))
        assert half <= precision < 1.959964 * math.sqrt((2 * m - 1) / (12 * (m - 1) ** 2))


def _frame(n: int, seed: int, shift: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"a": rng.normal(shift, 1, n), "b": rng.normal(size=n)})


def test_a_large_drifted_pair_is_found_on_the_sample_the_precision_asks_for():
    ref, cur = _frame(30_000, 1, 0.0), _frame(30_000, 2, 0.5)
    report = pitfall.drift(ref, cur, select="PF502", config=False, seed=0)
    [finding] = report.by_code("PF502")
    sample = finding.evidence["sample"]
    assert sample["rows_per_side"] == rows_for_precision(0.005) == finding.evidence["n_reference"] < 30_000
    assert finding.evidence["n_current"] == sample["rows_per_side"] and sample["precision"] == 0.005
    assert finding.evidence["auc"]["low"] > 0.55
    assert report.metrics["drift"]["multivariate"]["rows_per_side"] == sample["rows_per_side"]
