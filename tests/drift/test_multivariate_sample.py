"""PF502 sizes its sample from the precision asked of the AUC and says so in the evidence."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

import pitfall
from pitfall.checks.drift.multivariate_drift import MultivariateDrift, rows_for_precision
from pitfall.config import Config


def test_rows_for_precision_give_that_half_width_at_auc_one_half():
    for precision in (0.005, 0.01, 0.03):
        m = rows_for_precision(precision)
        half = 1.959964 * math.sqrt((2 * m + 1) / (12 * m * m))
        assert half <= precision < 1.959964 * math.sqrt((2 * m - 1) / (12 * (m - 1) ** 2))


def _frame(n: int, seed: int, shift: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"a": rng.normal(shift, 1, n), "b": rng.normal(size=n)})


def test_the_default_sample_is_sized_for_a_half_width_of_0_005():
    assert MultivariateDrift().precision == 0.005 and rows_for_precision(0.005) == 25_611


def test_a_drifted_pair_is_found_on_the_sample_the_precision_asks_for():
    ref, cur = _frame(5000, 1, 0.0), _frame(5000, 2, 0.5)
    config = Config(checks={"PF502": {"precision": 0.02}})
    report = pitfall.drift(ref, cur, select="PF502", config=config, seed=0)
    [finding] = report.by_code("PF502")
    sample = finding.evidence["sample"]
    assert sample["rows_per_side"] == rows_for_precision(0.02) == finding.evidence["n_reference"] < 5000
    assert finding.evidence["n_current"] == sample["rows_per_side"] and sample["precision"] == 0.02
    assert finding.evidence["auc"]["low"] > 0.55
    assert report.metrics["drift"]["multivariate"]["rows_per_side"] == sample["rows_per_side"]
