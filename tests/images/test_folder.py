"""An image folder as DATA: class folders, a given train/test split, a CSV of paths, and
one-line errors for folders pitfall cannot use."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from pitfall import scan
from pitfall.cli.main import main
from pitfall.errors import InputError
from pitfall.runners.scan import build_split

from .synth import save, shapes_folder, smooth_field

FAST = ["PF107", "PF201"]


def test_class_folders_give_paths_labels_and_a_stratified_split(tmp_path):
    root = shapes_folder(tmp_path / "shapes", 25, seed=0)
    (root / "circle" / "notes.txt").write_text("not an image")
    (root / "square" / ".hidden.png").write_bytes(b"")
    split = build_split(str(root), seed=0)
    assert split.roles.target == "label" and split.roles.image == ("path",)
    assert split.root == str(root.resolve())
    assert split.split_method == "random" and len(split.train) + len(split.test) == 50
    assert split.test["label"].value_counts().tolist() == [5, 5]  # stratified
    assert all(p.startswith(("circle/", "square/")) and p.endswith(".png") for p in split.train["path"])


def test_train_and_test_folders_are_kept_as_given(tmp_path):
    rng = np.random.default_rng(0)
    for side, n in (("train", 6), ("test", 3)):
        for label in ("cat", "dog"):
            for i in range(n):
                save(tmp_path / side / label, f"{i}", smooth_field(rng, 16), fmt="jpg")
    split = build_split(tmp_path)
    assert split.split_method == "given" and (len(split.train), len(split.test)) == (12, 6)
    assert split.test["path"].str.startswith("test/").all()
    report = scan(tmp_path, select=FAST)
    assert report.inputs["target"] == "label" and report.inputs["image"] == ["path"]


def test_csv_of_paths_with_image_option(tmp_path, capsys):
    root = shapes_folder(tmp_path / "imgs", 10, seed=1)
    rows = [(p.relative_to(tmp_path).as_posix(), p.parent.name) for p in sorted(root.rglob("*.png"))]
    pd.DataFrame(rows, columns=["file", "shape"]).to_csv(tmp_path / "data.csv", index=False)
    rc = main(
        [
            "scan",
            str(tmp_path / "data.csv"),
            "--target",
            "shape",
            "--image",
            "file",
            "--select",
            "PF107",
            "--format",
            "json",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert rc == 0 and out["inputs"]["image"] == ["file"] and out["findings"] == []


def _error(capsys, *args):
    rc = main(["scan", *map(str, args), "--select", "PF107"])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and err.startswith("pitfall: error:") and "\n" not in err
    return err


def test_empty_folder(tmp_path, capsys):
    (tmp_path / "cats").mkdir()
    (tmp_path / "cats" / "readme.md").write_text("x")
    assert "no image files" in _error(capsys, tmp_path)
    with pytest.raises(InputError, match="class folders"):
        build_split(tmp_path)


def test_one_class_folder(tmp_path, capsys):
    save(tmp_path / "cats", "a", smooth_field(np.random.default_rng(0), 8))
    assert "only one class folder ('cats')" in _error(capsys, tmp_path)


def test_train_without_test(tmp_path, capsys):
    save(tmp_path / "train" / "cats", "a", smooth_field(np.random.default_rng(0), 8))
    assert "no test folder" in _error(capsys, tmp_path)


def test_other_target_or_a_second_path(tmp_path, capsys):
    root = shapes_folder(tmp_path / "s", 3, seed=0)
    assert "leave --target out" in _error(capsys, root, "--target", "kind")
    with pytest.raises(InputError, match="is a directory.*image folder alone"):
        build_split(root, root)


def test_target_still_required_for_files(tmp_path, capsys):
    pd.DataFrame({"a": [1, 2], "b": [0, 1]}).to_csv(tmp_path / "d.csv", index=False)
    assert "--target is required" in _error(capsys, tmp_path / "d.csv")


def test_cli_scans_a_folder_without_target(tmp_path, capsys):
    root = shapes_folder(tmp_path / "shapes", 12, seed=3)
    (root / "circle" / "broken.png").write_bytes(b"not a png")
    rc = main(["scan", str(root), "--select", "PF107", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0  # PF107 is a warning; --fail-on defaults to error
    assert out["inputs"]["target"] == "label" and out["inputs"]["data"] == str(root.resolve())
    assert [f["code"] for f in out["findings"]] == ["PF107"]
