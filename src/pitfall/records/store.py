"""Run records on disk: ``.pitfall/runs/<id>/`` folders written atomically, indexed in ``.pitfall/runs.db``.

The folders are the truth; the SQLite index is a cache that ``pitfall runs list`` rebuilds from
them when it is missing or behind. A record is written into a hidden temporary folder beside the
others and renamed into place with ``os.replace`` once every file is on disk, so a run killed
half way leaves no record (only a ``.tmp-*`` folder that listing ignores). Nothing here ever
changes a record once written.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pitfall.errors import InputError
from pitfall.records.manifest import FORMAT

__all__ = ["RecordError", "Run", "RunStore"]

HOME = ".pitfall"
_REQUIRED = ("format", "pitfall_version", "id", "command", "argv", "inputs", "seeds", "environment", "files")


class RecordError(InputError):
    """A run record that is missing, partial, corrupt, of another version, or whose data moved."""


@dataclass
class Run:
    """One loaded record: its folder, manifest and report (the command's JSON report)."""

    folder: Path
    manifest: dict[str, Any]
    report: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.manifest["id"])

    def file(self, name: str) -> Path:
        return self.folder / name


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class RunStore:
    """The records of one project: ``ROOT/.pitfall``."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        self.home = self.root / HOME
        self.runs = self.home / "runs"
        self.db_path = self.home / "runs.db"

    @classmethod
    def find(cls, start: Path | None = None) -> RunStore:
        """The nearest project with records, from ``start`` (the working directory) upwards; else ``start``."""
        here = (start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / HOME / "runs").is_dir():
                return cls(folder)
        return cls(here)

    @staticmethod
    def new_id(command: str) -> str:
        """``20260105-101500123-scan-3f2a1c``: UTC time to the millisecond first, so ids sort as runs were made
        (two runs in one second too), then the command and a random suffix."""
        now = datetime.now(UTC)
        return f"{now:%Y%m%d-%H%M%S}{now.microsecond // 1000:03d}-{command}-{secrets.token_hex(3)}"

    # -- writing -----------------------------------------------------------------------------

    def write(self, manifest: dict[str, Any], files: dict[str, str | bytes]) -> Path:
        """Write a record atomically: files first, then the manifest with their hashes, then rename."""
        run_id = manifest["id"]
        self.runs.mkdir(parents=True, exist_ok=True)
        final = self.runs / run_id
        if final.exists():
            raise RecordError(f"{final}: a run with this id exists already; records are never overwritten.")
        tmp = self.runs / f".tmp-{run_id}-{os.getpid()}"
        tmp.mkdir()
        try:
            hashes = {}
            for name, content in files.items():
                data = content.encode("utf-8") if isinstance(content, str) else content
                _write_synced(tmp / name, data)
                hashes[name] = _sha256(data)
            manifest = {**manifest, "files": hashes}
            _write_synced(tmp / "manifest.json", json.dumps(manifest, indent=2, allow_nan=False).encode("utf-8"))
            os.replace(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        try:
            db = self._db()
            try:
                with db:
                    _index(db, manifest)
            finally:
                db.close()
        except sqlite3.Error:
            pass  # the index is a cache: `pitfall runs list` rebuilds it from the folders
        return final

    # -- reading -----------------------------------------------------------------------------

    def ids(self) -> list[str]:
        """Ids of the run folders on disk, oldest first (temporary folders of killed runs excluded)."""
        if not self.runs.is_dir():
            return []
        return sorted(p.name for p in self.runs.iterdir() if p.is_dir() and not p.name.startswith("."))

    def resolve(self, ref: str) -> str:
        """A run id from an id, a unique prefix of one, or ``last``."""
        ids = self.ids()
        if not ids:
            raise RecordError(
                f"no run records in {self.runs}. Record one with `pitfall scan ... --record` "
                "(or `record = true` in [tool.pitfall])."
            )
        if ref in ("last", "latest"):
            return ids[-1]
        if ref in ids:
            return ref
        matches = [i for i in ids if i.startswith(ref) or i.endswith(ref)]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise RecordError(f"run {ref!r} is ambiguous: it matches {', '.join(matches[:5])}. Give more of the id.")
        raise RecordError(f"run {ref!r}: no such run in {self.runs}. See `pitfall runs list`.")

    def load(self, ref: str, *, same_version: bool = False) -> Run:
        """Load and verify a record; every problem is one :class:`RecordError` line."""
        run_id = self.resolve(ref)
        folder = self.runs / run_id
        manifest_path = folder / "manifest.json"
        if not manifest_path.is_file():
            raise RecordError(
                f"{folder}: partial run record (no manifest.json). It was not written by a finished run; "
                "delete the folder and record the run again."
            )
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise RecordError(
                f"{manifest_path}: corrupt run record (not valid JSON: {exc.msg if hasattr(exc, 'msg') else exc}). "
                "Delete the folder and record the run again."
            ) from None
        if not isinstance(manifest, dict) or any(key not in manifest for key in _REQUIRED):
            missing = [k for k in _REQUIRED if not isinstance(manifest, dict) or k not in manifest]
            raise RecordError(
                f"{manifest_path}: corrupt run record (missing {', '.join(missing)}). "
                "Delete the folder and record the run again."
            )
        _check_version(manifest, manifest_path, same_version)
        for name, digest in manifest["files"].items():
            path = folder / name
            if not path.is_file():
                raise RecordError(f"{path}: partial run record ({name} is missing). Record the run again.")
            if _sha256(path.read_bytes()) != digest:
                raise RecordError(
                    f"{path}: corrupt run record ({name} changed after the run was recorded). "
                    "Records are never edited; record the run again."
                )
        report = {}
        if "report.json" in manifest["files"]:
            report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
        return Run(folder=folder, manifest=manifest, report=report)

    def listing(self) -> list[dict[str, Any]]:
        """One row per run, oldest first, from the index (brought up to date with the folders)."""
        ids = self.ids()
        if not ids:
            return []
        db = self._db()
        try:
            with db:
                rows = self._sync(db, ids)
        finally:
            db.close()
        keys = (
            "id",
            "created",
            "command",
            "pitfall_version",
            "errors",
            "warnings",
            "infos",
            "exit_code",
            "data",
            "model",
            "git_commit",
            "git_dirty",
            "metrics",
            "parent",
            "problem",
        )
        out = []
        for row in rows:
            entry = dict(zip(keys, row, strict=True))
            entry["metrics"] = json.loads(entry["metrics"]) if entry["metrics"] else {}
            entry["git_dirty"] = None if entry["git_dirty"] is None else bool(entry["git_dirty"])
            out.append(entry)
        return out

    def _sync(self, db: sqlite3.Connection, ids: list[str]) -> list[tuple]:
        known = {row[0] for row in db.execute("SELECT id FROM runs")}
        for gone in known - set(ids):
            db.execute("DELETE FROM runs WHERE id = ?", (gone,))
        for run_id in ids:
            if run_id in known:
                continue
            try:
                manifest = self.load(run_id).manifest
            except RecordError as exc:
                db.execute("INSERT OR REPLACE INTO runs (id, problem) VALUES (?, ?)", (run_id, str(exc)))
                continue
            _index(db, manifest)
        return db.execute(
            "SELECT id, created, command, pitfall_version, errors, warnings, infos, exit_code, data, model, "
            "git_commit, git_dirty, metrics, parent, problem FROM runs ORDER BY id"
        ).fetchall()

    def _db(self) -> sqlite3.Connection:
        self.home.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.db_path, timeout=30)
        db.execute(
            "CREATE TABLE IF NOT EXISTS runs (id TEXT PRIMARY KEY, created TEXT, command TEXT, pitfall_version TEXT, "
            "errors INTEGER, warnings INTEGER, infos INTEGER, exit_code INTEGER, data TEXT, model TEXT, "
            "git_commit TEXT, git_dirty INTEGER, metrics TEXT, parent TEXT, problem TEXT)"
        )
        return db


def _check_version(manifest: dict[str, Any], path: Path, same_version: bool) -> None:
    from pitfall import __version__

    if manifest["format"] != FORMAT:
        raise RecordError(
            f"{path}: run record format {manifest['format']!r} (pitfall {manifest['pitfall_version']}) is not "
            f"format {FORMAT} that pitfall {__version__} reads. Use pitfall {manifest['pitfall_version']} for it."
        )
    if same_version and manifest["pitfall_version"] != __version__:
        raise RecordError(
            f"{path}: the run was recorded by pitfall {manifest['pitfall_version']}, this is pitfall {__version__}; "
            f"its numbers may differ for that reason alone. Rerun it with pitfall=={manifest['pitfall_version']}."
        )


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _index(db: sqlite3.Connection, manifest: dict[str, Any]) -> None:
    summary = manifest.get("summary") or {}
    inputs = manifest.get("inputs") or {}
    data = ", ".join(f"{role}:{entry.get('sha256', '?')[:8]}" for role, entry in inputs.items() if role != "model")
    model = (inputs.get("model") or {}).get("sha256")
    git = manifest.get("git") or {}
    db.execute(
        "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
        (
            manifest["id"],
            manifest.get("created"),
            manifest.get("command"),
            manifest.get("pitfall_version"),
            summary.get("error"),
            summary.get("warning"),
            summary.get("info"),
            manifest.get("exit_code"),
            data,
            model,
            git.get("commit"),
            None if not git else int(bool(git.get("dirty"))),
            json.dumps(manifest.get("metrics") or {}),
            manifest.get("parent"),
        ),
    )
