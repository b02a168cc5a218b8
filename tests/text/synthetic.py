"""Generated text data for the text checks: languages of made-up words, topics, planted copies."""

from __future__ import annotations

import numpy as np
import pandas as pd

_SYLLABLES = {
    "aa": ["ka", "to", "ri", "na", "mo", "su", "te", "ya"],
    "bb": ["sch", "ber", "ung", "ein", "der", "ach", "lich", "ten"],
    "cc": ["ou", "ai", "eau", "ien", "que", "ton", "mai", "oir"],
    "dd": ["th", "ing", "ow", "ear", "st", "ly", "ed", "wh", "an", "ick"],
}


def vocabulary(rng: np.random.Generator, syllables: list[str], size: int) -> np.ndarray:
    """Distinct made-up words of one language: two to four of its syllables each."""
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(syllables, size=rng.integers(2, 5), replace=False)))
    return np.array(sorted(words))


def sentence(rng: np.random.Generator, vocab: np.ndarray, low: int = 4, high: int = 12) -> str:
    """Zipf-weighted words (common words recur, as in real text), sentence-cased, with a full stop."""
    weights = 1.0 / np.arange(1, len(vocab) + 1)
    words = rng.choice(vocab, size=int(rng.integers(low, high + 1)), p=weights / weights.sum())
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def language_id(seed: int, n: int = 800, languages: int = 4, low: int = 4, high: int = 12) -> pd.DataFrame:
    """Records in made-up languages (label = language); length does not depend on the label."""
    rng = np.random.default_rng(seed)
    names = list(_SYLLABLES)[:languages]
    vocabs = {k: vocabulary(rng, _SYLLABLES[k], 300) for k in names}
    labels = rng.choice(names, size=n)
    texts = [sentence(rng, vocabs[k], low, high) for k in labels]
    return pd.DataFrame({"text": texts, "lang": labels})


def topics(seed: int, n: int = 800) -> pd.DataFrame:
    """Two topics sharing most of their vocabulary; each has 30 words of its own (weakly used)."""
    rng = np.random.default_rng(seed)
    shared = vocabulary(rng, _SYLLABLES["dd"] + _SYLLABLES["aa"], 500)
    own = {t: vocabulary(rng, _SYLLABLES[s], 30) for t, s in (("sport", "bb"), ("music", "cc"))}
    labels = rng.choice(["sport", "music"], size=n)
    texts = []
    for t in labels:
        words = sentence(rng, shared, 5, 14).rstrip(".").split(" ")
        words[rng.integers(len(words))] = str(rng.choice(own[t]))
        texts.append(" ".join(words) + ".")
    return pd.DataFrame({"text": texts, "topic": labels})


def split(frame: pd.DataFrame, seed: int, test: float = 0.25) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed + 1000)
    mask = rng.random(len(frame)) < test
    return frame[~mask].reset_index(drop=True), frame[mask].reset_index(drop=True)


def plant_copies(
    train: pd.DataFrame, test: pd.DataFrame, column: str, k: int, seed: int, *, near: bool
) -> tuple[pd.DataFrame, list[tuple[int, int]]]:
    """Replace ``k`` test rows by (edited) copies of training rows, label kept.

    Exact copies change case, spacing and punctuation only; near copies also change one character
    of a long record. Returns the new test frame and (test_row, train_row) pairs.
    """
    rng = np.random.default_rng(seed)
    test = test.copy()
    long = np.flatnonzero(train[column].str.len().to_numpy() >= 60) if near else np.arange(len(train))
    sources = rng.choice(long, size=k, replace=False)
    targets = rng.choice(len(test), size=k, replace=False)
    values = test[column].to_numpy(copy=True).astype(object)
    labels = test.iloc[:, 1].to_numpy(copy=True).astype(object)
    for t, s in zip(targets, sources, strict=True):
        text = str(train[column].iloc[s])
        if near:
            i = int(rng.integers(5, len(text) - 5))
            text = text[:i] + ("z" if text[i] != "z" else "q") + text[i + 1 :]
        else:
            text = "  " + text.upper().replace(".", "!") + " "
        values[t] = text
        labels[t] = train.iloc[s, 1]
    test[column] = values
    test[test.columns[1]] = labels
    return test, [(int(t), int(s)) for t, s in zip(targets, sources, strict=True)]
