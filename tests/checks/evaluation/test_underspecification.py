"""PF404 underspecified-model: seeded refits that score alike but contradict each other."""

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

import pitfall
from pitfall.config import Config
from tests.checks import shapes
from tests.checks.evaluation.synthetic import binary, loud, multiclass, regression, scan, split


def _fit(model, train):
    return model.fit(train.drop(columns="label"), train["label"])


def _pf404(report):
    return [f for f in report.findings if f.code == "PF404"]


def _scan(train, test, *, refits: int = 3, **kw):
    """PF404 with fewer refits than the default, to keep the tests fast."""
    report = pitfall.scan(
        train, test, target="label", select="PF404", config=Config(checks={"PF404": {"refits": refits}}), **kw
    )
    assert not report.crashed, report.crashed
    return report


@pytest.mark.parametrize(
    "data",
    [
        lambda: binary(800),
        lambda: binary(2000, positives=0.03),
        lambda: multiclass(800, k=4),
        lambda: regression(800),
        lambda: binary(200),  # 60 test rows
    ],
    ids=["binary", "3%-positives", "4-classes", "regression", "60-test-rows"],
)
def test_clean_data_with_the_default_model_is_silent(data):
    train, test = split(data())
    report = scan(train, test, select="PF404")
    assert loud(report, "PF404") == []
    seeds = report.metrics["seeds"]
    # two refits, three, or five when the first ones do not settle the verdict
    n = seeds["refits_fitted"]
    assert seeds["seeds"] == list(range(n)) and n in (2, 3, 5) and seeds["source"] == "seed"
    assert seeds["stopped_early"] == (n < 5)
    assert seeds["test_rows"] == seeds["test_rows_total"] == len(test)
    assert len(seeds["scores"]) == len(seeds["stress_scores"]) == n
    assert sum(seeds["disagreement_histogram"]["counts"]) == len(test)
    assert 0 <= seeds["churn_pairwise"]["low"] <= seeds["churn_pairwise"]["high"] <= 1
    assert seeds["churn_contradicting"]["low"] <= 0.05
    assert seeds["flip_any"] >= seeds["churn_pairwise"]["estimate"]


def test_boosting_churns_at_the_boundary_but_does_not_contradict_itself():
    # noisy labels: seeds disagree on rows near p = 0.5, never with confidence on both sides
    train, test = split(shapes.gaussian(0, n=1000))
    seeds = _scan(train, test).metrics["seeds"]
    assert seeds["churn_pairwise"]["low"] > 0.03
    assert seeds["churn_contradicting"]["high"] < 0.02


def test_a_user_pipeline_with_a_seed_that_does_nothing_is_silent():
    train, test = split(binary(800))
    model = _fit(make_pipeline(StandardScaler(), LogisticRegression()), train)
    report = scan(train, test, select="PF404", model=model)
    assert _pf404(report) == []
    seeds = report.metrics["seeds"]
    assert seeds["source"] == "seed"  # logisticregression__random_state
    assert seeds["churn_pairwise"]["estimate"] == 0.0
    assert len(set(seeds["scores"])) == 1


def test_a_random_forest_is_silent():
    train, test = split(shapes.gaussian(1, n=800))
    model = _fit(RandomForestClassifier(30, random_state=0), train)
    report = _scan(train, test, model=model)
    assert loud(report, "PF404") == []


def test_an_unpruned_tree_with_random_features_contradicts_itself():
    train, test = split(shapes.gaussian(0, n=1000))
    model = _fit(DecisionTreeClassifier(max_features="sqrt", random_state=0), train)
    [finding] = _pf404(scan(train, test, select="PF404", model=model))
    ev = finding.evidence
    assert finding.severity.value == "warning"
    assert ev["source"] == "seed" and ev["seeds"] == [0, 1, 2, 3, 4]
    assert ev["churn_contradicting"]["low"] > 0.25  # pure leaves: every disagreement is sure
    assert ev["best_minus_worst"]["low"] <= 0  # ... while the scores agree
    assert "scores agree" in finding.message
    assert len(ev["example_rows"]) == 5


def test_a_model_without_random_state_is_refitted_on_bootstrap_resamples():
    train, test = split(shapes.gaussian(0, n=1000))
    model = _fit(KNeighborsClassifier(1), train)
    [finding] = _pf404(_scan(train, test, model=model))
    assert finding.evidence["source"] == "bootstrap"
    assert "bootstrap resamples" in finding.message
    assert finding.evidence["churn_contradicting"]["low"] > 0.05


def test_an_unpruned_regression_tree_disagrees_by_more_than_its_error():
    train, test = split(regression(800))
    model = _fit(DecisionTreeRegressor(max_features=0.5, random_state=0), train)
    [finding] = _pf404(_scan(train, test, model=model))
    assert "RMSE" in finding.message
    assert finding.evidence["churn_pairwise"]["low"] > 0.05
    assert finding.evidence["prediction_spread"] > 0.1


def test_without_predict_proba_churn_is_at_most_info():
    train, test = split(shapes.gaussian(0, n=600))
    model = _fit(make_pipeline(StandardScaler(), SVC(gamma=20.0)), train)  # memorises; no proba
    report = _scan(train, test, model=model)
    assert loud(report, "PF404") == []
    assert report.metrics["seeds"]["churn_contradicting"] is None
    assert all(f.severity.value == "info" for f in _pf404(report))


class _NotAnEstimator:
    """Predicts from a threshold but has no get_params: it cannot be cloned."""

    def predict(self, X):
        return (X["x0"].to_numpy() > 0).astype(int)


def test_a_model_that_cannot_be_cloned_is_skipped_with_a_reason():
    train, test = split(binary(300))
    report = scan(train, test, select="PF404", model=_NotAnEstimator())
    assert "cannot be cloned" in report.skipped["PF404"]


def test_fewer_than_two_refits_is_skipped():
    train, test = split(binary(300))
    report = _scan(train, test, refits=1)
    assert "at least 2 refits" in report.skipped["PF404"]


def test_missing_values_and_text_categories_do_not_crash():
    df = binary(600)
    rng = np.random.default_rng(0)
    df.loc[rng.random(len(df)) < 0.2, "x0"] = np.nan
    df["colour"] = pd.Series(rng.choice(["red", "green", None], len(df)), dtype="object")
    train, test = split(df)
    report = _scan(train, test)
    assert loud(report, "PF404") == []
    seeds = report.metrics["seeds"]
    assert len(seeds["stress_scores"]) == seeds["refits_fitted"] in (2, 3)


def test_false_alarm_rate_on_clean_data_is_at_most_one_in_thirty():
    """30 seeds over three clean shapes, small n and 3 refits (docs/false-alarms.md: 5 refits, more seeds)."""
    makers = [lambda s: binary(300, s), lambda s: binary(600, s, positives=0.05), lambda s: regression(300, s)]
    alarms = 0
    for seed in range(30):
        train, test = split(makers[seed % 3](seed), seed=seed)
        report = _scan(train, test, seed=seed)
        alarms += bool(loud(report, "PF404"))
    assert alarms <= 1


def test_a_big_test_set_is_judged_on_a_seeded_sample(monkeypatch):
    from pitfall.checks.evaluation import underspecification

    monkeypatch.setattr(underspecification, "MAX_TEST_ROWS", 100)
    train, test = split(binary(800))
    seeds = [_scan(train, test).metrics["seeds"] for _ in range(2)]
    assert seeds[0]["test_rows"] == 100 and seeds[0]["test_rows_total"] == len(test) > 100
    assert sum(seeds[0]["disagreement_histogram"]["counts"]) == 100
    assert seeds[0]["scores"] == seeds[1]["scores"]  # the sample follows the scan's seed
