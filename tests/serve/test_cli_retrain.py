"""End to end: `pitfall serve MODEL` keeps the file, reviewers correct over HTTP, `pitfall retrain` promotes the
refit, `pitfall models list` shows the lineage, and `pitfall serve` without MODEL serves the new version."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import joblib
import pytest

httpx = pytest.importorskip("httpx")
pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

from pitfall.cli.main import main  # noqa: E402
from pitfall.deploy.store import Store  # noqa: E402

from ._retrain_data import make, pipeline, scenario  # noqa: E402

POLICY = "[thresholds]\naccept = 0.999\nreview = 0.5\n"
CODE = "from pitfall.cli.main import run; run()"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(args: list[str]) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", CODE, "serve", *args, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        assert proc.poll() is None, proc.stderr.read().decode()
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "pitfall serve did not start"
        time.sleep(0.1)


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    proc.wait(10)


def test_serve_review_retrain_list_and_serve_the_promoted_version(tmp_path, capsys):
    import numpy as np

    rng = np.random.default_rng(11)
    train, holdout, production = make(600, rng, 0.0), make(400, rng, 0.5), make(250, rng, 1.0)
    model_path, policy = tmp_path / "model.joblib", tmp_path / "policy.toml"
    joblib.dump(pipeline().fit(train.drop(columns="y"), train["y"]), model_path)
    policy.write_text(POLICY)
    train.to_csv(tmp_path / "train.csv", index=False)
    holdout.to_csv(tmp_path / "holdout.csv", index=False)
    url = f"sqlite:///{tmp_path / 'service.db'}"
    serve_args = ["--trust-model", "--policy", str(policy), "--store", url]

    proc, base = _serve([str(model_path), *serve_args])
    try:
        records = production.drop(columns="y").to_dict("records")
        answer = httpx.post(f"{base}/predict", json={"records": records}, timeout=30).json()
        parent = answer["model_version"]
        with Store(url) as store:
            token = store.add_user("ann")
        auth = {"Authorization": f"Bearer {token}"}
        with Store(url) as store:  # the first reviews go through the service, the rest straight to its store
            for i, (item, truth) in enumerate(zip(answer["items"], production["y"], strict=True)):
                body = (
                    {"action": "accept"} if item["label"] == str(truth) else {"action": "correct", "label": str(truth)}
                )
                if i < 20:
                    reply = httpx.post(f"{base}/items/{item['item_id']}/review", json=body, headers=auth)
                    assert reply.status_code == 200
                else:
                    store.add_review(item["item_id"], "ann", body["action"], body.get("label"))
    finally:
        _stop(proc)
    with Store(url) as store:
        assert store.model_bytes(parent) == model_path.read_bytes()  # serve kept the file for retraining

    new_file = tmp_path / "new.joblib"
    assert (
        main(
            [
                "retrain",
                "--store",
                url,
                "--train",
                str(tmp_path / "train.csv"),
                "--target",
                "y",
                "--holdout",
                str(tmp_path / "holdout.csv"),
                "--trust-model",
                "--format",
                "json",
                "--output",
                str(new_file),
            ]
        )
        == 0
    )
    result = json.loads(capsys.readouterr().out)
    assert result["promoted"] and result["parent"] == parent and result["rows"]["reviewed"] == 250
    assert result["scores"]["difference"]["low"] > 0 and result["seeds"]["seed"] == 0
    assert joblib.load(new_file).predict(holdout.drop(columns="y").head(3)).shape == (3,)

    assert main(["models", "list", "--store", url, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["version"], r["promoted"], r["parent"]) for r in rows] == [
        (parent, False, None),
        (result["version"], True, parent),
    ]
    assert rows[1]["n_reviewed"] == 250 and rows[1]["scores"]["metric"] == "balanced_accuracy"
    assert main(["models", "list", "--store", url]) == 0
    text = capsys.readouterr().out
    assert f"* {result['version']}" in text and f"parent {parent}" in text and "600 train + 250 reviewed" in text

    proc, base = _serve(serve_args)  # no MODEL: the store's promoted version
    try:
        r = httpx.post(f"{base}/predict", json={"records": records[:2]})
        assert r.status_code == 200 and r.json()["model_version"] == result["version"]
    finally:
        _stop(proc)


def test_retrain_exit_codes_and_text_report(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'bad.db'}"
    with Store(url) as store:
        s = scenario(store, seed=1, reviewers="flipped", share_b=0.5)
    s["train"].to_csv(tmp_path / "train.csv", index=False)
    s["holdout"].to_csv(tmp_path / "holdout.csv", index=False)
    args = [
        "retrain",
        "--store",
        url,
        "--train",
        str(tmp_path / "train.csv"),
        "--target",
        "y",
        "--holdout",
        str(tmp_path / "holdout.csv"),
    ]
    report = tmp_path / "retrain.html"
    assert main(args + ["--trust-model", "--format", "html", "--report", str(report)]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "not promoted; report written to" in captured.err
    page = report.read_text()
    assert page.startswith("<!DOCTYPE html>") and "NOT PROMOTED" in page and "may be worse" in page
    assert "<script" not in page and "new − parent" in page
    with Store(url) as store:
        assert store.promoted_model().version == s["version"]

    def error(extra: list[str]) -> str:
        assert main(args + extra) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("pitfall: error:") and "\n" not in err
        return err

    assert "--trust-model" in error([])
    assert "no column 'label'" in error(["--trust-model", "--target", "label"])
    assert "would overwrite the input file" in error(["--trust-model", "--output", str(tmp_path / "train.csv")])
    assert "identical to stored version" in error(["--trust-model"])  # nothing new since the last retrain
