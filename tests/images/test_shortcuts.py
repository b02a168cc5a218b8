"""PF301 (image descriptors), PF302 (colour ablations) and PF401 (pixel-variance rule) on images."""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd
import pytest

from pitfall import scan

from .synth import noise_signal, page, placed_folder, save, shapes_folder


def _codes(report):
    return {f.code: f for f in report.findings}


@pytest.fixture(scope="module")
def chime(tmp_path_factory):
    """Radio frames whose classes differ only in the spread of the noise (the CHIME case)."""
    root = tmp_path_factory.mktemp("chime")
    rng = np.random.default_rng(0)
    for i in range(120):
        save(root / "burst", f"b{i}", noise_signal(rng, 30))
        save(root / "rfi", f"r{i}", noise_signal(rng, 22))
    return root


@pytest.fixture(scope="module")
def placed(tmp_path_factory):
    """Label = which half the shape is in, colours random: structure, not statistics or colour."""
    return placed_folder(tmp_path_factory.mktemp("placed"), 100, seed=0)


def test_std_alone_separates_the_classes(chime):
    report = scan(chime, select=["PF301"])
    f = _codes(report)["PF301"]
    ev = f.evidence
    assert ev["modality"] == "image" and f.columns == ("path",)
    assert ev["statistics"]["std"] >= 0.9 and ev["top_statistic"] in ("std", "file_size")
    assert ev["summary_model"]["low"] > ev["dummy"]["high"]
    assert "each image's descriptors in 'path'" in f.message
    assert set(report.metrics["image_shortcuts"]["path"]) >= {"model", "summary_model", "dummy", "statistics"}


def test_structure_not_statistics_stays_silent(placed):
    report = scan(placed, select=["PF301", "PF302"])
    assert report.findings == []
    scores = report.metrics["image_shortcuts"]["path"]
    assert scores["model"]["low"] > 0.6  # the model learns the task the statistics cannot
    assert set(report.metrics["image_ablations"]["path"]) == {"grayscale", "channel_permutation"}


def test_colour_shortcut_is_found_by_the_gray_ablation(tmp_path):
    # spirals are blue: the label follows colour, the shape hardly (equal areas, random sizes)
    root = shapes_folder(tmp_path / "blue", 100, seed=2, colours={"circle": (60, 90, 220), "square": (220, 70, 60)})
    report = scan(root, select=["PF302"])
    f = _codes(report)["PF302"]
    ev = f.evidence
    assert ev["modality"] == "image" and ev["method"].startswith("ablated copies")
    assert ev["ablations"]["grayscale"]["low"] > 0
    assert ev["ablations"]["grayscale"]["estimate"] >= ev["minimum_reliance"]
    assert ev["images_changed"] == report.inputs["n_test"]
    assert not list(root.rglob("*gray*"))  # the copies went to a temporary folder


def test_gray_images_are_not_ablated(chime):
    report = scan(chime, select=["PF302"])
    assert "PF302" not in _codes(report) and "image_ablations" not in report.metrics


class PathReader:
    """A user's model that reads the label from the folder name, wrong on a fixed quarter of
    the files: better than guessing, worse than the blank-page rule."""

    classes_ = np.array(["blank", "text"])

    def fit(self, X, y):
        return self

    def predict(self, X):
        paths = pd.DataFrame(X)["path"].astype(str)
        truth = paths.str.split("/").str[-2]
        wrong = paths.map(lambda p: zlib.crc32(p.encode()) % 4 == 0)
        return np.where(wrong, np.where(truth == "blank", "text", "blank"), truth)

    def predict_proba(self, X):
        pred = self.predict(X)
        return np.column_stack([pred == "blank", pred == "text"]).astype(float) * 0.8 + 0.1


def test_the_blank_page_rule_beats_a_weak_model(tmp_path):
    rng = np.random.default_rng(3)
    for i in range(100):
        save(tmp_path / "pages" / "blank", f"p{i}", page(rng, blank=True))
        save(tmp_path / "pages" / "text", f"p{i}", page(rng, blank=False))
    report = scan(tmp_path / "pages", select=["PF401"], model=PathReader())
    f = _codes(report)["PF401"]
    assert f.evidence["compared_with"] == "rule: pixel variance(path)" and f.columns == ("path",)
    assert f.severity.value == "warning"
    rule = report.metrics["scores"]["values"]["rule: pixel variance(path)"]
    assert rule["low"] > 0.95
    assert report.metrics["scores"]["model_minus_baseline"]["rule: pixel variance(path)"]["high"] < 0


def test_the_rule_is_scored_but_silent_when_the_model_beats_it(placed):
    report = scan(placed, select=["PF401"])
    assert report.findings == []
    values = report.metrics["scores"]["values"]
    assert "rule: pixel variance(path)" in values and "rule: path" not in values
    assert values["model"]["estimate"] > values["rule: pixel variance(path)"]["estimate"]


class BlueReader:
    """A user's model that opens each image file and calls it a circle when it is bluish."""

    classes_ = np.array(["circle", "square"])

    def __init__(self, root):
        self.root = root

    def _blueness(self, X):
        from PIL import Image

        out = []
        for p in pd.DataFrame(X)["path"]:
            path = p if str(p).startswith("/") else f"{self.root}/{p}"
            a = np.asarray(Image.open(path).convert("RGB"), dtype=float)
            out.append(a[..., 2].mean() - a[..., 0].mean())
        return np.array(out)

    def fit(self, X, y):
        return self

    def predict(self, X):
        return np.where(self._blueness(X) > 0, "circle", "square")

    def predict_proba(self, X):
        p = 1 / (1 + np.exp(-self._blueness(X) / 5))
        return np.column_stack([p, 1 - p])


def test_colour_ablation_judges_a_users_model_that_reads_paths(tmp_path):
    root = shapes_folder(tmp_path / "blue", 60, seed=4, colours={"circle": (60, 90, 220), "square": (220, 70, 60)})
    report = scan(root, select=["PF302"], model=BlueReader(root))
    f = _codes(report)["PF302"]
    assert f.severity.value == "warning"  # colour is all this model knows
    assert f.evidence["model_source"] == "user"
    assert f.evidence["ablations"]["grayscale"]["estimate"] >= 0.4
