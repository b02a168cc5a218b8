"""Trivial statistics of text records, for PF301: can length or boilerplate stand in for the model?

Each record (the text columns of a row, joined) is reduced to numbers that say how it was
written or collected, not what it says: its length in characters and words, the shares of
digits, uppercase letters, punctuation and whitespace, how many frequent boilerplate strings it
holds (signatures, disclaimers, templated openings or endings) and, when the data has a column
naming the file or source a record came from, that source. PF301 fits its summary model on these
and compares it with the real model, with the same paired intervals as for numeric rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from pitfall.checks.leakage.text_duplicates import record_texts
from pitfall.data.minhash import normalise

if TYPE_CHECKING:
    from pitfall.checks.context import Context
    from pitfall.checks.shortcuts.trivial_statistics import TrivialStatisticShortcut
    from pitfall.findings import Finding

__all__ = [
    "BOILERPLATE_SHARE",
    "TEXT_STATISTICS",
    "boilerplate_strings",
    "source_column",
    "text_statistic_shortcut",
    "text_statistics",
]

TEXT_STATISTICS = ("chars", "words", "digits", "uppercase", "punctuation", "whitespace", "boilerplate")
BOILERPLATE_SHARE = 0.01  # a string in at least this share of training records (and 5 of them) is boilerplate
_EDGE_WORDS = 3
_SOURCE_NAME = re.compile(
    r"^(source|src|file|filename|file_name|source_file|sourcefile|origin|document|doc)$", re.IGNORECASE
)
_PUNCT = re.compile(r"[^\w\s]")
_DIGIT = re.compile(r"\d")
_SPACE = re.compile(r"\s")


def _candidates(text: str) -> set[str]:
    """Strings of a record that may be boilerplate: its lines of 3+ words, its first and last 3 words."""
    out = set()
    lines = [normalise([line])[0] for line in text.split("\n")]
    out.update(f"line:{line}" for line in lines if line.count(" ") >= 2)
    words = " ".join(lines).split()
    if len(words) > _EDGE_WORDS:
        out.add("start:" + " ".join(words[:_EDGE_WORDS]))
        out.add("end:" + " ".join(words[-_EDGE_WORDS:]))
    return out


def boilerplate_strings(texts: np.ndarray) -> set[str]:
    """Lines and record openings/endings found in at least 1% (and 5) of the given records."""
    counts: dict[str, int] = {}
    for t in texts:
        for c in _candidates(str(t)):
            counts[c] = counts.get(c, 0) + 1
    least = max(5, int(np.ceil(BOILERPLATE_SHARE * len(texts))))
    return {c for c, k in counts.items() if k >= least}


def source_column(ctx: Context) -> str | None:
    """A feature naming the file or source of each record (``source``, ``file``, ``filename``...)."""
    for col in ctx.split.features:
        if col not in ctx.split.roles.modality and _SOURCE_NAME.match(col) and ctx.encoder.kinds[col] == "categorical":
            return col
    return None


def text_statistics(texts: np.ndarray, boilerplate: set[str]) -> np.ndarray:
    """One row of ``TEXT_STATISTICS`` per record."""
    out = np.zeros((len(texts), len(TEXT_STATISTICS)))
    for i, t in enumerate(texts):
        t = str(t)
        n = len(t)
        letters = sum(ch.isalpha() for ch in t)
        out[i, 0] = n
        out[i, 1] = len(t.split())
        out[i, 2] = len(_DIGIT.findall(t)) / n if n else 0.0
        out[i, 3] = sum(ch.isupper() for ch in t) / letters if letters else 0.0
        out[i, 4] = len(_PUNCT.findall(t)) / n if n else 0.0
        out[i, 5] = len(_SPACE.findall(t)) / n if n else 0.0
        out[i, 6] = len(_candidates(t) & boilerplate) if boilerplate else 0.0
    return out


def text_statistic_shortcut(check: TrivialStatisticShortcut, ctx: Context) -> Iterator[Finding]:
    """PF301 on text: the summary model reads the statistics of the text column(s).

    The judgement is the numeric one (``check._judge``) without the comparison with the plain use
    of the columns: a text's statistics are not an average of its columns, so there is no
    one-feature rule or linear model of the same values to separate them from.
    """
    from pitfall.checks.base import Skip
    from pitfall.checks.shortcuts.trivial_statistics import dummy_predictions_of, fit_predict

    cols = ctx.split.roles.text
    rows = ctx.cv_rows
    if len(rows) < 20 or len(ctx.y_test) < 10:
        raise Skip(f"{len(rows)} training and {len(ctx.y_test)} test rows: too few to fit and score")
    train_texts = record_texts(ctx.split.train.iloc[rows], cols)
    test_texts = record_texts(ctx.split.test, cols)
    boiler = boilerplate_strings(train_texts)
    S_train, S_test = text_statistics(train_texts, boiler), text_statistics(test_texts, boiler)
    names = list(TEXT_STATISTICS)
    source = source_column(ctx)
    if source is not None:
        levels = pd.Index(ctx.split.train[source].iloc[rows].astype("string").dropna().unique())
        code = lambda s: levels.get_indexer(s.astype("string")).astype(float)  # noqa: E731
        S_train = np.column_stack([S_train, code(ctx.split.train[source].iloc[rows])])
        S_test = np.column_stack([S_test, code(ctx.split.test[source])])
        names.append("source")
    varying = [j for j in range(len(names)) if np.nanstd(S_train[:, j]) > 0]
    if not varying:
        raise Skip("every text record has the same statistics")
    names = [names[j] for j in varying]
    S_train, S_test = S_train[:, varying], S_test[:, varying]
    y = ctx.y_train[rows]
    balanced = ctx.metric.name == "balanced_accuracy"
    preds = {
        "model": ctx.predictions,
        "statistics": fit_predict(ctx, S_train, y, S_test, names, balanced),
        "dummy": dummy_predictions_of(ctx),
    }
    scores = _one_statistic_scores(ctx, S_train, y, S_test, names, balanced)
    positions = [ctx.split.features.index(c) for c in cols if c in ctx.split.features]
    for f in check._judge(ctx, preds, scores, positions):
        extra = {
            "modality": "text",
            "text_columns": list(cols),
            "statistic_names": names,
            "boilerplate_strings": len(boiler),
            "source_column": source,
        }
        yield replace(f, evidence={**f.evidence, **extra})
    if "shortcuts" in ctx.metrics:
        ctx.metrics["shortcuts"]["modality"] = "text"


def _one_statistic_scores(
    ctx: Context, S_train: np.ndarray, y: np.ndarray, S_test: np.ndarray, names: list[str], balanced: bool
) -> dict[str, float | None]:
    """Test score of a small tree (8 leaves) on each statistic alone, as for numeric rows."""
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    from pitfall.checks.shortcuts.trivial_statistics import as_predictions

    out: dict[str, float | None] = {}
    for j, name in enumerate(names):
        if ctx.is_classification:
            tree = DecisionTreeClassifier(
                max_leaf_nodes=8,
                min_samples_leaf=5,
                random_state=ctx.seed,
                class_weight="balanced" if balanced else None,
            )
        else:
            tree = DecisionTreeRegressor(max_leaf_nodes=8, min_samples_leaf=5, random_state=ctx.seed)
        tree.fit(S_train[:, [j]], y)
        pred = as_predictions(ctx, tree, S_test[:, [j]])
        score = ctx.metric(ctx.y_test, pred.label, pred.proba)
        out[name] = round(float(score), 4) if np.isfinite(score) else None
    return out
