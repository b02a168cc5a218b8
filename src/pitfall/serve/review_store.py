"""What the review page keeps beyond the store's reviews: flags, undone actions and each reviewer's history.

Kept in two tables of their own next to the store's (created when missing), so the store's invariants stay as
they are: a final review is still one row of ``pitfall_reviews`` guarded by its partial unique index.

- A flag sets an item aside for a second look: it stays pending, leaves the default queue and shows under the
  "flagged" filter. Flags are rows of ``pitfall_flags``; undoing one marks it undone.
- Undo takes back the reviewer's own latest action that is not undone yet, and only theirs. Undoing a final
  review deletes its row (the item goes back to the queue) and copies it into ``pitfall_undone``, so the audit
  trail keeps what was done and when it was taken back. Two reviewers cannot undo each other's work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from pitfall.deploy.store import Item, Store, reviews

__all__ = ["HistoryEntry", "ReviewDesk"]

review_metadata = sa.MetaData()

flags = sa.Table(
    "pitfall_flags",
    review_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("item_id", sa.String(36), nullable=False, index=True),
    sa.Column("reviewer", sa.String(200), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
)

undone = sa.Table(
    "pitfall_undone",
    review_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("item_id", sa.String(36), nullable=False, index=True),
    sa.Column("reviewer", sa.String(200), nullable=False, index=True),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("label", sa.String(200), nullable=True),
    sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("undone_at", sa.DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class HistoryEntry:
    """One action of a reviewer, newest first in ``ReviewDesk.history``."""

    item_id: str
    action: str  # accept, correct, skip, flag
    label: str | None
    at: datetime
    undone: bool


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


class ReviewDesk:
    """Flags, undo and history over one ``Store`` (same engine, same schema)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        with store._writer.begin() as conn:
            review_metadata.create_all(conn)

    # -- flags --------------------------------------------------------------------------------------------------

    def flag(self, item_id: str, reviewer: str) -> None:
        """Set a pending item aside for a second look (a flagged item stays in the queue's counts)."""
        with self.store._writer.begin() as conn:
            if self.store.get_item(item_id) is None:
                raise ValueError(f"item {item_id!r} does not exist.")
            conn.execute(flags.insert().values(item_id=str(item_id), reviewer=reviewer, created_at=_now()))

    def flagged(self) -> set[str]:
        """Ids of items with a flag that is not undone."""
        with self.store.engine.connect() as conn:
            return {r[0] for r in conn.execute(sa.select(flags.c.item_id).where(flags.c.undone_at.is_(None)))}

    def skipped_by(self, reviewer: str) -> set[str]:
        """Items this reviewer skipped: left out of their own queue (others still see them)."""
        with self.store.engine.connect() as conn:
            query = sa.select(reviews.c.item_id).where(reviews.c.reviewer == reviewer, reviews.c.action == "skip")
            return {r[0] for r in conn.execute(query)}

    # -- undo ---------------------------------------------------------------------------------------------------

    def undo_last(self, reviewer: str) -> HistoryEntry | None:
        """Take back ``reviewer``'s latest action that is not undone; None when there is nothing to undo."""
        with self.store._writer.begin() as conn:
            review = (
                conn.execute(
                    sa.select(reviews).where(reviews.c.reviewer == reviewer).order_by(reviews.c.id.desc()).limit(1)
                )
                .mappings()
                .first()
            )
            flag = (
                conn.execute(
                    sa.select(flags)
                    .where(flags.c.reviewer == reviewer, flags.c.undone_at.is_(None))
                    .order_by(flags.c.id.desc())
                    .limit(1)
                )
                .mappings()
                .first()
            )
            if review is None and flag is None:
                return None
            now = _now()
            if flag is not None and (review is None or _aware(flag["created_at"]) >= _aware(review["created_at"])):
                conn.execute(flags.update().where(flags.c.id == flag["id"]).values(undone_at=now))
                return HistoryEntry(flag["item_id"], "flag", None, _aware(flag["created_at"]), True)
            conn.execute(reviews.delete().where(reviews.c.id == review["id"]))
            conn.execute(
                undone.insert().values(
                    item_id=review["item_id"],
                    reviewer=reviewer,
                    action=review["action"],
                    label=review["label"],
                    reviewed_at=review["created_at"],
                    undone_at=now,
                )
            )
            return HistoryEntry(
                review["item_id"], review["action"], review["label"], _aware(review["created_at"]), True
            )

    # -- history ------------------------------------------------------------------------------------------------

    def history(self, reviewer: str, limit: int = 20) -> list[HistoryEntry]:
        """The reviewer's own actions, newest first, undone ones included and marked."""
        with self.store.engine.connect() as conn:
            done = conn.execute(
                sa.select(reviews.c.item_id, reviews.c.action, reviews.c.label, reviews.c.created_at)
                .where(reviews.c.reviewer == reviewer)
                .order_by(reviews.c.id.desc())
                .limit(limit)
            ).all()
            taken_back = conn.execute(
                sa.select(undone.c.item_id, undone.c.action, undone.c.label, undone.c.reviewed_at)
                .where(undone.c.reviewer == reviewer)
                .order_by(undone.c.id.desc())
                .limit(limit)
            ).all()
            flagged = conn.execute(
                sa.select(flags.c.item_id, flags.c.created_at, flags.c.undone_at)
                .where(flags.c.reviewer == reviewer)
                .order_by(flags.c.id.desc())
                .limit(limit)
            ).all()
        entries = [HistoryEntry(r[0], r[1], r[2], _aware(r[3]), False) for r in done]
        entries += [HistoryEntry(r[0], r[1], r[2], _aware(r[3]), True) for r in taken_back]
        entries += [HistoryEntry(r[0], "flag", None, _aware(r[1]), r[2] is not None) for r in flagged]
        return sorted(entries, key=lambda e: e.at, reverse=True)[:limit]

    def reviewed_count(self, reviewer: str) -> int:
        """Final reviews (accept or correct) by this reviewer that stand."""
        with self.store.engine.connect() as conn:
            return conn.execute(
                sa.select(sa.func.count())
                .select_from(reviews)
                .where(reviews.c.reviewer == reviewer, reviews.c.action != "skip")
            ).scalar_one()

    # -- the queue as the page sees it ----------------------------------------------------------------------------

    def pending(self, limit: int = 5000, max_record_chars: int = 64 * 1024) -> list[Item]:
        """Every pending item (least confident first), up to ``limit``; the page filters these. A record longer
        than ``max_record_chars`` (stored before records were size-checked) comes as a placeholder, so the page's
        cost stays bounded."""
        return self.store.queue(limit, max_record_chars=max_record_chars)
