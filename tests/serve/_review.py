"""Shared setup for the review page tests: a uvicorn server on loopback, a fitted model and a seeded queue."""

from __future__ import annotations

import re
import socket
import threading
import time

import numpy as np
import pandas as pd
import uvicorn
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from pitfall.deploy.routing import Policy
from pitfall.deploy.store import Store

POLICY = Policy(accept=0.9, review=0.6)
XSS = "<script>alert(1)</script>"


class Server:
    """A uvicorn server in a thread, on a free loopback port."""

    def __init__(self, app, **kw):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", **kw))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.01)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


def fit_model():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x1": rng.normal(size=200), "x2": rng.normal(size=200)})
    y = np.where(X["x1"] + 0.3 * rng.normal(size=200) > 0, "dog", "cat")
    return make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)


def seed_queue(store: Store, version: str = "v1") -> list[str]:
    """Three queued items (confidences 0.8, 0.55, 0.7) and one auto item; ids in insertion order."""
    rows = [
        {"record": {"x1": 1.0, "note": "plain"}, "label": "dog", "confidence": 0.8, "decision": "review"},
        {"record": {"x1": 0.1, "note": XSS}, "label": "dog", "confidence": 0.55, "decision": "abstain"},
        {"record": {"x1": -1.0, "note": "third"}, "label": "cat", "confidence": 0.7, "decision": "review"},
        {"record": {"x1": -3.0, "note": "auto"}, "label": "cat", "confidence": 0.99, "decision": "auto"},
    ]
    return store.add_items(version, [{**r, "reason": "test"} for r in rows])


def counts_in(html: str) -> tuple[int, int]:
    """(pending, reviewed) as shown on the review page."""
    pending = re.search(r'id="pending">(\d+)<', html)
    reviewed = re.search(r'id="reviewed">(\d+)<', html)
    assert pending and reviewed, html[:500]
    return int(pending.group(1)), int(reviewed.group(1))


def csrf_in(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)
