"""PF202 near-duplicates: noisy views of an object in both splits fire; chance neighbours don't."""

import numpy as np
import pytest

from pitfall.checks import shared
from pitfall.checks.context import Context
from pitfall.runners.scan import build_split
from tests.checks.shapes import (
    CLEAN,
    clean_report,
    loud,
    low_dimensional,
    random_split,
    scan_data,
    views,
)


def test_views_with_one_percent_noise_fire():
    df = views(noise=0.01).drop(columns="galaxy_id")
    train, test = random_split(df)
    report = scan_data(train, test, select="PF201,PF202")
    [finding] = report.findings
    assert (finding.code, finding.severity.value) == ("PF202", "error")
    ev = finding.evidence
    # 500 objects x 4 views: nearly every test view has a sibling in train
    assert ev["count"] >= 0.6 * len(test)
    assert ev["expected_by_chance"] < 0.01 * ev["count"]
    assert ev["p_value"] < 1e-100
    assert sum(ev["by_cell_width"].values()) == ev["count"]
    ex = ev["examples"][0]
    for values in ex["values"].values():
        assert abs(values["test"] - values["train"]) < 0.32 * 1.5  # within the widest cell


def test_views_with_fifty_percent_noise_do_not_fire():
    df = views(noise=0.5).drop(columns="galaxy_id")
    train, test = random_split(df)
    assert not scan_data(train, test, select="PF202").findings


def test_close_neighbours_in_two_dimensions_are_expected():
    train, test = random_split(low_dimensional())
    report = scan_data(train, test, select="PF202")
    assert not report.findings
    # there are plenty of test rows sharing a 0.02 SD cell with a train row: all chance
    ctx = Context(build_split(train, test, target="label"))
    matches = shared.cross_matches(ctx)
    assert (matches.chance.matches[1] > 0).sum() > 1000
    assert len(matches.near) == 0


@pytest.mark.parametrize("noise", [0.02, 0.05])
def test_more_dimensions_make_close_views_improbable(noise):
    train, test = random_split(views(noise=noise, d=20).drop(columns="galaxy_id"))
    [finding] = scan_data(train, test, select="PF202").findings
    assert finding.evidence["count"] > 10


@pytest.mark.parametrize("name", CLEAN)
def test_clean_data_is_silent(name):
    assert not loud(clean_report(name), "PF202")


def test_effective_dimension_is_reported():
    train, test = random_split(views(noise=0.01).drop(columns="galaxy_id"))
    [finding] = scan_data(train, test, select="PF202").findings
    assert finding.evidence["effective_dimension"] == pytest.approx(8, abs=0.5)
    assert np.isfinite(finding.evidence["p_value"])
