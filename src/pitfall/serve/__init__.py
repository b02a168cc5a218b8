"""Storage and routing for ``pitfall serve``: route predictions, queue them for review, keep what people decide.

``routing`` is pure Python. ``Store`` needs the ``serve`` extra (``pip install pitfall[serve]``: SQLAlchemy 2 and
psycopg 3) and is imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pitfall.serve.routing import Decision, Policy, SafetyRule, decide

if TYPE_CHECKING:
    from pitfall.serve.store import Store

__all__ = ["Decision", "Policy", "SafetyRule", "Store", "decide"]


def __getattr__(name: str) -> Any:
    if name == "Store":
        try:
            from pitfall.serve.store import Store
        except ModuleNotFoundError as err:  # pragma: no cover - depends on the installed extras
            raise ImportError("pitfall.serve.Store needs SQLAlchemy: pip install 'pitfall[serve]'.") from err
        return Store
    raise AttributeError(f"module 'pitfall.serve' has no attribute {name!r}")
