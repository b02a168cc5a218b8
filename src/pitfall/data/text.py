"""Reading free-text columns: the TF-IDF features of pitfall's default text model."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

__all__ = ["TextFeatures", "as_text"]

MAX_TERMS = 100_000  # per analyser: bounds memory on large corpora, keeps the most frequent terms


def as_text(values: pd.Series | np.ndarray) -> np.ndarray:
    """A column as an array of strings; missing values become empty strings."""
    series = pd.Series(np.asarray(values).ravel(), copy=False)
    return series.where(series.notna(), "").astype(str).to_numpy()


class TextFeatures(TransformerMixin, BaseEstimator):
    """Word unigrams and bigrams plus character 2–4-grams within words, TF-IDF weighted.

    Words carry topic (catalogue classification); character n-grams carry spelling, which is what
    identifies a language and survives OCR errors. Sublinear term frequency keeps long records
    from dominating.
    """

    def __init__(self, max_terms: int = MAX_TERMS):
        self.max_terms = max_terms

    def fit(self, X, y=None) -> TextFeatures:
        self.union_ = FeatureUnion(
            [
                (
                    "word",
                    TfidfVectorizer(
                        ngram_range=(1, 2), sublinear_tf=True, max_features=self.max_terms, dtype=np.float32
                    ),
                ),
                (
                    "char",
                    TfidfVectorizer(
                        analyzer="char_wb",
                        ngram_range=(2, 4),
                        sublinear_tf=True,
                        max_features=self.max_terms,
                        dtype=np.float32,
                    ),
                ),
            ]
        )
        self.union_.fit(as_text(X))
        return self

    def transform(self, X):
        return self.union_.transform(as_text(X))
