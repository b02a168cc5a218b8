"""Item 6: malformed input is a one-line 4xx with a reason on both backends, never a 500 or a dropped connection."""

from __future__ import annotations

import json

import pytest

JSON = {"Content-Type": "application/json"}
RECORD = {"x1": 0.5, "x2": 0.0}


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000,
        b'{"records": ' + b"[" * 100_000,
        b'{"records": [{"x1": ' + b"[" * 100_000 + b"]" * 100_000 + b', "x2": 0}]}',
        json.dumps({"records": [RECORD], "batch_id": "b" * 201}).encode(),
        json.dumps({"records": [RECORD], "batch_id": "a\u0000b"}).encode(),
        json.dumps({"records": [RECORD], "batch_id": "a\nb"}).encode(),
        json.dumps({"records": [RECORD], "batch_id": ""}).encode(),
        b'{"records": [{"x1": 1e400, "x2": 0}]}',
        b'{"records": [{"x1": ' + b"9" * 400 + b', "x2": 0}]}',
        json.dumps({"records": [{**RECORD, "f" * 201: 1}]}).encode(),
        b'{"records": [{"x1": 0.5, "x2": 0}], "batch_id": "\\ud800"}',
        b"\xff\xfe{",
    ],
)
def test_malformed_predict_bodies_are_one_line_4xx(served, body):
    r = served.client.post("/predict", content=body, headers=JSON)
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    detail = r.json()["detail"]
    assert isinstance(detail, str) and detail and "\n" not in detail and len(detail) < 600
    assert served.store.counts()["total"] == 0


def test_malformed_ids_and_labels_are_4xx(served):
    c, auth = served.client, served.auth
    item_id = c.post("/predict", json={"records": [RECORD]}).json()["items"][0]["item_id"]
    for bad in ("abc%00def", "abc%00", "%ff%fe", "x" * 300, "00000000-0000-0000-0000-000000000000"):
        assert c.get(f"/items/{bad}").status_code == 404, bad
        assert c.post(f"/items/{bad}/review", json={"action": "skip"}, headers=auth).status_code == 404, bad
    r = c.post(f"/items/{item_id}/review", json={"action": "correct", "label": "c\u0000at"}, headers=auth)
    assert r.status_code == 400 and "\n" not in r.json()["detail"]
    assert c.get("/queue", params={"limit": "1e9"}, headers=auth).status_code == 422
    browser = served.sign_in()
    page = browser.get("/review")
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    assert browser.post("/review/abc%00def", data={"csrf": csrf, "action": "skip"}).status_code == 400
    assert (
        browser.post(f"/review/{item_id}", data={"csrf": csrf, "action": "correct", "label": "c\u0000at"}).status_code
        == 400
    )
    browser.close()
    assert served.store.reviews_of(item_id) == []
