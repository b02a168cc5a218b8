"""PF104 id-like-column: counters and short codes fire; measurements, text and dates do not."""

import numpy as np
import pandas as pd
import pytest

from tests.checks.shapes import CLEAN, clean_report, gaussian, loud, random_split, scan_data


def _scan_with(**columns):
    df = gaussian(n=600)
    for name, values in columns.items():
        df[name] = values
    train, test = random_split(df)
    return scan_data(train, test, select="PF104")


def _flagged(report) -> set[str]:
    return {c for f in report.findings for c in f.columns}


def test_row_number_fires():
    report = _scan_with(row=np.arange(600))
    [finding] = report.findings
    assert finding.columns == ("row",)
    assert finding.severity.value == "warning"
    assert finding.evidence["reason"] == "distinct consecutive integers in every row"


def test_short_unique_codes_fire():
    codes = [f"SDSS{n:07d}" for n in np.random.default_rng(0).permutation(600)]
    [finding] = _scan_with(objid=codes).findings
    assert finding.columns == ("objid",)
    assert finding.evidence["reason"] == "a distinct short code in every row"


def test_large_distinct_integers_fire_only_with_an_identifier_name():
    values = np.random.default_rng(1).choice(10**9, 600, replace=False)
    assert _flagged(_scan_with(customer_id=values)) == {"customer_id"}
    assert _flagged(_scan_with(income=values)) == set()


def test_unique_measurements_text_and_dates_do_not_fire():
    rng = np.random.default_rng(2)
    words = np.array(["faint", "spiral", "arm", "with", "a", "bright", "core", "and", "dust"])
    report = _scan_with(
        flux=rng.lognormal(size=600),
        notes=[" ".join(rng.choice(words, 5)) + f" #{i}" for i in range(600)],
        observed=pd.date_range("2024-01-01", periods=600, freq="h").strftime("%Y-%m-%dT%H:%M:%S"),
        flux_text=[f"{v:.6f}" for v in rng.normal(size=600)],
    )
    assert not report.findings


def test_declared_id_is_not_a_feature():
    df = gaussian(n=600)
    df["row"] = np.arange(600)
    train, test = random_split(df)
    assert not scan_data(train, test, select="PF104", id="row").findings


@pytest.mark.parametrize("name", CLEAN)
def test_clean_data_is_silent(name):
    assert not loud(clean_report(name), "PF104")
