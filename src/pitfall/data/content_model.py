"""pitfall's default model when the data hold text or images: content features + a linear model.

Text goes through TF-IDF (``TextFeatures``), images through downsampled pixels and simple
descriptors (``ImageFeatures``), other columns through imputation, scaling and one-hot codes; a
regularised logistic (or ridge) regression reads them all. Linear models on these features are
the strong, cheap baselines of text and image classification, and they fit in seconds.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from pitfall.data.dataset import Split

__all__ = ["ContentModel", "default_model_name"]


def default_model_name(split: Split) -> str:
    """What the scan's default model is, for the report's inputs."""
    parts = []
    if split.roles.text:
        parts.append("TF-IDF")
    if split.roles.image:
        parts.append("pixel descriptors")
    if not parts:
        return "HistGradientBoosting"
    linear = "logistic regression" if split.task != "regression" else "ridge regression"
    return " + ".join([*parts, linear])


def _as_floats(X: Any) -> np.ndarray:
    return pd.DataFrame(X).astype(float).to_numpy()


def _as_strings(X: Any) -> np.ndarray:
    frame = pd.DataFrame(X)
    return frame.astype("object").where(frame.notna(), "").astype(str).to_numpy()


class ContentModel(ClassifierMixin, BaseEstimator):
    """Content-aware default model over a DataFrame.

    Args:
        task: ``binary``, ``multiclass`` or ``regression``.
        modality: ``{column: "text" | "image"}`` for the content columns among the features.
        root: Folder relative image paths are relative to.
        random_state: Seed.
        balanced: Weight classes inversely to their frequency, so that the decision serves
            balanced accuracy (as the default tabular model's ``balanced`` does).
        C: Inverse regularisation strength of the logistic regression.
        embed: The user's embedding function (``--embed``): maps a list of texts (or of image
            paths) to a 2-D array; used instead of TF-IDF (and pixel descriptors) when given.
    """

    def __init__(
        self,
        task: str = "binary",
        modality: dict[str, str] | None = None,
        root: str | None = None,
        random_state: int = 0,
        balanced: bool = False,
        C: float = 1.0,
        embed: Any = None,
    ):
        self.task = task
        self.modality = modality
        self.root = root
        self.random_state = random_state
        self.balanced = balanced
        self.C = C
        self.embed = embed

    def _columns(self, X: pd.DataFrame) -> ColumnTransformer:
        modality = self.modality or {}
        parts: list[tuple[str, Any, Any]] = []
        for col, kind in modality.items():
            if self.embed is not None:
                from pitfall.data.embed import EmbeddingFeatures

                embedder = EmbeddingFeatures(self.embed, kind=kind, root=self.root)
                parts.append((f"embed:{col}", make_pipeline(embedder, StandardScaler()), [col]))
            elif kind == "text":
                from pitfall.data.text import TextFeatures

                parts.append((f"text:{col}", TextFeatures(), col))
            elif kind == "image":
                from pitfall.data.images import ImageFeatures

                parts.append((f"image:{col}", make_pipeline(ImageFeatures(root=self.root), StandardScaler()), [col]))
            else:
                raise ValueError(f"modality must be 'text' or 'image'. Got {kind!r} for column {col!r} instead.")
        rest = [c for c in X.columns if c not in modality]
        numeric = [c for c in rest if pd.api.types.is_numeric_dtype(X[c]) or pd.api.types.is_bool_dtype(X[c])]
        other = [c for c in rest if c not in numeric]
        if numeric:
            parts.append(
                (
                    "numeric",
                    make_pipeline(
                        FunctionTransformer(_as_floats, feature_names_out="one-to-one"),
                        SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
                        StandardScaler(),
                    ),
                    numeric,
                )
            )
        if other:
            parts.append(
                (
                    "categorical",
                    make_pipeline(
                        FunctionTransformer(_as_strings, feature_names_out="one-to-one"),
                        OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=5, max_categories=50),
                    ),
                    other,
                )
            )
        return ColumnTransformer(parts, sparse_threshold=0.3)

    def fit(self, X: pd.DataFrame, y: Any) -> ContentModel:
        from sklearn.linear_model import LogisticRegression, Ridge

        if self.task == "regression":
            head = Ridge(alpha=1.0)
        else:
            head = LogisticRegression(
                C=self.C,
                max_iter=2000,
                random_state=self.random_state,
                class_weight="balanced" if self.balanced else None,
            )
        self.pipeline_ = Pipeline([("features", self._columns(X)), ("model", head)]).fit(X, np.asarray(y))
        if self.task != "regression":
            self.classes_ = self.pipeline_.classes_
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.pipeline_.predict(X)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        if self.task == "regression":
            raise AttributeError("a regressor has no predict_proba")
        return self.pipeline_.predict_proba(X)
