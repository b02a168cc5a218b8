"""What ``Store.add_items`` accepts as a record: plain JSON values, checked before anything is written.

Flat records of plain scalars skip the encode-to-check step; these tests pin that every other record still gets
the full check, on SQLite and PostgreSQL."""

from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("sqlalchemy", reason="the serve extra (SQLAlchemy) is not installed")

from pitfall.deploy.store import NewItem  # noqa: E402


def _new(record: dict) -> NewItem:
    return NewItem(record=record, label="cat", confidence=0.5, decision="review", reason="test")


@pytest.fixture
def registered(store):
    store.add_model("v1", sha256="0" * 64, classes=["cat", "dog"], promoted=True)
    return store


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, np.float64("nan"), object(), {1, 2}, b"raw"])
def test_records_that_are_not_json_are_refused_and_nothing_is_written(registered, value):
    with pytest.raises(ValueError, match="JSON values"):
        registered.add_items("v1", [_new({"x": 1.0}), _new({"x": value})])
    assert registered.counts()["total"] == 0


@pytest.mark.parametrize(
    "record",
    [
        {"s": "a", "i": 3, "f": -0.25, "b": True, "n": None},  # the flat record /predict stores
        {"nested": {"a": [1, 2.5, None]}, "list": ["x", False]},
        {"big": 2**40, "tiny": 5e-324, "unicode": "héron <b>"},
        {"np": np.float64(0.5)},  # a float subclass: checked by encoding, stored as a number
    ],
)
def test_json_records_are_stored_as_sent(registered, record):
    (item_id,) = registered.add_items("v1", [_new(record)])
    assert registered.get_item(item_id).record == record
