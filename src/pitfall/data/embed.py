"""The ``--embed module:function`` hook: the user's own embedding in place of TF-IDF or pixels.

Pre-trained weights cannot be downloaded by pitfall, but a user often has an embedding model
already. Any function that maps a list of texts (or of image file paths, resolved to absolute
paths) to a 2-D array of shape (number of records, dimensions) can replace pitfall's TF-IDF and
pixel features in the default model; the linear model and every check stay the same.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from pitfall.errors import ConfigError, ModelError

__all__ = ["EmbeddingFeatures", "embed_name", "resolve_embed"]


def resolve_embed(spec: str | Callable[[list[str]], Any] | None) -> Callable[[list[str]], Any] | None:
    """A callable from ``module:function`` (imported like Python does, the working directory first)."""
    if spec is None or callable(spec):
        return spec
    if not isinstance(spec, str) or spec.count(":") != 1 or not all(spec.split(":")):
        raise ConfigError(f"--embed must be `module:function`, e.g. `my_embeddings:embed`. Got {spec!r} instead.")
    module_name, func_name = spec.split(":")
    added = os.getcwd() not in sys.path
    if added:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:
        raise ConfigError(
            f"--embed {spec}: cannot import module {module_name!r} ({type(exc).__name__}: {exc}). "
            "Run pitfall from the folder that holds it, or install it."
        ) from None
    finally:
        if added:
            sys.path.remove(os.getcwd())
    func = getattr(module, func_name, None)
    if not callable(func):
        raise ConfigError(f"--embed {spec}: module {module_name!r} has no function {func_name!r}.")
    return func


def embed_name(func: Callable[..., Any] | None) -> str | None:
    """``module:function`` of an embedding function, for the report's inputs."""
    if func is None:
        return None
    return f"{getattr(func, '__module__', '?')}:{getattr(func, '__qualname__', type(func).__name__)}"


class EmbeddingFeatures(TransformerMixin, BaseEstimator):
    """One content column through the user's embedding function.

    Args:
        embed: Function from a list of strings to a 2-D array with one row per string.
        kind: ``text`` (strings passed as they are) or ``image`` (paths made absolute with ``root``).
        root: Folder relative image paths are relative to.
    """

    def __init__(self, embed: Callable[[list[str]], Any] | None = None, kind: str = "text", root: str | None = None):
        self.embed = embed
        self.kind = kind
        self.root = root

    def fit(self, X, y=None) -> EmbeddingFeatures:
        self.fit_transform(X)
        return self

    def fit_transform(self, X, y=None) -> np.ndarray:
        out = self._embed(X)  # the embedding is computed once on the training records
        self.n_features_ = out.shape[1]
        return out

    def _inputs(self, X) -> list[str]:
        from pitfall.data.text import as_text

        values = [str(v) for v in as_text(np.asarray(X, dtype=object).ravel())]
        if self.kind == "image":
            root = Path(self.root) if self.root else Path.cwd()
            values = [str(p if (p := Path(v)).is_absolute() else root / p) if v else v for v in values]
        return values

    def transform(self, X) -> np.ndarray:
        out = self._embed(X)
        if out.shape[1] != self.n_features_:
            raise ModelError(
                f"--embed {embed_name(self.embed)} returned {out.shape[1]} dimensions, {self.n_features_} when "
                "fitted. Return the same number of dimensions for every call."
            )
        return out

    def _embed(self, X) -> np.ndarray:
        name = embed_name(self.embed)
        inputs = self._inputs(X)
        try:
            out = np.asarray(self.embed(inputs), dtype=float)
        except Exception as exc:
            raise ModelError(f"--embed {name} failed on {len(inputs)} records: {type(exc).__name__}: {exc}.") from None
        if out.ndim != 2 or out.shape[0] != len(inputs):
            raise ModelError(
                f"--embed {name} must return a 2-D array with one row per record ({len(inputs)}). "
                f"Got shape {out.shape} instead."
            )
        if not np.isfinite(out).all():
            raise ModelError(f"--embed {name} returned NaN or infinite values. Return finite numbers.")
        return out
