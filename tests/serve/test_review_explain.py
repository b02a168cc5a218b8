"""Next-best labels and the words that drove a prediction, asked of the served model itself."""

from __future__ import annotations

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from pitfall.serve.review_explain import next_best, text_field, word_segments

FEATURES = ["title", "year"]


def _model():
    # 'atlas' alone says map; every other word is shared by both classes
    rows = [
        ("old atlas of the county", "map"),
        ("an atlas with the coast", "map"),
        ("the old county atlas", "map"),
        ("old letter of the county", "letter"),
        ("a letter with the coast", "letter"),
        ("the county letter old", "letter"),
    ] * 5
    frame = pd.DataFrame(rows, columns=["title", "label"]).assign(year=1900)
    pre = ColumnTransformer([("t", CountVectorizer(), "title")])
    return make_pipeline(pre, LogisticRegression(C=10)).fit(frame[FEATURES], frame["label"])


def test_the_word_that_decides_is_highlighted_and_filler_is_not():
    model = _model()
    record = {"title": "The old Atlas of the county", "year": 1901, "note": "box 4"}
    assert text_field(record, FEATURES) == "title"
    index = list(model.classes_).index("map")
    segments, any_marked = word_segments(model, record, "title", FEATURES, index)
    assert any_marked and "".join(s.text for s in segments) == record["title"]  # the text is kept as written
    marked = {s.text for s in segments if s.weight}
    assert marked == {"Atlas"}
    assert next(s for s in segments if s.text == "Atlas").weight == 2


def test_no_highlight_when_the_model_cannot_score_the_variants():
    record = {"title": "old atlas of the county"}  # lacks 'year', which the model needs
    segments, any_marked = word_segments(_model(), record, "title", FEATURES, 0)
    assert not any_marked and all(s.weight == 0 for s in segments)


def test_next_best_labels_and_a_blocked_label_is_never_shown():
    model = _model()
    record = {"title": "old atlas of the county", "year": 1901}
    assert [lab for lab, _ in next_best(model, record, FEATURES, list(model.classes_))] == ["letter"]
    assert [lab for lab, _ in next_best(model, record, FEATURES, list(model.classes_), hide="map")] == ["letter"]
    assert next_best(model, {"title": "x"}, FEATURES, list(model.classes_)) == []
