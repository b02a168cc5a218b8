"""The manifest of a run: what went in (data, model, command, config, seeds, environment) and what came out.

A manifest is plain JSON (``manifest.json`` in the run's folder). Paths inside the project are
stored relative to the project root (the folder holding ``.pitfall/``), so a project moved or
cloned elsewhere keeps its records valid.
"""

from __future__ import annotations

import dataclasses
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pitfall.findings import jsonable
from pitfall.records.environment import environment, git_state
from pitfall.records.hashing import path_digest, rows_digest
from pitfall.records.metrics import headline

__all__ = ["FORMAT", "build_manifest", "model_info", "relative_to_root"]

FORMAT = 1  # bumped when a manifest's meaning changes; older records are refused with a one-line error


def relative_to_root(path: str | os.PathLike[str], root: Path) -> str:
    """``path`` relative to ``root`` (POSIX) when inside it, else absolute."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(absolute)


def _param_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)) and all(v is None or isinstance(v, (bool, int, float, str)) for v in value):
        return list(value)
    text = repr(value)
    return text if len(text) <= 300 else text[:297] + "..."


def model_info(model: Any) -> dict[str, Any]:
    """Class, module and parameters of an estimator; seeds are its ``*random_state`` parameters."""
    info: dict[str, Any] = {"class": type(model).__name__, "module": type(model).__module__}
    params: dict[str, Any] = {}
    get_params = getattr(model, "get_params", None)
    if callable(get_params):
        try:
            params = {str(k): _param_value(v) for k, v in get_params(deep=True).items()}
        except Exception:  # an estimator whose get_params fails still gets recorded
            params = {}
    info["params"] = params
    info["seeds"] = {k: v for k, v in params.items() if k == "random_state" or k.endswith("__random_state")}
    return info


def _config(cfg: Any) -> dict[str, Any] | None:
    if cfg is None:
        return None
    if dataclasses.is_dataclass(cfg):
        return jsonable(dataclasses.asdict(cfg))
    return jsonable(dict(cfg))


def _input(role: str, path: Path, root: Path) -> dict[str, Any]:
    entry: dict[str, Any] = {"role": role, "path": relative_to_root(path, root), "name": path.name}
    if not path.exists():
        entry["missing"] = True
        return entry
    entry.update(path_digest(path))
    if role != "model" and path.is_file():
        from pitfall.data.load import read_table
        from pitfall.errors import PitfallError

        try:
            frame = read_table(path)
        except (PitfallError, OSError, ValueError):
            frame = None
        if frame is not None:
            entry.update(rows=int(len(frame)), columns=int(frame.shape[1]), rows_sha256=rows_digest(frame))
    return entry


def build_manifest(
    *,
    run_id: str,
    command: str,
    argv: list[str],
    root: Path,
    config: Any,
    inputs: dict[str, Path | None],
    report: dict[str, Any],
    seeds: dict[str, Any],
    model: Any = None,
    split: Any = None,
    exit_code: int | None = None,
    parent: str | None = None,
) -> dict[str, Any]:
    """Everything a later ``pitfall rerun``, ``runs diff`` or ``card`` needs, as a JSON-ready dict."""
    entries = {role: _input(role, Path(path), root) for role, path in inputs.items() if path is not None}
    model_entry = entries.get("model")
    if model_entry is not None and model is not None:
        model_entry.update(model_info(model))
    all_seeds = dict(seeds)
    if model_entry is not None:
        all_seeds.update({f"model.{k}": v for k, v in model_entry.get("seeds", {}).items()})
    composition = None
    if split is not None:
        from pitfall.records.composition import composition as measure

        composition = measure(split)
    from pitfall import __version__

    return jsonable(
        {
            "format": FORMAT,
            "pitfall_version": __version__,
            "id": run_id,
            "parent": parent,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": command,
            "argv": list(argv),
            "config": _config(config),
            "inputs": entries,
            "composition": composition,
            "seeds": all_seeds,
            "environment": environment(),
            "git": git_state(root),
            "summary": report.get("summary"),
            "exit_code": exit_code,
            "metrics": headline(report),
            "findings": [
                {
                    "code": f.get("code"),
                    "name": f.get("name"),
                    "severity": f.get("severity"),
                    "message": f.get("message"),
                    "columns": f.get("columns", []),
                }
                for f in report.get("findings", [])
            ],
            "skipped": report.get("skipped", {}),
            "crashed": report.get("crashed", {}),
        }
    )
