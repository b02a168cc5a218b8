"""PF303 subgroup-gap: per-slice scores against the rest of the test set."""

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from pitfall.checks.shortcuts.subgroup_gap import holm, score_slices, slice_column
from tests.checks import shapes
from tests.checks.evaluation.synthetic import binary, loud, multiclass, regression, scan, split


def with_sites(df: pd.DataFrame, seed: int = 0, noisy: str | None = "C", column: str = "site") -> pd.DataFrame:
    """Five sites; the labels of site ``noisy`` are coin flips (careless transcription)."""
    rng = np.random.default_rng(seed + 5)
    df = df.copy()
    df[column] = rng.choice(list("ABCDE"), size=len(df))
    if noisy is not None:
        bad = (df[column] == noisy).to_numpy()
        df.loc[bad, "label"] = rng.integers(0, 2, bad.sum())
    return df


def random_columns(df: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Columns unrelated to anything: three categorical (3-5 levels), two numeric."""
    rng = np.random.default_rng(seed + 77)
    extra = {f"batch{j}": rng.choice(list("ABCDE"[: 3 + j]), size=len(df)) for j in range(3)}
    extra |= {f"noise{j}": rng.normal(size=len(df)) for j in range(2)}
    return df.assign(**extra)


def test_a_site_with_noisy_labels_is_flagged_by_name():
    report = scan(*split(with_sites(binary(2000))), select="PF303")
    [finding] = loud(report, "PF303")
    worst = finding.evidence["slices"][0]
    assert (worst["column"], worst["slice"]) == ("site", "C")
    assert finding.severity.value == "warning" and finding.columns == ("site",)
    assert worst["gap"] > 0.2 and worst["p_adjusted"] < 0.05 and worst["n"] > 80
    assert worst["score"]["high"] < worst["rest"]
    assert "site = 'C'" in finding.message
    slices = report.metrics["slices"]
    assert slices["metric"] == "balanced_accuracy" and slices["slices"][0]["flagged"]
    assert set(slices["slices"][0]) >= {"column", "slice", "n", "score", "p_adjusted", "flagged"}
    assert len(slices["slices"]) <= 30


def test_a_sensitive_column_with_a_large_gap_is_an_error():
    df = with_sites(binary(2000, d=4), column="hospital")
    df["age"] = np.random.default_rng(3).uniform(20, 90, len(df))  # numeric sensitive: binned
    report = scan(*split(df), select="PF303", sensitive=["hospital", "age"])
    [finding] = loud(report, "PF303")
    assert finding.severity.value == "error"
    assert finding.evidence["slices"][0]["sensitive"]
    ages = [s for s in report.metrics["slices"]["slices"] if s["column"] == "age"]
    assert len(ages) == 4 and all(s["sensitive"] and not s["flagged"] for s in ages)


def test_a_regression_site_with_noisy_targets_is_compared_by_its_error():
    df = with_sites(regression(2000), noisy=None)
    bad = (df["site"] == "B").to_numpy()
    df.loc[bad, "label"] += 2.0 * np.random.default_rng(1).normal(size=bad.sum())
    report = scan(*split(df), select="PF303")
    [finding] = loud(report, "PF303")
    worst = finding.evidence["slices"][0]
    assert (worst["column"], worst["slice"], worst["metric"]) == ("site", "B", "rmse")
    assert worst["score"]["estimate"] > 1.25 * worst["rest"]
    assert report.metrics["slices"]["metric"] == "rmse"


def test_a_user_pipeline_that_cannot_see_the_site_is_flagged_too():
    train, test = split(with_sites(binary(2000)))
    numeric = [f"x{j}" for j in range(6)]
    model = make_pipeline(
        ColumnTransformer([("num", StandardScaler(), numeric), ("site", OneHotEncoder(), ["site"])]),
        LogisticRegression(),
    ).fit(train.drop(columns="label"), train["label"])
    [finding] = loud(scan(train, test, select="PF303", model=model), "PF303")
    assert finding.evidence["slices"][0]["slice"] == "C"


@pytest.mark.parametrize(
    "data",
    [
        lambda s: random_columns(binary(1500, seed=s), s),
        lambda s: random_columns(binary(3000, seed=s, positives=0.03), s),
        lambda s: random_columns(multiclass(1500, seed=s, k=4), s),
        lambda s: random_columns(regression(1500, seed=s), s),
        lambda s: random_columns(shapes.categorical(s), s),
    ],
    ids=["binary", "3%-positives", "4-classes", "regression", "categorical"],
)
def test_clean_data_is_silent(data):
    report = scan(*split(data(0)), select="PF303")
    assert loud(report, "PF303") == []
    assert report.metrics["slices"]["slices"]


def test_a_user_random_forest_on_clean_data_is_silent():
    train, test = split(random_columns(binary(1500, seed=4), 4))
    features = [c for c in train.columns if c.startswith(("x", "noise"))]
    model = make_pipeline(
        ColumnTransformer([("num", "passthrough", features)]), RandomForestClassifier(n_estimators=60, random_state=0)
    ).fit(train.drop(columns="label"), train["label"])
    assert loud(scan(train, test, select="PF303", model=model), "PF303") == []


def test_small_test_sets_judge_no_slice_below_the_minimum():
    df = random_columns(binary(790, seed=1), 1)
    train, test = df.iloc[:640].reset_index(drop=True), df.iloc[640:].reset_index(drop=True)
    report = scan(train, test, select="PF303")
    assert loud(report, "PF303") == []
    assert all(s["n"] >= 30 for s in report.metrics["slices"]["slices"])
    assert report.metrics["slices"]["too_small"] > 0  # "other"/"missing" and small levels are counted
    tiny = scan(train, test.iloc[:60].reset_index(drop=True), select="PF303")
    assert "test rows" in tiny.skipped["PF303"]


def test_missing_values_rare_levels_and_one_class_slices_do_not_crash():
    df = random_columns(binary(1500, seed=2, positives=0.05), 2)
    rng = np.random.default_rng(0)
    df["city"] = [f"city{int(v)}" for v in rng.zipf(1.5, len(df)) % 400]  # high cardinality
    df.loc[df.index[::9], "x3"] = np.nan
    report = scan(*split(df), select="PF303")
    names = {(s["column"], s["slice"]) for s in report.metrics["slices"]["slices"]}
    assert names  # something was judged
    s = slice_column("city", df["city"], df["city"], max_levels=20, n_bins=4, sensitive=False)
    assert len(s.names) == 21 and s.names[-2:] == ["other", "missing"]


def test_balanced_accuracy_falls_back_to_accuracy_without_both_classes():
    y = np.array([0] * 50 + [1] * 50 + [0] * 40 + [0] * 20 + [1] * 20)
    pred = y.copy()
    codes = np.array([0] * 100 + [1] * 40 + [2] * 40)  # slice 1 holds only class 0
    sc = score_slices("balanced_accuracy", y, pred, codes, 3, 2)
    assert list(sc.metric) == ["balanced_accuracy", "accuracy", "balanced_accuracy"]
    assert np.all(sc.score == 1.0) and np.all(sc.se > 0)


def test_holm_adjusts_in_step_down_order():
    p = np.array([0.01, 0.04, 0.03, 0.5])
    assert np.allclose(holm(p), [0.04, 0.09, 0.09, 0.5])


def test_false_alarm_rate_over_seeds():
    """PF301 and PF303 on 30 seeds of clean shapes (one scan per seed: both share the model)."""
    makers = [
        lambda s: random_columns(binary(400, seed=s), s),
        lambda s: random_columns(shapes.gaussian(s, n=400, d=6), s),
        lambda s: random_columns(multiclass(400, seed=s, k=3), s),
    ]
    alarms = {"PF301": 0, "PF303": 0}
    for s in range(30):
        report = scan(*split(makers[s % 3](s), seed=s), select="PF301,PF303", seed=s)
        for code in alarms:
            alarms[code] += bool(loud(report, code))
    assert max(alarms.values()) <= 1, alarms


def test_rare_class_slices_judged_by_accuracy_are_only_a_hint():
    """2% positives: slices hold a handful of positives, so accuracy stands in for balanced
    accuracy; it follows each slice's class mix and must not raise a warning on clean data."""
    import pitfall
    from tests.checks.shapes import SHAPES, random_split

    for seed in range(3):
        train, test = random_split(SHAPES["imbalanced"](seed=seed), seed=seed)
        report = pitfall.scan(train, test, target="label", select=["PF303"], config=False, seed=seed)
        assert not report.crashed
        assert [f.severity.value for f in report.findings if f.code == "PF303"] in ([], ["info"])
