"""``[tool.pitfall]`` in the user's pyproject.toml: which checks run and how strict they are.

Found like ruff finds its settings: the nearest pyproject.toml from the working directory up.
Command-line options override the file.

Example::

    [tool.pitfall]
    select = ["PF"]
    ignore = ["PF103"]
    fail-on = "error"
    metric = "balanced_accuracy"
    seed = 0
    record = true                # keep a run record (.pitfall/runs/) of scan, drift, thresholds, retrain

    [tool.pitfall.severity]      # per-code severity overrides
    PF402 = "error"

    [tool.pitfall.per-column-ignores]
    row_id = ["PF104"]

    [tool.pitfall.checks.PF403]  # thresholds of one check
    claimed_precision = 0.02

    [tool.pitfall.card]          # what only people know, for `pitfall card` (see pitfall.records.card)
    owners = ["Survey team <survey@example.org>"]
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pitfall.errors import ConfigError
from pitfall.findings import Severity

__all__ = ["Config", "find_pyproject", "load_config"]

_KNOWN = {
    "select",
    "ignore",
    "extend-select",
    "extend-ignore",
    "fail-on",
    "metric",
    "seed",
    "test-size",
    "severity",
    "per-column-ignores",
    "checks",
    "record",
    "card",
}


@dataclass
class Config:
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    fail_on: str | None = None
    metric: str | None = None
    seed: int | None = None
    test_size: float | None = None
    severity: dict[str, Severity] = field(default_factory=dict)
    per_column_ignores: dict[str, list[str]] = field(default_factory=dict)
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)
    record: bool = False
    card: dict[str, Any] = field(default_factory=dict)
    source: str | None = None


def find_pyproject(start: Path | None = None) -> Path | None:
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def _as_list(value: Any, key: str, source: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise ConfigError(f"{source}: [tool.pitfall] {key} must be a list of codes. Got {value!r} instead.")


def resolve_config(config: Config | str | os.PathLike | bool | None) -> Config:
    """The settings a command runs with: ``False`` = defaults, a ``Config`` as given, a path to a
    ``pyproject.toml``, or ``None``/``True`` = the nearest one above the working directory."""
    if config is False:
        return Config()
    if isinstance(config, Config):
        return config
    return load_config(Path(config) if config not in (None, True) else None)


def load_config(path: Path | None = None) -> Config:
    """Read ``[tool.pitfall]``; a file without that table gives the defaults."""
    path = path or find_pyproject()
    if path is None:
        return Config()
    source = str(path)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{source}: not valid TOML ({exc}). Fix the file.") from None
    except OSError as exc:
        raise ConfigError(f"{source}: cannot read ({exc.strerror}).") from None
    table = data.get("tool", {}).get("pitfall")
    if table is None:
        return Config()
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: [tool.pitfall] must be a table.")
    unknown = sorted(set(table) - _KNOWN)
    if unknown:
        raise ConfigError(
            f"{source}: unknown [tool.pitfall] key(s) {', '.join(map(repr, unknown))}. "
            f"Known keys: {', '.join(sorted(_KNOWN))}."
        )
    cfg = Config(source=source)
    cfg.select = _as_list(table.get("select", []), "select", source) + _as_list(
        table.get("extend-select", []), "extend-select", source
    )
    cfg.ignore = _as_list(table.get("ignore", []), "ignore", source) + _as_list(
        table.get("extend-ignore", []), "extend-ignore", source
    )
    if "fail-on" in table:
        cfg.fail_on = str(table["fail-on"])
    if "metric" in table:
        cfg.metric = str(table["metric"])
    if "seed" in table:
        if not isinstance(table["seed"], int):
            raise ConfigError(f"{source}: [tool.pitfall] seed must be an integer. Got {table['seed']!r} instead.")
        cfg.seed = table["seed"]
    if "test-size" in table:
        value = table["test-size"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
            raise ConfigError(
                f"{source}: [tool.pitfall] test-size must be a number between 0 and 1. Got {value!r} instead."
            )
        cfg.test_size = float(value)
    for key in ("severity", "per-column-ignores", "checks"):
        if key in table and not isinstance(table[key], dict):
            raise ConfigError(
                f"{source}: [tool.pitfall] {key} must be a table, e.g. [tool.pitfall.{key}]. "
                f"Got {table[key]!r} instead."
            )
    for key in ("fail-on", "metric"):
        if key in table and not isinstance(table[key], str):
            raise ConfigError(f"{source}: [tool.pitfall] {key} must be a string. Got {table[key]!r} instead.")
    if "record" in table:
        if not isinstance(table["record"], bool):
            raise ConfigError(
                f"{source}: [tool.pitfall] record must be true or false. Got {table['record']!r} instead."
            )
        cfg.record = table["record"]
    if "card" in table:
        if not isinstance(table["card"], dict):
            raise ConfigError(f"{source}: [tool.pitfall.card] must be a table of model-card answers.")
        cfg.card = dict(table["card"])
    for code, sev in dict(table.get("severity", {})).items():
        try:
            cfg.severity[code.upper()] = Severity.parse(sev)
        except ValueError as exc:
            raise ConfigError(f"{source}: [tool.pitfall.severity] {code}: {exc}") from None
    for column, codes in dict(table.get("per-column-ignores", {})).items():
        cfg.per_column_ignores[str(column)] = [
            c.upper() for c in _as_list(codes, f"per-column-ignores.{column}", source)
        ]
    for code, params in dict(table.get("checks", {})).items():
        if not isinstance(params, dict):
            raise ConfigError(f"{source}: [tool.pitfall.checks.{code}] must be a table of thresholds.")
        cfg.checks[code.upper()] = dict(params)
    return cfg
