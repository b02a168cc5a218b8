"""Model files in the store on SQLite and PostgreSQL: bytes round-trip, lineage, integrity, old databases."""

from __future__ import annotations

import hashlib
import os

import joblib
import numpy as np
import pandas as pd
import pytest

sa = pytest.importorskip("sqlalchemy", reason="the serve extra (SQLAlchemy) is not installed")

from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from pitfall.cli.main import main  # noqa: E402
from pitfall.deploy import store as store_module  # noqa: E402
from pitfall.deploy.model_files import dump_model, load_stored_model, version_for  # noqa: E402
from pitfall.deploy.store import NewItem, Store, model_files  # noqa: E402
from pitfall.errors import ConfigError, ModelError  # noqa: E402


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=120), "b": rng.normal(size=120)})
    y = np.where(X["a"] + 0.3 * X["b"] > 0, "yes", "no")
    return make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y), X


def test_model_bytes_round_trip_with_lineage(store, fitted):
    model, X = fitted
    data = dump_model(model)
    parent = version_for("model", data)
    assert parent == f"model-{hashlib.sha256(data).hexdigest()[:12]}"
    store.save_model_file(parent, data, classes=["no", "yes"], promoted=True)
    # A large blob as well: PostgreSQL BYTEA and SQLite BLOB must both keep every byte.
    big = data + os.urandom(3 << 20)
    child = version_for(parent, big)
    assert child.startswith("model-") and child.count("-") == 1  # the parent's hash is replaced, not stacked
    saved = store.save_model_file(
        child,
        big,
        classes=["no", "yes"],
        parent=parent,
        n_train_rows=120,
        reviewed_items=["i1", "i2"],
        scores={"difference": {"low": -0.004}},
    )
    assert saved.size == len(big) and saved.sha256 == hashlib.sha256(big).hexdigest()
    assert store.model_bytes(child) == big and store.model_bytes(parent) == data
    assert store.model_bytes("nope") is None and store.model_file("nope") is None
    loaded = load_stored_model(store, parent, trust=True)
    assert (loaded.predict(X) == model.predict(X)).all()
    listing = store.list_models()
    assert [(e.info.version, e.info.promoted) for e in listing] == [(parent, True), (child, False)]
    lineage = listing[1].file
    assert lineage.parent == parent and lineage.n_train_rows == 120 and lineage.reviewed_items == ("i1", "i2")
    assert lineage.scores == {"difference": {"low": -0.004}} and lineage.created_at.tzinfo is not None
    assert listing[0].file.parent is None and listing[0].file.scores == {}


def test_model_files_refuse_what_would_break_lineage(store, fitted):
    model, _ = fitted
    data = dump_model(model)
    with pytest.raises(ValueError, match="not registered"):
        store.save_model_file("v1", data)
    store.add_model("v1", sha256=hashlib.sha256(data).hexdigest(), classes=["no", "yes"], promoted=True)
    with pytest.raises(ValueError, match="do not match|registered with"):
        store.save_model_file("v1", data + b"x")
    with pytest.raises(ValueError, match="parent model version 'v0' is not registered"):
        store.save_model_file("v1", data, parent="v0")
    store.save_model_file("v1", data)
    with pytest.raises(ValueError, match="already stored"):
        store.save_model_file("v1", data)
    with pytest.raises(ValueError, match="already registered"):
        store.save_model_file("v1", data, classes=["no", "yes"])
    with pytest.raises(ValueError, match="finite JSON"):
        store.save_model_file("v2", b"other", classes=["no", "yes"], scores={"x": float("nan")})
    assert store.get_model("v2") is None  # the failed save registered nothing
    with pytest.raises(ModelError, match="--trust-model"):
        load_stored_model(store, "v1", trust=False)
    with store._writer.begin() as conn:  # someone edits the blob behind pitfall's back
        conn.execute(model_files.update().values(data=b"tampered").where(model_files.c.version == "v1"))
    with pytest.raises(ModelError, match="do not match its registered sha256"):
        load_stored_model(store, "v1", trust=True)
    store.add_model("v3", sha256="0" * 64, classes=["no", "yes"])
    with pytest.raises(ConfigError, match="has no stored file"):
        load_stored_model(store, "v3", trust=True)


def test_a_database_made_before_model_files_still_opens(tmp_path, fitted):
    """The old schema is every table but pitfall_model_files; opening it adds the table and keeps the rows."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = sa.MetaData()
    for table in store_module.metadata.sorted_tables:
        if table.name != "pitfall_model_files":
            table.to_metadata(old)
    engine = sa.create_engine(url)
    old.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            old.tables["pitfall_models"]
            .insert()
            .values(
                version="m-old",
                sha256="0" * 64,
                classes=["no", "yes"],
                promoted=True,
                created_at=pd.Timestamp("2026-01-01", tz="UTC").to_pydatetime(),
            )
        )
    engine.dispose()
    assert "pitfall_model_files" not in sa.inspect(sa.create_engine(url)).get_table_names()
    with Store(url) as s:
        assert s.promoted_model().version == "m-old" and s.model_file("m-old") is None
        assert [(e.info.version, e.file) for e in s.list_models()] == [("m-old", None)]
        ids = s.add_items(
            "m-old", [NewItem(record={"a": 1.0, "b": 0.0}, label="yes", confidence=0.5, decision="review", reason="t")]
        )
        s.add_review(ids[0], "ann", "accept")
        assert [r.label for r in s.reviewed_items()] == ["yes"]
        model, _ = fitted
        data = dump_model(model)
        s.save_model_file("m-new", data, classes=["no", "yes"], parent="m-old", promoted=True)
        assert s.model_file("m-new").parent == "m-old"
    with Store(url) as again:  # and reopens
        assert again.promoted_model().version == "m-new" and again.model_bytes("m-new") == data


def test_serve_without_model_needs_a_promoted_stored_model(tmp_path, fitted, capsys):
    policy = tmp_path / "policy.toml"
    policy.write_text("[thresholds]\naccept = 0.9\nreview = 0.6\n")
    url = f"sqlite:///{tmp_path / 's.db'}"
    args = ["serve", "--policy", str(policy), "--store", url, "--port", "1"]

    def error(extra: list[str]) -> str:
        assert main(args + extra) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("pitfall: error:") and "\n" not in err
        return err

    assert "has no promoted model. Give a MODEL file" in error(["--trust-model"])
    with Store(url) as s:
        s.add_model("m1", sha256="0" * 64, classes=["no", "yes"], promoted=True)
    assert "'m1' has no stored file" in error(["--trust-model"])
    model, _ = fitted
    path = tmp_path / "model.joblib"
    joblib.dump(model, path)
    with Store(url) as s:
        data = path.read_bytes()
        s.save_model_file(version_for("model", data), data, classes=["no", "yes"], promoted=True)
    assert "Pass --trust-model if you trust this store" in error([])
