"""--study and --sensitive: named columns are validated and recorded, and stay features."""

from __future__ import annotations

import pytest

from pitfall import scan
from pitfall.errors import InputError
from tests.conftest import clean_classification, split_frame


@pytest.fixture(scope="module")
def frames():
    df = clean_classification(n=300, d=3, seed=1)
    df["site"] = ["a", "b", "c"] * 100
    return split_frame(df)


def test_study_and_sensitive_are_recorded_and_stay_features(frames):
    train, test = frames
    report = scan(train, test, target="label", study="x0", sensitive=["site", "x1"], select=["PF103"], config=False)
    assert report.inputs["study"] == ["x0"]
    assert report.inputs["sensitive"] == ["site", "x1"]
    assert report.inputs["n_features"] == 4


def test_comma_separated_names_are_split_and_deduplicated(frames):
    train, test = frames
    report = scan(train, test, target="label", sensitive="site, x1,site", select=["PF103"], config=False)
    assert report.inputs["sensitive"] == ["site", "x1"]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"study": "colour"}, "no study column 'colour'"),
        ({"study": "label"}, "--study names column 'label', which is the --target column"),
        ({"sensitive": "label"}, "--sensitive names column 'label', which is the --target column"),
        ({"study": "site", "group": "site"}, "--study names column 'site', which is the --group column"),
    ],
)
def test_bad_role_columns_are_one_line_errors(frames, kwargs, expected):
    train, test = frames
    with pytest.raises(InputError) as info:
        scan(train, test, target="label", config=False, **kwargs)
    assert expected in str(info.value)
    assert "\n" not in str(info.value)


def test_sensitive_may_be_the_group_column(frames):
    train, test = frames
    report = scan(train, test, target="label", group="site", sensitive="site", select=["PF103"], config=False)
    assert report.inputs["sensitive"] == ["site"]
