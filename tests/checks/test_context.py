"""The shared context: subsampling for cross-validated checks is seeded, stratified and noted."""

from __future__ import annotations

import numpy as np

from pitfall.checks.context import MAX_CV_ROWS, Context, Options
from pitfall.runners.scan import build_split
from tests.conftest import clean_classification, split_frame


def test_small_train_sets_are_used_whole_without_a_note():
    train, test = split_frame(clean_classification(n=400, seed=3))
    ctx = Context(build_split(train, test, target="label"), Options(seed=3))
    assert np.array_equal(ctx.cv_rows, np.arange(len(train)))
    assert ctx.notes == []


def test_big_train_sets_are_sampled_stratified_seeded_and_noted():
    train, test = split_frame(clean_classification(n=MAX_CV_ROWS + 20_000, d=2, seed=4, imbalance=0.05))
    split = build_split(train, test, target="label")
    a, b = Context(split, Options(seed=7)), Context(split, Options(seed=7))
    rows = a.cv_rows
    assert len(rows) == MAX_CV_ROWS and np.all(np.diff(rows) > 0)
    assert np.array_equal(rows, b.cv_rows)
    share_all = a.y_train.mean()
    assert abs(a.y_train[rows].mean() - share_all) < 1e-3
    assert any(f"{MAX_CV_ROWS:,} of the {len(train):,} training rows" in n for n in a.notes)
