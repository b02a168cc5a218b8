"""``--mlflow [URI]``: log a run to an MLflow tracking store.

What is logged: parameters (command, inputs' hashes, seeds, model class and parameters, pitfall
version, git commit), metrics with their CI bounds (``name``, ``name.ci_low``, ``name.ci_high``),
the findings as a table artifact (``findings.json``), the manifest and the HTML report as artifacts,
and tags for the finding counts. Needs ``pip install 'pitfall[mlflow]'`` (mlflow-skinny; a SQLite
store, the default ``sqlite:///mlflow.db``, also needs SQLAlchemy and Alembic, which the extra brings).
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

from pitfall.errors import ConfigError
from pitfall.records.metrics import intervals

__all__ = ["log_run", "mlflow_metrics", "mlflow_params"]

EXPERIMENT = "pitfall"
_MAX_PARAM = 500  # MLflow's limit on a parameter value's length (6000 in recent versions; 500 is safe)


def _key(name: str) -> str:
    """MLflow keys allow letters, digits, and _ - . space / only."""
    return re.sub(r"[^A-Za-z0-9_\-. /]", "_", name)[:250]


def mlflow_params(manifest: dict[str, Any]) -> dict[str, str]:
    params = {
        "pitfall.command": manifest.get("command"),
        "pitfall.argv": " ".join(manifest.get("argv") or []),
        "pitfall.version": manifest.get("pitfall_version"),
        "pitfall.run": manifest.get("id"),
    }
    for role, entry in (manifest.get("inputs") or {}).items():
        params[f"input.{role}.path"] = entry.get("path")
        params[f"input.{role}.sha256"] = entry.get("sha256")
        if entry.get("rows_sha256"):
            params[f"input.{role}.rows_sha256"] = entry.get("rows_sha256")
        if role == "model":
            params["model.class"] = entry.get("class")
            for k, v in (entry.get("params") or {}).items():
                params[f"model.{k}"] = v
    for k, v in (manifest.get("seeds") or {}).items():
        params[f"seed.{k}"] = v
    git = manifest.get("git") or {}
    if git.get("commit"):
        params["git.commit"] = git["commit"]
        params["git.dirty"] = git.get("dirty")
    return {_key(k): str(v)[:_MAX_PARAM] for k, v in params.items() if v is not None}


def mlflow_metrics(report: dict[str, Any]) -> dict[str, float]:
    """Every interval of the report: the estimate and its bounds (``.ci_low``, ``.ci_high``)."""
    out: dict[str, float] = {}
    for name, ci in intervals(report.get("metrics") or {}).items():
        key = _key(name)
        for suffix, field in (("", "estimate"), (".ci_low", "low"), (".ci_high", "high")):
            if isinstance(ci.get(field), (int, float)):
                out[key + suffix] = float(ci[field])
    for level, count in (report.get("summary") or {}).items():
        out[f"findings.{level}"] = float(count)
    return out


def log_run(manifest: dict[str, Any], report: dict[str, Any], html: str | None, uri: str) -> str:
    """Log one run; returns the MLflow run id."""
    try:
        import mlflow
    except ImportError:
        raise ConfigError("--mlflow needs MLflow: pip install 'pitfall[mlflow]'.") from None
    findings = report.get("findings") or []
    table = {
        "code": [f.get("code") for f in findings],
        "name": [f.get("name") for f in findings],
        "severity": [f.get("severity") for f in findings],
        "message": [f.get("message") for f in findings],
        "fix": [f.get("fix") for f in findings],
        "columns": [", ".join(f.get("columns") or []) for f in findings],
    }
    try:
        client = mlflow.MlflowClient(tracking_uri=uri)
        experiment = client.get_experiment_by_name(EXPERIMENT)
        experiment_id = experiment.experiment_id if experiment else client.create_experiment(EXPERIMENT)
        run = client.create_run(
            experiment_id,
            run_name=manifest.get("id"),
            tags={
                "pitfall.command": str(manifest.get("command")),
                **{f"pitfall.{k}": str(v) for k, v in (report.get("summary") or {}).items()},
            },
        )
        run_id = run.info.run_id
        try:
            from mlflow.entities import Metric, Param

            params = [Param(k, v) for k, v in mlflow_params(manifest).items()]
            metrics = [Metric(k, v, 0, 0) for k, v in mlflow_metrics(report).items()]
            for start in range(0, max(len(params), len(metrics)), 100):
                client.log_batch(run_id, metrics=metrics[start : start + 100], params=params[start : start + 100])
            client.log_table(run_id, data=table, artifact_file="findings.json")
            with tempfile.TemporaryDirectory(prefix="pitfall-mlflow-") as tmp:
                folder = Path(tmp)
                (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
                (folder / "report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
                if html is not None:
                    (folder / "report.html").write_text(html, encoding="utf-8")
                for path in sorted(folder.iterdir()):
                    client.log_artifact(run_id, str(path))
        except Exception:
            client.set_terminated(run_id, status="FAILED")
            raise
        client.set_terminated(run_id, status="FINISHED")
    except ConfigError:
        raise
    except Exception as exc:  # a store that cannot be reached or written: one line, exit 2
        first = " ".join(str(exc).split())[:200]
        raise ConfigError(f"--mlflow {uri}: cannot log the run ({type(exc).__name__}: {first}).") from None
    return run_id
