"""Models: load a user's file safely, wrap any scikit-learn-style estimator, and pitfall's default.

Loading a pickle or joblib file runs code from that file, so pitfall only does it when the
user says they trust the file (``--trust-model``).
"""

from __future__ import annotations

import contextlib
import functools
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin

from pitfall.data.encode import FeatureEncoder
from pitfall.errors import ModelError

__all__ = ["DefaultModel", "load_model", "check_model"]

_VALIDATION = 0.15  # share of train held out for early stopping
_CHUNK_BYTES = 1 << 20  # encoded features (float32) predicted at once: about a processor cache's share


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
        raise ModelError(
            f"{path}: not a readable pickle/joblib file ({type(exc).__name__}). Re-save it with joblib.dump."
        ) from None
    except (ModuleNotFoundError, ImportError, AttributeError) as exc:
        raise ModelError(
            f"{path}: the model needs code that is not installed here ({exc}). Install it in this environment."
        ) from None
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

    Works on the raw DataFrame (it encodes columns itself), so it needs no preprocessing. It is
    regularised (small learning rate, 15 leaves, L2 penalty, early stopping) so that it does well
    on the small data sets of many studies without tuning.

    Args:
        task: ``binary``, ``multiclass`` or ``regression``.
        random_state: Seed.
        max_iter: Most boosting rounds.
        balanced: Predict the class with the highest ratio of posterior to training prior
            instead of the most probable class: the decision that maximises balanced accuracy.
            Probabilities are unchanged.
        n_jobs: OpenMP threads. One by default: on a busy machine, more threads than free
            cores make histogram gradient boosting many times slower, not faster.
        learning_rate: Shrinkage of each boosting round. Early stopping waits
            ``n_iter_no_change`` rounds scaled to the same total shrinkage (20 rounds at 0.05).
    """

    def __init__(
        self,
        task: str = "binary",
        random_state: int = 0,
        max_iter: int = 300,
        balanced: bool = False,
        n_jobs: int = 1,
        learning_rate: float = 0.05,
    ):
        self.task = task
        self.random_state = random_state
        self.max_iter = max_iter
        self.balanced = balanced
        self.n_jobs = n_jobs
        self.learning_rate = learning_rate

    def __setstate__(self, state: dict) -> None:
        # a model saved before the learning rate was a parameter boosted at 0.05
        state.setdefault("learning_rate", 0.05)
        super().__setstate__(state)

    def _make(self, y: np.ndarray):
        from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

        common = dict(
            max_iter=self.max_iter,
            random_state=self.random_state,
            learning_rate=self.learning_rate,
            max_leaf_nodes=15,
            l2_regularization=1.0,
        )
        if self._can_stop_early(y):
            patience = max(round(20 * 0.05 / self.learning_rate), 3)  # rounds of the same total shrinkage
            common.update(early_stopping=True, validation_fraction=_VALIDATION, n_iter_no_change=patience)
        else:
            common.update(early_stopping=False)
        if self.task == "regression":
            return HistGradientBoostingRegressor(**common)
        return HistGradientBoostingClassifier(**common)

    def _can_stop_early(self, y: np.ndarray) -> bool:
        """Early stopping holds out a stratified 10%: on tiny data or with a class of one row,
        that split is impossible and scikit-learn raises, so fit a fixed number of rounds."""
        n = len(y)
        n_val = int(np.ceil(_VALIDATION * n))
        if self.task == "regression":
            return n_val >= 2
        counts = pd.Series(y).value_counts().to_numpy()
        return bool(counts.min() >= 2 and n_val >= len(counts) and n - n_val >= len(counts))

    def _encode(self, X: pd.DataFrame) -> np.ndarray:
        Z = self.encoder_.transform(X)
        # A feature with no value in train breaks the binning of histogram gradient boosting;
        # it carries no information, so give it one constant value.
        Z[:, self.empty_] = 0.0
        return Z

    def fit(self, X: pd.DataFrame, y) -> DefaultModel:
        self.encoder_ = FeatureEncoder([str(c) for c in X.columns]).fit(X)
        # scikit-learn's record of the fitted columns: callers (pitfall serve, drift, thresholds) select them by name.
        self.feature_names_in_ = np.asarray([str(c) for c in X.columns], dtype=object)
        y = np.asarray(y)
        raw = self.encoder_.transform(X)
        self.empty_ = np.isnan(raw).all(axis=0) if len(raw) else np.zeros(raw.shape[1], dtype=bool)
        mask = self.encoder_.categorical_mask & ~self.empty_
        self.model_ = self._make(y)
        self.model_.set_params(categorical_features=mask if mask.any() else None)
        with _threads(self.n_jobs):
            self.model_.fit(self._encode(X), y)
        if self.task != "regression":
            self.classes_ = self.model_.classes_
            shares = pd.Series(y).value_counts(normalize=True)
            self.prior_ = shares.reindex(self.classes_).to_numpy()
        return self

    def predict(self, X: pd.DataFrame):
        if self.task == "regression" or not self.balanced:
            return self._chunked(self.model_.predict, X)
        return self.predict_with_proba(X)[0]

    def predict_proba(self, X: pd.DataFrame):
        if self.task == "regression":
            raise AttributeError("a regressor has no predict_proba")
        return self._chunked(self.model_.predict_proba, X)

    def predict_with_proba(self, X: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """``predict(X)`` and ``predict_proba(X)`` from one pass over the trees (classifiers):
        the label is the argmax of the probabilities (over the prior when ``balanced``), as
        ``predict`` computes it."""
        proba = self.predict_proba(X)
        ratio = proba / self.prior_ if self.balanced else proba
        return self.classes_[np.argmax(ratio, axis=1)], proba

    def _chunked(self, predict, X: pd.DataFrame) -> np.ndarray:
        """``predict`` on the encoded rows, in blocks of about ``_CHUNK_BYTES`` of features.

        Every tree walks all the rows it is given; while they fit in the processor's cache that
        is cheap, beyond it each of the hundreds of trees reads them from memory again. On digits
        (64 features, 3,000 trees) 33,000 rows at once took 4 times as long as in 4,000-row
        blocks; with one tree per round and 25 features blocks cost nothing.
        """
        Z = self._encode(X)  # at once: encoding costs per column, and a table may have thousands
        step = max(_CHUNK_BYTES // (4 * max(Z.shape[1], 1)), 1024)
        with _threads(self.n_jobs):
            if len(Z) <= step:
                return predict(Z)
            return np.concatenate([predict(Z[i : i + step]) for i in range(0, len(Z), step)])


def _threads(n_jobs: int):
    if not n_jobs or n_jobs <= 0:
        return contextlib.nullcontext()
    return _threadpools().limit(limits=n_jobs, user_api="openmp")


@functools.cache
def _threadpools():
    """One ThreadpoolController per process: making one scans the loaded libraries, which cost more than a
    one-row prediction (``pitfall serve`` predicts many small batches)."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


class DefaultClassifier(ClassifierMixin, DefaultModel):
    pass


class DefaultRegressor(RegressorMixin, DefaultModel):
    pass


def default_model(
    task: str,
    seed: int,
    *,
    balanced: bool = False,
    n_jobs: int = 1,
    learning_rate: float = 0.05,
    max_iter: int = 300,
):
    """pitfall's default model for ``task``; the keywords as in ``DefaultModel``."""
    common = dict(random_state=seed, n_jobs=n_jobs, learning_rate=learning_rate, max_iter=max_iter)
    if task == "regression":
        return DefaultRegressor(task=task, **common)
    return DefaultClassifier(task=task, balanced=balanced, **common)
