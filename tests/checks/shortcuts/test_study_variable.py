"""PF302 begging-the-question: a model that exaggerates, or leans on, a study variable."""

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.svm import LinearSVC

from tests.checks.evaluation.synthetic import binary, loud, multiclass, regression, scan, split


def galaxies(n: int, seed: int, colour_shift: float, *, k: int = 2, positives: float | None = None) -> pd.DataFrame:
    """Shape measurements decide the morphology; colour moves ``colour_shift`` SDs per class."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n) if positives is None else (rng.random(n) < positives).astype(int)
    df = pd.DataFrame(
        {
            "shape1": 1.2 * y + rng.normal(size=n),
            "shape2": -1.0 * y + rng.normal(size=n),
            "colour": colour_shift * y + rng.normal(size=n),
            "z0": rng.normal(size=n),
        }
    )
    df["label"] = np.array(["elliptical", "spiral", "merger", "irregular"])[y]
    return df


def selected(n_train=1400, n_test=600, seed=0, **kw):
    """Training galaxies selected where colour separates the classes; a representative test set."""
    return galaxies(n_train, seed, 3.0, **kw), galaxies(n_test, seed + 100, 0.3, **kw)


def _X(df):
    return df.drop(columns="label")


def _lr(train):
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(_X(train), train["label"])


def _pf302(report):
    return [f for f in report.findings if f.code == "PF302"]


def test_a_model_trained_where_colour_separates_the_classes_amplifies_it():
    train, test = selected()
    report = scan(train, test, select="PF302", study=["colour", "z0"])
    found = _pf302(report)
    assert [(f.columns, f.severity.value) for f in found] == [(("colour",), "warning")]
    ev = found[0].evidence
    assert ev["amplified"] and ev["amplification"]["low"] > 0
    assert ev["prediction_association"]["estimate"] > 2 * ev["label_association"]["estimate"]
    assert ev["amplification"]["estimate"] >= ev["minimum_amplification"]
    assert ev["seed"] == 0 and "more than the truth" in found[0].message
    study = report.metrics["study"]
    assert set(study) == {"colour", "z0"}
    assert set(study["colour"]) >= {"label_association", "prediction_association", "ablation"}
    assert set(study["colour"]["ablation"]) == {"drop", "permute"}
    # refitting without colour helps on the representative test set: colour misleads there
    assert study["colour"]["ablation"]["drop"]["estimate"] < 0


@pytest.mark.parametrize(
    "make_model",
    [_lr, lambda t: RandomForestClassifier(100, min_samples_leaf=5, random_state=0).fit(_X(t), t["label"])],
    ids=["logistic-pipeline", "random-forest"],
)
def test_user_models_that_amplify_colour_are_found(make_model):
    train, test = selected()
    found = _pf302(scan(train, test, select="PF302", study="colour", model=make_model(train)))
    assert [f.severity.value for f in found] == ["warning"]
    assert found[0].evidence["model_source"] == "user"


def test_amplification_is_found_for_multiclass_and_imbalanced_targets():
    for kw, n in (({"k": 4}, 1500), ({"positives": 0.05}, 4000)):
        train, test = selected(n_train=3000, n_test=n, **kw)
        found = _pf302(scan(train, test, select="PF302", study="colour", model=_lr(train)))
        assert [f.severity.value for f in found] == ["warning"], kw


def test_amplification_is_found_for_regression():
    rng = np.random.default_rng(0)

    def frame(n, tie, noise):
        """Colour follows the target with weight ``tie`` plus noise of SD ``noise``."""
        shape = rng.normal(size=(n, 2))
        y = shape[:, 0] + shape[:, 1] + 0.5 * rng.normal(size=n)
        noisy = shape + rng.normal(size=(n, 2))
        return pd.DataFrame(
            {"shape1": noisy[:, 0], "shape2": noisy[:, 1], "colour": tie * y + noise * rng.normal(size=n), "label": y}
        )

    train, test = frame(1400, 1.0, 0.3), frame(600, 0.2, 1.5)
    model = Ridge().fit(_X(train), train["label"])
    found = _pf302(scan(train, test, select="PF302", study="colour", model=model))
    assert [f.severity.value for f in found] == ["warning"]


def test_a_faithfully_reproduced_study_variable_the_model_needs_is_info():
    """Colour carries most of the signal in train and test alike: circular, but not exaggerated."""
    train, test = galaxies(1400, 0, 2.0), galaxies(600, 100, 2.0)
    report = scan(train, test, select="PF302", study=["colour", "z0"], model=_lr(train))
    found = _pf302(report)
    assert [(f.columns, f.severity.value) for f in found] == [(("colour",), "info")]
    ev = found[0].evidence
    assert not ev["amplified"] and ev["relies"] and ev["permute"]["low"] > 0
    assert "relies on study variable 'colour'" in found[0].message


@pytest.mark.parametrize(
    "data, study",
    [
        (lambda: binary(1500), ["x0", "x5"]),
        (lambda: binary(3000, positives=0.03), ["x0", "x5"]),
        (lambda: multiclass(1500, k=5), ["x0", "x5"]),
        (lambda: regression(1500), ["x0", "x4"]),
        (lambda: binary(200), ["x0", "x5"]),  # 60 test rows
    ],
    ids=["binary", "3%-positives", "5-classes", "regression", "60-test-rows"],
)
def test_clean_data_does_not_warn(data, study):
    train, test = split(data())
    final = Ridge() if train["label"].dtype.kind == "f" else LogisticRegression(max_iter=500)
    model = make_pipeline(StandardScaler(), final).fit(_X(train), train["label"])
    report = scan(train, test, select="PF302", study=study, model=model)
    assert loud(report, "PF302") == []
    assert set(report.metrics["study"]) == set(study)


def test_clean_data_with_the_default_model_does_not_warn():
    train, test = galaxies(700, 1, 0.5), galaxies(300, 2, 0.5)
    report = scan(train, test, select="PF302", study=["colour", "z0"])
    assert loud(report, "PF302") == []
    assert report.metrics["study"]["z0"]["ablation"]["drop"] is not None


def test_a_model_without_probabilities_is_judged_by_reliance_and_its_predicted_classes():
    # trained where colour separates the classes, it relies on colour and its predicted classes
    # tie colour to the label far more than the test labels do
    train, test = selected()
    model = make_pipeline(StandardScaler(), LinearSVC()).fit(_X(train), train["label"])
    report = scan(train, test, select="PF302", study="colour", model=model)
    [finding] = loud(report, "PF302")
    assert finding.evidence["hardened"] and not finding.evidence["amplified"]
    assert "predicted classes" in finding.message
    assert report.metrics["study"]["colour"]["amplification_judged"] is False


def test_a_model_that_cannot_be_refitted_without_the_column_uses_permutation_only():
    df = binary(1000)
    df["band"] = np.where(df["x0"] > 0, "blue", "red")
    train, test = split(df)
    pre = ColumnTransformer(
        [("num", StandardScaler(), [f"x{j}" for j in range(6)]), ("cat", OneHotEncoder(), ["band"])]
    )
    model = make_pipeline(pre, LogisticRegression()).fit(_X(train), train["label"])
    report = scan(train, test, select="PF302", study="band", model=model)
    assert loud(report, "PF302") == []
    assert report.metrics["study"]["band"]["ablation"]["drop"] is None
    assert any("permutation only" in n for n in report.notes)


def test_a_categorical_study_variable_is_measured():
    train, test = selected()
    for df in (train, test):
        df["band"] = np.where(df["colour"] > 1.5, "blue", "red")
        df.loc[::9, "colour"] = np.nan
    report = scan(train, test, select="PF302", study=["band", "colour"])  # the default model encodes strings
    assert set(report.metrics["study"]) == {"band", "colour"}
    assert report.metrics["study"]["band"]["ablation"]["drop"] is not None


def test_false_alarm_rate_on_clean_data():
    """30 seeds over four clean shapes (logistic/ridge pipelines): at most one warning."""
    makers = (
        lambda s: binary(400, seed=s),
        lambda s: binary(800, seed=s, positives=0.05),
        lambda s: multiclass(400, seed=s, k=3),
        lambda s: regression(400, seed=s),
    )
    alarms = 0
    for seed in range(30):
        train, test = split(makers[seed % 4](seed), seed=seed)
        final = Ridge() if train["label"].dtype.kind == "f" else LogisticRegression()
        model = make_pipeline(StandardScaler(), final).fit(_X(train), train["label"])
        report = scan(train, test, select="PF302", study=["x0", "x4"], model=model, seed=seed)
        alarms += bool(loud(report, "PF302"))
    assert alarms <= 1
