"""The review web page over real HTTP: login, session cookie, CSRF, CSP, escaping and recorded reviews."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("fastapi")
httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")

from pitfall.serve.app import create_app  # noqa: E402
from pitfall.serve.pages import COOKIE  # noqa: E402
from tests.serve._review import POLICY, XSS, Server, counts_in, csrf_in, seed_queue  # noqa: E402


@pytest.fixture
def served(store, model):
    app = create_app(store, model, POLICY, "v1")
    ids = seed_queue(store)
    token = store.add_user("alice")
    with Server(app) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        yield client, token, ids


def _login(client, token):
    csrf = csrf_in(client.get("/review/login").text)  # the sign-in form's pre-session token (and its cookie)
    r = client.post("/review/login", data={"token": token, "csrf": csrf})
    assert r.status_code == 303 and r.headers["location"] == "/review"
    return r


def test_unauthenticated_review_redirects_to_login(served):
    client, _token, ids = served
    r = client.get("/review")
    assert r.status_code == 303 and r.headers["location"] == "/review/login"
    r = client.post(f"/review/{ids[0]}", data={"action": "accept", "csrf": "x"})
    assert r.status_code == 303 and r.headers["location"] == "/review/login"
    page = client.get("/review/login")
    assert page.status_code == 200 and 'name="token"' in page.text
    assert client.post("/review/login", data={"token": "pf_bad_token", "csrf": csrf_in(page.text)}).status_code == 401
    assert COOKIE not in client.cookies


def test_login_sets_a_strict_httponly_session_and_never_shows_the_token(served):
    client, token, _ids = served
    r = _login(client, token)
    cookie = r.headers["set-cookie"]
    assert (
        cookie.startswith(f"{COOKIE}=")
        and "HttpOnly" in cookie
        and "SameSite=strict" in cookie.replace("SameSite=Strict", "SameSite=strict")
    )
    assert token not in cookie
    page = client.get("/review")
    assert page.status_code == 200 and token not in page.text and "alice" in page.text
    csp = page.headers["content-security-policy"]
    nonce = re.search(r"script-src 'nonce-([^']+)'", csp).group(1)
    assert "default-src 'none'" in csp and f"style-src 'nonce-{nonce}'" in csp and "form-action 'self'" in csp
    assert f'<script nonce="{nonce}">' in page.text and f'<style nonce="{nonce}">' in page.text
    assert page.text.count("<script") == 1  # only the nonce-tagged shortcut script
    assert counts_in(page.text) == (3, 0)


def test_queue_is_least_confident_first_and_escapes_records(served):
    client, token, ids = served
    _login(client, token)
    page = client.get("/review").text
    shown = re.findall(r'data-item="([^"]+)"', page)
    assert shown == [ids[1], ids[2], ids[0]]  # confidences 0.55, 0.7, 0.8; the auto item is not queued
    assert XSS not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "0.550" in page and '<option value="cat">' in page and '<option value="dog">' in page


def test_csrf_missing_or_wrong_is_403_and_records_nothing(served, store):
    client, token, ids = served
    _login(client, token)
    assert client.post(f"/review/{ids[0]}", data={"action": "accept"}).status_code == 403
    assert client.post(f"/review/{ids[0]}", data={"action": "accept", "csrf": "wrong"}).status_code == 403
    assert client.post(f"/review/{ids[0]}", data={"action": "accept", "csrf": "é"}).status_code == 403
    assert store.reviews_of(ids[0]) == []


def test_reviews_are_recorded_with_the_session_user(served, store):
    client, token, ids = served
    _login(client, token)
    csrf = csrf_in(client.get("/review").text)
    r = client.post(f"/review/{ids[1]}", data={"action": "accept", "csrf": csrf})
    assert r.status_code == 303 and r.headers["location"] == "/review?done=accept"
    r = client.post(f"/review/{ids[2]}", data={"action": "correct", "label": "dog", "csrf": csrf})
    assert r.status_code == 303
    r = client.post(f"/review/{ids[0]}", data={"action": "skip", "csrf": csrf})
    assert r.status_code == 303
    got = {i: [(v.reviewer, v.action, v.label) for v in store.reviews_of(i)] for i in ids[:3]}
    assert got == {
        ids[1]: [("alice", "accept", "dog")],
        ids[2]: [("alice", "correct", "dog")],
        ids[0]: [("alice", "skip", None)],
    }
    page = client.get("/review").text
    assert counts_in(page) == (1, 2)
    again = client.post(f"/review/{ids[1]}", data={"action": "accept", "csrf": csrf})
    assert again.status_code == 409 and "already has a final review" in again.text
    bad = client.post(f"/review/{ids[0]}", data={"action": "correct", "label": "<b>x</b>", "csrf": csrf})
    assert bad.status_code == 400 and "<b>x</b>" not in bad.text


def test_a_session_is_per_client_and_logout_ends_it(served, store):
    client, token, ids = served
    _login(client, token)
    csrf = csrf_in(client.get("/review").text)
    with httpx.Client(base_url=str(client.base_url), timeout=30) as other:  # another browser, no cookie
        r = other.post(f"/review/{ids[0]}", data={"action": "accept", "csrf": csrf})
        assert r.status_code == 303 and r.headers["location"] == "/review/login"
    assert client.post("/review/logout", data={"csrf": csrf}).status_code == 303
    assert client.get("/review").headers["location"] == "/review/login"
    assert store.reviews_of(ids[0]) == []
