"""``pitfall serve`` and ``pitfall users add``: a real server process, tokens, and one-line errors."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import joblib
import numpy as np
import pandas as pd
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from pitfall.cli.main import main  # noqa: E402
from pitfall.deploy.store import Store  # noqa: E402

POLICY = """
[thresholds]
accept = 0.9
review = 0.6

[[safety]]
label = "dog"
action = "never"
when = { collection = "wartime" }
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"x1": rng.normal(size=200), "x2": rng.normal(size=200)})
    y = np.where(X["x1"] > 0, "dog", "cat")
    joblib.dump(make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y), root / "model.joblib")
    (root / "policy.toml").write_text(POLICY)
    return root


def test_users_add_prints_a_working_token(files, tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'u.db'}"
    assert main(["users", "add", "alice", "--store", url]) == 0
    token = capsys.readouterr().out.strip()
    with Store(url) as store:
        assert store.check_token(token).name == "alice"
    assert main(["users", "add", "alice", "--store", url]) == 2
    assert "already exists" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"policy": "missing.toml"}, "no such policy file"),
        ({"policy_text": "[thresholds]\naccept = 0.5\nreview = 0.9\n"}, "must not exceed"),
        ({"model": "nope.joblib"}, "no such model file"),
        ({"trust": False}, "--trust-model"),
        ({"store": "notadb://x"}, "cannot open the store"),
    ],
)
def test_serve_errors_are_one_line(files, tmp_path, capsys, change, expected):
    policy = files / "policy.toml"
    if "policy_text" in change:
        policy = tmp_path / "bad.toml"
        policy.write_text(change["policy_text"])
    elif "policy" in change:
        policy = tmp_path / change["policy"]
    args = [
        "serve",
        str(files / change.get("model", "model.joblib")),
        "--policy",
        str(policy),
        "--store",
        change.get("store", f"sqlite:///{tmp_path / 's.db'}"),
    ]
    if change.get("trust", True):
        args.append("--trust-model")
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("pitfall: error:") and "\n" not in err and expected in err


def test_pitfall_serve_process_answers_on_loopback(files, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"sqlite:///{tmp_path / 'p.db'}"
    code = "from pitfall.cli.main import run; run()"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            code,
            "serve",
            str(files / "model.joblib"),
            "--trust-model",
            "--policy",
            str(files / "policy.toml"),
            "--store",
            url,
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read().decode()
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "pitfall serve did not start"
            time.sleep(0.1)
        r = httpx.post(f"{base}/predict", json={"records": [{"x1": 3, "x2": 0, "collection": "wartime"}]})
        assert r.status_code == 200 and r.json()["items"][0]["decision"] == "blocked"
        assert r.json()["model_version"].startswith("model-")
    finally:
        proc.terminate()
        proc.wait(10)
    with Store(url) as store:
        assert store.counts()["blocked"] == 1
        assert store.promoted_model().version == r.json()["model_version"]
    assert Path(tmp_path / "p.db").exists()
