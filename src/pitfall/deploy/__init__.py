"""What a deployed model keeps and decides: the policy file, the routing of predictions, the store.

``policy`` reads and writes the ``policy.toml`` that ``pitfall thresholds`` chooses; ``routing``
turns one prediction into an action (accept, review, abstain, block); ``store`` keeps routed items,
reviews, reviewer tokens and model versions (SQLite or PostgreSQL; needs the ``serve`` extra);
``model_files`` serializes the models kept there. ``pitfall serve``, ``pitfall monitor`` and
``pitfall retrain`` all work on these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pitfall.deploy.routing import Decision, Policy, SafetyRule, decide

if TYPE_CHECKING:
    from pitfall.deploy.store import Store

__all__ = ["Decision", "Policy", "SafetyRule", "Store", "decide"]


def __getattr__(name: str) -> Any:
    if name == "Store":
        try:
            from pitfall.deploy.store import Store
        except ModuleNotFoundError as err:  # pragma: no cover - depends on the installed extras
            raise ImportError("pitfall.deploy.Store needs SQLAlchemy: pip install 'pitfall[serve]'.") from err
        return Store
    raise AttributeError(f"module 'pitfall.deploy' has no attribute {name!r}")
