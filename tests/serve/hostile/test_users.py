"""Item 8: review-page sessions live in the store (a restart or another worker keeps them), and reviewers can be
listed, revoked and given a new token; a revoked reviewer's token and sessions stop working at once."""

from __future__ import annotations

import httpx
import sqlalchemy as sa

from pitfall.cli.main import main
from pitfall.deploy.store import sessions
from pitfall.serve.pages import COOKIE
from tests.serve.hostile.conftest import serve


def _cookie(browser: httpx.Client) -> dict[str, str]:
    return {COOKIE: browser.cookies[COOKIE]}


def _get(served, path: str, cookie: dict[str, str]) -> httpx.Response:
    """GET ``path`` from a new client holding only ``cookie`` (a browser that kept its session cookie)."""
    with httpx.Client(base_url=served.server.url, cookies=cookie, timeout=30) as c:
        return c.get(path)


def test_sessions_survive_a_restart_and_work_on_every_worker(backend_store, model):
    with serve(backend_store, model) as first:
        browser = first.sign_in()
        cookie = _cookie(browser)
        browser.close()
        assert _get(first, "/review", cookie).status_code == 200
        with serve(backend_store, model) as second:  # a second worker on the same store, at the same time
            page = _get(second, "/review", cookie)
            assert page.status_code == 200 and "Review queue" in page.text
    with serve(backend_store, model) as restarted:  # both gone: a fresh process
        assert _get(restarted, "/review", cookie).status_code == 200
        assert _get(restarted, "/review", {COOKIE: "forged"}).status_code == 303
    with backend_store.engine.connect() as conn:  # only a hash of the session id is kept
        stored = conn.execute(sa.select(sessions.c.id_hash)).scalars().all()
    assert cookie[COOKIE] not in stored and len(stored) == 1


def test_revoking_a_reviewer_ends_their_token_and_sessions_at_once(backend_store, model):
    with serve(backend_store, model) as served, serve(backend_store, model) as other_worker:
        c = served.client
        item = c.post("/predict", json={"records": [{"x1": 0.05, "x2": 0.0}]}).json()["items"][0]["item_id"]
        name = served.name
        browser = served.sign_in()
        cookie = _cookie(browser)
        csrf = browser.get("/review").text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        assert {u.name: u.sessions for u in backend_store.list_users()} == {name: 1, other_worker.name: 0}
        assert c.get("/queue", headers=served.auth).status_code == 200
        backend_store.revoke_user(name)
        assert c.get("/queue", headers=served.auth).status_code == 401
        assert other_worker.client.get("/queue", headers=served.auth).status_code == 401
        for worker in (served, other_worker):
            assert _get(worker, "/review", cookie).status_code == 303
            assert _get(worker, "/review/monitor", cookie).status_code == 303
            with httpx.Client(base_url=worker.server.url, cookies=cookie) as client:
                posted = client.post(f"/review/{item}", data={"csrf": csrf, "action": "skip"})
            assert posted.status_code == 303 and posted.headers["location"].endswith("/review/login")
        assert backend_store.reviews_of(item) == []
        assert [u.name for u in backend_store.list_users()] == [other_worker.name]
        browser.close()


def test_rotating_a_token(backend_store, model):
    with serve(backend_store, model) as served:
        name = next(u.name for u in backend_store.list_users())
        browser = served.sign_in()
        cookie = _cookie(browser)
        browser.close()
        new = backend_store.rotate_token(name)
        assert served.client.get("/queue", headers=served.auth).status_code == 401
        assert served.client.get("/queue", headers={"Authorization": f"Bearer {new}"}).status_code == 200
        assert _get(served, "/review", cookie).status_code == 303  # sessions ended too
        assert served.sign_in(token=new).get("/review").status_code == 200


def test_users_list_revoke_rotate_commands(tmp_path, capsys, model):
    url = f"sqlite:///{tmp_path / 'users.db'}"
    assert main(["users", "add", "ann", "--store", url]) == 0
    assert main(["users", "add", "bob", "--store", url]) == 0
    first = capsys.readouterr().out.split()[0]
    assert main(["users", "list", "--store", url]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[0] for line in listed] == ["ann", "bob"] and first not in "".join(listed)
    assert main(["users", "rotate", "ann", "--store", url]) == 0
    rotated = capsys.readouterr().out.strip()
    assert rotated.startswith("pft_") and rotated != first
    assert main(["users", "revoke", "bob", "--store", url]) == 0
    assert main(["users", "revoke", "bob", "--store", url]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["users", "rotate", "carl", "--store", url]) == 2
    assert main(["users", "list", "--store", url]) == 0
    assert [line.split("\t")[0] for line in capsys.readouterr().out.splitlines()] == ["ann"]
