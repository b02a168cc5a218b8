"""PF407 class-unseen-in-training, and labels coded differently in train and test (input error)."""

import pytest

import pitfall
from pitfall.errors import InputError
from tests.checks.evaluation.synthetic import scan, split
from tests.checks.shapes import sklearn_frame


def _pf407(report):
    return [f for f in report.findings if f.code == "PF407"]


@pytest.mark.parametrize("name", ["iris", "wine", "digits"])
@pytest.mark.parametrize("seed", [0, 1])
def test_a_class_only_in_test_is_an_error_with_its_rows(name, seed):
    train, test = split(sklearn_frame(name), 0.25, seed)
    gone = int(sorted(train["label"].unique())[-1])
    train = train[train["label"] != gone]
    [finding] = _pf407(scan(train, test, select="PF407", seed=seed))
    assert finding.severity.value == "error"
    ev = finding.evidence
    assert ev["classes"] == [gone]
    assert ev["test_rows"] == {str(gone): int((test["label"] == gone).sum())}
    assert "cannot exceed" in finding.message  # balanced accuracy is capped


def test_a_few_rows_of_a_new_class_in_a_large_test_set_under_accuracy_are_a_warning():
    df = sklearn_frame("digits")
    train, test = split(df, 0.5, 0)
    rare = test[test["label"] == 9].index[:3]
    test = test[(test["label"] != 9) | test.index.isin(rare)]
    train = train[train["label"] != 9]
    [finding] = _pf407(scan(train, test, select="PF407", metric="accuracy"))
    assert finding.severity.value == "warning" and finding.evidence["share_of_test"] < 0.01


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer", "digits"])
def test_every_class_in_train_is_silent(name):
    for seed in (0, 1):
        assert _pf407(scan(*split(sklearn_frame(name), 0.25, seed), select="PF407", seed=seed)) == []


@pytest.mark.parametrize("name", ["iris", "wine"])
def test_labels_coded_differently_are_an_input_error(name):
    train, test = split(sklearn_frame(name), 0.25, 0)
    test = test.assign(label="class_" + test["label"].astype(str))
    with pytest.raises(InputError, match=r"no label of target column 'label' occurs in train.*same way"):
        pitfall.scan(train, test, target="label", config=False)
