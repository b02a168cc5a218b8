"""``record_run``: the one call a command makes at its end to record its run (and log it to MLflow).

Framework-free: the CLI passes what it parsed. A command records when asked to (``--record``, or
``record = true`` in ``[tool.pitfall]``); ``--mlflow`` logs the same content to a tracking store.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pitfall.findings import jsonable
from pitfall.records.manifest import build_manifest
from pitfall.records.store import RunStore

__all__ = ["RecordedRun", "record_run", "report_dict"]


class RecordedRun:
    """What ``record_run`` did: the record's id and folder (None when not recorded) and the MLflow run id."""

    def __init__(self, run_id: str, folder: Path | None, mlflow_run: str | None, manifest: dict[str, Any]):
        self.id = run_id
        self.folder = folder
        self.mlflow_run = mlflow_run
        self.manifest = manifest


def report_dict(report: Any) -> dict[str, Any]:
    """A command's result as the dict of its JSON report."""
    if isinstance(report, dict):
        return jsonable(report)
    if hasattr(report, "to_dict"):
        return jsonable(report.to_dict())
    return json.loads(report.to_json())


def record_run(
    command: str,
    argv: list[str],
    config: Any,
    inputs: dict[str, Path | None],
    report: Any,
    seeds: dict[str, Any],
    model_path: Path | None = None,
    *,
    model: Any = None,
    exit_code: int | None = None,
    record: bool = True,
    mlflow_uri: str | None = None,
    root: Path | None = None,
    parent: str | None = None,
    extra_files: dict[str, str] | None = None,
) -> RecordedRun:
    """Record one run under ``ROOT/.pitfall/runs/<id>/`` and/or log it to MLflow.

    Args:
        command: The pitfall command (``scan``, ``drift``, ``lint``, ``thresholds``, ``retrain``...).
        argv: Its arguments after ``pitfall``, exactly as given; ``pitfall rerun`` re-executes them.
        config: The resolved ``[tool.pitfall]`` settings (a ``Config``) or None.
        inputs: Files the run read, by role (``train``, ``test``, ``reference``...); hashed.
        report: The command's result (``Report`` or anything with ``to_dict``/``to_json``).
        seeds: Every seed the command used, by name.
        model_path: The model file, if any (hashed; its estimator's parameters come from ``model``).
        model: The loaded estimator, for its parameters and ``random_state`` seeds.
        exit_code: The command's exit status.
        record: Write the record (False: only log to MLflow).
        mlflow_uri: Tracking URI to log to; None: no MLflow.
        root: Project root holding ``.pitfall/`` (default: the nearest one up from the working directory).
        parent: The run this one re-executes (``pitfall rerun``).
        extra_files: More files for the record (``pitfall rerun`` adds its verdict, ``rerun.json``).
    """
    store = RunStore(root) if root is not None else RunStore.find()
    run_id = store.new_id(command)
    data = report_dict(report)
    all_inputs = dict(inputs)
    if model_path is not None:
        all_inputs["model"] = model_path
    manifest = build_manifest(
        run_id=run_id,
        command=command,
        argv=argv,
        root=store.root,
        config=config,
        inputs=all_inputs,
        report=data,
        seeds=seeds,
        model=model,
        split=getattr(report, "frames", None),
        exit_code=exit_code,
        parent=parent,
    )
    files: dict[str, str | bytes] = {"report.json": json.dumps(data, indent=2, allow_nan=False)}
    html = None
    if hasattr(report, "to_html"):
        html = report.to_html()
        files["report.html"] = html
    files.update(extra_files or {})
    folder = None
    if record:
        folder = store.write(manifest, files)
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    mlflow_run = None
    if mlflow_uri is not None:
        from pitfall.records.mlflow_log import log_run

        mlflow_run = log_run(manifest, data, html, mlflow_uri)
    return RecordedRun(run_id, folder, mlflow_run, manifest)
