"""Items 2 and 3: no record can block an export, and no cell of the CSV export runs as a spreadsheet formula."""

from __future__ import annotations

import csv
import io

import pandas as pd

FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def _review_all(served, records):
    r = served.client.post("/predict", json={"records": records})
    assert r.status_code == 200, r.text
    for item in r.json()["items"]:
        body = {"action": "correct", "label": "cat"}
        assert served.client.post(f"/items/{item['item_id']}/review", json=body, headers=served.auth).status_code == 200


def test_a_record_field_named_like_the_label_cannot_block_the_export(served):
    _review_all(
        served,
        [
            {"x1": 0.1, "x2": 0.0, "label": "dog"},
            {"x1": 0.2, "x2": 0.0, "record.label": "dog2"},
            {"x1": 0.3, "x2": 0.0, "note": "plain"},
        ],
    )
    got = served.client.get("/export", params={"format": "csv"}, headers=served.auth)
    assert got.status_code == 200, got.text
    frame = pd.read_csv(io.StringIO(got.text))
    assert frame["label"].tolist() == ["cat", "cat", "cat"]  # the final human labels, never a record's
    assert frame["record.label"].iloc[0] == "dog" and frame["record.record.label"].iloc[1] == "dog2"
    parquet = served.client.get("/export", params={"format": "parquet"}, headers=served.auth)
    assert parquet.status_code == 200
    back = pd.read_parquet(io.BytesIO(parquet.content))
    assert back["label"].tolist() == ["cat", "cat", "cat"] and back["record.label"].iloc[0] == "dog"


def test_csv_export_neutralises_formulas_in_values_and_field_names(served):
    records = [{"x1": 0.1 * i, "x2": -1.5, "note": f, "=cmd|' /C calc'!A0": f} for i, f in enumerate(FORMULAS)]
    _review_all(served, records)
    got = served.client.get("/export", params={"format": "csv"}, headers=served.auth)
    assert got.status_code == 200
    rows = list(csv.reader(io.StringIO(got.text, newline="")))
    header, body = rows[0], rows[1:]
    assert "'=cmd|' /C calc'!A0" in header and "=cmd|' /C calc'!A0" not in header
    notes = [row[header.index("note")] for row in body]
    assert notes == ["'" + f for f in FORMULAS]
    for row in body:
        assert not any(cell[:1] in ("=", "+", "@", "\t", "\r") for cell in row), row
        assert row[header.index("x2")] == "-1.5"  # a number stays a number
    # Parquet is typed, not evaluated: values come back as they were sent.
    parquet = served.client.get("/export", params={"format": "parquet"}, headers=served.auth)
    assert pd.read_parquet(io.BytesIO(parquet.content))["note"].tolist() == FORMULAS
