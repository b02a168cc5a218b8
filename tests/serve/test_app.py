"""The HTTP service against a real uvicorn server on loopback, a real SQLite store and a real fitted pipeline."""

from __future__ import annotations

import io
import json
from concurrent.futures import ThreadPoolExecutor

import httpx
import joblib
import numpy as np
import pandas as pd
import pytest

pytest.importorskip("fastapi")
uvicorn = pytest.importorskip("uvicorn")

from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from pitfall.deploy.routing import Policy, SafetyRule  # noqa: E402
from pitfall.deploy.store import Store  # noqa: E402
from pitfall.serve.app import create_app  # noqa: E402
from tests.serve._review import Server  # noqa: E402

POLICY = Policy(accept=0.9, review=0.6, safety=[SafetyRule("dog", "never", {"collection": "wartime"})])


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x1": rng.normal(size=400), "x2": rng.normal(size=400)})
    y = np.where(X["x1"] + 0.3 * rng.normal(size=400) > 0, "dog", "cat")
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    path = tmp_path_factory.mktemp("model") / "model.joblib"
    joblib.dump(model, path)
    return path


@pytest.fixture(scope="module")
def model(model_file):
    return joblib.load(model_file)


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'serve.db'}")
    yield s
    s.close()


@pytest.fixture
def client(store, model):
    with Server(create_app(store, model, POLICY, "v1")) as server, httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


def _x_for(model, lo, hi):
    """An x1 whose predicted confidence lies in [lo, hi)."""
    grid = np.linspace(-3, 3, 2001)
    conf = model.predict_proba(pd.DataFrame({"x1": grid, "x2": 0.0})).max(axis=1)
    return float(grid[np.flatnonzero((conf >= lo) & (conf < hi))[0]])


def _records(model):
    return [
        {"x1": -3.0, "x2": 0.0, "collection": "peace"},  # confident cat -> auto
        {"x1": 3.0, "x2": 0.0, "collection": "peace"},  # confident dog -> auto
        {"x1": 3.0, "x2": 0.0, "collection": "Wartime"},  # dog in wartime -> blocked (label withheld)
        {"x1": _x_for(model, 0.65, 0.85), "x2": 0.0},  # -> review
        {"x1": _x_for(model, 0.5, 0.55), "x2": 0.0},  # -> abstain
    ]


def test_predict_stores_every_item_and_follows_the_policy(client, store, model):
    r = client.post("/predict", json={"records": _records(model), "batch_id": "b1"})
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [i["decision"] for i in items] == ["auto", "auto", "blocked", "review", "abstain"]
    assert [i["label"] for i in items[:3]] == ["cat", "dog", None]
    assert "safety" in items[2]["reason"]
    for sent, got in zip(_records(model), items, strict=True):
        stored = store.get_item(got["item_id"])
        assert stored is not None and stored.record == sent and stored.batch_id == "b1"
        assert stored.decision == got["decision"] and stored.confidence == pytest.approx(got["confidence"])
    assert store.counts()["total"] == 5
    one = client.get(f"/items/{items[2]['item_id']}").json()
    assert one["decision"] == "blocked" and one["label"] is None and one["record"]["collection"] == "Wartime"
    assert client.get("/items/00000000-0000-0000-0000-000000000000").status_code == 404
    retry = client.post("/predict", json={"records": _records(model), "batch_id": "b1"})  # a lost answer, asked again
    assert retry.status_code == 200 and retry.json()["items"] == items and retry.json()["replayed"] is True
    assert client.post("/predict", json={"records": _records(model)[:2], "batch_id": "b1"}).status_code == 409
    assert store.counts()["total"] == 5
    metrics = client.get("/metrics").json()
    assert metrics["auto"] == 2 and metrics["blocked"] == 1 and metrics["pending"] == 3
    assert metrics["review_rate"] == pytest.approx(3 / 5)
    assert client.get("/health").json()["status"] == "ok"


def test_predict_csv(client, store):
    csv = "x1,x2,collection\n-3,0,peace\n3,0,wartime\n"
    r = client.post("/predict/csv", files={"file": ("batch.csv", csv, "text/csv")}, data={"batch_id": "c1"})
    assert r.status_code == 200, r.text
    assert [i["decision"] for i in r.json()["items"]] == ["auto", "blocked"]
    assert store.batch_size("c1") == 2


def test_review_flow_needs_a_token_and_export_has_the_correction(client, store, model):
    items = client.post("/predict", json={"records": _records(model)}).json()["items"]
    blocked = items[2]["item_id"]
    token = store.add_user("alice")
    auth = {"Authorization": f"Bearer {token}"}
    body = {"action": "correct", "label": "cat"}
    assert client.post(f"/items/{blocked}/review", json=body).status_code == 401
    assert (
        client.post(f"/items/{blocked}/review", json=body, headers={"Authorization": "Bearer pft_x_y"}).status_code
        == 401
    )
    assert client.get("/queue").status_code == 401 and client.get("/export").status_code == 401
    queue = client.get("/queue", params={"limit": 10}, headers=auth).json()["items"]
    assert {i["item_id"] for i in queue} == {i["item_id"] for i in items[2:]}
    bad = client.post(f"/items/{blocked}/review", json={"action": "accept"}, headers=auth)
    assert bad.status_code == 400 and "blocked" in bad.json()["detail"]
    assert (
        client.post(f"/items/{blocked}/review", json={"action": "correct", "label": "cow"}, headers=auth).status_code
        == 400
    )
    r = client.post(f"/items/{blocked}/review", json=body, headers=auth)
    assert r.status_code == 200 and r.json()["reviewer"] == "alice"
    assert client.post(f"/items/{blocked}/review", json=body, headers=auth).status_code == 409
    assert (
        client.post(f"/items/{items[3]['item_id']}/review", json={"action": "accept"}, headers=auth).status_code == 200
    )
    assert (
        client.post(f"/items/{items[4]['item_id']}/review", json={"action": "maybe"}, headers=auth).status_code == 422
    )
    assert store.reviews_of(blocked)[0].reviewer == "alice"
    csv = client.get("/export", params={"format": "csv"}, headers=auth)
    assert csv.status_code == 200
    frame = pd.read_csv(io.StringIO(csv.text))
    assert frame["label"].tolist() == ["cat", items[3]["label"]] and frame["collection"].iloc[0] == "Wartime"
    parquet = client.get("/export", params={"format": "parquet"}, headers=auth)
    assert len(pd.read_parquet(io.BytesIO(parquet.content))) == 2
    assert client.get("/metrics").json()["reviewed"] == 2


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (json.dumps({"records": [{"x1": 1.0}]}), "x2"),
        ('{"records": [{"x1": 1.0, "x2": 2.0}', "not valid JSON"),
        ('{"records": [{"x1": NaN, "x2": 2.0}]}', "NaN"),
        (json.dumps({"records": "x1=1"}), "records"),
        (json.dumps({"records": [{"x1": [1, 2], "x2": 0}]}), "records.0.x1"),
        (json.dumps({"records": [{"x1": 1, "x2": 0}], "batch_id": 7}), "batch_id"),
        (json.dumps({"records": [{"x1": "high", "x2": 0}]}), "cannot predict"),
        (json.dumps({"records": []}), "empty"),
    ],
)
def test_bad_input_is_422_and_leaves_the_store_untouched(client, store, content, expected):
    r = client.post("/predict", content=content, headers={"Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail and expected in detail
    assert store.counts()["total"] == 0


def test_oversize_is_413(client, store):
    many = {"records": [{"x1": 0.0, "x2": 0.0}] * 10_001}
    assert client.post("/predict", json=many).status_code == 413
    huge = json.dumps({"records": [{"x1": 0.0, "x2": 0.0, "note": "x" * (11 * 1024 * 1024)}]})
    assert client.post("/predict", content=huge, headers={"Content-Type": "application/json"}).status_code == 413
    chunks = (b'{"records": [{"x1": 0, "x2": 0, "note": "' + b"x" * (1 << 20) for _ in range(11))
    chunked = client.post("/predict", content=chunks, headers={"Content-Type": "application/json"})
    assert chunked.status_code == 413
    assert store.counts()["total"] == 0


def test_openapi_lists_the_endpoints(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/predict",
        "/predict/csv",
        "/items/{item_id}",
        "/items/{item_id}/review",
        "/queue",
        "/export",
        "/health",
        "/metrics",
    ):
        assert path in paths
    assert "records" in json.dumps(paths["/predict"]["post"]["requestBody"])


def test_sixteen_concurrent_clients_lose_nothing(client, store):
    n_clients, n_batches, size = 16, 4, 25

    def post(worker):
        with httpx.Client(base_url=str(client.base_url), timeout=60) as c:
            for b in range(n_batches):
                records = [{"x1": (i - size / 2) / 5, "x2": float(worker)} for i in range(size)]
                r = c.post("/predict", json={"records": records, "batch_id": f"w{worker}-{b}"})
                assert r.status_code == 200, r.text
                for item in r.json()["items"]:
                    ids.append(item["item_id"])

    ids: list[str] = []
    with ThreadPoolExecutor(n_clients) as pool:
        list(pool.map(post, range(n_clients)))
    assert len(ids) == len(set(ids)) == n_clients * n_batches * size
    assert store.counts()["total"] == len(ids)
    assert all(store.batch_size(f"w{w}-{b}") == size for w in range(n_clients) for b in range(n_batches))
    assert all(store.get_item(i) is not None for i in ids[::37])


def test_model_without_column_names_needs_the_same_fields_in_every_record(store):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(100, 2))
    bare = LogisticRegression().fit(X, np.where(X[:, 0] > 0, "dog", "cat"))
    with Server(create_app(store, bare, POLICY, "bare")) as server, httpx.Client(base_url=server.url) as c:
        ok = c.post("/predict", json={"records": [{"a": 3.0, "b": 0.0}, {"b": 0.0, "a": -3.0}]})
        assert ok.status_code == 200, ok.text
        assert [i["label"] for i in ok.json()["items"]] == ["dog", "cat"]
        odd = c.post("/predict", json={"records": [{"a": 3.0, "b": 0.0}, {"a": 1.0, "c": 0.0}]})
        assert odd.status_code == 422 and "record 1" in odd.json()["detail"]
    assert store.counts()["total"] == 2
