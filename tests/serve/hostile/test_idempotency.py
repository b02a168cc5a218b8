"""Item 7: a retried POST /predict with the same batch_id gets the stored answer back and stores nothing twice."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

RECORDS = [{"x1": x / 4, "x2": 0.0, "note": f"r{x}"} for x in range(-6, 7)]


def test_a_retry_returns_the_stored_answer(served):
    c = served.client
    first = c.post("/predict", json={"records": RECORDS, "batch_id": "lost-answer"})
    assert first.status_code == 200 and first.json()["replayed"] is False
    again = c.post("/predict", json={"records": RECORDS, "batch_id": "lost-answer"})
    assert again.status_code == 200, again.text
    assert again.json()["items"] == first.json()["items"] and again.json()["replayed"] is True
    other = c.post("/predict", json={"records": RECORDS[:3], "batch_id": "lost-answer"})
    assert other.status_code == 409 and "other records" in other.json()["detail"]
    assert served.store.counts()["total"] == len(RECORDS) == served.store.batch_size("lost-answer")


def test_racing_retries_store_the_batch_once(served):
    def send(_: int) -> list[str]:
        with httpx.Client(base_url=served.server.url, timeout=60) as c:
            r = c.post("/predict", json={"records": RECORDS, "batch_id": "raced"})
            assert r.status_code == 200, r.text
            return [i["item_id"] for i in r.json()["items"]]

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(send, range(8)))
    assert all(a == answers[0] for a in answers)
    assert served.store.counts()["total"] == len(RECORDS) == served.store.batch_size("raced")


def test_a_bare_list_of_records_is_a_batch_too(served):
    r = served.client.post("/predict", json=RECORDS[:2])
    assert r.status_code == 200, r.text
    assert r.json()["batch_id"] is None and len(r.json()["items"]) == 2
    assert served.client.post("/predict", json=[]).status_code == 422
    assert served.client.post("/predict", json=[{"x1": 1.0}]).status_code == 422  # x2 missing
    assert served.store.counts()["total"] == 2
