"""Retraining on reviewed items: corrections that fix a planted error are promoted, garbage labels are not."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sqlalchemy", reason="the serve extra (SQLAlchemy) is not installed")

from pitfall.deploy.model_files import load_stored_model  # noqa: E402
from pitfall.deploy.store import NewItem, Store  # noqa: E402
from pitfall.errors import ConfigError, InputError, ModelError  # noqa: E402
from pitfall.runners.retrain import retrain  # noqa: E402

from ._retrain_data import N_HOLDOUT, N_REVIEWED, N_TRAIN, make, scenario  # noqa: E402


@pytest.fixture
def sqlite_store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'retrain.db'}")
    yield s
    s.close()


def _site_b_accuracy(model, holdout) -> float:
    rows = holdout[holdout["site"] == "B"]
    return float(np.mean(model.predict(rows.drop(columns="y")) == rows["y"].to_numpy()))


def test_corrections_of_a_systematic_error_are_promoted(sqlite_store):
    s = scenario(sqlite_store, seed=0, reviewers="truth")
    result = retrain(sqlite_store, s["train"], s["holdout"], target="y", trust_model=True, config=False)
    assert result.promoted and result.exit_code() == 0 and result.reasons == []
    # The new model fixes the planted region: site B, where the parent was wrong for x1 in (0, 1.5].
    assert _site_b_accuracy(s["model"], s["holdout"]) < 0.85 < 0.95 < _site_b_accuracy(result.model, s["holdout"])
    assert result.difference.low > 0 and result.new.estimate > result.old.estimate
    assert result.n_train == N_TRAIN and result.n_reviewed == N_REVIEWED and result.n_holdout == N_HOLDOUT
    assert result.n_corrected > 0 and result.added_errors == []
    assert sqlite_store.promoted_model().version == result.version != s["version"]
    stored = sqlite_store.model_file(result.version)
    assert stored.parent == s["version"] and stored.n_train_rows == N_TRAIN
    assert len(stored.reviewed_items) == N_REVIEWED
    assert stored.scores["promoted"] is True and stored.scores["scores"]["difference"]["low"] > 0
    assert stored.scores["seeds"]["seed"] == 0 and stored.scores["metric"] == "balanced_accuracy"
    reloaded = load_stored_model(sqlite_store, result.version, trust=True)
    X = s["holdout"].drop(columns="y")
    assert (reloaded.predict(X) == result.model.predict(X)).all()
    text = result.to_text()
    assert "PROMOTED" in text and "new − parent: +" in text and f"{N_REVIEWED} reviewed items" in text


def test_flipped_labels_are_not_promoted_and_the_parent_stays(sqlite_store):
    s = scenario(sqlite_store, seed=1, reviewers="flipped", share_b=0.5)
    result = retrain(sqlite_store, s["train"], s["holdout"], target="y", trust_model=True, config=False)
    assert not result.promoted and result.exit_code() == 1
    assert result.difference.high < -0.01 and "may be worse" in result.reasons[0]
    assert sqlite_store.promoted_model().version == s["version"]
    info = sqlite_store.get_model(result.version)
    assert info is not None and not info.promoted  # kept, with its evidence, but not served
    assert sqlite_store.model_file(result.version).scores["reasons"] == result.reasons
    assert "NOT PROMOTED" in result.to_text() and s["version"] in result.to_text()


def test_a_new_error_level_finding_blocks_promotion(sqlite_store):
    # So many flipped reviews that the refit learns the inverse rule: worse than guessing, PF401 at error level.
    s = scenario(sqlite_store, seed=2, reviewers="flipped", n_reviewed=1500, share_b=0.0)
    result = retrain(sqlite_store, s["train"], s["holdout"], target="y", trust_model=True, config=False)
    assert not result.promoted
    assert "PF401" in result.added_errors and not any(f["code"] == "PF401" for f in result.old_errors)
    assert any("error-level finding" in r and "PF401" in r for r in result.reasons)


def test_unchanged_distribution_with_true_labels_is_not_refused(sqlite_store):
    # Reviews of the same population the parent was trained on: the refit is about as good, so it passes. With
    # 400 holdout rows 7.5% of such runs are refused (docs/false-alarms.md); with 1,600, none of 40 were.
    s = scenario(sqlite_store, seed=3, reviewers="truth", share_b=0.0)
    holdout = make(1600, np.random.default_rng(20_003), 0.5)
    result = retrain(sqlite_store, s["train"], holdout, target="y", trust_model=True, config=False)
    assert abs(result.difference.estimate) < 0.01 and result.difference.high - result.difference.low < 0.03
    assert result.promoted, result.reasons


def test_reviewed_rows_are_left_out_of_the_holdout(sqlite_store):
    s = scenario(sqlite_store, seed=4, reviewers="truth")
    holdout = s["holdout"]
    leaked = holdout.head(25)
    ids = sqlite_store.add_items(
        s["version"],
        [
            NewItem(record=rec, label="0", confidence=0.7, decision="review", reason="test")
            for rec in leaked.drop(columns="y").to_dict("records")
        ],
    )
    for item_id, y in zip(ids, leaked["y"], strict=True):
        sqlite_store.add_review(item_id, "ann", "correct", str(y)) if y else sqlite_store.add_review(
            item_id, "ann", "accept"
        )
    result = retrain(sqlite_store, s["train"], holdout, target="y", trust_model=True, config=False, save=False)
    assert result.n_holdout_dropped == 25 and result.n_holdout == N_HOLDOUT - 25
    assert any("25 holdout rows" in n for n in result.notes)
    assert not result.stored and sqlite_store.get_model(result.version) is None


def test_seeds_make_the_result_repeatable(sqlite_store, tmp_path):
    s = scenario(sqlite_store, seed=5, reviewers="truth")
    a = retrain(sqlite_store, s["train"], s["holdout"], target="y", trust_model=True, config=False, save=False)
    b = retrain(sqlite_store, s["train"], s["holdout"], target="y", trust_model=True, config=False, save=False)
    assert a.data == b.data and a.difference == b.difference and a.version == b.version


def test_records_that_do_not_match_the_training_columns_are_refused(sqlite_store):
    s = scenario(sqlite_store, seed=6, reviewers="truth", n_reviewed=30)
    train = s["train"].assign(x3=1.0)
    with pytest.raises(InputError, match="feature columns differ"):
        retrain(sqlite_store, train, s["holdout"], target="y", trust_model=True, config=False)
    wrong = sqlite_store.add_items(
        s["version"],
        [NewItem(record={"x1": 0.5, "site": "A"}, label="1", confidence=0.7, decision="review", reason="t")],
    )
    sqlite_store.add_review(wrong[0], "ann", "accept")
    with pytest.raises(InputError, match=r"1 of 31 reviewed items lack the training data's feature column 'x2'"):
        retrain(sqlite_store, s["train"], s["holdout"], target="y", trust_model=True, config=False)


def test_bad_input_is_one_clear_error(sqlite_store, tmp_path):
    with pytest.raises(ConfigError, match="no promoted model"):
        retrain(sqlite_store, tmp_path / "t.csv", tmp_path / "h.csv", target="y", trust_model=True)
    s = scenario(sqlite_store, seed=7, reviewers="truth", n_reviewed=30)
    with pytest.raises(ModelError, match="--trust-model"):
        retrain(sqlite_store, s["train"], s["holdout"], target="y")
    with pytest.raises(InputError, match="no column 'label' in the training data"):
        retrain(sqlite_store, s["train"], s["holdout"], target="label", trust_model=True)
    with pytest.raises(ConfigError, match="--margin"):
        retrain(sqlite_store, s["train"], s["holdout"], target="y", trust_model=True, margin=-0.1)
    with pytest.raises(InputError, match="holdout has 10 labelled rows"):
        retrain(sqlite_store, s["train"], s["holdout"].head(10), target="y", trust_model=True, config=False)
    relabelled = s["train"].assign(y=s["train"]["y"].map({0: "no", 1: "yes"}))
    with pytest.raises(InputError, match="has label.* 'no', 'yes' that model version"):
        retrain(sqlite_store, relabelled, s["holdout"], target="y", trust_model=True, config=False)
