"""Review-page sessions kept in the store, so a restart or several workers keep reviewers signed in.

The page asks for ``create(user)``, ``get(sid)`` and ``drop(sid)``; each is one query on ``pitfall_sessions``,
where only a hash of the session id is kept. ``get`` joins the users table, so revoking a user (``pitfall users
revoke``) or rotating their token ends their sessions at the next request, on every worker.
"""

from __future__ import annotations

from pitfall.deploy.store import Session, Store

__all__ = ["Session", "StoreSessions"]


class StoreSessions:
    """Session ids of ``store``'s reviewers, each valid ``lifetime`` seconds."""

    def __init__(self, store: Store, lifetime: float) -> None:
        self.store = store
        self.lifetime = lifetime

    def create(self, user: str) -> str:
        return self.store.create_session(user, self.lifetime)

    def get(self, sid: str | None) -> Session | None:
        return self.store.get_session(sid)

    def drop(self, sid: str | None) -> None:
        self.store.drop_session(sid)
