"""``pitfall rerun``: re-execute a recorded run and say whether its result came back.

The recorded command is run again in a fresh process (``python -m pitfall``) from the project root,
with its report redirected to a temporary JSON file; with ``--train-script`` the user's own training
command runs first (twice: two models from one seed must agree). The new report is compared with
the recorded one: equal apart from timings is "reproduced bit for bit"; otherwise PF701 and PF702
say what moved and what was not pinned. The original record is only read; the re-execution is
recorded as a new run whose parent is the original.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pitfall.findings import Finding, Severity, jsonable
from pitfall.records.hashing import file_sha256, path_digest, rows_digest
from pitfall.records.metrics import intervals
from pitfall.records.store import RecordError, Run, RunStore

__all__ = ["RerunResult", "rerun"]

RERUNNABLE = ("scan", "drift", "thresholds", "lint")
PARENT_ENV = "PITFALL_RERUN_OF"  # set for the re-executed command: its record names the run it re-executes
_VALUE_OPTIONS = {"--output", "-o", "--format"}
_FLAG_OPTIONS = {"--quiet", "-q", "--record", "--no-record"}


@dataclass
class RerunResult:
    """The verdict of one re-run."""

    original: str
    new: str | None
    command: str
    identical: bool
    findings: list[Finding] = field(default_factory=list)
    metrics: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def exit_code(self, fail_on: str = "warning") -> int:
        if fail_on == "never":
            return 0
        level = Severity.parse(fail_on)
        return 1 if any(f.severity.rank >= level.rank for f in self.findings) else 0

    def to_dict(self) -> dict[str, Any]:
        from pitfall import __version__

        summary = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            summary[f.severity.value] += 1
        return jsonable(
            {
                "pitfall_version": __version__,
                "command": "rerun",
                "original": self.original,
                "new": self.new,
                "recorded_command": self.command,
                "reproduced_bit_for_bit": self.identical,
                "findings": [f.to_dict() for f in self.findings],
                "summary": summary,
                "metrics": {"comparison": self.metrics},
                "notes": self.notes,
            }
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, allow_nan=False)

    def to_text(self) -> str:
        lines = [f"pitfall rerun {self.original} ({self.command})" + (f" → {self.new}" if self.new else "")]
        if self.identical:
            lines.append("Reproduced bit for bit: the new report equals the recorded one (timings aside).")
        elif not any(f.code == "PF701" for f in self.findings):
            lines.append(
                "Reproduced within the recorded confidence intervals, with the same findings (not bit for bit)."
            )
        for f in self.findings:
            mark = {"error": "✖", "warning": "▲", "info": "ℹ"}[f.severity.value]
            lines.append(f"{mark} {f.code} {f.name}: {f.message}")
            lines.append(f"    fix: {f.fix}")
        if self.metrics:
            lines.append("")
            lines.append(f"{'metric':<44} {'recorded [95% CI]':>28} {'now':>8}  inside")
            for m in self.metrics:
                rec = m["recorded"]
                ci = f"{_n(rec.get('estimate'))} [{_n(rec.get('low'))}, {_n(rec.get('high'))}]"
                inside = {True: "yes", False: "NO", None: "-"}[m["inside"]]
                lines.append(f"{m['metric'][:44]:<44} {ci:>28} {_n(m['now']):>8}  {inside}")
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines) + "\n"


def _n(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def strip_output_options(argv: list[str]) -> list[str]:
    """The recorded arguments without those that choose where and how the report goes or recording."""
    out, skip = [], False
    for i, arg in enumerate(argv):
        if skip:
            skip = False
            continue
        name = arg.split("=", 1)[0]
        if name in _FLAG_OPTIONS:
            continue
        if name in _VALUE_OPTIONS:
            skip = "=" not in arg
            continue
        if name == "--mlflow":  # its URI is optional
            skip = "=" not in arg and i + 1 < len(argv) and not argv[i + 1].startswith("-") and ":" in argv[i + 1]
            continue
        out.append(arg)
    return out


def _check_inputs(run: Run, root: Path, train_script: bool) -> tuple[list[dict[str, Any]], list[str]]:
    """Inputs whose rows changed (PF702) and notes; a missing input stops the re-run."""
    changed, notes = [], []
    for role, entry in (run.manifest.get("inputs") or {}).items():
        if role == "new_model":
            continue
        path = Path(entry["path"])
        path = path if path.is_absolute() else root / path
        if entry.get("missing"):
            continue
        if not path.exists():
            if role == "model" and train_script:
                continue
            raise RecordError(
                f"{entry['path']}: the {role} file of run {run.id} is not there any more (recorded sha256 "
                f"{entry.get('sha256', '?')[:12]}). Put it back at that path (relative to {root}) and rerun."
            )
        if role == "model":
            continue
        now = path_digest(path)
        if now["sha256"] == entry.get("sha256"):
            continue
        rows_now = None
        if entry.get("rows_sha256") and path.is_file():
            from pitfall.data.load import read_table

            frame = read_table(path)
            rows_now = rows_digest(frame)
            if rows_now == entry["rows_sha256"]:
                notes.append(f"{entry['path']} was rewritten with the same rows (in another order or format).")
                continue
            changed.append(
                {
                    "role": role,
                    "path": entry["path"],
                    "recorded_sha256": entry.get("sha256"),
                    "sha256": now["sha256"],
                    "recorded_rows": entry.get("rows"),
                    "rows": int(len(frame)),
                }
            )
        else:
            changed.append(
                {"role": role, "path": entry["path"], "recorded_sha256": entry.get("sha256"), "sha256": now["sha256"]}
            )
    return changed, notes


def _run_training(command: str, root: Path, timeout: float | None) -> None:
    try:
        done = subprocess.run(
            command, shell=True, cwd=root, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise RecordError(f"the training command {command!r} ran longer than {timeout:g} s; raise --timeout.") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or done.stdout.strip().splitlines() or [""])[-1]
        raise RecordError(
            f"the training command {command!r} failed with exit status {done.returncode} ({last[:200]}). "
            "Fix it or run it by hand first."
        )


def _test_frame(run: Run, root: Path) -> Any:
    """The rows the re-trained models are compared on: the recorded test file (or the one data file)."""
    from pitfall.data.load import read_table

    inputs = run.manifest.get("inputs") or {}
    for role in ("test", "valid", "holdout", "current", "data"):
        if role in inputs and not inputs[role].get("missing"):
            path = Path(inputs[role]["path"])
            return read_table(path if path.is_absolute() else root / path)
    return None


def _disagreement(first: Path, second: Path, run: Run, root: Path) -> dict[str, Any]:
    """Compare two model files written by the training command: bytes, then predictions on the test rows."""
    if file_sha256(first) == file_sha256(second):
        return {"n": 0, "disagree": 0, "identical_files": True}
    from pitfall.data.model import load_model

    a, b = load_model(first, trust=True), load_model(second, trust=True)
    frame = _test_frame(run, root)
    if frame is None:
        return {"n": 0, "disagree": 0, "identical_files": False, "compared": "no test rows recorded"}
    features = (run.manifest.get("composition") or {}).get("features")
    target = ((run.manifest.get("composition") or {}).get("roles") or {}).get("target")
    names = getattr(a, "feature_names_in_", None)
    if names is not None:
        x = frame[list(names)]
    elif features:
        x = frame[[c for c in features if c in frame]]
    else:
        x = frame.drop(columns=[c for c in (target,) if c in frame])
    pa, pb = a.predict(x), b.predict(x)
    return {"n": int(len(x)), "disagree": int((pa != pb).sum()), "identical_files": False}


def _execute(
    argv: list[str], command: str, root: Path, timeout: float | None, record: bool, parent: str
) -> tuple[dict[str, Any], str | None]:
    """Run the recorded command again in a fresh process; its JSON report and the id of its own record."""
    with tempfile.TemporaryDirectory(prefix="pitfall-rerun-") as tmp:
        out = Path(tmp) / "report.json"
        args = strip_output_options(argv)
        if command in ("scan", "drift"):
            args += ["--format", "json", "--output", str(out), "--quiet"]
        else:
            args += ["--format", "json"]
        args.append("--record" if record else "--no-record")
        env = {k: v for k, v in os.environ.items() if k != "PITFALL_DEBUG"}
        env[PARENT_ENV] = parent
        try:
            done = subprocess.run(
                [sys.executable, "-m", "pitfall", *args],
                cwd=root,
                capture_output=True,
                text=True,
                timeout=timeout,
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise RecordError(f"re-executing `pitfall {' '.join(args)}` ran longer than {timeout:g} s.") from None
        if done.returncode not in (0, 1):
            last = (done.stderr.strip().splitlines() or [""])[-1]
            raise RecordError(f"re-executing the recorded command failed: {last[:300]}")
        text = out.read_text(encoding="utf-8") if out.exists() else done.stdout
        try:
            report = json.loads(text)
        except json.JSONDecodeError:
            raise RecordError("re-executing the recorded command gave no JSON report.") from None
        found = re.search(r"^Run recorded: (\S+)", done.stderr, flags=re.MULTILINE)
        return report, found.group(1) if found else None


def _canonical(report: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in report.items() if k != "timings"}, sort_keys=True)


def rerun(
    store: RunStore,
    ref: str,
    *,
    train_script: str | None = None,
    trust_model: bool = False,
    timeout: float | None = None,
    record: bool = True,
) -> RerunResult:
    """Re-execute run ``ref`` of ``store`` and judge it (PF701, PF702)."""
    from pitfall.checks.registry import CHECKS

    run = store.load(ref, same_version=True)
    manifest = run.manifest
    command = manifest["command"]
    if command not in RERUNNABLE:
        why = (
            "retrain adds a model version to the service's store, so it is not re-executed"
            if command == "retrain"
            else "record one of those"
        )
        raise RecordError(f"run {run.id} is a `pitfall {command}` run; rerun handles {', '.join(RERUNNABLE)} ({why}).")
    root = store.root
    changed, notes = _check_inputs(run, root, train_script is not None)
    model_entry = (manifest.get("inputs") or {}).get("model")
    disagreement = None
    if train_script:
        if model_entry is None:
            raise RecordError(f"run {run.id} used no model file: --train-script needs a run scanned with --model.")
        model_path = Path(model_entry["path"])
        model_path = model_path if model_path.is_absolute() else root / model_path
        with tempfile.TemporaryDirectory(prefix="pitfall-train-") as tmp:
            _run_training(train_script, root, timeout)
            if not model_path.is_file():
                raise RecordError(f"the training command did not write {model_entry['path']}, the recorded model file.")
            first = Path(tmp) / "first.model"
            shutil.copyfile(model_path, first)
            _run_training(train_script, root, timeout)
            disagreement = _disagreement(first, model_path, run, root)
        notes.append(f"Ran the training command twice: {train_script}")
    elif model_entry is not None and not model_entry.get("missing"):
        path = Path(model_entry["path"])
        path = path if path.is_absolute() else root / path
        if file_sha256(path) != model_entry.get("sha256") and not trust_model:
            raise RecordError(
                f"{model_entry['path']}: the model file changed since run {run.id} (its sha256 differs); loading it "
                "runs the code stored in it. Pass --trust-model to rerun with the new file."
            )
    missing_seeds = {}
    if model_entry is not None:
        params = model_entry.get("params") or {}
        if train_script:
            from pitfall.data.model import load_model
            from pitfall.records.manifest import model_info

            path = Path(model_entry["path"])
            params = model_info(load_model(path if path.is_absolute() else root / path, trust=True))["params"]
        missing_seeds = {
            k: v for k, v in params.items() if (k == "random_state" or k.endswith("__random_state")) and v is None
        }
        if missing_seeds and not train_script:
            notes.append(
                f"The model's {', '.join(sorted(missing_seeds))} is None: whether refits agree is only "
                "known with --train-script."
            )

    new_report, new_id = _execute(manifest["argv"], command, root, timeout, record, run.id)
    old_report = run.report
    identical = _canonical(new_report) == _canonical(old_report)
    recorded, now = intervals(old_report.get("metrics") or {}), intervals(new_report.get("metrics") or {})
    findings = (
        CHECKS["PF701"]().judge(
            recorded=recorded,
            now=now,
            recorded_findings=old_report.get("findings") or [],
            new_findings=new_report.get("findings") or [],
        )
        if not identical
        else []
    )
    findings += CHECKS["PF702"]().judge(changed_data=changed, missing_seeds=missing_seeds, disagreement=disagreement)
    comparison = []
    for name, old in recorded.items():
        new = (now.get(name) or {}).get("estimate")
        inside = None
        if new is not None and old.get("low") is not None and old.get("high") is not None:
            inside = bool(old["low"] <= new <= old["high"])
        comparison.append({"metric": name, "recorded": old, "now": new, "inside": inside})
    shown = [c for c in comparison if c["metric"] in _headline_paths(old_report)] or comparison[:12]
    moved = [c for c in comparison if c["inside"] is False and c not in shown]
    if new_id is not None:
        notes.extend(_what_changed(manifest, store.load(new_id).manifest))
    result = RerunResult(
        original=run.id,
        new=new_id,
        command=command,
        identical=identical,
        findings=findings,
        metrics=shown + moved,
        notes=notes,
    )
    return result


def _what_changed(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Settings, code and environment that differ between the record and its re-execution."""
    from pitfall.records.diff import code_changes, environment_changes

    changes = [c for c in code_changes(old, new) if c["what"] != "command"] + environment_changes(old, new)
    if not changes:
        return []
    shown = "; ".join(f"{c['what']} {c['a']} → {c['b']}" for c in changes[:8])
    more = f" and {len(changes) - 8} more" if len(changes) > 8 else ""
    return [f"Changed since the run was recorded: {shown}{more} (see `pitfall runs diff {old['id']} {new['id']}`)."]


def _headline_paths(report: dict[str, Any]) -> set[str]:
    """Dotted paths of the headline metrics (the model's scores on the test set)."""
    metrics = report.get("metrics") or {}
    paths = {f"scores.values.{k}" for k in (metrics.get("scores") or {}).get("values", {})}
    paths |= {f"imbalance.model.{k}" for k in ((metrics.get("imbalance") or {}).get("model") or {})}
    return paths
