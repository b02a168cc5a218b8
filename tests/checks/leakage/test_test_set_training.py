"""PF208 test-set-used-for-training: a user model fitted on rows that include the test set.

Planted: models fitted on train+test of tables bundled with scikit-learn, several split seeds.
Clean: the same models, memorising ones included, fitted on the training rows only.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from tests.checks.evaluation.synthetic import scan, split
from tests.checks.shapes import sklearn_frame


def _X(df):
    return df.drop(columns="label")


def _fit(model, rows):
    return model.fit(_X(rows), rows["label"])


def _pf208(report):
    return [f for f in report.findings if f.code == "PF208"]


@pytest.mark.parametrize(("name", "seed"), [("wine", 0), ("breast_cancer", 1), ("digits", 2)])
def test_a_forest_fitted_on_train_and_test_is_an_error_with_the_scores(name, seed):
    train, test = split(sklearn_frame(name), 0.25, seed)
    model = _fit(RandomForestClassifier(20, random_state=seed), pd.concat([train, test]))
    report = scan(train, test, select="PF208", model=model, seed=seed)
    found = _pf208(report)
    assert [f.severity.value for f in found] == ["error"]
    ev = found[0].evidence
    assert ev["estimator"] == "RandomForestClassifier"
    assert ev["loss_gain_over_copy"]["low"] > 0 and ev["gap_closed"] >= 0.5
    # the copy fitted on train alone scores below the user's model on the same test rows
    assert ev["train_only_copy_test_score"]["estimate"] <= ev["model_test_score"]["estimate"]
    assert ev["copy_out_of_fold_score"]["estimate"] < ev["model_train_score"]["estimate"]
    assert "fitted on the training rows alone" in found[0].message


@pytest.mark.parametrize("seed", [0, 1])
def test_nearest_neighbours_fitted_on_all_rows_is_an_error(seed):
    train, test = split(sklearn_frame("breast_cancer"), 0.25, seed)
    model = _fit(KNeighborsClassifier(1), pd.concat([train, test]))
    found = _pf208(scan(train, test, select="PF208", model=model, seed=seed))
    assert [f.severity.value for f in found] == ["error"]
    assert found[0].evidence["model_test_score"]["estimate"] == 1.0


def test_a_whole_pipeline_fitted_on_all_rows_names_the_scaler_in_pf206_and_the_classifier_in_pf208():
    train, test = split(sklearn_frame("breast_cancer"), 0.25, 0)
    model = _fit(
        make_pipeline(StandardScaler(), RandomForestClassifier(20, random_state=0)),
        pd.concat([train, test]),
    )
    report = scan(train, test, select="PF206,PF208", model=model)
    by_code = {f.code: f for f in report.findings}
    assert by_code["PF206"].evidence["class"] == "StandardScaler"
    f = by_code["PF208"]
    assert f.severity.value == "error"
    assert f.evidence["step"] == "randomforestclassifier"
    assert f.evidence["estimator"] == "RandomForestClassifier"
    assert "RandomForestClassifier" in f.message


@pytest.mark.parametrize("seed", [0, 1])
def test_a_regression_forest_fitted_on_all_rows_is_an_error(seed):
    train, test = split(sklearn_frame("diabetes"), 0.25, seed)
    model = _fit(RandomForestRegressor(20, random_state=seed), pd.concat([train, test]))
    found = _pf208(scan(train, test, select="PF208", model=model, seed=seed))
    assert [f.severity.value for f in found] == ["error"]
    assert found[0].evidence["row_loss"] == "absolute error"


CLEAN_MODELS = {
    "forest": lambda s: RandomForestClassifier(20, random_state=s),
    "forest-unseeded": lambda s: RandomForestClassifier(20),
    "1-nn": lambda s: KNeighborsClassifier(1),
    "deep-tree": lambda s: DecisionTreeClassifier(),
}


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer", "digits"])
@pytest.mark.parametrize("kind", sorted(CLEAN_MODELS))
def test_memorising_models_fitted_on_train_only_are_silent(name, kind):
    # one split per table and model; benchmarks/rates_verdicts.py runs five of each
    for seed in ((len(name) + len(kind)) % 3,):
        train, test = split(sklearn_frame(name), 0.25, seed)
        np.random.seed(seed)  # what the unseeded models draw from: fixed, so the test repeats
        model = _fit(CLEAN_MODELS[kind](seed), train)
        report = scan(train, test, select="PF208", model=model, seed=seed)
        assert _pf208(report) == [], (seed, [f.message for f in _pf208(report)])
        assert "test_set_training" in report.metrics


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_a_clean_unseeded_regression_forest_is_silent(seed):
    # random_state=None draws from numpy's global generator: seeded here so the test is fixed,
    # while pitfall still sees an unseeded model (a different forest at every fit)
    np.random.seed(seed)
    train, test = split(sklearn_frame("diabetes"), 0.25, seed)
    model = _fit(RandomForestRegressor(20), train)
    report = scan(train, test, select="PF208", model=model, seed=seed)
    assert _pf208(report) == [], [f.message for f in _pf208(report)]
    by_seed = report.metrics["test_set_training"]["unseeded_copies"]
    assert by_seed["copies"] == 5 and by_seed["copy_loss_sd"] > 0


def test_an_unseeded_forest_fitted_on_all_rows_is_still_an_error():
    np.random.seed(0)
    train, test = split(sklearn_frame("diabetes"), 0.25, 0)
    model = _fit(RandomForestRegressor(20), pd.concat([train, test]))
    found = _pf208(scan(train, test, select="PF208", model=model, seed=0))
    assert [f.severity.value for f in found] == ["error"]
    assert found[0].evidence["unseeded_copies"]["low"] > 0
    assert "copies with different seeds" in found[0].message


def test_a_seeded_or_deterministic_model_is_refitted_once():
    train, test = split(sklearn_frame("diabetes"), 0.25, 0)
    for model in (RandomForestRegressor(20, random_state=0), KNeighborsRegressor(5)):
        report = scan(train, test, select="PF208", model=_fit(model, train), seed=0)
        assert report.metrics["test_set_training"]["unseeded_copies"] is None


def test_without_a_user_model_it_is_skipped_with_a_reason():
    train, test = split(sklearn_frame("iris"), 0.25, 0)
    report = scan(train, test, select="PF208")
    assert _pf208(report) == []
    assert "user's fitted model" in report.skipped["PF208"]


def test_a_model_that_cannot_be_cloned_is_skipped():
    train, test = split(sklearn_frame("iris"), 0.25, 0)

    class Memo:
        def __init__(self, model):
            self.model = model

        def predict(self, X):
            return self.model.predict(X)

    model = Memo(_fit(KNeighborsClassifier(1), pd.concat([train, test])))
    report = scan(train, test, select="PF208", model=model, metric="accuracy")
    assert _pf208(report) == []
    assert "cannot be cloned" in report.skipped["PF208"]
