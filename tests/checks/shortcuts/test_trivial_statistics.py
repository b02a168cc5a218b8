"""PF301 trivial-statistic-shortcut: a model on row statistics against the real model."""

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, RidgeClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from tests.checks import shapes
from tests.checks.evaluation.synthetic import binary, loud, multiclass, regression, scan, split


def images(n: int = 1000, seed: int = 0, pixels: int = 32, contrast: float = 1.5) -> pd.DataFrame:
    """Flattened images: the positive class was scanned at a higher contrast (pixel spread), and
    four pixels carry a weak real signal."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    scale = np.where(y == 1, contrast, 1.0)[:, None]
    X = 0.5 + 0.1 * scale * rng.normal(size=(n, pixels))
    X[:, :4] += 0.015 * (2 * y[:, None] - 1)
    df = pd.DataFrame(X, columns=[f"p{j}" for j in range(pixels)])
    df["label"] = y
    return df


def _features(df):
    return df.drop(columns="label")


def test_contrast_shortcut_in_images_is_found():
    report = scan(*split(images()), select="PF301")
    [finding] = loud(report, "PF301")
    ev = finding.evidence
    assert ev["top_statistic"] == "std"
    assert ev["share"] >= 0.8 and ev["margin_over_share"]["low"] > 0
    assert all(d["low"] > 0 for d in ev["summary_minus_plain"].values())  # beats the plain columns
    assert ev["statistics"]["std"] > 0.9 and ev["statistics"]["mean"] < 0.65
    assert ev["seed"] == 0 and ev["n_columns"] == 32
    m = report.metrics["shortcuts"]
    assert set(m) >= {"model", "summary_model", "dummy", "share", "statistics"}
    assert m["summary_model"]["low"] > m["dummy"]["high"]


def test_records_of_one_class_with_more_empty_fields_are_flagged():
    df = shapes.gaussian(0, n=1500, d=10)
    rng = np.random.default_rng(1)
    rate = np.where(df["label"] == 1, 0.3, 0.05)[:, None]
    features = [f"x{j}" for j in range(2, 10)]  # x0, x1 carry the real signal and are always filled
    df[features] = df[features].mask(rng.random((len(df), len(features))) < rate)
    [finding] = loud(scan(*split(df), select="PF301"), "PF301")
    assert finding.evidence["top_statistic"] == "missing"


def test_a_user_random_forest_that_learns_the_contrast_is_flagged():
    train, test = split(images())
    model = RandomForestClassifier(n_estimators=60, random_state=0).fit(_features(train), train["label"])
    [finding] = loud(scan(train, test, select="PF301", model=model), "PF301")
    assert finding.evidence["top_statistic"] == "std"


@pytest.mark.parametrize(
    "data",
    [
        lambda: shapes.gaussian(0, d=6),
        lambda: shapes.gaussian(1, d=20),
        lambda: binary(3000, positives=0.03),
        lambda: multiclass(2000, k=4),
        lambda: regression(1500, d=6),
        lambda: binary(2000).pipe(lambda d: d.assign(label=d["label"].map({0: "no", 1: "yes"}))),
    ],
    ids=["gaussian-6", "gaussian-20", "3%-positives", "4-classes", "regression", "string-labels"],
)
def test_clean_data_is_silent(data):
    report = scan(*split(data()), select="PF301")
    assert loud(report, "PF301") == []
    assert report.metrics["shortcuts"]["share"] < 0.8


def test_a_survey_scored_by_its_mean_is_at_most_info():
    # items that measure one attitude: their mean is the natural score, and a linear model does as well
    report = scan(*shapes.random_split(shapes.survey(0)), select="PF301")
    assert loud(report, "PF301") == []


def test_few_numeric_columns_are_skipped_with_a_reason():
    report = scan(*split(shapes.gaussian(0, d=3)), select="PF301")
    assert "numeric column" in report.skipped["PF301"]


def test_user_pipeline_and_small_test_set_are_silent():
    df = shapes.gaussian(2, n=700, d=8)
    train, test = df.iloc[:640].reset_index(drop=True), df.iloc[640:].reset_index(drop=True)
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(_features(train), train["label"])
    report = scan(train, test, select="PF301", model=model)
    assert loud(report, "PF301") == []


def test_strings_missing_values_and_a_model_without_probabilities_do_not_crash():
    df = images(800)
    df.iloc[::7, 3] = np.nan
    df["site"] = np.random.default_rng(0).choice(["a", "b", "c"], len(df))
    train, test = split(df)
    numeric = [c for c in df.columns if c.startswith("p")]
    model = make_pipeline(  # RidgeClassifier has no predict_proba
        ColumnTransformer([("num", SimpleImputer(), numeric[4:])]), RidgeClassifier()
    )
    model.fit(_features(train), train["label"])
    report = scan(train, test, select="PF301", model=model)
    assert "missing" in report.metrics["shortcuts"]["statistics"]


# The false-alarm rate over 30 seeds is measured with PF303's in test_subgroup_gap.py (one scan per seed).
