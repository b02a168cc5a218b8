"""PF206 preprocessing-fitted-on-test: a user's pipeline whose statistics saw the test rows."""

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_selection import SelectKBest
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from tests.checks.evaluation.synthetic import binary, multiclass, regression, scan, split
from tests.checks.shapes import SHAPES, random_split


def _X(df):
    return df.drop(columns="label")


def _leaky(pre, final, train, test):
    """A pipeline whose preprocessing was fitted on train+test and final step on train only."""
    both = pd.concat([train, test], ignore_index=True)
    pre.fit(_X(both), both["label"])
    final.fit(pre.transform(_X(train)), train["label"])
    return Pipeline([("pre", pre), ("model", final)])


def _pf206(report):
    return [f for f in report.findings if f.code == "PF206"]


def _with_gaps(df, seed=0, share=0.2):
    rng = np.random.default_rng(seed)
    out = df.copy()
    for c in ("x0", "x2"):
        out.loc[rng.random(len(out)) < share, c] = np.nan
    return out


def _with_colour(df, seed=0, test_only=False):
    rng = np.random.default_rng(seed)
    out = df.copy()
    out["colour"] = rng.choice(["red", "green", "blue"], size=len(out))
    return out


def test_a_scaler_fitted_on_train_and_test_is_an_error_with_the_three_values():
    train, test = split(binary(2000))
    model = _leaky(StandardScaler(), LogisticRegression(), train, test)
    found = _pf206(scan(train, test, select="PF206", model=model))
    assert len(found) == 1 and found[0].severity.value == "error"
    ev = found[0].evidence
    assert ev["step"] == "pre" and ev["class"] == "StandardScaler"
    col = found[0].columns[0]
    both = pd.concat([train, test])[col]
    stat = both.mean() if ev["attribute"] == "mean_" else both.var(ddof=0)
    ref = train[col].mean() if ev["attribute"] == "mean_" else train[col].var(ddof=0)
    assert ev["fitted"] == pytest.approx(stat) and ev["train_and_test"] == pytest.approx(stat)
    assert ev["train_only"] == pytest.approx(ref)
    assert ev["distance_between_candidates"] > 2 * ev["noise"]


def test_an_imputer_fitted_on_train_and_test_is_an_error():
    train, test = split(_with_gaps(binary(2000)))
    pre = make_pipeline(SimpleImputer(strategy="mean"), StandardScaler())
    model = _leaky(pre, LogisticRegression(), train, test)
    found = _pf206(scan(train, test, select="PF206", model=model))
    steps = {f.evidence["step"]: f.evidence["attribute"] for f in found}
    assert "pre/simpleimputer" in steps and steps["pre/simpleimputer"] == "statistics_"
    assert "pre/standardscaler" in steps


def test_an_encoder_that_knows_a_test_only_category_is_an_error():
    df = _with_colour(binary(1500))
    train, test = split(df)
    test.loc[:4, "colour"] = "violet"
    pre = ColumnTransformer(
        [("num", StandardScaler(), [f"x{j}" for j in range(6)]), ("cat", OneHotEncoder(), ["colour"])]
    )
    pre.fit(_X(train))  # the scaler is fitted properly, the encoder on all rows
    pre.named_transformers_["cat"].fit(pd.concat([_X(train), _X(test)])[["colour"]])
    model = Pipeline([("pre", pre), ("model", LogisticRegression())])
    model.named_steps["model"].fit(pre.transform(_X(train)), train["label"])
    report = scan(train, test, select="PF206", model=model)
    found = _pf206(report)
    assert [f.evidence["step"] for f in found] == ["pre/cat"]
    assert found[0].evidence["test_only_categories"] == {"0": ["violet"]}
    assert "violet" in found[0].message and found[0].columns == ("colour",)
    assert report.metrics["preprocessing"]["steps"]["pre/num"]["verdict"] == "train"


def test_a_nested_column_transformer_fitted_on_all_rows_is_an_error():
    df = _with_colour(_with_gaps(multiclass(2000, k=4)))
    train, test = split(df)
    test.loc[:2, "colour"] = "violet"
    num = [f"x{j}" for j in range(6)]
    pre = ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(), StandardScaler()), num),
            ("cat", OneHotEncoder(handle_unknown="ignore"), ["colour"]),
        ]
    )
    model = _leaky(make_pipeline(pre, SelectKBest(k=5)), LogisticRegression(max_iter=500), train, test)
    # the selector saw the labels of all rows too
    found = _pf206(scan(train, test, select="PF206", model=model))
    steps = {f.evidence["step"] for f in found}
    assert {"pre/columntransformer/num/simpleimputer", "pre/columntransformer/num/standardscaler"} <= steps
    assert "pre/columntransformer/cat" in steps


def test_a_selector_fitted_with_the_test_labels_is_an_error():
    train, test = split(binary(1000, d=20))
    pre = make_pipeline(StandardScaler(), SelectKBest(k=5))
    pre.fit(_X(pd.concat([train, test])), pd.concat([train, test])["label"])
    clf = LogisticRegression().fit(pre.transform(_X(train)), train["label"])
    model = Pipeline([("pre", pre), ("model", clf)])
    found = _pf206(scan(train, test, select="PF206", model=model))
    assert {f.evidence["step"] for f in found} == {"pre/standardscaler", "pre/selectkbest"}


@pytest.mark.parametrize(
    "data, final",
    [
        (lambda: binary(2000), LogisticRegression()),
        (lambda: binary(3000, positives=0.03), LogisticRegression()),
        (lambda: multiclass(1500, k=5), LogisticRegression(max_iter=500)),
        (lambda: regression(1500), Ridge()),
        (lambda: binary(200), LogisticRegression()),  # 60 test rows
    ],
    ids=["binary", "3%-positives", "5-classes", "regression", "60-test-rows"],
)
def test_pipelines_fitted_on_train_are_silent(data, final):
    train, test = split(_with_gaps(data()))
    model = make_pipeline(SimpleImputer(), StandardScaler(), final).fit(_X(train), train["label"])
    report = scan(train, test, select="PF206", model=model)
    assert _pf206(report) == []
    verdicts = {s["verdict"] for s in report.metrics["preprocessing"]["steps"].values()}
    assert verdicts == {"train"}


def test_planted_on_small_and_imbalanced_data_is_found():
    for df in (binary(200), binary(3000, positives=0.03), regression(1500)):
        train, test = split(df)
        final = Ridge() if df["label"].dtype.kind == "f" else LogisticRegression()
        model = _leaky(StandardScaler(), final, train, test)
        assert len(_pf206(scan(train, test, select="PF206", model=model))) == 1


def test_nearly_equal_train_and_test_statistics_are_decided_beyond_rounding():
    """With 100,000 rows the train and train+test means differ by about 1e-3, far above rounding."""
    train, test = split(binary(100_000, d=4), test_share=0.2)
    good = make_pipeline(StandardScaler(), LogisticRegression()).fit(_X(train), train["label"])
    report = scan(train, test, select="PF206", model=good)
    assert _pf206(report) == []
    leaky = _leaky(StandardScaler(), LogisticRegression(), train, test)
    found = _pf206(scan(train, test, select="PF206", model=leaky))
    assert len(found) == 1
    ev = found[0].evidence
    assert ev["distance_between_candidates"] < 0.05 and ev["distance_to_train_and_test"] <= ev["noise"]


def test_a_pipeline_fitted_on_a_subset_of_train_is_not_reported():
    train, test = split(binary(2000))
    part = train.iloc[: len(train) // 2]
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(_X(part), part["label"])
    report = scan(train, test, select="PF206", model=model)
    assert _pf206(report) == []
    assert report.metrics["preprocessing"]["steps"]["standardscaler"]["verdict"] == "other"


def test_categorical_pipeline_fitted_properly_is_silent():
    train, test = split(_with_colour(binary(1500)))
    pre = ColumnTransformer(
        [("num", StandardScaler(), [f"x{j}" for j in range(6)]), ("cat", OneHotEncoder(), ["colour"])]
    )
    model = make_pipeline(pre, LogisticRegression()).fit(_X(train), train["label"])
    assert _pf206(scan(train, test, select="PF206", model=model)) == []


def test_skips_without_a_user_pipeline():
    train, test = split(binary(600))
    report = scan(train, test, select="PF206")
    assert "Pipeline" in report.skipped["PF206"]
    forest = RandomForestClassifier(n_estimators=10, random_state=0).fit(_X(train), train["label"])
    report = scan(train, test, select="PF206", model=forest)
    assert "RandomForestClassifier" in report.skipped["PF206"]
    plain = make_pipeline(LogisticRegression()).fit(_X(train), train["label"])
    assert "no step" in scan(train, test, select="PF206", model=plain).skipped["PF206"]


def test_a_pipeline_fitted_on_arrays_and_a_column_subset_still_works():
    train, test = split(binary(1000))
    cols = ["x0", "x1", "x2"]
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(train[cols], train["label"])
    report = scan(train, test, select="PF206", model=model)
    assert _pf206(report) == [] and "PF206" not in report.skipped


FALSE_ALARM_SHAPES = ("gaussian", "imbalanced", "categorical", "counts")


def clean_pipeline_alarm(seed: int, shape: str, n: int = 300) -> bool:
    """Whether PF206 warns on a clean shape with a pipeline fitted on train (the silent case)."""
    train, test = random_split(SHAPES[shape](seed=seed, n=n), seed=seed)
    X = _X(train)
    cat = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    num = [c for c in X.columns if c not in cat]
    pre = ColumnTransformer([("num", StandardScaler(), num), ("cat", OneHotEncoder(handle_unknown="ignore"), cat)])
    model = make_pipeline(pre, LogisticRegression()).fit(X, train["label"])
    return bool(_pf206(scan(train, test, select="PF206", model=model, seed=seed)))


def test_false_alarm_rate_on_clean_pipelines():
    """30 seeds, the shapes in turn: at most one alarm (3.3%)."""
    alarms = sum(clean_pipeline_alarm(seed, FALSE_ALARM_SHAPES[seed % 4]) for seed in range(30))
    assert alarms <= 1


def test_a_scaler_after_an_imputer_names_its_column_and_evidence_does_not_repeat_itself():
    # the scaler sees the imputer's numpy output (no feature names of its own): the column
    # name is followed through the pipeline, never shown as a bare position
    train, test = split(_with_gaps(binary(2000)))
    model = _leaky(make_pipeline(SimpleImputer(), StandardScaler()), LogisticRegression(), train, test)
    found = _pf206(scan(train, test, select="PF206", model=model))
    scaler = [f for f in found if f.evidence["class"] == "StandardScaler"]
    assert len(scaler) == 1
    f = scaler[0]
    assert "(value" not in f.message and f.columns and f.columns[0] in _X(train).columns
    assert f.evidence["column"] == f.columns[0] and f"of {f.columns[0]!r}" in f.message
    assert "attributes" not in f.evidence  # the chosen attribute's numbers appear once
    other = {"mean_", "var_"} - {f.evidence["attribute"]}
    assert f.evidence["other_attributes"] == {other.pop(): "train+test"}
