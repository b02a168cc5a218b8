"""The service as an attacker meets it: a uvicorn server on loopback over SQLite and the local PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

from pitfall.deploy.store import Store  # noqa: E402
from pitfall.serve.app import create_app  # noqa: E402
from tests.serve._review import POLICY, Server, csrf_in, fit_model  # noqa: E402
from tests.serve.conftest import PG_URL  # noqa: E402


@dataclass
class Served:
    client: httpx.Client
    store: Store
    token: str
    server: Any
    name: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def sign_in(self, client: httpx.Client | None = None, token: str | None = None) -> httpx.Client:
        """Sign ``client`` (a new one by default) in on the review page; it keeps the session cookie."""
        c = client or httpx.Client(base_url=self.server.url, timeout=30)
        csrf = csrf_in(c.get("/review/login").text)
        r = c.post("/review/login", data={"csrf": csrf, "token": token or self.token})
        assert r.status_code == 303, r.text[:300]
        return c


@pytest.fixture(scope="module")
def model():
    return fit_model()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend_store(request, tmp_path):
    if request.param == "sqlite":
        s = Store(f"sqlite:///{tmp_path / 'serve.db'}")
    else:
        s = Store(PG_URL, schema=request.getfixturevalue("pg_schema"))
    yield s
    s.close()


def serve(store: Store, model: Any, **options: Any):
    """A context manager: a server for ``create_app(store, model, POLICY, "v1", **options)`` and a signed token."""
    from contextlib import contextmanager

    @contextmanager
    def running():
        with (
            Server(create_app(store, model, POLICY, "v1", **options)) as server,
            httpx.Client(base_url=server.url, timeout=30) as client,
        ):
            name = f"alice-{id(server)}"
            yield Served(client, store, store.add_user(name), server, name)

    return running()


@pytest.fixture
def served(backend_store, model):
    with serve(backend_store, model) as s:
        yield s
