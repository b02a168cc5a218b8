"""Shared model work: cheaper fold models, only the test rows a check reads, block encoding and noise."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pitfall.checks import out_of_fold
from pitfall.checks.context import FAST_BOOSTING, Context, Options
from pitfall.data import model as model_module
from pitfall.data.encode import FeatureEncoder
from pitfall.runners.scan import build_split
from tests.conftest import clean_classification, split_frame


def _context(n: int = 600, seed: int = 0) -> Context:
    train, test = split_frame(clean_classification(n=n, seed=seed))
    return Context(build_split(train, test, target="label"), Options(seed=seed))


def test_fold_models_boost_faster_with_the_same_total_shrinkage():
    ctx = _context()
    fast = ctx.fit_default_model(list(ctx.split.features), fast=True).model_
    full = ctx.fit_default_model(list(ctx.split.features)).model_
    assert fast.learning_rate == FAST_BOOSTING["learning_rate"] == 4 * full.learning_rate
    assert fast.max_iter * 4 == full.max_iter
    assert fast.learning_rate * fast.n_iter_no_change == full.learning_rate * full.n_iter_no_change


def test_out_of_fold_probabilities_cover_the_labelled_test_rows():
    ctx = _context()
    oof = out_of_fold.out_of_fold_proba(ctx)
    assert np.array_equal(oof.test_rows, np.arange(len(ctx.y_test)))
    assert oof.test_proba.shape == (len(ctx.y_test), len(ctx.classes))
    assert np.allclose(oof.proba.sum(axis=1), 1) and np.allclose(oof.test_proba.sum(axis=1), 1)
    # a fair model: most training rows get their own label as the likeliest class
    assert (oof.proba.argmax(axis=1) == oof.y).mean() > 0.7


def test_a_big_test_set_is_sampled_seeded(monkeypatch):
    monkeypatch.setattr(out_of_fold, "MAX_CV_ROWS", 40)
    rows = [out_of_fold.labelled_test_rows(_context(seed=1)) for _ in range(2)]
    assert len(rows[0]) == 40 and np.all(np.diff(rows[0]) > 0)
    assert np.array_equal(rows[0], rows[1])


def test_predictions_in_blocks_equal_predictions_at_once(monkeypatch):
    ctx = _context(n=800)
    model = ctx.fit_default_model(list(ctx.split.features))
    X = ctx.split.test[list(ctx.split.features)]
    whole = model.predict_proba(X)
    monkeypatch.setattr(model_module, "_CHUNK_BYTES", 1)  # blocks of the 1,024-row minimum
    big = pd.concat([X] * 6, ignore_index=True)
    assert np.array_equal(model.predict_proba(big), np.tile(whole, (6, 1)))


def test_the_numeric_block_encodes_as_column_by_column():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=30),
            "inf": np.r_[np.inf, -np.inf, rng.normal(size=28)],
            "count": rng.integers(0, 5, 30),
            "nullable": pd.array([1, None, 3] * 10, dtype="Int64"),
            "as_text": ["1.5", "2"] * 15,
            "flag": [True, False, True] * 10,
            "colour": ["red", "blue", None] * 10,
        }
    )
    encoder = FeatureEncoder(list(frame.columns)).fit(frame)
    by_column = np.column_stack([encoder.transform_column(frame[c]) for c in frame.columns]).astype(np.float32)
    assert np.array_equal(encoder.transform(frame), by_column, equal_nan=True)
    # a column stored as numbers in train but as text here takes the column-by-column path
    other = frame.assign(x=frame["x"].astype(str))
    assert np.allclose(encoder.transform(other)[:, 0], frame["x"].to_numpy(), equal_nan=True)


def test_perturbing_all_columns_at_once_draws_as_column_by_column():
    from pitfall.checks.refits import perturb

    rng = np.random.default_rng(0)
    X = pd.DataFrame(
        {
            "a": rng.normal(size=40),
            "b": rng.integers(0, 5, 40),
            "c": ["x"] * 40,
            "d": pd.array([1, None] * 20, dtype="Int64"),
            "e": ["1.5", "z"] * 20,  # numeric in train, text here: parsed, the rest missing
        }
    )
    scales = {"a": 1.0, "b": 2.0, "d": 0.5, "e": 1.0}
    expected, draws = X.copy(), np.random.default_rng(1)
    for col, sd in scales.items():
        values = pd.to_numeric(X[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        expected[col] = values + draws.normal(0.0, 0.1 * sd, len(values))
    pd.testing.assert_frame_equal(perturb(X, scales, 0.1, np.random.default_rng(1)), expected)


def test_a_default_model_saved_before_the_learning_rate_parameter_loads_and_clones():
    from sklearn.base import clone

    ctx = _context()
    model = ctx.fit_default_model(list(ctx.split.features))
    state = model.__getstate__()
    del state["learning_rate"]
    old = type(model).__new__(type(model))
    old.__setstate__(state)
    X = ctx.split.test[list(ctx.split.features)]
    assert old.learning_rate == clone(old).learning_rate == 0.05
    assert np.array_equal(old.predict_proba(X), model.predict_proba(X))
