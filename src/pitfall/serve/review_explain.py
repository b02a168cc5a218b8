"""What the review page shows about one prediction: the next-best labels and the words that drove it.

Both ask the served model itself, so they work for any model with ``predict_proba``. The words are found by
occlusion: each distinct word of the text is removed in turn and the drop in the predicted class's probability
is measured, all in one ``predict_proba`` call. A word whose removal lowers the confidence is one the prediction
leaned on. This is exact for what it measures (the model's own response) and needs no access to its internals;
it is skipped, and nothing is highlighted, when the model cannot score the altered records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Segment", "next_best", "text_field", "word_segments"]

MAX_WORDS = 120  # distinct words occluded per text (longer texts: the first ones)
TOP_WORDS = 6
MIN_DROP = 0.01  # a drop smaller than this is noise, not a reason
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Segment:
    text: str
    weight: int = 0  # 0 plain, 1 drove the prediction, 2 drove it most
    title: str = ""


def _proba(model: Any, records: list[dict[str, Any]], features: list[str] | None) -> np.ndarray | None:
    if features is not None:
        if any(c not in r for r in records for c in features):
            return None
        frame = pd.DataFrame.from_records([{c: r[c] for c in features} for r in records], columns=features)
        X: Any = frame
    else:
        X = pd.DataFrame.from_records(records).to_numpy()
    try:
        p = np.asarray(model.predict_proba(X), dtype=float)
    except Exception:  # a model that cannot score these records: show no explanation rather than fail the page
        return None
    return p if p.ndim == 2 and p.shape[0] == len(records) and np.isfinite(p).all() else None


def next_best(
    model: Any,
    record: dict[str, Any],
    features: list[str] | None,
    classes: list[str],
    hide: str | None = None,
    k: int = 3,
) -> list[tuple[str, float]]:
    """The ``k`` most probable labels after the suggestion (``hide``: a label never to show, e.g. a blocked one)."""
    p = _proba(model, [record], features)
    if p is None or p.shape[1] != len(classes):
        return []
    order = np.argsort(-p[0])
    ranked = [(classes[i], float(p[0][i])) for i in order if classes[i] != hide]
    return ranked[1 : k + 1] if hide is None else ranked[:k]


def text_field(record: dict[str, Any], features: list[str] | None) -> str | None:
    """The record's free-text field: the longest string of several words among the model's inputs."""
    names = [c for c in (features or list(record)) if isinstance(record.get(c), str)]
    texts = [(len(_WORD.findall(record[c])), c) for c in names]
    texts = [(n, c) for n, c in texts if n >= 4]
    return max(texts)[1] if texts else None


def word_segments(
    model: Any, record: dict[str, Any], field: str, features: list[str] | None, label_index: int | None
) -> tuple[list[Segment], bool]:
    """The text of ``record[field]`` cut into segments, the words that drove the prediction marked.

    Returns the segments and whether anything could be highlighted."""
    text = str(record[field])
    parts = re.split(r"(\w+)", text)
    plain = [Segment(p) for p in parts if p]
    if label_index is None:
        return plain, False
    words = list(dict.fromkeys(w.lower() for w in _WORD.findall(text)))[:MAX_WORDS]
    if not words:
        return plain, False
    variants = [record]
    for w in words:
        pattern = re.compile(rf"(?<!\w){re.escape(w)}(?!\w)", re.IGNORECASE)
        variants.append({**record, field: pattern.sub("", text)})
    p = _proba(model, variants, features)
    if p is None or p.shape[1] <= label_index:
        return plain, False
    drops = p[0, label_index] - p[1:, label_index]
    ranked = [(d, w) for d, w in sorted(zip(drops, words, strict=True), reverse=True) if d >= MIN_DROP][:TOP_WORDS]
    if not ranked:
        return plain, False
    strongest = ranked[0][0]
    weights = {w: (2 if d >= strongest / 2 else 1, d) for d, w in ranked}
    out = []
    for part in parts:
        if not part:
            continue
        hit = weights.get(part.lower())
        if hit is None:
            out.append(Segment(part))
        else:
            out.append(Segment(part, hit[0], f"without this word the confidence falls by {hit[1]:.2f}"))
    return out, True
