"""PF106 on real tables: labels replaced at random by another class are found, clean labels are not.

A model fitted on noisy labels learns the flip rate as probability spread over the other
classes, so labels drawn from its probabilities look as noisy as the data; but it spreads that
probability unevenly, and random flips land on classes it gives almost nothing. The count of
such confidently contradicted labels is what uniform noise raises.
"""

import numpy as np
import pytest

from pitfall.checks.integrity.label_errors import null_contradiction_counts
from tests.checks.evaluation.synthetic import loud, scan, split
from tests.checks.shapes import SHAPES, random_split, sklearn_frame


def flipped(name: str, rate: float, seed: int):
    train, test = split(sklearn_frame(name), seed=seed)
    rng = np.random.default_rng([seed, 106])
    classes = np.unique(train["label"])
    pos = np.searchsorted(classes, train["label"].to_numpy())
    hit = rng.random(len(pos)) < rate
    pos[hit] = (pos[hit] + rng.integers(1, len(classes), hit.sum())) % len(classes)
    return train.assign(label=classes[pos]), test, hit


def test_contradiction_null_matches_labels_drawn_from_the_probabilities():
    rng = np.random.default_rng(0)
    proba = rng.dirichlet(np.full(5, 0.3), size=2000)
    null = null_contradiction_counts(proba, 0.01, 300, seed=0)
    expected = (proba * (proba <= 0.01)).sum()
    assert abs(null.mean() - expected) < 3 * np.sqrt(expected) / np.sqrt(300) + 0.5


def test_fifteen_percent_random_flips_in_digits_are_a_warning(seed=1):
    # more seeds and data sets: benchmarks/sweep_model_verdicts.py label-noise (docs/false-alarms.md)
    train, test, hit = flipped("digits", 0.15, seed)
    train = train.assign(row_id=np.arange(len(train)))
    test = test.assign(row_id=np.arange(len(test)) + len(train))
    [finding] = [
        f
        for f in loud(scan(train, test, select="PF106", id="row_id", seed=seed), "PF106")
        if f.evidence["set"] == "train"
    ]
    ev = finding.evidence
    assert ev["contradiction_fires"] and ev["contradicted"] > ev["contradicted_null_quantile"]
    assert "class overlap does not explain" in finding.message
    # the excess is a lower bound on the flipped rows, and the listed suspects are mostly flips
    assert ev["contradicted_excess"] <= hit.sum()
    assert hit[[e["id"] for e in ev["examples"]]].mean() >= 0.7


@pytest.mark.parametrize("name", ["wine", "breast_cancer"])  # digits: in the sweep
def test_clean_real_labels_are_silent(name):
    report = scan(*split(sklearn_frame(name), seed=3), select="PF106", seed=3)
    assert loud(report, "PF106") == []


@pytest.mark.parametrize("seed", [0, 1])
def test_clean_imbalanced_labels_are_silent(seed):
    train, test = random_split(SHAPES["imbalanced"](seed=seed), seed=seed)
    report = scan(train, test, select="PF106", seed=seed)
    assert loud(report, "PF106") == []
