"""The catalogue-language example: reproducible, and a scan finds its planted re-listings across the split."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pitfall
from pitfall.checks.evaluation.rules import load_rules

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
        generated / "train.csv",
        generated / "test.csv",
        target="language",
        id="entry_id",
        rules=generated / "rules.csv",
        select="PF201,PF202,PF203,PF401",
        config=False,
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


def _random_catalogue(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, object]:
    gen = _generator()
    rng = np.random.default_rng(seed)
    lang = rng.choice(list(gen.LANGUAGES), n)
    frame = pd.DataFrame({"text": [gen.entry(rng, lg) for lg in lang], "language": lang})
    cut = int(0.8 * n)
    return frame.iloc[:cut].reset_index(drop=True), frame.iloc[cut:].reset_index(drop=True), gen


def test_a_large_random_catalogue_repeats_its_template_by_chance_and_raises_no_alarm():
    """20,000 random entries: about 5% of test entries share a description with a training entry
    (another article number), which is chance; so are exact repeats once the numbers are gone."""
    train, test, _ = _random_catalogue(20_000, seed=0)
    report = pitfall.scan(train, test, target="language", text="text", select=["PF201", "PF202"], config=False)
    assert not report.findings and not report.crashed
    strip = {"text": lambda f: f["text"].str.rsplit(" ", n=2).str[0]}
    report = pitfall.scan(
        train.assign(**strip),
        test.assign(**strip),
        target="language",
        text="text",
        select=["PF201", "PF202"],
        config=False,
    )
    assert not report.findings and not report.crashed


def test_relistings_planted_in_a_large_catalogue_are_found():
    train, test, gen = _random_catalogue(20_000, seed=1)
    rng = np.random.default_rng(2)
    sources = rng.choice(len(train), 100, replace=False)
    test = test.copy()
    for k, i in enumerate(sources):
        test.loc[k, ["text", "language"]] = [
            gen.relist(rng, train.text[i], train.language[i], near=k >= 50),
            train.language[i],
        ]
    report = pitfall.scan(train, test, target="language", text="text", select=["PF201", "PF202"], config=False)
    found = {f.code: f.evidence["count"] for f in report.findings}
    assert found["PF201"] == 50
    assert 45 <= found["PF202"] <= 50  # a changed size can take a short entry below Jaccard 0.8
