"""Item 5: anonymous writes are bounded per record, per request and per client, and pages never load unbounded
data, even when oversized records were stored before the limits existed."""

from __future__ import annotations

import json

import httpx
import pandas as pd

from pitfall.deploy.store import EncodedRecord, items
from pitfall.serve.guard import RateLimit
from tests.serve.hostile.conftest import serve

JSON = {"Content-Type": "application/json"}


def test_record_and_request_sizes_are_bounded(served):
    c = served.client
    big = c.post("/predict", json={"records": [{"x1": 0.1, "x2": 0.0, "note": "x" * (65 * 1024)}]})
    assert big.status_code == 413 and "record 0" in big.json()["detail"]
    fits = c.post("/predict", json={"records": [{"x1": 0.1, "x2": 0.0, "note": "x" * (60 * 1024)}]})
    assert fits.status_code == 200
    many = {"records": [{"x1": 0.0, "x2": 0.0}] * 10_001}
    assert c.post("/predict", json=many).status_code == 413
    huge = json.dumps({"records": [{"x1": 0.0, "x2": 0.0, "note": "x" * (11 * 1024 * 1024)}]})
    assert c.post("/predict", content=huge, headers=JSON).status_code == 413
    assert served.store.counts()["total"] == 1


def test_a_client_over_its_rate_gets_429_and_others_do_not(backend_store, model):
    with serve(backend_store, model, rate_limit=RateLimit(requests=5, mib=1)) as served:
        c = served.client
        body = json.dumps({"records": [{"x1": 0.1, "x2": 0.0}]})
        codes = [c.post("/predict", content=body, headers=JSON).status_code for _ in range(8)]
        assert codes[:5] == [200] * 5 and set(codes[5:]) == {429}
        refused = c.post("/predict", content=body, headers=JSON)
        assert int(refused.headers["retry-after"]) >= 1 and "retry in" in refused.json()["detail"]
        assert c.get("/metrics").status_code == 200  # reads are not rate limited
        other = httpx.Client(base_url=served.server.url, transport=httpx.HTTPTransport(local_address="127.0.0.2"))
        with other:  # another client address has its own budget
            assert other.post("/predict", content=body, headers=JSON).status_code == 200
        assert served.store.counts()["total"] == 6
    with serve(backend_store, model, rate_limit=RateLimit(requests=1000, mib=1)) as served:
        record = {"x1": 0.1, "x2": 0.0, "note": "y" * 60_000}
        body = json.dumps({"records": [record] * 12})  # ~0.7 MiB: the second one goes over 1 MiB a minute
        codes = [served.client.post("/predict", content=body, headers=JSON).status_code for _ in range(3)]
        assert codes[0] == 200 and codes[-1] == 429


def test_pages_load_a_bounded_amount_whatever_is_stored(served):
    """A 9 MB record stored before the limits (written straight into the table) is not loaded by the pages."""
    served.client.post("/predict", json={"records": [{"x1": 0.1, "x2": 0.0, "note": "small"}]})
    huge = "00000000-0000-4000-8000-000000000002"
    with served.store._writer.begin() as conn:
        conn.execute(
            items.insert().values(
                id=huge,
                model_version="v1",
                batch_id=None,
                record=EncodedRecord(json.dumps({"x1": 0.0, "x2": 0.0, "note": "z" * 9_000_000})),
                label="dog",
                confidence=0.5,
                decision="abstain",
                reason="planted",
                created_at=pd.Timestamp.now("UTC"),
            )
        )
    queue = served.client.get("/queue", headers=served.auth)
    assert queue.status_code == 200 and len(queue.content) < 100_000
    shown = {i["item_id"]: i["record"] for i in queue.json()["items"]}
    assert "too large to show" in shown[huge]["…"] and shown[huge].keys() == {"…"}
    browser = served.sign_in()
    page = browser.get("/review")
    assert page.status_code == 200 and huge in page.text and len(page.content) < 100_000
    assert "too large to show" in page.text
    browser.close()
