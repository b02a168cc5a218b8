"""Where a run ran: Python, platform, package versions and the state of the user's git repository."""

from __future__ import annotations

import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = ["environment", "git_state", "package_versions"]

# What decides pitfall's numbers: its own version and the numerical stack under it.
CORE_PACKAGES = ("pitfall", "numpy", "pandas", "scipy", "scikit-learn", "pyarrow", "joblib")


def package_versions(extra: tuple[str, ...] = ()) -> dict[str, str | None]:
    """Installed versions of the core packages and of ``extra`` distributions (None when absent)."""
    found: dict[str, str | None] = {}
    for name in (*CORE_PACKAGES, *extra):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def environment(extra_packages: tuple[str, ...] = ()) -> dict[str, Any]:
    """Python, platform and package versions of this process."""
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "packages": package_versions(extra_packages),
    }


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def git_state(folder: Path) -> dict[str, Any] | None:
    """Commit, branch and dirty state of the git repository holding ``folder``; None outside one."""
    top = _git(folder, "rev-parse", "--show-toplevel")
    if not top:
        return None
    commit = _git(folder, "rev-parse", "HEAD")  # None in a repository without commits
    status = _git(folder, "status", "--porcelain", "--untracked-files=no")
    changed = [line[3:] for line in (status or "").splitlines() if line.strip()]
    return {
        "root": top,
        "commit": commit,
        "branch": _git(folder, "rev-parse", "--abbrev-ref", "HEAD") if commit else None,
        "dirty": bool(changed),
        "changed_files": changed[:50],
    }
