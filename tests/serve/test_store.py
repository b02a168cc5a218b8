"""Store behaviour on SQLite and PostgreSQL: models, batches, queue order, reviews, export, counts, tokens."""

from __future__ import annotations

import pandas as pd
import pytest

sa = pytest.importorskip("sqlalchemy", reason="the serve extra (SQLAlchemy) is not installed")

from pitfall.deploy.store import NewItem, Store, items, reviews, users  # noqa: E402

CLASSES = ["cat", "dog", "fox"]


def _item(i: int, confidence: float, decision: str = "review", label: str = "cat") -> NewItem:
    return NewItem(
        record={"n": i, "colour": f"c{i % 3}"}, label=label, confidence=confidence, decision=decision, reason="test"
    )


def _snapshot(store: Store) -> tuple:
    with store.engine.connect() as conn:
        its = conn.execute(sa.select(items.c.id, items.c.label).order_by(items.c.id)).all()
        query = sa.select(reviews.c.item_id, reviews.c.action, reviews.c.label).order_by(reviews.c.id)
        revs = conn.execute(query).all()
    return store.counts(), its, revs


@pytest.fixture
def loaded(store, tmp_path):
    model_file = tmp_path / "model.pkl"
    model_file.write_bytes(b"model bytes")
    store.add_model("v1", model_file, classes=CLASSES, promoted=True)
    batch = [
        _item(0, 0.9, "auto"),
        _item(1, 0.2, "abstain"),
        _item(2, 0.6),
        _item(3, 0.4, "blocked", "dog"),
        _item(4, 0.7),
    ]
    ids = store.add_items("v1", batch, batch_id="b0")
    return store, ids


def test_sqlite_pragmas(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'p.db'}")
    with s.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    s.close()


def test_models(store, tmp_path):
    f = tmp_path / "m.bin"
    f.write_bytes(b"abc")
    info = store.add_model("v1", f, classes=["a", "b"])
    assert info.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert info.classes == ("a", "b") and not info.promoted and info.created_at.tzinfo is not None
    store.add_model("v2", sha256="0" * 64, classes=["a", "b"], promoted=True)
    store.promote("v1")
    assert store.promoted_model().version == "v1"
    assert not store.get_model("v2").promoted
    with pytest.raises(ValueError, match="already registered"):
        store.add_model("v1", sha256="1" * 64, classes=["a"])
    with pytest.raises(ValueError, match="not registered"):
        store.promote("v9")
    assert store.promoted_model().version == "v1"
    with pytest.raises(ValueError, match="distinct"):
        store.add_model("v3", sha256="1" * 64, classes=["a", "a"])


def test_items_roundtrip_and_queue_order(loaded):
    store, ids = loaded
    item = store.get_item(ids[3])
    assert item.record == {"n": 3, "colour": "c0"} and item.decision == "blocked" and item.batch_id == "b0"
    assert item.label == "dog" and item.suggestion is None
    assert store.get_item(ids[2]).suggestion == "cat"
    assert store.get_item("00000000-0000-0000-0000-000000000000") is None
    assert [i.confidence for i in store.queue(10)] == [0.2, 0.4, 0.6, 0.7]  # auto items never queue
    assert [i.confidence for i in store.queue(2)] == [0.2, 0.4]
    assert store.batch_size("b0") == 5 and store.batch_size("nope") == 0


def test_add_items_is_all_or_nothing(loaded):
    store, ids = loaded
    before = _snapshot(store)
    bad_batches = [
        [_item(10, 0.5), _item(11, 0.5, label="wolf")],  # label not a class
        [_item(10, 0.5), _item(11, 1.5)],  # confidence out of range
        [_item(10, 0.5), _item(11, 0.5, decision="maybe")],
        [_item(10, 0.5), NewItem(record={"x": object()}, label="cat", confidence=0.5, decision="review", reason="")],
        [_item(10, 0.5), NewItem(record={}, label="cat", confidence=0.5, decision="review", reason="", id=ids[0])],
    ]
    for batch in bad_batches:
        with pytest.raises(ValueError):
            store.add_items("v1", batch)
    with pytest.raises(ValueError, match="already stored"):
        store.add_items("v1", [_item(12, 0.5)], batch_id="b0")
    with pytest.raises(ValueError, match="not registered"):
        store.add_items("v9", [_item(12, 0.5)])
    assert _snapshot(store) == before


def test_reviews(loaded):
    store, ids = loaded
    store.add_review(ids[1], "ann", "skip")
    assert ids[1] in [i.id for i in store.queue()]  # a skip leaves the item queued
    review = store.add_review(ids[1], "bob", "accept")
    assert review.label == "cat" and review.action == "accept"
    assert store.add_review(ids[3], "ann", "correct", "fox").label == "fox"
    assert store.add_review(ids[0], "ann", "correct", "dog").label == "dog"  # auto items can be spot-checked
    assert [r.action for r in store.reviews_of(ids[1])] == ["skip", "accept"]
    assert [i.id for i in store.queue()] == [ids[2], ids[4]]
    assert store.counts() == {
        "auto": 1,
        "review": 2,
        "abstain": 1,
        "blocked": 1,
        "total": 5,
        "reviewed": 3,
        "pending": 2,
    }


@pytest.mark.parametrize(
    ("which", "action", "label", "match"),
    [
        (None, "accept", None, "does not exist"),
        (2, "approve", None, "action must be one of"),
        (2, "correct", "wolf", "label must be one of the model's classes"),
        (2, "correct", None, "label must be one of the model's classes"),
        (2, "skip", "cat", "a skip carries no label"),
        (2, "accept", "dog", "accept keeps the model's label"),
        (3, "accept", None, "blocked item has no suggestion"),
        (1, "accept", None, "already has a final review"),
    ],
)
def test_bad_reviews_raise_and_change_nothing(loaded, which, action, label, match):
    store, ids = loaded
    store.add_review(ids[1], "ann", "correct", "dog")
    before = _snapshot(store)
    item_id = "11111111-1111-1111-1111-111111111111" if which is None else ids[which]
    with pytest.raises(ValueError, match=match):
        store.add_review(item_id, "ann", action, label)
    assert _snapshot(store) == before


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_reviewed(loaded, tmp_path, fmt):
    store, ids = loaded
    store.add_review(ids[2], "ann", "accept")
    store.add_review(ids[3], "ann", "correct", "fox")
    store.add_review(ids[4], "ann", "skip")
    path = tmp_path / f"out.{fmt}"
    assert store.export_reviewed(path) == 2
    frame = pd.read_csv(path) if fmt == "csv" else pd.read_parquet(path)
    assert list(frame.columns) == ["n", "colour", "label"]
    assert frame["n"].tolist() == [2, 3] and frame["label"].tolist() == ["cat", "fox"]
    with pytest.raises(ValueError, match="format must be"):
        store.export_reviewed(tmp_path / "out.txt")
    # A record field named like the label column is renamed, never a reason to refuse the export.
    assert store.export_reviewed(path, label_column="colour") == 2
    frame = pd.read_csv(path) if fmt == "csv" else pd.read_parquet(path)
    assert list(frame.columns) == ["n", "record.colour", "colour"] and frame["colour"].tolist() == ["cat", "fox"]


def test_export_empty(store, tmp_path):
    assert store.export_reviewed(tmp_path / "e.csv") == 0
    assert list(pd.read_csv(tmp_path / "e.csv").columns) == ["label"]


def test_users_and_tokens(store):
    token = store.add_user("ann")
    other = store.add_user("bob")
    assert store.check_token(token).name == "ann"
    assert store.check_token(other).name == "bob"
    assert store.check_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert store.check_token("") is None and store.check_token("pft_x_y") is None and store.check_token(None) is None
    with store.engine.connect() as conn:
        stored = conn.execute(sa.select(users.c.token_hash)).scalars().all()
    assert all(token not in h and token.split("_", 2)[2] not in h for h in stored)
    with pytest.raises(ValueError, match="already exists"):
        store.add_user("ann")
    with pytest.raises(ValueError, match="user name"):
        store.add_user(" ")


def test_reopen_keeps_data(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    with Store(url) as s:
        s.add_model("v1", sha256="0" * 64, classes=["a"])
        s.add_items("v1", [NewItem(record={"x": 1}, label="a", confidence=0.1, decision="abstain", reason="")])
    with Store(url) as s:
        assert s.counts()["abstain"] == 1


def test_schema_only_on_postgres(tmp_path):
    with pytest.raises(ValueError, match="only supported on PostgreSQL"):
        Store(f"sqlite:///{tmp_path / 's.db'}", schema="x")


def test_importing_deploy_does_not_load_sqlalchemy():
    import subprocess
    import sys

    code = "import sys, pitfall.deploy; print('sqlalchemy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"
    from pitfall.deploy import Store as LazyStore

    assert LazyStore is Store


def test_batch_ids_are_unique_across_threads(store):
    """Retries of one batch racing each other: exactly one is stored."""
    import threading

    store.add_model("v1", sha256="0" * 64, classes=["cat"])
    results: list[str] = []

    def retry() -> None:
        try:
            store.add_items("v1", [_item(i, 0.5) for i in range(5)], batch_id="same")
            results.append("ok")
        except ValueError as err:
            results.append(str(err))

    threads = [threading.Thread(target=retry) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert results.count("ok") == 1 and all("already stored" in r for r in results if r != "ok")
    assert store.batch_size("same") == 5
