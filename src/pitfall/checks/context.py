"""Shared, cached work for one scan: encodings, the model's predictions, scores with intervals.

Checks ask the context instead of recomputing: the default model is fitted once, the test
predictions are made once, and every score uses the same bootstrap resamples (paired).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from pitfall.data.dataset import Split
from pitfall.data.encode import FeatureEncoder
from pitfall.data.model import DefaultModel, default_model
from pitfall.errors import ModelError
from pitfall.metrics import METRICS, Metric, bootstrap, get_metric
from pitfall.stats import Interval, Resamples, percentile_interval

__all__ = ["Context", "Options", "Predictions"]

MAX_CV_ROWS = 50_000  # model-based checks on bigger train sets use a stratified sample
FAST_BOOSTING = {"learning_rate": 0.2, "max_iter": 75}  # 4x the default's rate, 1/4 of its rounds


@dataclass(frozen=True)
class Options:
    """Settings of one scan (from the command line, the API or ``[tool.pitfall]``)."""

    metric: str = "auto"
    seed: int = 0
    claimed_precision: float = 0.05
    n_jobs: int = 1
    check_params: dict[str, dict[str, Any]] = field(default_factory=dict)
    rules: Any = None  # a pitfall.checks.evaluation.rules.RuleSet (``--rules``): PF401's regex baseline
    embed: Any = None  # the user's embedding function (``--embed``): the default content model's features


@dataclass(frozen=True)
class Predictions:
    """Predictions on the test set, as class indices (classification) or values (regression)."""

    label: np.ndarray
    proba: np.ndarray | None  # columns follow ``Context.classes``


class Context:
    """Everything checks share during one scan."""

    def __init__(self, split: Split, options: Options | None = None, model: Any = None):
        self.split = split
        self.options = options or Options()
        self.user_model = model
        self.seed = self.options.seed
        self.notes: list[str] = []
        self._cache: dict[str, Any] = {}
        self.metrics: dict[str, Any] = {}  # measured values the reports plot (scores, baselines)
        # codes of the checks of this scan that need the model's predictions (set by the runner;
        # None: unknown, so assume they are made anyway)
        self.prediction_users: frozenset[str] | None = None

    def cached(self, key: str, compute):
        """Share an expensive intermediate result between checks of one scan."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def peek(self, key: str) -> Any:
        """A result another check already shared under ``key``, or None: for optional extras
        that are worth reporting only when they cost nothing more."""
        return self._cache.get(key)

    # ----- data ---------------------------------------------------------------------------
    @property
    def task(self) -> str:
        return self.split.task

    @property
    def is_classification(self) -> bool:
        return self.split.task != "regression"

    @cached_property
    def classes(self) -> list:
        return self.split.classes

    def _codes(self, y: pd.Series) -> np.ndarray:
        if not self.is_classification:
            return pd.to_numeric(y, errors="coerce").to_numpy(dtype=float)
        index = pd.Index(self.classes)
        return index.get_indexer(y).astype(np.int64)

    @cached_property
    def y_train(self) -> np.ndarray:
        return self._codes(self.split.y_train)

    @cached_property
    def y_test(self) -> np.ndarray:
        return self._codes(self.split.y_test)

    @cached_property
    def encoder(self) -> FeatureEncoder:
        return FeatureEncoder(list(self.split.features), modality=self.split.roles.modality).fit(self.split.train)

    @cached_property
    def X_train(self) -> np.ndarray:
        return self.encoder.transform(self.split.train)

    @cached_property
    def X_test(self) -> np.ndarray:
        return self.encoder.transform(self.split.test)

    @cached_property
    def metric(self) -> Metric:
        return get_metric(self.options.metric, self.task)

    # ----- model --------------------------------------------------------------------------
    @property
    def model_source(self) -> str:
        return "user" if self.user_model is not None else "default"

    @cached_property
    def model(self) -> Any:
        """The user's fitted model, or pitfall's default fitted on train."""
        if self.user_model is not None:
            return self.user_model
        return self.fit_default_model(self.split.features)

    def fit_default_model(
        self,
        features: list[str],
        rows: np.ndarray | None = None,
        balanced: bool | None = None,
        seed: int | None = None,
        fast: bool = False,
    ) -> Any:
        """pitfall's default model on some features (and training rows), seeded.

        ``balanced`` (by default: when the scan's metric is balanced accuracy) makes it predict
        the class with the highest posterior-to-prior ratio, the decision that maximises
        balanced accuracy, as the one-feature rules do. ``seed`` defaults to the scan's seed.
        ``fast`` boosts with four times the learning rate and a quarter of the rounds
        (``FAST_BOOSTING``): the same total shrinkage at a quarter of the cost, for auxiliary
        models whose probabilities feed a statistic (the out-of-fold fold models), never for the
        model whose predictions are judged. Content (text, image) models are unaffected.
        """
        if balanced is None:
            balanced = self.metric.name == "balanced_accuracy"
        content = {c: k for c, k in self.split.roles.modality.items() if c in features}
        if content:
            from pitfall.data.content_model import ContentModel

            model = ContentModel(
                task=self.task,
                modality=content,
                root=self.split.root,
                random_state=self.seed if seed is None else seed,
                balanced=self.is_classification and balanced,
                embed=self.options.embed,
            )
            train = self.split.train if rows is None else self.split.train.iloc[rows]
            return model.fit(train[features], train[self.split.target])
        model = default_model(
            self.task,
            self.seed if seed is None else seed,
            balanced=self.is_classification and balanced,
            n_jobs=self.options.n_jobs,
            **(FAST_BOOSTING if fast else {}),
        )
        train = self.split.train if rows is None else self.split.train.iloc[rows]
        model.fit(train[features], train[self.split.target])
        return model

    def predictions_made_anyway(self, asking: str) -> bool:
        """Whether this scan makes the model's test predictions for some check other than
        ``asking`` (or has them already, or has the user's model): quoting the model's score
        next to a data check then costs no extra fit."""
        if self.user_model is not None or "predictions" in self.__dict__ or self.prediction_users is None:
            return True
        return bool(self.prediction_users - {asking})

    @cached_property
    def predictions(self) -> Predictions:
        return self.predict(self.model, self.split.features)

    def predict(self, model: Any, features: list[str]) -> Predictions:
        """A fitted model's predictions on the test set, checked and turned into class indices."""
        X = self.split.test[features]
        name = type(model).__name__
        both = None  # pitfall's model gives labels and probabilities in one pass
        try:
            if isinstance(model, DefaultModel) and self.is_classification:
                both = model.predict_with_proba(X)
            raw = np.asarray(both[0] if both is not None else model.predict(X))
        except Exception as exc:
            raise ModelError(
                f"the model ({name}) failed to predict on the test data: {type(exc).__name__}: "
                f"{str(exc).splitlines()[0][:160].rstrip('.') if str(exc) else ''}. "
                "Give a model fitted on these columns (a Pipeline that includes its preprocessing)."
            ) from None
        if len(raw) != len(X):
            raise ModelError(f"the model ({name}) returned {len(raw)} predictions for {len(X)} test rows.")
        if not self.is_classification:
            return Predictions(label=raw.astype(float), proba=None)
        label = pd.Index(self.classes).get_indexer(pd.Series(raw))
        if (label < 0).any():
            unknown = pd.Series(raw)[label < 0].iloc[0]
            raise ModelError(
                f"the model ({name}) predicts label {unknown!r}, which is not a class of the "
                f"target (classes: {', '.join(map(repr, self.classes[:10]))}). "
                "Check the target column."
            )
        proba = None
        if hasattr(model, "predict_proba"):
            try:
                p = np.asarray(both[1] if both is not None else model.predict_proba(X), dtype=float)
                model_classes = list(getattr(model, "classes_", self.classes))
                proba = np.zeros((len(X), len(self.classes)))
                cols = pd.Index(self.classes).get_indexer(model_classes)
                for j, c in enumerate(cols):
                    if c >= 0:
                        proba[:, c] = p[:, j]
            except Exception:
                proba = None
        if proba is None and self.metric.needs_proba:
            raise ModelError(
                f"metric {self.metric.name} needs probabilities but the model ({name}) has no "
                "working predict_proba(). Use --metric balanced_accuracy or a probabilistic model."
            )
        return Predictions(label=label.astype(np.int64), proba=proba)

    # ----- scoring ------------------------------------------------------------------------
    def resamples(self, n: int) -> Resamples:
        """Bootstrap resamples of ``n`` rows, shared by every score of this scan."""
        return self.cached(f"resamples:{n}", lambda: Resamples(n, seed=self.seed))

    def score(
        self,
        pred: Predictions,
        metric: Metric | None = None,
        y: np.ndarray | None = None,
        level: float = 0.95,
    ) -> Interval:
        """Metric on the test set (or on ``y``) with a bootstrap interval."""
        metric = metric or self.metric
        y = self.y_test if y is None else y
        if metric.needs_proba and pred.proba is None:
            return Interval(float("nan"), float("nan"), float("nan"), level)
        estimate = metric(y, pred.label, pred.proba)
        samples = bootstrap(metric, y, [(pred.label, pred.proba)], self.resamples(len(y)))[0]
        return percentile_interval(estimate, samples, level)

    def score_difference(
        self,
        a: Predictions,
        b: Predictions,
        metric: Metric | None = None,
        level: float = 0.95,
        y: np.ndarray | None = None,
    ) -> Interval:
        """Paired bootstrap interval of ``score(a) - score(b)`` (errors: ``b - a``) on the test
        set (or on ``y``).

        Positive means ``a`` is better, whichever direction the metric runs.
        """
        metric = metric or self.metric
        y = self.y_test if y is None else y
        sign = 1.0 if metric.greater_is_better else -1.0
        estimate = sign * (metric(y, a.label, a.proba) - metric(y, b.label, b.proba))
        s = bootstrap(metric, y, [(a.label, a.proba), (b.label, b.proba)], self.resamples(len(y)))
        return percentile_interval(estimate, sign * (s[0] - s[1]), level)

    # ----- cross-validated single-feature models --------------------------------------------
    @cached_property
    def cv_rows(self) -> np.ndarray:
        """Train rows used by cross-validated checks: all, or a seeded stratified sample."""
        n = len(self.y_train)
        if n <= MAX_CV_ROWS:
            return np.arange(n)
        from sklearn.model_selection import train_test_split

        stratify = self.is_classification and np.bincount(self.y_train).min() >= 2
        self.notes.append(
            f"Cross-validated checks used a seeded {'stratified ' if stratify else ''}sample of "
            f"{MAX_CV_ROWS:,} of the {n:,} training rows."
        )
        rows, _ = train_test_split(
            np.arange(n),
            train_size=MAX_CV_ROWS,
            random_state=self.seed,
            stratify=self.y_train if stratify else None,
        )
        return np.sort(rows)

    def metric_by_name(self, name: str) -> Metric:
        return METRICS[name]
