"""--mlflow logs a run to a real MLflow tracking store (SQLite, MLflow's own backend)."""

import json

import pytest

from .conftest import SCAN, SELECT, cli

mlflow = pytest.importorskip("mlflow")
pytest.importorskip("alembic")


def test_scan_logs_params_metrics_with_cis_findings_and_html(project, capsys):
    uri = f"sqlite:///{project / 'mlflow.db'}"
    rc, _, err = cli(
        capsys,
        *SCAN,
        "--select",
        SELECT,
        "--format",
        "json",
        "-o",
        "report.json",
        "-q",
        f"--mlflow={uri}",
    )
    assert rc in (0, 1), err
    assert "Logged to MLflow" in err and "Run recorded" not in err  # --mlflow alone does not record
    report = json.loads((project / "report.json").read_text())
    client = mlflow.MlflowClient(tracking_uri=uri)
    experiment = client.get_experiment_by_name("pitfall")
    runs = client.search_runs([experiment.experiment_id])
    assert len(runs) == 1
    run = runs[0]
    assert run.info.status == "FINISHED"
    assert run.data.params["pitfall.command"] == "scan"
    assert len(run.data.params["input.train.sha256"]) == 64 and run.data.params["seed.seed"] == "0"
    model = report["metrics"]["scores"]["values"]["model"]
    metrics = run.data.metrics
    assert metrics["scores.values.model"] == pytest.approx(model["estimate"])
    assert metrics["scores.values.model.ci_low"] == pytest.approx(model["low"])
    assert metrics["scores.values.model.ci_high"] == pytest.approx(model["high"])
    assert metrics["findings.error"] == report["summary"]["error"]
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id)}
    assert {"findings.json", "manifest.json", "report.html", "report.json"} <= artifacts
    local = client.download_artifacts(run.info.run_id, "findings.json", str(project))
    with open(local, encoding="utf-8") as handle:
        table = json.load(handle)
    assert table["columns"][:3] == ["code", "name", "severity"]
    assert [row[0] for row in table["data"]] == [f["code"] for f in report["findings"]]


def test_unreachable_store_is_one_line(project, capsys):
    rc, _, err = cli(
        capsys,
        *SCAN,
        "--select",
        "PF101",
        "-q",
        "--format",
        "json",
        "-o",
        "r.json",
        "--mlflow=nosuchscheme://x",
    )
    assert rc == 2 and err.startswith("pitfall: error: --mlflow nosuchscheme://x: cannot log the run")
    assert err.count("\n") == 1
