"""Route one prediction: apply it automatically, send it to a reviewer, abstain, or block it.

The rules, in order of precedence:

1. A safety rule with action ``"never"`` that matches the label and the record blocks the item: decision
   ``"blocked"``, the suggested label is withheld (``Decision.label is None``) so a reviewer labels it blind.
2. Thresholds (per-label ``(accept, review)`` pairs override the global ones): confidence ``>= accept`` is
   ``"auto"``, ``>= review`` is ``"review"``, below ``review`` is ``"abstain"`` (too uncertain to suggest much;
   a person labels it).
3. A matching safety rule with action ``"review"`` caps the decision at ``"review"``: an ``"auto"`` becomes
   ``"review"``, an ``"abstain"`` stays ``"abstain"``.
4. Audit sampling: a fixed share (``audit_rate``) of what would still be ``"auto"`` goes to ``"review"`` with
   reason ``"audit"``, so the error rate of automatic decisions keeps being measured. The choice hashes the item
   id with ``audit_seed``: the same item gets the same answer on every replica and every re-run.

This module is pure (no I/O, no clock) so the HTTP layer and offline replays route identically.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["DECISIONS", "Decision", "Policy", "SafetyRule", "audit_selected", "decide"]

DecisionKind = Literal["auto", "review", "abstain", "blocked"]
DECISIONS: tuple[str, ...] = ("auto", "review", "abstain", "blocked")
SAFETY_ACTIONS: tuple[str, ...] = ("review", "never")


def _check_threshold_pair(accept: float, review: float, where: str) -> None:
    for name, value in (("accept", accept), ("review", review)):
        if not isinstance(value, int | float) or isinstance(value, bool) or not 0.0 <= value <= 1.0:
            raise ValueError(f"{where} {name} must be a number in [0, 1]. Got {value!r} instead.")
    if review > accept:
        raise ValueError(
            f"{where} review must be <= accept. Got review={review!r}, accept={accept!r} instead: "
            "items between the two thresholds go to review, so review is the lower one."
        )


@dataclass(frozen=True)
class SafetyRule:
    """A rule on one label: ``never`` auto-apply it (and hide it), or always ``review`` it, when ``when`` matches.

    ``when`` maps record fields to values; every pair must match (string comparison, case-insensitive). An empty
    ``when`` always matches. A record that lacks a field does not match that rule.
    """

    label: str
    action: Literal["review", "never"]
    when: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.action not in SAFETY_ACTIONS:
            raise ValueError(f"SafetyRule action must be one of {SAFETY_ACTIONS}. Got {self.action!r} instead.")
        if not isinstance(self.label, str) or not self.label:
            raise ValueError(f"SafetyRule label must be a non-empty string. Got {self.label!r} instead.")

    def matches(self, label: str, record: Mapping[str, Any]) -> bool:
        if label != self.label:
            return False
        for key, expected in self.when.items():
            if key not in record or record[key] is None:
                return False
            if str(record[key]).strip().casefold() != str(expected).strip().casefold():
                return False
        return True

    def describe(self) -> str:
        cond = ", ".join(f"{k}={v}" for k, v in self.when.items())
        return f"label {self.label!r}" + (f" when {cond}" if cond else "")


@dataclass(frozen=True)
class Policy:
    """Thresholds and rules for routing. ``per_label[label] = (accept, review)`` overrides the global pair."""

    accept: float
    review: float
    per_label: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    safety: list[SafetyRule] = field(default_factory=list)
    audit_rate: float = 0.0
    audit_seed: int = 0

    def __post_init__(self) -> None:
        _check_threshold_pair(self.accept, self.review, "Policy")
        for label, pair in self.per_label.items():
            if len(pair) != 2:
                raise ValueError(f"per_label[{label!r}] must be (accept, review). Got {pair!r} instead.")
            _check_threshold_pair(pair[0], pair[1], f"per_label[{label!r}]")
        if not 0.0 <= self.audit_rate <= 1.0:
            raise ValueError(f"audit_rate must be in [0, 1]. Got {self.audit_rate!r} instead.")

    def thresholds(self, label: str) -> tuple[float, float]:
        return tuple(self.per_label.get(label, (self.accept, self.review)))  # type: ignore[return-value]


@dataclass(frozen=True)
class Decision:
    """Where an item goes. ``label`` is the suggestion a reviewer may see: ``None`` when blocked."""

    decision: DecisionKind
    reason: str
    label: str | None = None


def audit_selected(key: str, rate: float, seed: int = 0) -> bool:
    """True for a deterministic ``rate`` share of keys: the top 64 bits of sha256(seed:key) as a uniform draw."""
    if rate <= 0.0:
        return False
    if rate >= 1.0:
        return True
    digest = hashlib.sha256(f"{seed}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64 < rate


def _audit_key(item_id: str | None, record: Mapping[str, Any]) -> str:
    if item_id is not None:
        return str(item_id)
    return json.dumps(record, sort_keys=True, default=str)


def decide(
    label: str,
    confidence: float,
    record: Mapping[str, Any],
    policy: Policy,
    *,
    item_id: str | None = None,
) -> Decision:
    """Route one prediction under ``policy``; ``item_id`` keys audit sampling (the record's JSON when absent)."""
    if not isinstance(label, str) or not label:
        raise ValueError(f"label must be a non-empty string. Got {label!r} instead.")
    if isinstance(confidence, bool) or not isinstance(confidence, int | float) or not math.isfinite(confidence):
        raise ValueError(f"confidence must be a finite number in [0, 1]. Got {confidence!r} instead.")
    if not 0.0 <= confidence <= 1.0:
        raise ValueError(f"confidence must be a finite number in [0, 1]. Got {confidence!r} instead.")

    matching = [rule for rule in policy.safety if rule.matches(label, record)]
    for rule in matching:
        if rule.action == "never":
            return Decision("blocked", f"safety: {rule.describe()} is never applied automatically", None)

    accept, review = policy.thresholds(label)
    scope = "label" if label in policy.per_label else "global"
    if confidence >= accept:
        decision = Decision("auto", f"confidence {confidence:.3f} >= {scope} accept {accept:.3f}", label)
    elif confidence >= review:
        decision = Decision("review", f"confidence {confidence:.3f} < {scope} accept {accept:.3f}", label)
    else:
        decision = Decision("abstain", f"confidence {confidence:.3f} < {scope} review {review:.3f}", label)

    if decision.decision == "auto":
        for rule in matching:
            if rule.action == "review":
                return Decision("review", f"safety: {rule.describe()} always goes to review", label)
        if audit_selected(_audit_key(item_id, record), policy.audit_rate, policy.audit_seed):
            return Decision("review", "audit", label)
    return decision
