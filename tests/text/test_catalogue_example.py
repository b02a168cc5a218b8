"""The catalogue-language example: reproducible, and a scan finds its planted re-listings across the split."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pitfall
from pitfall.modalities.rules import load_rules

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
COMMITTED = EXAMPLES / "catalogue_language"


def _generator():
    spec = importlib.util.spec_from_file_location("generate_catalogue", EXAMPLES / "generate_catalogue.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("catalogue")
    _generator().main(out)
    return out


def test_generator_reproduces_the_committed_files(generated):
    for name in ("train.csv", "test.csv", "rules.csv"):
        assert (generated / name).read_bytes() == (COMMITTED / name).read_bytes(), name


def test_scan_finds_the_relistings_and_scores_the_rules(generated):
    gen = _generator()
    report = pitfall.scan(
        generated / "train.csv", generated / "test.csv", target="language", id="entry_id",
        rules=generated / "rules.csv", select="PF201,PF202,PF203,PF401", config=False,
    )
    assert report.inputs["text"] == ["text"]  # detected: long, multi-word, unique entries
    found = {f.code: f for f in report.findings}
    assert found["PF201"].evidence["count"] == gen.EXACT_RELISTINGS
    near = found["PF202"].evidence
    assert 0.7 * gen.NEAR_RELISTINGS <= near["count"] <= gen.NEAR_RELISTINGS  # a changed size can fall below 0.8
    assert all(ex["jaccard"] >= 0.8 for ex in near["examples"])
    scores = report.metrics["scores"]
    assert scores["values"]["regex: rules.csv"]["estimate"] > 0.9
    assert scores["model_minus_baseline"]["regex: rules.csv"]["low"] > 0  # the model beats the rules overall
    assert not [f for f in report.findings if f.code == "PF401"]


def test_the_german_rule_is_nearly_as_good_as_a_model(generated):
    test = pd.read_csv(generated / "test.csv")
    labels, _ = load_rules(generated / "rules.csv").apply(test["text"].to_numpy(dtype=object))
    german = (test["language"] == "de").to_numpy()
    said_german = labels == "de"
    assert said_german[german].mean() > 0.9  # recall: the rule is case-sensitive, upper-case re-listings slip
    assert german[said_german].mean() == 1.0  # precision
    assert np.mean(labels[~german & ~pd.isna(labels)] == test["language"].to_numpy()[~german & ~pd.isna(labels)]) > 0.9
