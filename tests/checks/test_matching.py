"""The matching engine behind PF101, PF102, PF201-PF203: keys, dimensions, chance expectations."""

import numpy as np
import pandas as pd
import pytest

from pitfall.checks import shared
from pitfall.checks.context import Context
from pitfall.checks.matching import (
    CHANCE_TAU,
    RowIndex,
    effective_dimension,
    intrinsic_dimension,
)
from pitfall.runners.scan import build_split
from pitfall.stats import poisson_sf
from tests.checks.shapes import (
    cyclic,
    gaussian,
    low_dimensional,
    random_split,
    sklearn_frame,
    survey,
)


@pytest.mark.parametrize("name", ["digits", "iris", "breast_cancer"])
def test_exact_keys_agree_with_pandas(name):
    # 64-bit keys must neither merge different rows nor split equal ones
    df = sklearn_frame(name).drop(columns="label")
    index = RowIndex([df, df.iloc[:0]], list(df.columns))
    keys = pd.Series(index.keys[0, index.part(0)])
    assert (keys.duplicated(keep=False) == df.duplicated(keep=False)).all()
    assert keys.nunique() == len(df.drop_duplicates())


def test_grid_levels_are_nested():
    df = gaussian(n=3000).drop(columns="label")
    index = RowIndex([df], list(df.columns))
    for level in range(1, index.keys.shape[0] - 1):
        fine = pd.Series(index.keys[level])
        coarse = pd.Series(index.keys[level + 1])
        assert (pd.DataFrame({"f": fine, "c": coarse}).groupby("f")["c"].nunique() == 1).all()


def test_effective_dimension():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(5000, 6))
    assert effective_dimension(X) == pytest.approx(6, abs=0.2)
    copies = np.repeat(X[:, :1], 6, axis=1) + 1e-6 * rng.normal(size=(5000, 6))
    assert effective_dimension(copies) == pytest.approx(1, abs=0.05)


def test_intrinsic_dimension_sees_curves():
    rng = np.random.default_rng(0)
    t = rng.uniform(0, 2 * np.pi, 5000)
    circle = np.column_stack([np.cos(t), np.sin(t), np.cos(2 * t), np.sin(3 * t)])
    assert intrinsic_dimension(circle) == pytest.approx(1, abs=0.3)
    assert effective_dimension(circle) > 3.5  # uncorrelated columns: the spectrum cannot see it
    assert intrinsic_dimension(rng.normal(size=(5000, 3))) == pytest.approx(3, abs=0.4)


def _cross(train, test):
    return shared.cross_matches(Context(build_split(train, test, target="label")))


@pytest.mark.parametrize("make", [low_dimensional, cyclic, lambda seed: gaussian(seed, n=20_000, d=3)])
def test_chance_expectation_is_not_below_the_chance_matches(make):
    # On clean data every match is a chance match: the observed count must not be improbably
    # high for the expected one (Poisson).
    train, test = random_split(make(seed=0))
    ch = _cross(train, test).chance
    for level in range(4):
        observed = int((ch.matches[level] > 0).sum())
        assert poisson_sf(observed, np.minimum(ch.expected[level], 1).sum()) > 0.01


def test_copies_of_continuous_rows_are_improbable_and_survey_repeats_are_not():
    train, test = random_split(gaussian(n=2000))
    test = pd.concat([test, train.iloc[:5]], ignore_index=True)
    m = _cross(train, test)
    assert len(m.exact) == 5
    assert m.mu_exact < CHANCE_TAU

    train, test = random_split(survey())
    m = _cross(train, test)
    assert m.plausible_exact > 0 and len(m.exact) == 0


def test_large_query_sets_use_a_sample_with_an_upper_bound():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(60_000, 3)), columns=["a", "b", "c"]).assign(label=rng.integers(0, 2, 60_000))
    train, test = df.iloc[:30_000], df.iloc[30_000:]
    m = _cross(train, test)
    assert m.chance.weight == pytest.approx(30_000 / 20_000)
    assert m.chance.sampled.sum() == 20_000
    # every matched row is evaluated, sampled or not
    assert (m.chance.matches[3] > 0).sum() > m.chance.sampled[m.chance.matches[3] > 0].sum()
