"""PF301 on text: length or boilerplate that decides the class fires; clean language and topic data stay silent."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pitfall
from pitfall.checks.shortcuts.text_statistics import TEXT_STATISTICS, boilerplate_strings, text_statistics
from tests.text.synthetic import _SYLLABLES, language_id, sentence, split, topics, vocabulary


def _pf301(train, test, target):
    report = pitfall.scan(train, test, target=target, text="text", select="PF301", config=False)
    assert not report.crashed and "PF301" not in report.skipped, (report.crashed, report.skipped)
    return [f for f in report.findings if f.code == "PF301"], report


def test_statistics_of_records():
    texts = np.array(["Hello World 42!", "", "a b\nUnsubscribe here now please"], dtype=object)
    boiler = {"line:unsubscribe here now please"}
    s = text_statistics(texts, boiler)
    row = dict(zip(TEXT_STATISTICS, s[0], strict=True))
    assert row["chars"] == 15 and row["words"] == 3
    assert row["digits"] == pytest.approx(2 / 15) and row["uppercase"] == pytest.approx(2 / 10)
    assert row["punctuation"] == pytest.approx(1 / 15) and row["whitespace"] == pytest.approx(2 / 15)
    assert s[1].tolist() == [0.0] * len(TEXT_STATISTICS)
    assert s[2, TEXT_STATISTICS.index("boilerplate")] == 1


def test_boilerplate_needs_one_percent_and_five_records():
    texts = np.array([f"record {i} text\nSent from my phone" for i in range(6)] + ["other words here"], dtype=object)
    assert "line:sent from my phone" in boilerplate_strings(texts)
    assert "line:sent from my phone" not in boilerplate_strings(texts[:4])


def test_footer_that_decides_the_class_fires():
    frame = language_id(1, n=1000, languages=1)
    labels = np.random.default_rng(1).choice(["spam", "ham"], size=len(frame))
    frame["lang"] = labels
    frame.loc[labels == "spam", "text"] += "\nClick here to unsubscribe from this list."
    train, test = split(frame, 1)
    [f], report = _pf301(train, test, "lang")
    ev = f.evidence
    assert ev["modality"] == "text" and ev["top_statistic"] == "boilerplate"
    assert ev["statistics"]["boilerplate"] > 0.95
    assert ev["summary_model"]["low"] > 0.9
    assert report.metrics["shortcuts"]["modality"] == "text"


def test_length_that_decides_the_class_fires():
    rng = np.random.default_rng(2)
    vocab = vocabulary(rng, _SYLLABLES["aa"], 300)
    labels = rng.choice(["long", "short"], size=1000)
    texts = [sentence(rng, vocab, 14, 22) if y == "long" else sentence(rng, vocab, 3, 8) for y in labels]
    train, test = split(pd.DataFrame({"text": texts, "kind": labels}), 2)
    [f], _ = _pf301(train, test, "kind")
    ev = f.evidence
    assert ev["top_statistic"] in ("chars", "words")
    assert ev["statistics"][ev["top_statistic"]] > 0.95
    assert ev["margin_over_share"]["low"] > 0


@pytest.mark.parametrize("seed", [0, 1])
def test_clean_language_and_topic_data_stay_silent(seed):
    for frame, target in ((language_id(seed, n=800), "lang"), (topics(seed, n=800), "topic")):
        train, test = split(frame, seed)
        found, report = _pf301(train, test, target)
        assert not found, [f.message for f in found]
        assert report.metrics["shortcuts"]["share"] < 0.8
