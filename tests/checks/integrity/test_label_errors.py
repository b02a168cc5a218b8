"""PF106 label-errors: confident learning against a null of labels drawn from the model."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from pitfall.checks.integrity.label_errors import confident_flags, null_flag_counts
from tests.checks.evaluation.synthetic import binary, loud, multiclass, regression, scan, split
from tests.conftest import clean_classification


def flip(df, rate: float, seed: int = 0, only: object = None):
    """Give ``rate`` of the rows (of class ``only``, when set) another label, at random."""
    rng = np.random.default_rng(seed + 77)
    df = df.reset_index(drop=True).copy()
    labels = np.array(sorted(df["label"].unique()))
    pool = np.flatnonzero(df["label"].to_numpy() == only) if only is not None else np.arange(len(df))
    rows = rng.choice(pool, int(round(rate * len(pool))), replace=False)
    y = df["label"].to_numpy(copy=True)
    for i in rows:
        y[i] = rng.choice(labels[labels != y[i]])
    df["label"] = y
    planted = np.zeros(len(df), dtype=bool)
    planted[rows] = True
    return df, planted


def test_confident_flags_follow_the_per_class_thresholds():
    proba = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.2, 0.8], [0.95, 0.05]])
    y = np.array([0, 0, 1, 1, 1])  # the last row is labelled 1 but the model is sure of 0
    flags = confident_flags(proba, y)
    assert flags.thresholds == pytest.approx([0.85, (0.7 + 0.8 + 0.05) / 3])
    assert flags.flagged.tolist() == [False, False, False, False, True]
    assert flags.suggested[4] == 0 and flags.margin[4] == pytest.approx(0.9)


def test_the_null_count_covers_labels_drawn_from_the_probabilities():
    rng = np.random.default_rng(0)
    p1 = 1 / (1 + np.exp(-2 * rng.normal(size=2000)))
    proba = np.column_stack([1 - p1, p1])
    null = null_flag_counts(proba, 200, seed=0)
    drawn = [confident_flags(proba, (rng.random(2000) < p1).astype(int)).flagged.sum() for _ in range(50)]
    assert np.mean(drawn) == pytest.approx(null.mean(), rel=0.05)


def test_test_labels_noisier_than_train_are_a_warning_listing_the_suspects():
    df = binary(4000, seed=0)
    df["row_id"] = [f"r{i}" for i in range(len(df))]
    train, test = split(df)
    test, planted = flip(test, 0.05)
    report = scan(train, test, select="PF106", id="row_id")
    [found] = loud(report, "PF106")
    ev = found.evidence
    assert ev["set"] == "test" and ev["seed"] == 0
    assert ev["fold_boosting"] == {"learning_rate": 0.2, "max_iter": 75}
    assert ev["flagged"] > ev["null_quantile"]
    assert ev["estimated_errors"] >= 0.01 * ev["n"]
    examples = ev["examples"]
    assert 0 < len(examples) <= 20
    assert {"row", "id", "given", "suggested", "confidence"} <= set(examples[0])
    assert examples[0]["id"] == test["row_id"].iloc[examples[0]["row"]]
    precision = planted[[e["row"] for e in examples]].mean()
    assert precision >= 0.4  # 5% of rows were flipped; the top suspects are mostly those
    assert report.metrics["label_errors"]["sets"]["test"]["flagged"] == ev["flagged"]


@pytest.mark.parametrize(
    "data",
    [
        lambda: binary(2000),
        lambda: clean_classification(2000),
        lambda: binary(3000, positives=0.02),
        lambda: multiclass(1500, k=4),
    ],
    ids=["binary", "noisy-logistic", "2%-positives", "4-classes"],
)
def test_clean_labels_are_silent(data):
    report = scan(*split(data()), select="PF106")
    assert loud(report, "PF106") == []
    metrics = report.metrics["label_errors"]
    assert set(metrics) >= {"flagged", "expected_clean", "share", "examples"}
    assert metrics["flagged"] > 0  # overlapping classes get flagged even with correct labels


def test_random_flips_in_all_labels_look_like_class_overlap():
    # the model learns a uniform flip rate as part of p(label | x): the check neither fires nor
    # crashes, and the flipped rows are still overrepresented among the listed suspects
    df, planted = flip(binary(2000), 0.05)
    df["row_id"] = np.arange(len(df))
    train, test = split(df)
    report = scan(train, test, select="PF106", id="row_id")
    examples = report.metrics["label_errors"]["examples"]
    assert planted[[e["id"] for e in examples]].mean() > 0.2


def test_false_alarm_rate_over_30_seeds_is_at_most_one():
    # binary shapes keep it fast (a k-class model fits k trees a round); 4 classes: docs/false-alarms.md
    shapes = [
        lambda s: binary(300, seed=s),
        lambda s: binary(600, seed=s, positives=0.05),
        lambda s: clean_classification(300, seed=s),
    ]
    alarms = 0
    for seed in range(30):
        report = scan(*split(shapes[seed % 3](seed), seed=seed), select="PF106", seed=seed)
        alarms += bool(loud(report, "PF106"))
    assert alarms <= 1


def test_regression_is_skipped_and_odd_data_do_not_crash():
    assert "PF106" in scan(*split(regression(300)), select="PF106").skipped
    df = multiclass(450, k=3)
    df.loc[::5, "x0"] = np.nan
    df["colour"] = np.where(df["x1"] > 0, "red", "blue")
    train, test = split(df)
    test = test[test["label"] != "class_1"]
    scan(train, test, select="PF106")
    train, test = split(binary(400))
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(train.drop(columns="label"), train["label"])
    scan(train, test.head(10), select="PF106", model=model)


@pytest.mark.parametrize("seed", [4, 5])
def test_a_rare_class_with_few_rows_gives_at_most_a_hint(seed):
    """2% positives (about 30 training rows): the out-of-fold probabilities of the rare class
    are too rough for the null, which without this rule warned on these clean seeds."""
    import pitfall
    from tests.checks.shapes import SHAPES, random_split

    train, test = random_split(SHAPES["imbalanced"](seed=seed), seed=seed)
    report = pitfall.scan(train, test, target="label", select=["PF106"], config=False, seed=seed)
    assert not report.crashed
    found = [f for f in report.findings if f.code == "PF106"]
    assert all(f.severity.value == "info" for f in found)
    assert all(f.evidence["rarest_class_rows"] < 500 and "too few" in f.message for f in found)
