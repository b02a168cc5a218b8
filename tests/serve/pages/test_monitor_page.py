"""The monitoring page over real HTTP: sign-in required, per-window table, drift verdicts, CSP and escaping."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time

import pytest

pytest.importorskip("fastapi")
httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")

from pitfall.deploy.policy import Policy  # noqa: E402
from pitfall.deploy.store import Store  # noqa: E402
from pitfall.serve.app import create_app  # noqa: E402
from pitfall.serve.pages import COOKIE  # noqa: E402
from tests.serve._monitor import fill_store, reference_frame  # noqa: E402
from tests.serve._review import Server, csrf_in  # noqa: E402

POLICY = Policy(accept=0.9, review=0.6, target_accuracy=0.9)
DAYS = ["2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"]


def _serve(store, model, reference):
    app = create_app(store, model, POLICY, "v1", reference=reference)
    fill_store(store, model, drift_from=2, concept_from=2)
    return app, store.add_user("bob")


def _login(client, token):
    csrf = csrf_in(client.get("/review/login").text)  # the sign-in form's pre-session token (and its cookie)
    r = client.post("/review/login", data={"token": token, "csrf": csrf})
    assert r.status_code == 303


def _rows(html: str) -> dict[str, list[str]]:
    """Table cells by window, from the page's per-window table."""
    table = re.search(r'<table id="windows">(.*?)</table>', html, re.S)
    assert table, html[:500]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S):
        cells = re.findall(r"<td>(.*?)</td>", row, re.S)
        if cells:
            rows[cells[0]] = cells
    return rows


def test_monitor_needs_a_signed_in_reviewer(store, model):
    app, _token = _serve(store, model, None)
    with Server(app) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        r = client.get("/monitor?window=7d")
        assert r.status_code == 303 and r.headers["location"] == "/review/monitor?window=7d"
        r = client.get("/review/monitor")
        assert r.status_code == 303 and r.headers["location"] == "/review/login"
        client.cookies.set(COOKIE, "forged-session-id", path="/review")
        r = client.get("/review/monitor")
        assert r.status_code == 303 and r.headers["location"] == "/review/login"
        client.cookies.clear()
        r = client.get("/monitor", follow_redirects=True)
        assert r.status_code == 200 and 'name="token"' in r.text and "Per window" not in r.text


def test_monitor_page_shows_windows_audits_and_drift(store, model):
    app, token = _serve(store, model, reference_frame())
    with Server(app) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        _login(client, token)
        r = client.get("/monitor", follow_redirects=True)
        assert r.status_code == 200
        csp = r.headers["content-security-policy"]
        nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
        assert "default-src 'none'" in csp and f'<style nonce="{nonce}">' in r.text
        assert "<script" not in r.text  # the page needs no script
        rows = _rows(r.text)
        assert list(rows) == [*DAYS, "all"]
        assert rows["all"][1] == "800"
        assert [rows[d][8] for d in DAYS] == [
            "no drift",
            "no drift",
            "features: x1; predictions",
            "features: x1; predictions",
        ]
        assert all(float(rows[d][7].split()[0]) < 0.7 for d in DAYS[2:])
        assert all(float(rows[d][7].split()[0]) > 0.9 for d in DAYS[:2])
        for code in ("PF501", "PF504", "PF603"):
            assert f'data-code="{code}"' in r.text
        assert r.text.count("<svg") >= 3 and "target 0.9" in r.text
        weekly = _rows(client.get("/review/monitor", params={"window": "7d"}).text)
        assert list(weekly) == ["2026-11-02", "all"] and weekly["2026-11-02"][1] == "800"

        bad = client.get("/review/monitor", params={"window": "<script>alert(1)</script>"})
        assert bad.status_code == 400 and "<script>alert(1)" not in bad.text and "&lt;script&gt;" in bad.text


def test_monitor_page_without_reference_says_drift_needs_it(store, model):
    app, token = _serve(store, model, None)
    with Server(app) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        _login(client, token)
        r = client.get("/review/monitor")
        assert r.status_code == 200 and "--reference" in r.text
        rows = _rows(r.text)
        assert list(rows) == [*DAYS, "all"] and all(rows[d][8] == "-" for d in DAYS)
        assert 'data-code="PF603"' in r.text and 'data-code="PF501"' not in r.text


def test_pitfall_serve_reference_option_feeds_the_page(tmp_path, model):
    """A real `pitfall serve --reference` process: the page compares the served records with the training file,
    whose label column the model does not use."""
    import joblib

    from pitfall.cli.main import main

    joblib.dump(model, tmp_path / "model.joblib")
    reference_frame().to_csv(tmp_path / "train.csv", index=False)
    (tmp_path / "policy.toml").write_text("[thresholds]\naccept = 0.9\nreview = 0.6\ntarget_accuracy = 0.9\n")
    url = f"sqlite:///{tmp_path / 'p.db'}"
    base = [
        "serve",
        str(tmp_path / "model.joblib"),
        "--trust-model",
        "--policy",
        str(tmp_path / "policy.toml"),
        "--store",
        url,
    ]
    assert main([*base, "--reference", str(tmp_path / "missing.csv")]) == 2
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from pitfall.cli.main import run; run()",
            *base,
            "--port",
            str(port),
            "--reference",
            str(tmp_path / "train.csv"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        root = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read().decode()
            try:
                if httpx.get(f"{root}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "pitfall serve did not start"
            time.sleep(0.1)
        records = reference_frame(n=60, seed=5)[["x1", "x2"]].to_dict(orient="records")
        assert httpx.post(f"{root}/predict", json={"records": records}).status_code == 200
        with Store(url) as store:
            token = store.add_user("carol")
        with httpx.Client(base_url=root, timeout=30) as client:
            _login(client, token)
            page = client.get("/monitor", follow_redirects=True)
        assert page.status_code == 200 and "Drift needs" not in page.text and "could not" not in page.text
        rows = _rows(page.text)
        assert rows["all"][1] == "60" and rows["all"][8] not in ("-", "")  # drift was measured
        assert "<li>PF501: " not in page.text and "<li>PF504: " not in page.text  # neither was skipped
    finally:
        proc.terminate()
        proc.wait(10)
