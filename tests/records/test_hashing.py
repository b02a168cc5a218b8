"""Row hashes ignore row and column order and nothing else; file hashes are byte exact."""

import numpy as np
import pandas as pd

from pitfall.records.hashing import file_sha256, path_digest, rows_digest


def _frame(seed=0, n=500):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"a": rng.normal(size=n), "b": rng.integers(0, 5, n), "c": rng.choice(["x", "y"], n)})


def test_rows_digest_ignores_row_and_column_order():
    frame = _frame()
    shuffled = frame.sample(frac=1, random_state=3)[["c", "a", "b"]].reset_index(drop=True)
    assert rows_digest(shuffled) == rows_digest(frame)


def test_rows_digest_sees_one_changed_value_a_dropped_row_and_a_duplicated_row():
    frame = _frame()
    base = rows_digest(frame)
    changed = frame.copy()
    changed.loc[17, "a"] += 1e-9
    assert rows_digest(changed) != base
    assert rows_digest(frame.drop(index=3)) != base
    assert rows_digest(pd.concat([frame, frame.iloc[[5]]])) != base
    assert rows_digest(frame.rename(columns={"a": "z"})) != base


def test_shuffled_csv_reexport_keeps_rows_hash_not_file_hash(tmp_path):
    from pitfall.data.load import read_table

    frame = _frame()
    frame.to_csv(tmp_path / "a.csv", index=False)
    frame.sample(frac=1, random_state=1).to_csv(tmp_path / "b.csv", index=False)
    assert file_sha256(tmp_path / "a.csv") != file_sha256(tmp_path / "b.csv")
    assert rows_digest(read_table(tmp_path / "a.csv")) == rows_digest(read_table(tmp_path / "b.csv"))


def test_folder_digest_changes_with_any_file(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "1.txt").write_text("one")
    (tmp_path / "x" / "2.txt").write_text("two")
    first = path_digest(tmp_path / "x")
    assert first["files"] == 2 and first["kind"] == "folder"
    (tmp_path / "x" / "2.txt").write_text("Two")
    assert path_digest(tmp_path / "x")["sha256"] != first["sha256"]
