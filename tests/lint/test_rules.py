"""What each rule reports, where, how severely, and what it leaves alone."""

from __future__ import annotations

import textwrap

from pitfall.findings import Severity
from pitfall.lint import lint

HEAD = """\
import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split, cross_val_score
from sklearn.preprocessing import StandardScaler
from sklearn.linear_model import LogisticRegression
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score
df = pd.read_csv("data.csv")
X, y = df.drop(columns="label"), df["label"]
"""


def run(tmp_path, body: str, name: str = "script.py", **kwargs):
    path = tmp_path / name
    path.write_text(HEAD + textwrap.dedent(body), encoding="utf-8")
    return lint([path], config=False, **kwargs)


def codes(report) -> list[str]:
    return sorted(f.code for f in report.findings)


def test_scaler_before_split_points_at_the_fit_with_the_score_in_evidence(tmp_path):
    report = run(
        tmp_path,
        """\
        X = StandardScaler().fit_transform(X)
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        model = LogisticRegression().fit(X_train, y_train)
        print(accuracy_score(y_test, model.predict(X_test)))
        """,
    )
    [f] = report.findings
    assert (f.code, f.name, f.severity) == ("PF206", "preprocessing-fitted-on-test", Severity.ERROR)
    assert (f.location.line, f.location.column, f.location.cell) == (10, 5, None)
    assert f.location.excerpt == "X = StandardScaler().fit_transform(X)"
    assert f.evidence["fitted"] == "StandardScaler" and f.evidence["scored_at"] == ["line 13"]
    assert "pitfall explain" not in f.docs and "## What it finds" in f.docs  # the registered check's docs
    d = f.to_dict()
    assert d["location"] == {
        "path": str(tmp_path / "script.py"),
        "cell": None,
        "line": 10,
        "column": 5,
        "excerpt": "X = StandardScaler().fit_transform(X)",
    }


def test_the_same_code_after_the_split_is_clean(tmp_path):
    report = run(
        tmp_path,
        """\
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        sc = StandardScaler().fit(X_train)
        model = LogisticRegression().fit(sc.transform(X_train), y_train)
        print(accuracy_score(y_test, model.predict(sc.transform(X_test))))
        """,
    )
    assert report.findings == []


def test_unknown_code_never_produces_a_finding(tmp_path):
    report = run(
        tmp_path,
        """\
        from helpers import scale_all, MyModel
        X = scale_all(X)
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        model = MyModel().fit(X_train, y_train)
        print(accuracy_score(y_test, model.predict(X_test)))


        class OwnScaler:
            def fit_transform(self, X):
                return X

        Z = OwnScaler().fit_transform(X)
        Z_train, Z_test, y_train, y_test = train_test_split(Z, y, random_state=0)
        print(LogisticRegression().fit(Z_train, y_train).score(Z_test, y_test))
        """,
    )
    assert report.findings == []


def test_preprocessing_before_cross_validation_of_training_rows_is_a_warning(tmp_path):
    report = run(
        tmp_path,
        """\
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        X_train_s = StandardScaler().fit_transform(X_train)
        print(cross_val_score(LogisticRegression(), X_train_s, y_train, cv=5).mean())
        X_all = StandardScaler().fit_transform(X)
        print(cross_val_score(LogisticRegression(), X_all, y, cv=5).mean())
        """,
    )
    severities = {f.location.line: f.severity for f in report.by_code("PF206")}
    assert severities == {11: Severity.WARNING, 13: Severity.ERROR}


def test_feature_selection_by_correlation_only_with_the_label(tmp_path):
    leaky = run(
        tmp_path,
        """\
        corr = df.corr()["label"].abs()
        keep = corr[corr > 0.3].index.drop("label")
        X_train, X_test, y_train, y_test = train_test_split(df[keep], df["label"], random_state=0)
        print(LogisticRegression().fit(X_train, y_train).score(X_test, y_test))
        """,
        name="leaky.py",
    )
    assert codes(leaky) == ["PF207"]
    other = run(
        tmp_path,
        """\
        corr = df.corr()["age"].abs()
        keep = corr[corr < 0.9].index
        X_train, X_test, y_train, y_test = train_test_split(df[keep], df["label"], random_state=0)
        print(LogisticRegression().fit(X_train, y_train).score(X_test, y_test))
        """,
        name="other.py",
    )
    assert other.findings == []


def test_test_set_used_for_training_selection_and_early_stopping(tmp_path):
    report = run(
        tmp_path,
        """\
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        full = LogisticRegression().fit(X, y)
        print(full.score(X_test, y_test))
        best = 0
        for c in [0.1, 1.0, 10.0]:
            acc = LogisticRegression(C=c).fit(X_train, y_train).score(X_test, y_test)
            if acc > best:
                best = acc
        import xgboost as xgb
        booster = xgb.XGBClassifier(early_stopping_rounds=20)
        booster.fit(X_train, y_train, eval_set=[(X_test, y_test)])
        print(accuracy_score(y_test, booster.predict(X_test)))
        """,
    )
    lines = sorted(f.location.line for f in report.by_code("PF208"))
    assert lines == [11, 16, 20]
    messages = " ".join(f.message for f in report.by_code("PF208"))
    assert "fitted on rows that include the test set" in messages
    assert "chosen by its score on the test set" in messages and "stops early" in messages


def test_selection_on_a_validation_split_is_clean(tmp_path):
    report = run(
        tmp_path,
        """\
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        X_fit, X_hold, y_fit, y_hold = train_test_split(X_train, y_train, random_state=0)
        scores = {c: LogisticRegression(C=c).fit(X_fit, y_fit).score(X_hold, y_hold) for c in (0.1, 1.0)}
        best_c = max(scores, key=scores.get)
        print(LogisticRegression(C=best_c).fit(X_train, y_train).score(X_test, y_test))
        """,
    )
    assert report.findings == []


def test_oversampling_before_split_and_bootstrap_of_the_score(tmp_path):
    report = run(
        tmp_path,
        """\
        from imblearn.over_sampling import SMOTE
        from sklearn.utils import resample
        X_res, y_res = SMOTE(random_state=0).fit_resample(X, y)
        X_train, X_test, y_train, y_test = train_test_split(X_res, y_res, random_state=0)
        model = RandomForestClassifier(random_state=0).fit(X_train, y_train)
        pred = model.predict(X_test)
        print(accuracy_score(y_test, pred))
        for i in range(100):
            yb, pb = resample(y_test, pred, random_state=i)
            accuracy_score(yb, pb)
        """,
    )
    assert codes(report) == ["PF209"]
    assert report.findings[0].location.line == 12


def test_seeds_time_series_and_groups(tmp_path):
    report = run(
        tmp_path,
        """\
        df["lag1"] = df["sales"].shift(1)
        df["n_visits"] = df.groupby("patient_id")["visit"].transform("count")
        X_train, X_test, y_train, y_test = train_test_split(df[["lag1", "n_visits"]], df["label"])
        rf = RandomForestClassifier().fit(X_train, y_train)
        print(rf.score(X_test, y_test))
        """,
    )
    assert codes(report) == ["PF203", "PF204", "PF702", "PF702"]
    assert {f.severity for f in report.findings} == {Severity.WARNING}
    [group] = report.by_code("PF203")
    assert group.evidence["group_column"] == "patient_id" and "GroupKFold" in group.fix
    seeded = run(
        tmp_path,
        """\
        np.random.seed(0)
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        print(RandomForestClassifier().fit(X_train, y_train).score(X_test, y_test))
        """,
        name="seeded.py",
    )
    assert seeded.findings == []


def test_suppression_comments_select_ignore_and_severity_config(tmp_path):
    body = """\
        X = StandardScaler().fit_transform(X)  # pitfall: ignore[PF206]
        X_train, X_test, y_train, y_test = train_test_split(X, y)
        print(LogisticRegression().fit(X_train, y_train).score(X_test, y_test))
        """
    assert codes(run(tmp_path, body)) == ["PF702"]
    assert codes(run(tmp_path, body.replace("  # pitfall: ignore[PF206]", ""), ignore=["PF7"])) == ["PF206"]
    assert codes(run(tmp_path, body.replace("  # pitfall: ignore[PF206]", ""), select=["PF702"])) == ["PF702"]
    assert codes(run(tmp_path, body.replace("[PF206]", ""))) == ["PF702"]  # a bare ignore silences all
    from pitfall.config import Config

    cfg = Config(severity={"PF702": Severity.ERROR}, ignore=["PF206"])
    report = lint([tmp_path / "script.py"], config=cfg)
    assert [(f.code, f.severity) for f in report.findings] == [("PF702", Severity.ERROR)]
