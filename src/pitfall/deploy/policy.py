"""The decision policy file (``policy.toml``): when a prediction is accepted, reviewed or withheld.

::

    [thresholds]
    accept = 0.93          # top-class confidence at or above: accepted without a human
    review = 0.6           # between review and accept: a human reviews the suggestion
    target_accuracy = 0.98 # optional: the accuracy the accept threshold was chosen for

    [thresholds.per_label."fireworks"]   # optional, one table per predicted label
    accept = 0.97
    review = 0.7

    [[safety]]                           # optional: rules that override the thresholds
    label = "fireworks"
    action = "review"                    # "review": always a human; "never": never suggested
    when = { collection = "wartime" }    # optional: only for items with these field values

Reading validates everything and fails with a one-line ``ConfigError``, because a policy that
is silently misread auto-accepts the wrong items. Writing is a small hand-written TOML writer:
the format is fixed and tiny, and it keeps the dependency list short.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pitfall.errors import ConfigError

__all__ = ["ACTIONS", "Policy", "SafetyRule", "dumps_policy", "read_policy", "write_policy"]

ACTIONS = ("review", "never")
_THRESHOLD_KEYS = {"accept", "review", "target_accuracy", "per_label"}
_SCALARS = (str, int, float, bool)


@dataclass(frozen=True)
class SafetyRule:
    """Items predicted as ``label`` (and matching every ``when`` field) get ``action`` whatever
    their confidence: ``review`` sends them to a human, ``never`` withholds the suggestion."""

    label: str
    action: str
    when: dict[str, Any] = field(default_factory=dict)


@dataclass
class Policy:
    """Thresholds on the model's top-class confidence, per-label overrides and safety rules."""

    accept: float
    review: float
    per_label: dict[str, dict[str, float]] = field(default_factory=dict)
    safety: list[SafetyRule] = field(default_factory=list)
    target_accuracy: float | None = None

    def __post_init__(self) -> None:
        _check_pair(self.accept, self.review, "[thresholds]")
        for label, pair in self.per_label.items():
            _check_pair(pair.get("accept"), pair.get("review"), f"[thresholds.per_label.{_key(label)}]")
        if self.target_accuracy is not None:
            _check_unit(self.target_accuracy, "[thresholds] target_accuracy", open_high=True)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_unit(value: Any, where: str, *, open_high: bool = False) -> None:
    ok = _is_number(value) and 0 < value < 1 if open_high else _is_number(value) and 0 <= value <= 1
    if not ok:
        span = "between 0 and 1 (exclusive)" if open_high else "from 0 to 1"
        raise ConfigError(f"{where}: must be a number {span}. Got {value!r} instead.")


def _check_pair(accept: Any, review: Any, where: str) -> None:
    _check_unit(accept, f"{where} accept")
    _check_unit(review, f"{where} review")
    if review > accept:
        raise ConfigError(f"{where}: review ({review}) must not exceed accept ({accept}). Lower review.")


def read_policy(path: str | Path) -> Policy:
    """Read and validate a policy file; every problem is one ``ConfigError`` line naming the file."""
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"{path}: is a directory. Give the path of a policy.toml file.")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such policy file. Write one with `pitfall thresholds ... -o {path}`.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the policy ({type(exc).__name__}).") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({str(exc).splitlines()[0]}).") from None
    try:
        return policy_from_dict(data)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def policy_from_dict(data: dict[str, Any]) -> Policy:
    unknown = sorted(set(data) - {"thresholds", "safety"})
    if unknown:
        raise ConfigError(f"unknown section {unknown[0]!r}. A policy has [thresholds] and [[safety]] only.")
    th = data.get("thresholds")
    if not isinstance(th, dict):
        raise ConfigError("no [thresholds] table. Add `[thresholds]` with `accept = ...` and `review = ...`.")
    unknown = sorted(set(th) - _THRESHOLD_KEYS)
    if unknown:
        raise ConfigError(f"[thresholds]: unknown key {unknown[0]!r}. Use accept, review, target_accuracy, per_label.")
    for key in ("accept", "review"):
        if key not in th:
            raise ConfigError(f"[thresholds]: missing {key!r}. Add `{key} = <confidence from 0 to 1>`.")
    per_label: dict[str, dict[str, float]] = {}
    raw = th.get("per_label", {})
    if not isinstance(raw, dict):
        raise ConfigError("[thresholds] per_label: must be a table of labels. Use [thresholds.per_label.<label>].")
    for label, pair in raw.items():
        where = f"[thresholds.per_label.{_key(label)}]"
        if not isinstance(pair, dict) or set(pair) != {"accept", "review"}:
            raise ConfigError(f"{where}: must have exactly the keys accept and review.")
        per_label[label] = {"accept": pair["accept"], "review": pair["review"]}
    rules = data.get("safety", [])
    if not isinstance(rules, list):
        raise ConfigError("safety: must be an array of tables. Write each rule as [[safety]].")
    safety = [_rule(rule, i) for i, rule in enumerate(rules, 1)]
    return Policy(th["accept"], th["review"], per_label, safety, th.get("target_accuracy"))


def _rule(rule: Any, i: int) -> SafetyRule:
    where = f"[[safety]] rule {i}"
    if not isinstance(rule, dict):
        raise ConfigError(f"{where}: must be a table with label and action.")
    unknown = sorted(set(rule) - {"label", "action", "when"})
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}. Use label, action and when.")
    label, action, when = rule.get("label"), rule.get("action"), rule.get("when", {})
    if not isinstance(label, str) or not label:
        raise ConfigError(f"{where}: label must be a non-empty string. Got {label!r} instead.")
    if action not in ACTIONS:
        raise ConfigError(f'{where}: action must be "review" or "never". Got {action!r} instead.')
    if not isinstance(when, dict) or not all(isinstance(v, _SCALARS) for v in when.values()):
        raise ConfigError(f'{where}: when must be a table of field = value, e.g. when = {{collection = "wartime"}}.')
    return SafetyRule(label, action, dict(when))


# --- writing ---------------------------------------------------------------------------------


def _string(text: str) -> str:
    out = []
    for ch in text:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _key(text: str) -> str:
    bare = text and all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in text)
    return text if bare else _string(text)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ConfigError(f"cannot write the non-finite number {value!r} to a policy.")
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    raise ConfigError(f"cannot write a {type(value).__name__} to a policy; use strings, numbers or booleans.")


def dumps_policy(policy: Policy, header: str = "") -> str:
    """The policy as TOML text; ``header`` lines become ``#`` comments at the top."""
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    lines += ["[thresholds]", f"accept = {_value(float(policy.accept))}", f"review = {_value(float(policy.review))}"]
    if policy.target_accuracy is not None:
        lines.append(f"target_accuracy = {_value(float(policy.target_accuracy))}")
    for label, pair in policy.per_label.items():
        lines += ["", f"[thresholds.per_label.{_key(str(label))}]"]
        lines += [f"{k} = {_value(float(pair[k]))}" for k in ("accept", "review")]
    for rule in policy.safety:
        lines += ["", "[[safety]]", f"label = {_value(rule.label)}", f"action = {_value(rule.action)}"]
        if rule.when:
            inner = ", ".join(f"{_key(str(k))} = {_value(v)}" for k, v in rule.when.items())
            lines.append(f"when = {{ {inner} }}")
    return "\n".join(lines) + "\n"


def write_policy(policy: Policy, path: str | Path, header: str = "") -> None:
    path = Path(path)
    try:
        path.write_text(dumps_policy(policy, header), encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write the policy ({exc.strerror}).") from None
