"""Item 4: other websites cannot write to the store: JSON/multipart only, Origin and Host checked."""

from __future__ import annotations

import json

from tests.serve.hostile.conftest import serve

BODY = json.dumps({"records": [{"x1": 0.5, "x2": 0.0}]})
EVIL = "http://evil.example"


def test_a_page_on_another_site_cannot_post_records(served):
    c = served.client
    # What a form or fetch(no-cors) on any page can send without a preflight:
    simple = c.post("/predict", content=BODY, headers={"Content-Type": "text/plain", "Origin": EVIL})
    assert simple.status_code in (403, 415)
    assert c.post("/predict", content=BODY, headers={"Content-Type": "text/plain"}).status_code == 415
    assert (
        c.post("/predict", content=BODY, headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code
        == 415
    )
    assert (
        c.post("/predict", content=BODY, headers={"Content-Type": "application/json", "Origin": EVIL}).status_code
        == 403
    )
    assert (
        c.post("/predict", content=BODY, headers={"Content-Type": "application/json", "Origin": "null"}).status_code
        == 403
    )
    for site in ("cross-site", "same-site"):
        assert (
            c.post(
                "/predict",
                content=BODY,
                headers={"Content-Type": "application/json", "Origin": "null", "Sec-Fetch-Site": site},
            ).status_code
            == 403
        )
        assert (
            c.post(
                "/predict", content=BODY, headers={"Content-Type": "application/json", "Sec-Fetch-Site": site}
            ).status_code
            == 403
        )
    other_port = served.server.url.rsplit(":", 1)[0] + ":1"  # another program on loopback is another origin
    assert (
        c.post("/predict", content=BODY, headers={"Content-Type": "application/json", "Origin": other_port}).status_code
        == 403
    )
    csv = {"file": ("b.csv", "x1,x2\n1,0\n", "text/csv")}
    assert c.post("/predict/csv", files=csv, headers={"Origin": EVIL}).status_code == 403
    assert c.post("/predict/csv", content="x1,x2\n1,0\n", headers={"Content-Type": "text/plain"}).status_code == 415
    login = c.post("/review/login", data={"csrf": "x", "token": served.token}, headers={"Origin": EVIL})
    assert login.status_code == 403
    assert served.store.counts()["total"] == 0
    # The service's own pages and clients without a browser still work.
    own = c.post("/predict", content=BODY, headers={"Content-Type": "application/json", "Origin": served.server.url})
    assert own.status_code == 200, own.text
    assert (
        c.post("/predict", content=BODY, headers={"Content-Type": "application/json; charset=utf-8"}).status_code == 200
    )
    assert c.post("/predict/csv", files=csv).status_code == 200
    assert served.store.counts()["total"] == 3


def test_dns_rebinding_is_refused_by_the_host_check(served):
    port = served.server.url.rsplit(":", 1)[1]
    c = served.client
    for host in (f"evil.example:{port}", "evil.example", f"127.0.0.1.evil.example:{port}"):
        r = c.get("/metrics", headers={"Host": host})
        assert r.status_code == 400 and "allowed-host" in r.json()["detail"]
        assert (
            c.post("/predict", content=BODY, headers={"Host": host, "Content-Type": "application/json"}).status_code
            == 400
        )
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}"):
        assert c.get("/metrics", headers={"Host": host}).status_code == 200, host
    assert served.store.counts()["total"] == 0


def test_hosts_and_origins_are_configurable(backend_store, model):
    options = {"allowed_hosts": ["review.museum.example"], "allowed_origins": ["https://catalogue.museum.example"]}
    with serve(backend_store, model, **options) as served:
        c = served.client
        assert c.get("/metrics").status_code == 400  # loopback names are no longer in the list
        host = {"Host": "review.museum.example", "Content-Type": "application/json"}
        assert (
            c.post("/predict", content=BODY, headers={**host, "Origin": "https://catalogue.museum.example"}).status_code
            == 200
        )
        assert (
            c.post("/predict", content=BODY, headers={**host, "Origin": "https://review.museum.example"}).status_code
            == 200
        )  # its own origin behind a TLS proxy
        assert c.post("/predict", content=BODY, headers={**host, "Origin": EVIL}).status_code == 403
