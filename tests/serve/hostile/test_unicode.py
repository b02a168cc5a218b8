"""Item 1: text that is not valid Unicode (or holds NUL) is refused on the way in, and what is already stored
cannot break a reader: the queue, the item, the review and monitoring pages and the export."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from pitfall.deploy.store import EncodedRecord, items


@pytest.mark.parametrize(
    "body",
    [
        b'{"records": [{"x1": 0.1, "x2": 0.0, "note": "\\ud800"}]}',
        b'[{"x1": 0.1, "x2": 0.0, "\\udfff": 1}]',
        b'{"records": [{"x1": 0.1, "x2": 0.0, "note": "a\\u0000b"}]}',
        b'{"records": [{"x1": 0.1, "x2": 0.0, "n\\u0000": 1}]}',
        b'{"records": [{"x1": 0.1, "x2": 0.0, "note": "caf\xe9"}]}',  # Latin-1, not UTF-8
    ],
)
def test_invalid_text_is_a_422_and_stores_nothing(served, body):
    r = served.client.post("/predict", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail
    assert any(word in detail for word in ("Unicode", "NUL", "JSON", "surrogate", "UTF-8")), detail
    assert served.store.counts()["total"] == 0


def test_valid_non_ascii_text_round_trips(served):
    note = "Œuvre — 東京 😀"
    r = served.client.post("/predict", json={"records": [{"x1": 0.1, "x2": 0.0, "note": note}]})
    assert r.status_code == 200, r.text
    item_id = r.json()["items"][0]["item_id"]
    assert served.client.get(f"/items/{item_id}").json()["record"]["note"] == note


def test_a_stored_lone_surrogate_breaks_no_reader(served):
    """A record stored before the checks existed (written here straight into the table)."""
    served.client.post("/predict", json={"records": [{"x1": 0.2, "x2": 0.0, "note": "fine"}]})
    bad = "00000000-0000-4000-8000-000000000001"
    with served.store._writer.begin() as conn:
        conn.execute(
            items.insert().values(
                id=bad,
                model_version="v1",
                batch_id=None,
                record=EncodedRecord('{"x1":0.1,"x2":0,"note":"\\ud800x"}'),
                label="dog",
                confidence=0.51,
                decision="review",
                reason="planted",
                created_at=pd.Timestamp.now("UTC"),
            )
        )
    c, auth = served.client, served.auth
    one = c.get(f"/items/{bad}")
    assert one.status_code == 200 and one.json()["record"]["note"] == "\ufffdx"
    queue = c.get("/queue", headers=auth)
    assert queue.status_code == 200 and bad in [i["item_id"] for i in queue.json()["items"]]
    browser = served.sign_in()
    page = browser.get("/review")
    assert page.status_code == 200 and bad in page.text and "\ufffdx" in page.text
    assert browser.get("/review/monitor").status_code == 200
    browser.close()
    assert c.post(f"/items/{bad}/review", json={"action": "accept"}, headers=auth).status_code == 200
    csv = c.get("/export", params={"format": "csv"}, headers=auth)
    assert csv.status_code == 200 and "\ufffdx" in pd.read_csv(io.StringIO(csv.text))["note"].tolist()
    assert c.get("/export", params={"format": "parquet"}, headers=auth).status_code == 200
