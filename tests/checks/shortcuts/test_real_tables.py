"""PF301 on real tables: a row statistic that is one column in disguise is no shortcut.

On tables whose columns have different units, a row's maximum is the column on the largest
scale (wine's `proline`, breast_cancer's `worst area`, randhie's `disea`), and its mean and
spread follow that column. Such a "statistic" predicts the label exactly as well as the column
does, and must not be reported as a shortcut; a brightness shortcut planted in real images must.
"""

import pandas as pd
import pytest

from tests.checks.evaluation.synthetic import loud, scan, split
from tests.checks.shapes import sklearn_frame


def randhie(seed: int, n: int = 8000) -> tuple[pd.DataFrame, pd.DataFrame]:
    """statsmodels' RAND health insurance person-years: did the person see a doctor at all
    (``mdvis > 0``, with ``mdvis`` dropped), split 75/25 stratified on the label."""
    from sklearn.model_selection import train_test_split
    from statsmodels.datasets import randhie as data

    df = data.load_pandas().data.sample(n, random_state=seed).reset_index(drop=True)
    df["label"] = (df.pop("mdvis") > 0).astype(int)
    return tuple(train_test_split(df, test_size=0.25, stratify=df["label"], random_state=seed))


@pytest.mark.parametrize("seed", [0, 1])
def test_randhie_row_maximum_is_the_disea_column_not_a_shortcut(seed):
    train, test = randhie(seed)
    report = scan(train.reset_index(drop=True), test.reset_index(drop=True), select="PF301")
    assert loud(report, "PF301") == []
    assert "follows column 'disea'" in " ".join(report.notes)


@pytest.mark.parametrize("name", ["wine", "breast_cancer"])
def test_bundled_tables_with_one_large_scale_column_are_silent(name):
    report = scan(*split(sklearn_frame(name), test_share=0.25), select="PF301")
    assert loud(report, "PF301") == []


def test_a_brightness_shortcut_planted_in_real_digits_is_an_error(seed=0):
    df = sklearn_frame("digits")
    pixels = [c for c in df.columns if c != "label"]
    y = (df["label"] >= 5).astype(int).to_numpy()
    X = df[pixels].to_numpy(float)
    X = X + 3.0 * (X > 0) * y[:, None]  # the positive class was scanned with brighter ink
    planted = pd.DataFrame(X, columns=pixels).assign(label=y)
    [finding] = loud(scan(*split(planted, seed=seed), select="PF301"), "PF301")
    assert finding.severity.value == "error"
    assert finding.evidence["follows_one_column"] == {}
    assert all(d["low"] > 0 for d in finding.evidence["summary_minus_plain"].values())
