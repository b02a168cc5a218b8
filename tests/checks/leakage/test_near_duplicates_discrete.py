"""PF202 in integer, mostly-zero data: 8x8 digit images as 64 pixel columns.

Planted: test rows that are copies of training rows with a few pixels changed by one grey
level (the robust-SD grids cannot see these: the columns are discrete and mostly blank).
Clean: the digits table and discrete synthetic shapes split at random.
"""

import numpy as np
import pandas as pd
import pytest

from tests.checks.evaluation.synthetic import scan
from tests.checks.shapes import SHAPES, random_split, sklearn_frame


def _plant(train, test, copies, changed, seed):
    rng = np.random.default_rng(seed)
    cols = [c for c in train.columns if c != "label"]
    cp = train.iloc[rng.choice(len(train), copies, replace=False)].copy().reset_index(drop=True)
    for i in range(copies):
        for c in rng.choice(cols, changed, replace=False):
            v = cp.at[i, c]
            cp.at[i, c] = v + 1 if v == 0 or (v < 16 and rng.random() < 0.5) else v - 1
    return pd.concat([test.iloc[: len(test) - copies], cp], ignore_index=True)


def _pf202(report):
    return [f for f in report.findings if f.code == "PF202"]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_digit_copies_with_three_pixels_changed_are_found(seed):
    train, test = random_split(sklearn_frame("digits"), seed=seed)
    test = _plant(train, test, 60, 3, seed)
    [finding] = _pf202(scan(train, test, select="PF202", seed=seed))
    assert finding.severity.value == "error"
    ev = finding.evidence
    assert ev["count"] >= 57 and ev["expected_by_chance"] < 1
    assert ev["columns_allowed_to_differ"] == 4
    assert all(1 <= len(e["differing"]) <= 4 for e in ev["examples"])


def test_a_dozen_copies_with_four_pixels_changed_are_found():
    train, test = random_split(sklearn_frame("digits"), seed=3)
    test = _plant(train, test, 12, 4, 3)
    [finding] = _pf202(scan(train, test, select="PF202", seed=3))
    assert finding.evidence["count"] >= 10


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_clean_digits_are_silent(seed):
    train, test = random_split(sklearn_frame("digits"), seed=seed)
    assert _pf202(scan(train, test, select="PF202", seed=seed)) == []


@pytest.mark.parametrize("shape", ["survey", "one-hot"])
def test_clean_discrete_shapes_are_silent(shape):
    for seed in (0, 1, 2):
        train, test = random_split(SHAPES[shape](seed=seed), seed=seed)
        assert _pf202(scan(train, test, select="PF202", seed=seed)) == []
