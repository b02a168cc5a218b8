"""The ``--embed`` hook (a user's embedding instead of TF-IDF) and detection of free-text columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pitfall
from pitfall.data.content_model import ContentModel
from pitfall.data.detect import detect_text_columns
from pitfall.data.embed import EmbeddingFeatures, resolve_embed
from pitfall.errors import ConfigError, ModelError
from tests.text import embedder
from tests.text.synthetic import language_id, split


def test_content_model_reads_the_embedding_instead_of_tfidf():
    train, test = split(language_id(0, n=600), 0)
    before = len(embedder.calls)
    model = ContentModel(task="multiclass", modality={"text": "text"}, embed=embedder.embed).fit(
        train[["text"]], train["lang"]
    )
    steps = dict(model.pipeline_.named_steps["features"].named_transformers_)
    assert list(steps) == ["embed:text"]
    assert isinstance(steps["embed:text"].steps[0][1], EmbeddingFeatures)
    assert embedder.calls[before:] == [len(train)]  # one call on the training texts
    accuracy = (model.predict(test[["text"]]) == test["lang"]).mean()
    assert accuracy > 0.9  # trigram counts tell these languages apart


def test_scan_with_embed_uses_it_and_names_it():
    train, test = split(language_id(1, n=600), 1)
    for spec in (embedder.embed, "tests.text.embedder:embed"):
        report = pitfall.scan(train, test, target="lang", text="text", embed=spec, select="PF401", config=False)
        assert report.inputs["embed"] == "tests.text.embedder:embed"
        scores = report.metrics["scores"]
        assert scores["model_minus_baseline"]["majority"]["low"] > 0.4


def test_bad_embed_specs_and_outputs_are_clear_errors():
    with pytest.raises(ConfigError, match="must be `module:function`"):
        resolve_embed("no_colon")
    with pytest.raises(ConfigError, match="cannot import module 'no_such_module_xyz'"):
        resolve_embed("no_such_module_xyz:embed")
    with pytest.raises(ConfigError, match="has no function 'absent'"):
        resolve_embed("tests.text.embedder:absent")
    train, test = split(language_id(2, n=200), 2)
    with pytest.raises(ModelError, match="must return a 2-D array with one row per record"):
        pitfall.scan(train, test, target="lang", text="text", embed=embedder.wrong_shape, select="PF401", config=False)


def _mixed_frame(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    texts = language_id(seed, n=n)
    return pd.DataFrame(
        {
            "description": texts["text"],
            "city": rng.choice(["New York", "Los Angeles", "San Francisco", "Rio de Janeiro"], size=n),
            "sku": [f"SKU-{i:06d}" for i in range(n)],
            "name": [f"{rng.choice(['Ann', 'Bob', 'Eve'])} {rng.choice(['Smith', 'Jones'])}" for _ in range(n)],
            "title": [f"item no {i}" for i in range(n)],  # unique, 3 words, but short (< 15 characters)
            "price": rng.normal(size=n),
            "label": texts["lang"],
        }
    )


def test_detection_takes_long_multiword_unique_strings_only():
    frame = _mixed_frame()
    assert detect_text_columns(frame, {"label"}) == ["description"]
    assert detect_text_columns(frame, {"label", "description"}) == []


def test_scan_detects_text_and_says_so():
    train, test = split(_mixed_frame(seed=3), 3)
    report = pitfall.scan(train, test, target="label", select="PF201", config=False)
    assert report.inputs["text"] == ["description"]
    assert any("'description'" in note and "--text" in note for note in report.notes)
    off = pitfall.scan(train, test, target="label", text=False, select="PF201", config=False)
    assert off.inputs["text"] == [] and not any("free text" in n for n in off.notes)


def test_image_paths_reach_the_embedding_as_absolute_paths(tmp_path):
    (tmp_path / "img").mkdir()
    for i in range(40):
        (tmp_path / "img" / f"{i}.bin").write_bytes(b"x" * (10 + 50 * (i % 2)))
    frame = pd.DataFrame({"path": [f"img/{i}.bin" for i in range(40)], "label": ["small", "big"] * 20})
    model = ContentModel(task="binary", modality={"path": "image"}, root=str(tmp_path), embed=embedder.file_sizes)
    model.fit(frame[["path"]], frame["label"])  # fails unless every relative path was made absolute under root
    assert (model.predict(frame[["path"]]) == frame["label"]).all()
