"""Durable storage for the review service: models, routed items, human reviews and reviewer tokens.

One ``Store`` wraps one SQLAlchemy engine. SQLite (the default) runs in WAL mode with a busy timeout and foreign
keys on, and every write starts with ``BEGIN IMMEDIATE`` so concurrent writers queue on the lock instead of failing
when a read transaction tries to upgrade. PostgreSQL works through psycopg 3 (``postgresql+psycopg://``); a
``schema`` keeps several stores (or test runs) apart in one database.

Invariants the service relies on:
- ``add_items`` is one transaction: a batch is stored entirely or not at all, even if the process dies mid-way.
- An item has at most one final review (accept or correct); skips do not count and can repeat. A partial unique
  index enforces this in the database, so two reviewers racing on one item cannot both win.
- Bad input raises ``ValueError`` before anything is written.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import IntegrityError

from pitfall.deploy.routing import DECISIONS

__all__ = [
    "FORMULA_STARTS",
    "RECORD_PREFIX",
    "REVIEW_ACTIONS",
    "TOO_LARGE",
    "EncodedRecord",
    "Item",
    "ModelFile",
    "ModelInfo",
    "ModelListing",
    "NewItem",
    "Review",
    "ReviewedItem",
    "Session",
    "Store",
    "StoredBatch",
    "User",
    "UserListing",
]

REVIEW_ACTIONS: tuple[str, ...] = ("accept", "correct", "skip")
QUEUE_DECISIONS: tuple[str, ...] = ("review", "abstain", "blocked")
_TOKEN_PREFIX = "pft"
TOO_LARGE = "…"  # the field of the placeholder record Store.queue gives for a record too large to show
RECORD_PREFIX = "record."  # exports rename a record field that would clash with pitfall's own columns
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

metadata = sa.MetaData()

models = sa.Table(
    "pitfall_models",
    metadata,
    sa.Column("version", sa.String(200), primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("classes", sa.JSON, nullable=False),
    sa.Column("promoted", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

items = sa.Table(
    "pitfall_items",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("model_version", sa.String(200), sa.ForeignKey("pitfall_models.version"), nullable=False),
    sa.Column("batch_id", sa.String(200), nullable=True, index=True),
    sa.Column("record", sa.JSON, nullable=False),
    sa.Column("label", sa.String(200), nullable=False),
    sa.Column("confidence", sa.Float, nullable=False),
    sa.Column("decision", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_pitfall_items_queue", "decision", "confidence"),
)

reviews = sa.Table(
    "pitfall_reviews",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("item_id", sa.String(36), sa.ForeignKey("pitfall_items.id"), nullable=False, index=True),
    sa.Column("reviewer", sa.String(200), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("label", sa.String(200), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)
sa.Index(
    "uq_pitfall_reviews_final",
    reviews.c.item_id,
    unique=True,
    sqlite_where=reviews.c.action != "skip",
    postgresql_where=reviews.c.action != "skip",
)

batches = sa.Table(
    "pitfall_batches",
    metadata,
    sa.Column("batch_id", sa.String(200), primary_key=True),
    sa.Column("n_items", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

# What a retried POST /predict gets back: the items of a batch in the order they were sent, and a digest of the
# records, so a retry is told apart from another batch sent under the same id. A table of its own (not new
# columns of pitfall_batches) so a database made before it opens unchanged.
batch_requests = sa.Table(
    "pitfall_batch_requests",
    metadata,
    sa.Column("batch_id", sa.String(200), sa.ForeignKey("pitfall_batches.batch_id"), primary_key=True),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("item_ids", sa.JSON, nullable=False),
)

users = sa.Table(
    "pitfall_users",
    metadata,
    sa.Column("name", sa.String(200), primary_key=True),
    sa.Column("key_id", sa.String(32), nullable=False, unique=True),
    sa.Column("salt", sa.String(64), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)


# Review-page sessions, so a restart or another worker keeps reviewers signed in. Only a hash of the session id is
# kept (a copy of the database does not sign anyone in), and deleting the user (revoke) deletes their sessions.
sessions = sa.Table(
    "pitfall_sessions",
    metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column(
        "user", sa.String(200), sa.ForeignKey("pitfall_users.name", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)


# The serialized model (joblib bytes) of a version and where it came from. A table of its own, not new columns of
# pitfall_models, so a database made before model files existed opens unchanged: create_all adds only this table.
model_files = sa.Table(
    "pitfall_model_files",
    metadata,
    sa.Column("version", sa.String(200), sa.ForeignKey("pitfall_models.version"), primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("parent", sa.String(200), sa.ForeignKey("pitfall_models.version"), nullable=True),
    sa.Column("n_train_rows", sa.Integer, nullable=True),
    sa.Column("reviewed_items", sa.JSON, nullable=False),
    sa.Column("scores", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class ModelInfo:
    version: str
    sha256: str
    classes: tuple[str, ...]
    promoted: bool
    created_at: datetime


@dataclass(frozen=True)
class ModelFile:
    """A stored model file's metadata and lineage (the bytes come from ``Store.model_bytes``).

    ``parent`` is the version it was retrained from, ``n_train_rows`` the rows of the training file it was fitted
    on, ``reviewed_items`` the ids of the reviewed items added to them, and ``scores`` the evidence of the
    comparison with its parent (empty for a model that was uploaded rather than retrained)."""

    version: str
    sha256: str
    size: int
    parent: str | None
    n_train_rows: int | None
    reviewed_items: tuple[str, ...]
    scores: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class ModelListing:
    """One row of ``Store.list_models``: a registered version and, when its bytes are stored, their lineage."""

    info: ModelInfo
    file: ModelFile | None


@dataclass(frozen=True)
class ReviewedItem:
    """An item with its final human label (``accept`` keeps the model's label, ``correct`` gives another)."""

    item_id: str
    model_version: str
    record: dict[str, Any]
    label: str
    action: str
    reviewer: str


@dataclass(frozen=True)
class NewItem:
    """One routed prediction to store; ``id`` is generated (uuid4) when absent."""

    record: Mapping[str, Any]
    label: str
    confidence: float
    decision: str
    reason: str
    id: str | None = None


@dataclass(frozen=True)
class Item:
    id: str
    model_version: str
    batch_id: str | None
    record: dict[str, Any]
    label: str
    confidence: float
    decision: str
    reason: str
    created_at: datetime

    @property
    def suggestion(self) -> str | None:
        """The label a reviewer may see: withheld for blocked items so the safety rule cannot be rubber-stamped."""
        return None if self.decision == "blocked" else self.label


@dataclass(frozen=True)
class Review:
    id: int
    item_id: str
    reviewer: str
    action: str
    label: str | None
    created_at: datetime


@dataclass(frozen=True)
class StoredBatch:
    """A stored batch: its items in the order they were sent, and the digest of its records (None for a batch
    stored before digests were kept; its items then come in creation order)."""

    batch_id: str
    digest: str | None
    items: list[Item]


@dataclass(frozen=True)
class User:
    name: str
    created_at: datetime


@dataclass(frozen=True)
class Session:
    """A signed-in reviewer on the review page: who, the CSRF token of their forms, and when it ends."""

    user: str
    csrf: str
    expires: datetime


@dataclass(frozen=True)
class UserListing:
    """One row of ``Store.list_users``: a reviewer, when their token was made, and their open sessions."""

    name: str
    created_at: datetime
    sessions: int


def _now() -> datetime:
    return datetime.now(UTC)


def _session_hash(sid: str) -> str:
    return hashlib.sha256(sid.encode("utf-8", "replace")).hexdigest()


def _hash_secret(salt: str, secret: str) -> str:
    return hashlib.sha256(f"{salt}:{secret}".encode()).hexdigest()


def _sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" hook issue BEGIN itself (pysqlite's implicit BEGIN cannot be IMMEDIATE).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _sqlite_on_begin(conn: Connection) -> None:
    mode = "IMMEDIATE" if conn.get_execution_options().get("pitfall_write") else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


class Store:
    """Storage behind ``pitfall serve``. ``url`` is a SQLAlchemy URL (``sqlite:///pitfall.db``,
    ``postgresql+psycopg://user@host/db``); tables are created when missing."""

    def __init__(self, url: str, *, schema: str | None = None, create: bool = True) -> None:
        parsed = make_url(url)
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        self.url = parsed
        self.backend = parsed.get_backend_name()
        if schema is not None and self.backend == "sqlite":
            raise ValueError(f"schema is only supported on PostgreSQL. Got schema={schema!r} for a SQLite URL.")
        options: dict[str, Any] = {}
        if schema is not None:
            if not schema.replace("_", "").isalnum():
                raise ValueError(f"schema must be letters, digits and underscores. Got {schema!r} instead.")
            options["schema_translate_map"] = {None: schema}
        engine = sa.create_engine(
            parsed,
            pool_pre_ping=self.backend != "sqlite",
            json_serializer=_json_serializer,
            json_deserializer=_json_deserializer,
        )
        if self.backend == "sqlite":
            event.listen(engine, "connect", _sqlite_on_connect)
            event.listen(engine, "begin", _sqlite_on_begin)
        self.engine: Engine = engine.execution_options(**options) if options else engine
        self._writer: Engine = self.engine.execution_options(pitfall_write=True)
        self.schema = schema
        if create:
            with self._writer.begin() as conn:
                if schema is not None:
                    conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
                metadata.create_all(conn)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- models -------------------------------------------------------------------------------------------------

    def add_model(
        self,
        version: str,
        path: str | Path | None = None,
        *,
        classes: Sequence[str],
        sha256: str | None = None,
        promoted: bool = False,
    ) -> ModelInfo:
        """Register a model version: the file's sha256 (or a given one) and its class labels."""
        if not version or not isinstance(version, str):
            raise ValueError(f"version must be a non-empty string. Got {version!r} instead.")
        if (path is None) == (sha256 is None):
            raise ValueError("add_model needs exactly one of path= (the model file) or sha256=.")
        if path is not None:
            digest = hashlib.sha256()
            with open(path, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(chunk)
            sha256 = digest.hexdigest()
        try:
            with self._writer.begin() as conn:
                self._insert_model(conn, version, sha256, classes, promoted=promoted)  # type: ignore[arg-type]
        except IntegrityError as err:
            raise ValueError(f"model version {version!r} is already registered.") from err
        return self.get_model(version)  # type: ignore[return-value]

    def _insert_model(
        self, conn: Connection, version: str, sha256: str, classes: Sequence[str], *, promoted: bool
    ) -> None:
        if not version or not isinstance(version, str):
            raise ValueError(f"version must be a non-empty string. Got {version!r} instead.")
        classes = [str(c) for c in classes]
        if not classes or len(set(classes)) != len(classes):
            raise ValueError(f"classes must be a non-empty list of distinct labels. Got {classes!r} instead.")
        row = {"version": version, "sha256": sha256, "classes": classes, "promoted": False, "created_at": _now()}
        conn.execute(models.insert().values(**row))
        if promoted:
            self._promote(conn, version)

    def _promote(self, conn: Connection, version: str) -> None:
        conn.execute(models.update().values(promoted=False).where(models.c.promoted.is_(True)))
        done = conn.execute(models.update().values(promoted=True).where(models.c.version == version))
        if done.rowcount != 1:
            raise ValueError(f"model version {version!r} is not registered.")

    def promote(self, version: str) -> None:
        """Make ``version`` the one promoted model (the one the service predicts with)."""
        with self._writer.begin() as conn:
            self._promote(conn, version)

    def get_model(self, version: str) -> ModelInfo | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(models).where(models.c.version == version)).mappings().first()
        return None if row is None else _model(row)

    def promoted_model(self) -> ModelInfo | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(models).where(models.c.promoted.is_(True))).mappings().first()
        return None if row is None else _model(row)

    # -- model files --------------------------------------------------------------------------------------------

    def save_model_file(
        self,
        version: str,
        data: bytes,
        *,
        classes: Sequence[str] | None = None,
        parent: str | None = None,
        n_train_rows: int | None = None,
        reviewed_items: Sequence[str] = (),
        scores: Mapping[str, Any] | None = None,
        promoted: bool = False,
    ) -> ModelFile:
        """Store the serialized model of ``version`` with its lineage, in one transaction.

        With ``classes`` the version is registered here too (so a retrained version never exists without its
        bytes), and ``promoted`` makes it the served one. Without, ``version`` must already be registered, and
        the bytes must have the sha256 it was registered with: the file then is the one that was served."""
        if not isinstance(data, bytes | bytearray) or not data:
            raise ValueError("data must be the non-empty bytes of a serialized model (joblib.dump to a buffer).")
        data = bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        reviewed = [str(i) for i in reviewed_items]
        if n_train_rows is not None and (
            isinstance(n_train_rows, bool) or not isinstance(n_train_rows, int) or n_train_rows < 0
        ):
            raise ValueError(f"n_train_rows must be a non-negative integer. Got {n_train_rows!r} instead.")
        evidence = dict(scores or {})
        try:
            json.dumps(evidence, allow_nan=False)
        except (TypeError, ValueError) as err:
            raise ValueError(f"scores must hold finite JSON values: {err}") from err
        if classes is None and promoted:
            raise ValueError("promoted=True needs classes= (registering the version); use promote() otherwise.")
        try:
            with self._writer.begin() as conn:
                if classes is not None:
                    self._insert_model(conn, version, digest, classes, promoted=promoted)
                registered = conn.execute(sa.select(models.c.sha256).where(models.c.version == version)).first()
                if registered is None:
                    raise ValueError(f"model version {version!r} is not registered. Call add_model first.")
                if registered[0] != digest:
                    raise ValueError(
                        f"the bytes have sha256 {digest[:12]}… but model version {version!r} was registered with "
                        f"{registered[0][:12]}…; store the file that version was made from."
                    )
                if (
                    parent is not None
                    and conn.execute(sa.select(models.c.version).where(models.c.version == parent)).first() is None
                ):
                    raise ValueError(f"parent model version {parent!r} is not registered.")
                conn.execute(
                    model_files.insert().values(
                        version=version,
                        data=data,
                        size=len(data),
                        parent=parent,
                        n_train_rows=n_train_rows,
                        reviewed_items=reviewed,
                        scores=evidence,
                        created_at=_now(),
                    )
                )
        except IntegrityError as err:
            if classes is not None and self.get_model(version) is not None:
                raise ValueError(f"model version {version!r} is already registered.") from err
            raise ValueError(f"the model file of version {version!r} is already stored.") from err
        return self.model_file(version)  # type: ignore[return-value]

    def model_file(self, version: str) -> ModelFile | None:
        """Metadata and lineage of the stored file of ``version`` (None when its bytes were never stored)."""
        query = sa.select(*_FILE_COLUMNS).join(models, models.c.version == model_files.c.version)
        with self.engine.connect() as conn:
            row = conn.execute(query.where(model_files.c.version == version)).mappings().first()
        return None if row is None else _model_file(row)

    def model_bytes(self, version: str) -> bytes | None:
        """The serialized model of ``version`` as stored (unpickling it runs code: only for a trusted store)."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(model_files.c.data).where(model_files.c.version == version)).first()
        return None if row is None else bytes(row[0])

    def list_models(self) -> list[ModelListing]:
        """Every registered version, oldest first, with the lineage of those whose bytes are stored."""
        query = (
            sa.select(models, *[c.label(f"file_{c.name}") for c in _FILE_COLUMNS if c.table is model_files])
            .outerjoin(model_files, model_files.c.version == models.c.version)
            .order_by(models.c.created_at, models.c.version)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        out = []
        for row in rows:
            info = _model(row)
            file = None
            if row["file_version"] is not None:
                fields = {k[len("file_") :]: v for k, v in row.items() if k.startswith("file_")}
                file = _model_file({**fields, "sha256": info.sha256})
            out.append(ModelListing(info=info, file=file))
        return out

    # -- items --------------------------------------------------------------------------------------------------

    def add_items(
        self,
        model_version: str,
        batch: Iterable[NewItem | Mapping[str, Any]],
        *,
        batch_id: str | None = None,
        digest: str | None = None,
    ) -> list[str]:
        """Store a batch of routed predictions in one transaction (all or nothing); returns the item ids.

        With ``batch_id``, the batch's item order and ``digest`` (of its records: the service's sha256) are kept
        for ``stored_batch``, and the id can never be stored twice."""
        rows = [_item_row(entry) for entry in batch]
        if batch_id is not None and (
            not isinstance(batch_id, str) or not batch_id or len(batch_id) > 200 or not _storable(batch_id)
        ):
            raise ValueError(
                f"batch_id must be a non-empty string of at most 200 characters, valid Unicode without "
                f"NUL. Got {batch_id[:60] if isinstance(batch_id, str) else batch_id!r} instead."
            )
        with self._writer.begin() as conn:
            model = conn.execute(sa.select(models.c.classes).where(models.c.version == model_version)).first()
            if model is None:
                raise ValueError(f"model version {model_version!r} is not registered. Call add_model first.")
            classes = set(model[0])
            for row in rows:
                if row["label"] not in classes:
                    raise ValueError(
                        f"label must be one of the classes of model {model_version!r}. Got {row['label']!r} instead."
                    )
            now = _now()
            if batch_id is not None:
                # The primary key makes a retried batch fail even when two retries race on PostgreSQL.
                try:
                    conn.execute(batches.insert().values(batch_id=batch_id, n_items=len(rows), created_at=now))
                except IntegrityError as err:
                    raise ValueError(f"batch {batch_id!r} is already stored; a retry must not add it twice.") from err
            for row in rows:
                row.update(model_version=model_version, batch_id=batch_id, created_at=now)
            if rows:
                try:
                    conn.execute(items.insert(), rows)
                except IntegrityError as err:
                    raise ValueError("an item id in the batch is already stored; nothing was added.") from err
            if batch_id is not None:
                conn.execute(
                    batch_requests.insert().values(
                        batch_id=batch_id, digest=digest or "", item_ids=[row["id"] for row in rows]
                    )
                )
        return [row["id"] for row in rows]

    def add_routed(
        self, model_version: str, groups: Sequence[tuple[str | None, str, list[dict[str, Any]]]]
    ) -> list[bool]:
        """Store several batches made by the service in one transaction; True per batch stored, False for one
        whose ``batch_id`` was already stored (that batch is left out, the others are kept).

        Each group is ``(batch_id, digest, rows)``, rows holding ``id``, ``record`` (an ``EncodedRecord``),
        ``label``, ``confidence``, ``decision`` and ``reason``, already checked by the service (``serve/intake``
        and ``serve/batcher``): only the labels are checked again here, against the model's classes."""
        stored: list[bool] = []
        all_rows: list[dict[str, Any]] = []
        requests: list[dict[str, Any]] = []
        with self._writer.begin() as conn:
            model = conn.execute(sa.select(models.c.classes).where(models.c.version == model_version)).first()
            if model is None:
                raise ValueError(f"model version {model_version!r} is not registered. Call add_model first.")
            odd = {row["label"] for _, _, rows in groups for row in rows} - set(model[0])
            if odd:
                raise ValueError(f"label must be one of the classes of model {model_version!r}. Got {sorted(odd)}.")
            now = _now()
            for batch_id, digest, rows in groups:
                if batch_id is not None:
                    try:
                        with conn.begin_nested():
                            conn.execute(batches.insert().values(batch_id=batch_id, n_items=len(rows), created_at=now))
                    except IntegrityError:
                        stored.append(False)
                        continue
                    requests.append({"batch_id": batch_id, "digest": digest, "item_ids": [r["id"] for r in rows]})
                for row in rows:
                    row["model_version"], row["batch_id"], row["created_at"] = model_version, batch_id, now
                all_rows.extend(rows)
                stored.append(True)
            if all_rows:
                self._insert_items(conn, all_rows)
            if requests:
                conn.execute(batch_requests.insert(), requests)
        return stored

    def _insert_items(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        """Insert rows into ``pitfall_items``: one COPY on PostgreSQL (about half the time of an executemany of
        the same rows there), an executemany on SQLite. Either way inside ``conn``'s transaction."""
        if self.backend != "postgresql":
            conn.execute(items.insert(), rows)
            return
        columns = (
            "id",
            "model_version",
            "batch_id",
            "record",
            "label",
            "confidence",
            "decision",
            "reason",
            "created_at",
        )
        table = f'"{self.schema}".pitfall_items' if self.schema is not None else "pitfall_items"
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([str.__str__(row["record"]) if c == "record" else row[c] for c in columns])
        finally:
            cursor.close()

    def stored_batch(self, batch_id: str) -> StoredBatch | None:
        """The stored batch ``batch_id`` (what a retry of it should be answered), or None."""
        if not isinstance(batch_id, str) or not batch_id or len(batch_id) > 200 or not _storable(batch_id):
            return None
        with self.engine.connect() as conn:
            known = conn.execute(sa.select(batches.c.batch_id).where(batches.c.batch_id == batch_id)).first()
            if known is None:
                return None
            kept = conn.execute(
                sa.select(batch_requests.c.digest, batch_requests.c.item_ids).where(
                    batch_requests.c.batch_id == batch_id
                )
            ).first()
            found = [
                _item(row)
                for row in conn.execute(
                    sa.select(items).where(items.c.batch_id == batch_id).order_by(items.c.created_at, items.c.id)
                ).mappings()
            ]
        if kept is None:
            return StoredBatch(batch_id, None, found)
        by_id = {item.id: item for item in found}
        return StoredBatch(batch_id, kept[0] or None, [by_id[i] for i in kept[1] if i in by_id])

    def get_item(self, item_id: str) -> Item | None:
        if _uuid(item_id) is None:  # not an id this store makes (and PostgreSQL would refuse a NUL in it)
            return None
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(items).where(items.c.id == str(item_id))).mappings().first()
        return None if row is None else _item(row)

    def batch_size(self, batch_id: str) -> int:
        """How many items of ``batch_id`` are stored (0 when the batch never committed)."""
        with self.engine.connect() as conn:
            return conn.execute(
                sa.select(sa.func.count()).select_from(items).where(items.c.batch_id == batch_id)
            ).scalar_one()

    def queue(self, limit: int = 50, *, max_record_chars: int | None = None) -> list[Item]:
        """Items waiting for a person, least confident first: routed to review/abstain/blocked, no final review.

        With ``max_record_chars``, a record whose JSON is longer is not loaded: the item comes with a one-field
        placeholder record (``TOO_LARGE``) instead, so a page of the queue has a bounded size whatever is stored."""
        if not isinstance(limit, int) or limit < 1:
            raise ValueError(f"limit must be a positive integer. Got {limit!r} instead.")
        columns: list[Any] = list(items.c)
        if max_record_chars is not None:
            size = sa.func.length(sa.cast(items.c.record, sa.Text))
            shown = sa.case((size > max_record_chars, sa.null()), else_=items.c.record)
            columns = [c for c in items.c if c.name != "record"] + [shown.label("record"), size.label("size")]
        query = (
            sa.select(*columns)
            .where(items.c.decision.in_(QUEUE_DECISIONS), ~_has_final_review())
            .order_by(items.c.confidence.asc(), items.c.created_at.asc(), items.c.id.asc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            rows = [dict(row) for row in conn.execute(query).mappings()]
        for row in rows:
            size = row.pop("size", None)
            if row["record"] is None or isinstance(row["record"], str):  # NULL, or a JSON text CASE did not decode
                row["record"] = (
                    _json_deserializer(row["record"])
                    if isinstance(row["record"], str)
                    else {TOO_LARGE: f"record of {size:,} characters, too large to show here"}
                )
        return [_item(row) for row in rows]

    # -- reviews ------------------------------------------------------------------------------------------------

    def add_review(self, item_id: str, reviewer: str, action: str, label: str | None = None) -> Review:
        """Record a reviewer's verdict. ``accept`` takes the model's label; ``correct`` needs a label among the
        model's classes; ``skip`` carries no label and leaves the item in the queue."""
        if action not in REVIEW_ACTIONS:
            raise ValueError(f"action must be one of {REVIEW_ACTIONS}. Got {action!r} instead.")
        if not isinstance(reviewer, str) or not reviewer:
            raise ValueError(f"reviewer must be a non-empty string. Got {reviewer!r} instead.")
        if _uuid(item_id) is None:
            raise ValueError(f"item {str(item_id)[:60]!r} does not exist.")
        if label is not None and not _storable(label):
            raise ValueError("label must be valid Unicode without NUL.")
        try:
            with self._writer.begin() as conn:
                found = conn.execute(
                    sa.select(items.c.label, items.c.decision, models.c.classes)
                    .join(models, models.c.version == items.c.model_version)
                    .where(items.c.id == str(item_id))
                ).first()
                if found is None:
                    raise ValueError(f"item {item_id!r} does not exist.")
                model_label, decision, classes = found
                final = _final_label(action, label, model_label, decision, classes)
                if action != "skip":
                    done = conn.execute(
                        sa.select(reviews.c.id).where(reviews.c.item_id == str(item_id), reviews.c.action != "skip")
                    ).first()
                    if done is not None:
                        raise ValueError(f"item {item_id!r} already has a final review.")
                row = {"item_id": str(item_id), "reviewer": reviewer, "action": action, "label": final}
                row["created_at"] = _now()
                new_id = conn.execute(reviews.insert().values(**row).returning(reviews.c.id)).scalar_one()
        except IntegrityError as err:  # a concurrent reviewer won the race on the unique index
            raise ValueError(f"item {item_id!r} already has a final review.") from err
        return Review(id=new_id, **row)

    def reviews_of(self, item_id: str) -> list[Review]:
        if _uuid(item_id) is None:
            return []
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(reviews).where(reviews.c.item_id == str(item_id)).order_by(reviews.c.id)
            ).mappings()
            return [Review(**{**row, "created_at": _aware(row["created_at"])}) for row in rows]

    def reviewed_items(self) -> list[ReviewedItem]:
        """Every item with a final review (accept or correct) and its final label, in review order."""
        query = (
            sa.select(
                items.c.id, items.c.model_version, items.c.record, reviews.c.label, reviews.c.action, reviews.c.reviewer
            )
            .join(reviews, reviews.c.item_id == items.c.id)
            .where(reviews.c.action != "skip")
            .order_by(reviews.c.id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            ReviewedItem(item_id=r[0], model_version=r[1], record=dict(r[2]), label=r[3], action=r[4], reviewer=r[5])
            for r in rows
        ]

    def export_reviewed(self, path: str | Path, format: str | None = None, *, label_column: str = "label") -> int:
        """Write reviewed items (record fields + the final human label) as CSV or Parquet for retraining.

        A record field named like ``label_column``, or starting with ``record.``, is written as ``record.<name>``,
        so no record can take the label's column (or another field's). In CSV, text that a spreadsheet would run
        as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return), field names included,
        gets a leading ``'`` as OWASP recommends; Parquet keeps values as they are. ``format`` defaults to the
        file suffix. Returns the number of rows written."""
        import pandas as pd

        path = Path(path)
        fmt = (format or path.suffix.lstrip(".")).lower()
        if fmt not in ("csv", "parquet"):
            raise ValueError(f"format must be 'csv' or 'parquet'. Got {fmt!r} instead (from {str(path)!r}).")
        if not label_column or label_column.startswith(RECORD_PREFIX):
            raise ValueError(f"label_column must be a name not starting with {RECORD_PREFIX!r}. Got {label_column!r}.")
        query = (
            sa.select(items.c.record, reviews.c.label)
            .join(reviews, reviews.c.item_id == items.c.id)
            .where(reviews.c.action != "skip")
            .order_by(reviews.c.id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        records = [
            {**{_export_name(k, label_column): v for k, v in record.items()}, label_column: final}
            for record, final in rows
        ]
        frame = pd.DataFrame.from_records(records) if records else pd.DataFrame({label_column: []})
        if fmt == "csv":
            frame = frame.rename(columns=_defuse)
            for column in frame.columns:
                if not pd.api.types.is_numeric_dtype(frame[column]):
                    frame[column] = frame[column].map(_defuse)
            # RFC 4180 line ends, so a field holding a lone "\r" is quoted too (with "\n" it would not be).
            frame.to_csv(path, index=False, lineterminator="\r\n")
        else:
            frame.to_parquet(path, index=False)
        return len(frame)

    def counts(self) -> dict[str, int]:
        """Items per decision plus ``reviewed`` (with a final review) and ``pending`` (still in the queue)."""
        final = _has_final_review()
        with self.engine.connect() as conn:
            per = dict(conn.execute(sa.select(items.c.decision, sa.func.count()).group_by(items.c.decision)).all())
            reviewed = conn.execute(sa.select(sa.func.count()).select_from(items).where(final)).scalar_one()
            pending = conn.execute(
                sa.select(sa.func.count()).select_from(items).where(items.c.decision.in_(QUEUE_DECISIONS), ~final)
            ).scalar_one()
        out = {name: int(per.get(name, 0)) for name in DECISIONS}
        out.update(total=sum(out.values()), reviewed=int(reviewed), pending=int(pending))
        return out

    # -- users --------------------------------------------------------------------------------------------------

    def add_user(self, name: str) -> str:
        """Create a reviewer and return their token. Only a salted hash is stored: the token is shown once."""
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"user name must be a non-empty string. Got {name!r} instead.")
        key_id = secrets.token_hex(8)
        secret = secrets.token_urlsafe(32)
        salt = secrets.token_hex(16)
        row = {"name": name, "key_id": key_id, "salt": salt, "token_hash": _hash_secret(salt, secret)}
        try:
            with self._writer.begin() as conn:
                conn.execute(users.insert().values(created_at=_now(), **row))
        except IntegrityError as err:
            raise ValueError(f"user {name!r} already exists.") from err
        return f"{_TOKEN_PREFIX}_{key_id}_{secret}"

    def check_token(self, token: str) -> User | None:
        """The user a token belongs to, or None. The hash comparison is constant-time."""
        parts = token.split("_", 2) if isinstance(token, str) else []
        key_id, secret = (parts[1], parts[2]) if len(parts) == 3 and parts[0] == _TOKEN_PREFIX else ("", "")
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(users).where(users.c.key_id == key_id)).mappings().first()
        # Hash even when the key is unknown so a miss costs the same as a wrong secret.
        salt, expected = (row["salt"], row["token_hash"]) if row is not None else ("0" * 32, "0" * 64)
        ok = hmac.compare_digest(_hash_secret(salt, secret), expected)
        return User(name=row["name"], created_at=_aware(row["created_at"])) if ok and row is not None else None

    def list_users(self) -> list[UserListing]:
        """Every reviewer, by name, with the number of review-page sessions still open."""
        now = _now()
        open_ = (
            sa.select(sa.func.count())
            .select_from(sessions)
            .where(sessions.c.user == users.c.name, sessions.c.expires_at > now)
            .scalar_subquery()
        )
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(users.c.name, users.c.created_at, open_).order_by(users.c.name)).all()
        return [UserListing(name, _aware(created), int(n)) for name, created, n in rows]

    def revoke_user(self, name: str) -> None:
        """Delete reviewer ``name``: their token stops working and their sessions end, at once. Their reviews stay."""
        with self._writer.begin() as conn:
            conn.execute(sessions.delete().where(sessions.c.user == name))
            if conn.execute(users.delete().where(users.c.name == name)).rowcount != 1:
                raise ValueError(f"user {name!r} does not exist.")

    def rotate_token(self, name: str) -> str:
        """Give ``name`` a new token (returned, shown once); the old one stops working and their sessions end."""
        key_id, secret, salt = secrets.token_hex(8), secrets.token_urlsafe(32), secrets.token_hex(16)
        with self._writer.begin() as conn:
            done = conn.execute(
                users.update()
                .where(users.c.name == name)
                .values(key_id=key_id, salt=salt, token_hash=_hash_secret(salt, secret))
            )
            if done.rowcount != 1:
                raise ValueError(f"user {name!r} does not exist.")
            conn.execute(sessions.delete().where(sessions.c.user == name))
        return f"{_TOKEN_PREFIX}_{key_id}_{secret}"

    # -- review-page sessions -----------------------------------------------------------------------------------

    def create_session(self, user: str, lifetime: float) -> str:
        """A new session id for ``user``, valid ``lifetime`` seconds (expired sessions are cleared on the way)."""
        sid = secrets.token_urlsafe(32)
        now = _now()
        with self._writer.begin() as conn:
            conn.execute(sessions.delete().where(sessions.c.expires_at <= now))
            conn.execute(
                sessions.insert().values(
                    id_hash=_session_hash(sid),
                    user=user,
                    csrf=secrets.token_urlsafe(32),
                    expires_at=now + timedelta(seconds=lifetime),
                    created_at=now,
                )
            )
        return sid

    def get_session(self, sid: str | None) -> Session | None:
        """The live session of ``sid``: None when unknown, expired, or its user was revoked."""
        if not sid or not isinstance(sid, str) or len(sid) > 200:
            return None
        query = (
            sa.select(sessions.c.user, sessions.c.csrf, sessions.c.expires_at)
            .join(users, users.c.name == sessions.c.user)
            .where(sessions.c.id_hash == _session_hash(sid), sessions.c.expires_at > _now())
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else Session(row[0], row[1], _aware(row[2]))

    def drop_session(self, sid: str | None) -> None:
        if sid and isinstance(sid, str):
            with self._writer.begin() as conn:
                conn.execute(sessions.delete().where(sessions.c.id_hash == _session_hash(sid)))


def _export_name(field: str, label_column: str) -> str:
    """A record field's column in an export: its own name, unless that is pitfall's or looks like the rename."""
    return RECORD_PREFIX + field if field == label_column or field.startswith(RECORD_PREFIX) else field


def _defuse(value: Any) -> Any:
    """Text a spreadsheet would evaluate as a formula, with a leading ``'`` (OWASP's CSV injection advice)."""
    return "'" + value if isinstance(value, str) and value[:1] in FORMULA_STARTS else value


def _has_final_review() -> sa.ColumnElement[bool]:
    return sa.exists().where(reviews.c.item_id == items.c.id, reviews.c.action != "skip")


def _final_label(action: str, label: str | None, model_label: str, decision: str, classes: list[str]) -> str | None:
    if action == "skip":
        if label is not None:
            raise ValueError(f"a skip carries no label. Got label={label!r} instead.")
        return None
    if action == "accept":
        if decision == "blocked":
            raise ValueError("a blocked item has no suggestion to accept; use action='correct' with a label.")
        if label is not None and label != model_label:
            raise ValueError(f"accept keeps the model's label {model_label!r}. Got {label!r}; use action='correct'.")
        return model_label
    if label not in classes:
        raise ValueError(f"label must be one of the model's classes {classes!r}. Got {label!r} instead.")
    return label


class EncodedRecord(str):
    """A record already encoded as JSON (by ``_item_row``, or by the service, which checked it): the engine's
    serializer passes it through instead of encoding every record a second time."""


_Encoded = EncodedRecord


def _json_serializer(value: Any) -> str:
    return str.__str__(value) if type(value) is _Encoded else json.dumps(value)


def _json_deserializer(text: str | bytes) -> Any:
    """JSON from the database, with any lone surrogate (stored before records were checked) made U+FFFD.

    A lone surrogate cannot be encoded as UTF-8, so one stored record would break every page and JSON answer
    that shows it; every reader goes through here, so none of them sees one."""
    value = json.loads(text)
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8", "replace")
    return _scrub(value) if "\\u" in text or not text.isascii() else value


_SURROGATE = re.compile("[\ud800-\udfff]")  # one left in a str is lone: json.loads joins escaped pairs


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return value if _storable(value, nul=False) else _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_scrub(k): _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def _storable(text: str, *, nul: bool = True) -> bool:
    """Valid Unicode (encodable as UTF-8) and, with ``nul``, free of NUL: text both backends can store."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not (nul and "\x00" in text)


def _uuid(value: Any) -> str | None:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


def _item_row(entry: NewItem | Mapping[str, Any]) -> dict[str, Any]:
    data = dict(entry.__dict__) if isinstance(entry, NewItem) else dict(entry)
    unknown = set(data) - {"record", "label", "confidence", "decision", "reason", "id"}
    if unknown:
        raise ValueError(f"item fields must be record, label, confidence, decision, reason, id. Got {sorted(unknown)}.")
    record = data.get("record")
    if not isinstance(record, Mapping) and type(record) is not _Encoded:
        raise ValueError(f"item record must be a mapping of field to value. Got {type(record).__name__} instead.")
    confidence = data.get("confidence")
    if isinstance(confidence, bool) or not isinstance(confidence, int | float) or not math.isfinite(confidence):
        raise ValueError(f"item confidence must be a finite number in [0, 1]. Got {confidence!r} instead.")
    if not 0.0 <= confidence <= 1.0:
        raise ValueError(f"item confidence must be a finite number in [0, 1]. Got {confidence!r} instead.")
    if data.get("decision") not in DECISIONS:
        raise ValueError(f"item decision must be one of {DECISIONS}. Got {data.get('decision')!r} instead.")
    if type(record) is _Encoded:  # encoded and checked by the service already
        encoded = record
    else:
        try:
            encoded = _Encoded(json.dumps(dict(record), allow_nan=False, ensure_ascii=False))
        except (TypeError, ValueError) as err:
            raise ValueError(
                f"item record must hold JSON values (str, number, bool, None, lists, dicts): {err}"
            ) from err
        if not _storable(encoded, nul=False) or "\\u0000" in encoded:
            raise ValueError(
                "item record must be valid Unicode without NUL characters (a lone surrogate such as "
                "'\\ud800' or a '\\x00' was found)."
            )
    item_id = data.get("id") or str(uuid.uuid4())
    try:
        item_id = str(uuid.UUID(str(item_id)))
    except ValueError as err:
        raise ValueError(f"item id must be a UUID. Got {data.get('id')!r} instead.") from err
    return {
        "id": item_id,
        "record": encoded,
        "label": str(data.get("label")),
        "confidence": float(confidence),
        "decision": data["decision"],
        "reason": str(data.get("reason") or ""),
    }


def _model(row: Mapping[str, Any]) -> ModelInfo:
    return ModelInfo(
        version=row["version"],
        sha256=row["sha256"],
        classes=tuple(row["classes"]),
        promoted=bool(row["promoted"]),
        created_at=_aware(row["created_at"]),
    )


_FILE_COLUMNS = (
    model_files.c.version,
    models.c.sha256,
    model_files.c.size,
    model_files.c.parent,
    model_files.c.n_train_rows,
    model_files.c.reviewed_items,
    model_files.c.scores,
    model_files.c.created_at,
)


def _model_file(row: Mapping[str, Any]) -> ModelFile:
    return ModelFile(
        version=row["version"],
        sha256=row["sha256"],
        size=int(row["size"]),
        parent=row["parent"],
        n_train_rows=row["n_train_rows"],
        reviewed_items=tuple(row["reviewed_items"] or ()),
        scores=dict(row["scores"] or {}),
        created_at=_aware(row["created_at"]),
    )


def _item(row: Mapping[str, Any]) -> Item:
    return Item(**{**row, "created_at": _aware(row["created_at"])})


def _aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes (stored as UTC); make them aware so both backends compare alike."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value
