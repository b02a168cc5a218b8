"""Finding free-text columns when the user names none (``--text`` not given).

A column is taken for free text when, on the training rows, it is stored as strings and its
values are long, multi-word and mostly unique: a median of at least 3 words and 15 characters,
and at least half of the non-missing values distinct. Categorical columns fail the uniqueness
test (their levels repeat), identifiers and codes fail the word test (no spaces), and short
labels such as names of two words fail both length tests. Role columns (target, group, time, id)
are never taken. The report carries a note saying which columns were detected.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["MIN_CHARS", "MIN_DISTINCT", "MIN_WORDS", "detect_text_columns"]

MIN_WORDS = 3
MIN_CHARS = 15
MIN_DISTINCT = 0.5
_SAMPLE = 20_000  # rows looked at (evenly spaced) on large data


def _is_free_text(values: pd.Series) -> bool:
    if not (pd.api.types.is_string_dtype(values) or pd.api.types.is_object_dtype(values)):
        return False
    s = values.dropna()
    if len(s) > _SAMPLE:
        s = s.iloc[:: len(s) // _SAMPLE]
    if len(s) < 20 or not all(isinstance(v, str) for v in s.iloc[:200]):
        return False
    s = s.astype(str)
    words = s.str.split().str.len()
    return bool(
        words.median() >= MIN_WORDS and s.str.len().median() >= MIN_CHARS and s.nunique() >= MIN_DISTINCT * len(s)
    )


def detect_text_columns(frame: pd.DataFrame, skip: set[str]) -> list[str]:
    """Columns of ``frame`` (outside ``skip``) that hold free text, by the rule above."""
    return [str(c) for c in frame.columns if str(c) not in skip and _is_free_text(frame[c])]


def apply_text_detection(split) -> str | None:
    """Give ``split`` the detected text columns as its text role; the report's note, or None."""
    from dataclasses import replace

    skip = set(split.roles.non_features()) | set(split.roles.image)
    found = [c for c in detect_text_columns(split.train, skip) if c in split.features]
    if not found:
        return None
    split.roles = replace(split.roles, text=tuple(found))
    names = ", ".join(map(repr, found))
    return (
        f"Column(s) {names} hold free text (long, multi-word, mostly unique values) and were read as text: "
        "TF-IDF model and text checks. Pass --text to choose the columns yourself."
    )
