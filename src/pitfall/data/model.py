"""Models: load a user's file safely, wrap any scikit-learn-style estimator, and pitfall's default.

Loading a pickle or joblib file runs code from that file, so pitfall only does it when the
user says they trust the file (``--trust-model``).
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin

from pitfall.data.encode import FeatureEncoder
from pitfall.errors import ModelError

__all__ = ["DefaultModel", "load_model", "check_model"]


def load_model(path: str | Path, *, trust: bool) -> Any:
    """Load a pickled or joblib-saved estimator.

    Raises:
        ModelError: The file is missing, not trusted, not a model, or cannot be unpickled.
    """
    path = Path(path)
    if not path.exists():
        raise ModelError(f"{path}: no such model file. Check the path.")
    if path.is_dir():
        raise ModelError(f"{path}: is a directory, not a model file. Give a .joblib or .pkl file.")
    if not trust:
        raise ModelError(
            f"{path}: loading a pickle/joblib file runs code stored in it. "
            "Pass --trust-model if you trust this file (or pass the estimator from Python)."
        )
    import joblib

    try:
        model = joblib.load(path)
    except (pickle.UnpicklingError, EOFError, ValueError, KeyError, IndexError) as exc:
        raise ModelError(f"{path}: not a readable pickle/joblib file ({type(exc).__name__}). Re-save it with joblib.dump.") from None
    except (ModuleNotFoundError, ImportError, AttributeError) as exc:
        raise ModelError(f"{path}: the model needs code that is not installed here ({exc}). Install it in this environment.") from None
    except Exception as exc:
        raise ModelError(f"{path}: cannot load the model ({type(exc).__name__}: {str(exc)[:120]}).") from None
    check_model(model, source=str(path))
    return model


def check_model(model: Any, *, source: str = "model") -> None:
    if not hasattr(model, "predict"):
        raise ModelError(
            f"{source}: a {type(model).__name__} has no predict() method. "
            "Give a fitted scikit-learn-style estimator or pipeline."
        )


class DefaultModel(BaseEstimator):
    """pitfall's default: histogram gradient boosting on encoded features, seeded.

    Works on the raw DataFrame (it encodes columns itself), so it needs no preprocessing.
    """

    def __init__(self, task: str = "binary", random_state: int = 0, max_iter: int = 200):
        self.task = task
        self.random_state = random_state
        self.max_iter = max_iter

    def _make(self):
        from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

        common = dict(
            max_iter=self.max_iter,
            random_state=self.random_state,
            early_stopping=True,
            validation_fraction=0.1,
            n_iter_no_change=10,
        )
        if self.task == "regression":
            return HistGradientBoostingRegressor(**common)
        return HistGradientBoostingClassifier(**common)

    def fit(self, X: pd.DataFrame, y) -> DefaultModel:
        self.encoder_ = FeatureEncoder([str(c) for c in X.columns]).fit(X)
        mask = self.encoder_.categorical_mask
        self.model_ = self._make()
        self.model_.set_params(categorical_features=mask if mask.any() else None)
        self.model_.fit(self.encoder_.transform(X), np.asarray(y))
        if self.task != "regression":
            self.classes_ = self.model_.classes_
        return self

    def predict(self, X: pd.DataFrame):
        return self.model_.predict(self.encoder_.transform(X))

    def predict_proba(self, X: pd.DataFrame):
        if self.task == "regression":
            raise AttributeError("a regressor has no predict_proba")
        return self.model_.predict_proba(self.encoder_.transform(X))


class DefaultClassifier(ClassifierMixin, DefaultModel):
    pass


class DefaultRegressor(RegressorMixin, DefaultModel):
    pass


def default_model(task: str, seed: int):
    if task == "regression":
        return DefaultRegressor(task=task, random_state=seed)
    return DefaultClassifier(task=task, random_state=seed)
