"""PF201, PF202 and PF203 on text: planted exact and near copies fire with their evidence; clean text stays silent."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import pitfall
from tests.text.synthetic import language_id, plant_copies, split, topics

LEAK = "PF201,PF202,PF203"


def _scan(train, test, target, **kw):
    return pitfall.scan(train, test, target=target, text="text", select=LEAK, config=False, **kw)


def _codes(report) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in report.findings:
        out.setdefault(f.code, []).append(f)
    return out


def test_planted_exact_copies_fire_pf201_with_the_pairs():
    train, test = split(language_id(0, n=1200), 0)
    test, pairs = plant_copies(train, test, "text", 15, seed=1, near=False)
    found = _codes(_scan(train, test, "lang"))
    [f] = found["PF201"]
    ev = f.evidence
    assert ev["modality"] == "text" and "normalised" in ev["method"]
    assert ev["count"] == 15
    assert ev["expected_by_chance"] < 0.01 and ev["p_value"] < 0.001
    planted = dict(pairs)
    for ex in ev["examples"]:
        assert (
            planted[ex["test_row"]] == ex["train_row"]
            or ex["test_text"].strip().lower().replace("!", ".") == ex["train_text"].lower()
        )
    assert "PF202" not in found  # exact copies are not counted again as near ones


def test_planted_near_copies_fire_pf202_with_jaccard_evidence():
    train, test = split(language_id(1, n=1200), 1)
    test, pairs = plant_copies(train, test, "text", 20, seed=2, near=True)
    found = _codes(_scan(train, test, "lang"))
    [f] = found["PF202"]
    ev = f.evidence
    assert ev["modality"] == "text" and "MinHash" in ev["method"] and ev["jaccard_threshold"] == 0.8
    assert 18 <= ev["count"] <= 20  # a one-character edit of a record of 60+ characters keeps J >= 0.8 nearly always
    planted = dict(pairs)
    assert all(planted.get(ex["test_row"]) == ex["train_row"] for ex in ev["examples"])
    assert all(ex["jaccard"] >= 0.8 for ex in ev["examples"])
    assert f.severity.value == "error"  # 6% of the test set is more than its sampling noise
    assert "PF201" not in found


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_clean_language_and_topic_data_stay_silent(seed):
    for frame, target in ((language_id(seed, n=1000), "lang"), (topics(seed, n=1000), "topic")):
        train, test = split(frame, seed)
        report = _scan(train, test, target)
        assert not report.findings, [f.message for f in report.findings]


def test_short_records_that_recur_by_chance_do_not_count():
    """Catalogue entries of two common words repeat in any sample: chance, not leakage."""
    rng = np.random.default_rng(4)
    colours = ["red", "blue", "green", "black", "white", "grey"]
    items = ["shirt", "shoe", "hat", "sock", "scarf", "coat", "bag", "belt"]
    frame = pd.DataFrame(
        {
            "text": [f"{rng.choice(colours)} {rng.choice(items)}" for _ in range(600)],
            "label": rng.choice(["a", "b"], size=600),
        }
    )
    train, test = split(frame, 4)
    report = _scan(train, test, "label")
    assert not report.findings
    # every test record has an exact copy in train, and all are explained by chance
    assert test["text"].isin(train["text"]).mean() > 0.9


def test_versions_of_documents_straddling_the_split_fire_pf203():
    """Four revisions of each of 60 documents, split at random: clusters of four straddle the split."""
    rng = np.random.default_rng(6)
    base = language_id(6, n=60, low=14, high=20)
    rows = []
    for text, lang in zip(base["text"], base["lang"], strict=True):
        for _ in range(4):
            i = int(rng.integers(5, len(text) - 5))
            rows.append({"text": text[:i] + "z" + text[i + 1 :], "lang": lang})
    others = language_id(7, n=600)
    frame = pd.concat([pd.DataFrame(rows), others], ignore_index=True)
    train, test = split(frame, 6)
    found = _codes(_scan(train, test, "lang"))
    [f] = found["PF203"]
    assert f.evidence["modality"] == "text" and f.evidence["inferred"]
    assert f.evidence["median_cluster_size"] >= 3
    assert f.evidence["clusters_straddling"] >= 30


def test_pairs_with_a_document_key_name_the_column_in_pf203():
    train, test = split(language_id(8, n=1200), 8)
    test, pairs = plant_copies(train, test, "text", 40, seed=9, near=True)
    train = train.assign(doc=[f"d{i}" for i in range(len(train))])
    test = test.assign(doc=[f"t{i}" for i in range(len(test))])
    docs = test["doc"].to_numpy(copy=True)
    for t, s in pairs:
        docs[t] = train["doc"].iloc[s]
    test["doc"] = docs
    found = _codes(_scan(train, test, "lang"))
    [f] = found["PF203"]
    assert f.evidence["group_key_candidates"][0] == "doc"
    assert f.columns == ("doc",)
