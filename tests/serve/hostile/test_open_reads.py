"""Item 9: what anonymous clients may read is decided per endpoint and configurable; reviewer names, the model
version and the CDN-loading docs pages are not open by default."""

from __future__ import annotations

import pytest

from pitfall.serve.app import create_app
from tests.serve._review import POLICY
from tests.serve.hostile.conftest import serve


def test_default_open_reads_show_no_names_no_version_and_no_cdn(served):
    c, auth = served.client, served.auth
    item = c.post("/predict", json={"records": [{"x1": 0.05, "x2": 0.0}]}).json()["items"][0]["item_id"]
    assert c.post(f"/items/{item}/review", json={"action": "correct", "label": "cat"}, headers=auth).status_code == 200
    anonymous = c.get(f"/items/{item}").json()
    assert anonymous["reviews"] == [
        {"action": "correct", "label": "cat", "created_at": anonymous["reviews"][0]["created_at"]}
    ]
    assert served.name not in c.get(f"/items/{item}").text
    assert c.get(f"/items/{item}", headers=auth).json()["reviews"][0]["reviewer"] == served.name
    assert c.get(f"/items/{item}", headers={"Authorization": "Bearer pft_x_y"}).status_code == 401
    health = c.get("/health").json()
    assert health == {"status": "ok"}
    assert c.get("/health", headers=auth).json()["model_version"] == "v1"
    assert "v1" not in c.get("/openapi.json").text  # the schema is open; the version is not in it
    assert c.get("/metrics").status_code == 200
    for page in ("/docs", "/redoc"):
        assert c.get(page).status_code == 404


def test_open_reads_are_configurable(backend_store, model):
    with serve(backend_store, model, public=[]) as closed:
        c = closed.client
        item = c.post("/predict", json={"records": [{"x1": 0.05, "x2": 0.0}]}).json()["items"][0]["item_id"]
        assert c.get(f"/items/{item}").status_code == 401 and c.get("/metrics").status_code == 401
        assert c.get("/openapi.json").status_code == 404 and c.get("/health").json() == {"status": "ok"}
        assert c.get(f"/items/{item}", headers=closed.auth).status_code == 200
        assert c.get("/metrics", headers=closed.auth).json()["total"] == 1
    with serve(backend_store, model, public=["version", "docs", "items"]) as open_:
        assert open_.client.get("/health").json()["model_version"] == "v1"
        docs = open_.client.get("/docs")
        assert docs.status_code == 200 and "cdn.jsdelivr.net" in docs.text  # why docs is off by default
        assert open_.client.get("/metrics").status_code == 401
    with pytest.raises(ValueError, match="public must name"):
        create_app(backend_store, model, POLICY, "v1", public=["everything"])
