"""Signing in to the review page: the sign-in form's own CSRF token (login CSRF) and the Secure cookie flag."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import joblib
import pytest

pytest.importorskip("fastapi")
httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")

from pitfall.serve.app import create_app  # noqa: E402
from pitfall.serve.pages import COOKIE, LOGIN_COOKIE  # noqa: E402
from tests.serve._review import POLICY, Server, csrf_in  # noqa: E402


def _set_cookies(response) -> dict[str, str]:
    """Each Set-Cookie header of ``response`` by cookie name."""
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


def test_login_needs_the_forms_own_token_in_field_and_cookie(store, model):
    token = store.add_user("alice")
    with (
        Server(create_app(store, model, POLICY, "v1")) as server,
        httpx.Client(base_url=server.url, timeout=30) as client,
        httpx.Client(base_url=server.url, timeout=30) as other,
    ):
        page = client.get("/review/login")
        csrf = csrf_in(page.text)
        assert client.cookies[LOGIN_COOKIE] == csrf and csrf not in page.headers["content-security-policy"]
        other_csrf = csrf_in(other.get("/review/login").text)
        assert other_csrf != csrf

        refused = [
            client.post("/review/login", data={"token": token}),  # cookie, no field
            client.post("/review/login", data={"token": token, "csrf": other_csrf}),  # another browser's field
            client.post("/review/login", data={"token": token, "csrf": "é"}),
            # a cross-site form: the field's value known, but the SameSite cookie is not sent
            httpx.post(f"{server.url}/review/login", data={"token": token, "csrf": csrf}, timeout=30),
        ]
        assert [r.status_code for r in refused] == [403] * 4
        assert all(COOKIE not in _set_cookies(r) for r in refused)
        assert "sign in again" in refused[0].text and 'name="token"' in refused[0].text
        assert client.get("/review").headers["location"] == "/review/login"  # still signed out

        fresh = csrf_in(client.get("/review/login").text)  # each form gets a new token
        assert fresh != csrf
        assert client.post("/review/login", data={"token": "pft_bad_x", "csrf": fresh}).status_code == 401
        fresh = csrf_in(client.get("/review/login").text)
        ok = client.post("/review/login", data={"token": token, "csrf": fresh})
        assert ok.status_code == 303 and ok.headers["location"] == "/review"
        cookies = _set_cookies(ok)
        assert COOKIE in cookies and "Max-Age=0" in cookies[LOGIN_COOKIE]  # the form's token is spent
        assert client.get("/review").status_code == 200


@pytest.mark.parametrize("secure", [False, True])
def test_secure_cookie_flag_marks_both_cookies(store, model, secure):
    token = store.add_user("alice")
    app = create_app(store, model, POLICY, "v1", secure_cookie=secure)
    with Server(app) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        page = client.get("/review/login")
        login_cookie = _set_cookies(page)[LOGIN_COOKIE]
        csrf = csrf_in(page.text)
        # A client keeps a Secure cookie for HTTPS only; this one talks plain HTTP on loopback, so send it by hand.
        ok = client.post(
            "/review/login", data={"token": token, "csrf": csrf}, headers={"Cookie": f"{LOGIN_COOKIE}={csrf}"}
        )
        assert ok.status_code == 303, ok.text
        session_cookie = _set_cookies(ok)[COOKIE]
    for header in (login_cookie, session_cookie):
        assert ("; Secure" in header or header.endswith("Secure")) is secure, header
        assert "HttpOnly" in header


def test_pitfall_serve_secure_cookie_option(tmp_path, model):
    joblib.dump(model, tmp_path / "model.joblib")
    (tmp_path / "policy.toml").write_text("[thresholds]\naccept = 0.9\nreview = 0.6\n")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from pitfall.cli.main import run; run()",
            "serve",
            str(tmp_path / "model.joblib"),
            "--trust-model",
            "--policy",
            str(tmp_path / "policy.toml"),
            "--store",
            f"sqlite:///{tmp_path / 'p.db'}",
            "--port",
            str(port),
            "--secure-cookie",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read().decode()
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/review/login", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "pitfall serve did not start"
                time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(10)
    assert page.status_code == 200 and "Secure" in _set_cookies(page)[LOGIN_COOKIE]
