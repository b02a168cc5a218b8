"""PF404 on real digits: a ten-tree forest of one-feature splits depends on its seed; a large
forest fitted on the same rows does not."""

import pytest
from sklearn.ensemble import RandomForestClassifier

from tests.checks.evaluation.synthetic import loud, scan, split
from tests.checks.shapes import sklearn_frame


def noisy_digits(seed: int):
    import numpy as np

    train, test = split(sklearn_frame("digits"), seed=seed)
    rng = np.random.default_rng([seed, 404])
    y = train["label"].to_numpy(copy=True)
    hit = rng.random(len(y)) < 0.15
    y[hit] = (y[hit] + rng.integers(1, 10, hit.sum())) % 10
    return train.assign(label=y), test


@pytest.mark.parametrize("seed", [0, 1])
def test_a_ten_tree_forest_that_contradicts_itself_across_seeds_is_a_warning(seed):
    train, test = noisy_digits(seed)
    model = RandomForestClassifier(n_estimators=10, max_features=1, random_state=seed)
    model.fit(train.drop(columns="label"), train["label"])
    [finding] = loud(scan(train, test, select="PF404", model=model, seed=seed), "PF404")
    ev = finding.evidence
    assert ev["source"] == "seed" and ev["churn_contradicting"]["low"] > 0.05


def test_a_large_forest_on_the_same_rows_is_silent():
    train, test = noisy_digits(0)
    model = RandomForestClassifier(n_estimators=200, max_features=1, random_state=0, n_jobs=1)
    model.fit(train.drop(columns="label"), train["label"])
    report = scan(train, test, select="PF404", model=model)
    assert loud(report, "PF404") == []
    assert report.metrics["seeds"]["churn_contradicting"]["high"] < 0.05
