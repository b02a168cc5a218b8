"""Performance without labels: confidence-based performance estimation (CBPE).

When a classifier's probabilities are calibrated, P(label = i | row) is known for every current
row, so the confusion matrix the model *would* have is known in expectation:
``C[i, j] = sum of proba[:, i] over the rows predicted j``. Accuracy, balanced accuracy and macro
F1 follow from it; ROC AUC follows from the expected number of (positive, negative) pairs each
score ranks correctly. No label is needed, only a calibration fitted once on labelled reference
data (``Calibrator``). This is the idea behind NannyML's CBPE.

The interval of ``estimate_metric`` combines two sources of uncertainty in one resample: the rows
are resampled (row bootstrap) and each resampled row gets a label drawn from its probabilities
(label sampling; the number of correct rows is a Poisson-binomial variable). For label-based
metrics this combination is exactly a multinomial draw of the k × k confusion matrix with cell
probabilities ``C / n``, so it costs nothing per row. For ROC AUC each row's resample count is
Poisson and is split into Poisson counts per class (Poisson thinning), drawn for up to
``MAX_ROWS`` rows (a fixed random subsample beyond, each row then standing for ``n / MAX_ROWS``).
The interval is as wide as the ordinary bootstrap interval of the score would be if the labels
were known. ``Calibrator.estimate`` also adds the uncertainty of the calibration (refitted on
bootstrap resamples of the reference), which is as large as the sampling error of the
reference's own score. Measured on generated data (3000 reference rows, 1000–1500 current rows,
60–200 seeds), its 95% interval covered the realised score of the current rows in 95% of
repetitions for binary models without drift (93–95% for ROC AUC), 92–96% under covariate shift
towards the decision boundary and 92–95% for three classes; ``estimate_metric`` alone, which
takes the probabilities as exact, covered 86–93%.

Known limitation: CBPE assumes that P(label | features) is the same in reference and current
data (no concept drift). Covariate shift (rows moving to regions where the model is more or less
sure) is what it measures; if the relation between features and label itself changes, the
calibrated probabilities are wrong and so is the estimate, silently: a model that became
useless because the world changed still reports its reference performance. Only labels can
show concept drift. The calibration also must hold *in the region the rows move to*: a model
that is confidently wrong there (one that never saw such rows, or extrapolates) is estimated
too well. ``Calibrator.estimate`` includes the sampling error of the calibration, not a
calibration that fails in a region the reference barely covered; calibrate on a few thousand
labelled reference rows that include the kinds of rows expected later.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit
from sklearn.isotonic import IsotonicRegression

from pitfall.errors import InputError
from pitfall.metrics import METRICS
from pitfall.stats import MAX_ROWS, Interval, percentile_interval

__all__ = ["ESTIMABLE_METRICS", "Calibrator", "estimate_metric"]

ESTIMABLE_METRICS = ("accuracy", "balanced_accuracy", "f1_macro", "roc_auc")
MIN_CELL_DRAWS = 2000  # confusion-matrix draws cost nothing per row, so label metrics use at least this many
MAX_REPLICATE_ROWS = 100_000  # reference rows each bootstrap calibration is fitted on
TIE_BREAK = 1e-6  # weight of the raw probability mixed into a calibrated one, so rankings survive


# ----- validation ------------------------------------------------------------------------------
def _check_proba(proba: np.ndarray, name: str) -> np.ndarray:
    """Probabilities as an (n, k) float array with rows summing to 1; 1-D means P(class 1)."""
    p = np.array(proba, dtype=float, copy=True)
    if p.ndim == 1:
        p = np.column_stack([1.0 - p, p])
    if p.ndim != 2 or p.shape[1] < 2:
        raise InputError(
            f"{name} must be an (n_rows, n_classes) array of probabilities with n_classes >= 2. "
            f"Got shape {np.shape(proba)!r} instead."
        )
    if p.shape[0] == 0:
        raise InputError(f"{name} must have at least one row. Got 0 rows instead.")
    bad = ~np.isfinite(p)
    if bad.any():
        row = int(np.flatnonzero(bad.any(axis=1))[0])
        raise InputError(
            f"{name} must be finite. Got {int(bad.sum())} NaN or infinite values instead (first in row {row}); "
            "drop or impute the rows the model could not score."
        )
    if (p < -1e-9).any() or (p > 1 + 1e-9).any():
        raise InputError(
            f"{name} must lie in [0, 1]. Got values from {p.min():.4g} to {p.max():.4g} instead; "
            "pass predict_proba output, not decision_function scores."
        )
    p = np.clip(p, 0.0, 1.0)
    sums = p.sum(axis=1)
    worst = int(np.argmax(np.abs(sums - 1)))
    if abs(sums[worst] - 1) > 1e-3:
        raise InputError(f"rows of {name} must sum to 1. Got {sums[worst]:.4g} instead (row {worst}).")
    return p / sums[:, None]


def _check_labels(y: np.ndarray, n: int, k: int, name: str) -> np.ndarray:
    """Class indices 0..k-1, one per row."""
    arr = np.asarray(y)
    if arr.ndim != 1 or len(arr) != n:
        raise InputError(f"{name} must have one class index per row ({n}). Got shape {arr.shape!r} instead.")
    try:
        values = arr.astype(float)
    except (TypeError, ValueError):
        raise InputError(f"{name} must hold class indices 0..{k - 1}. Got dtype {arr.dtype} instead.") from None
    if not np.isfinite(values).all():
        raise InputError(f"{name} must hold class indices 0..{k - 1}. Got NaN instead.")
    if (values != np.round(values)).any() or values.min() < 0 or values.max() > k - 1:
        raise InputError(
            f"{name} must hold class indices 0..{k - 1} (the columns of the probabilities). "
            f"Got values from {values.min():g} to {values.max():g} instead."
        )
    return values.astype(np.int64)


# ----- calibration -----------------------------------------------------------------------------
class Calibrator:
    """Per-class calibration of predicted probabilities, fitted on labelled reference data.

    Each class's probability (one-vs-rest; only class 1 for binary) is mapped by isotonic
    regression, which assumes nothing but monotonicity and so fixes any miscalibration shape,
    when the reference has at least ``min_isotonic`` rows of the class and of the other classes.
    With fewer, isotonic regression is a step function with a handful of noisy steps, so a
    Platt sigmoid (two parameters, on the logit of the probability) is fitted instead while there
    are ``min_platt`` of each; below that the probability is left as it is. Multiclass rows are
    renormalised to sum to 1. A tiny share of the raw probability is mixed in so that rows tied
    by an isotonic step keep the model's ranking (which ROC AUC depends on).

    The calibration is itself estimated from a sample: with n reference rows the calibrated
    accuracy is about as uncertain as the reference's own accuracy (±2·sqrt(acc(1 - acc) / n)).
    So ``fit`` also fits ``n_replicates`` calibrations on bootstrap resamples of the reference
    (on at most ``MAX_REPLICATE_ROWS`` rows), and ``estimate`` adds their spread to the interval.

    Attributes (after ``fit``):
        methods_: Method per calibrated column: ``"isotonic"``, ``"platt"`` or ``"none"``.
        method_: One line summarising ``methods_`` (e.g. ``"isotonic"`` or
            ``"isotonic (classes 0, 1); platt (class 2)"``).
        n_classes_: Number of probability columns.
        n_reference_: Number of reference rows.
    """

    def __init__(self, *, min_isotonic: int = 50, min_platt: int = 10, n_replicates: int = 30, seed: int = 0):
        self.min_isotonic = min_isotonic
        self.min_platt = min_platt
        self.n_replicates = n_replicates
        self.seed = seed

    def fit(self, proba_ref: np.ndarray, y_ref: np.ndarray) -> Calibrator:
        p = _check_proba(proba_ref, "proba_ref")
        n, k = p.shape
        y = _check_labels(y_ref, n, k, "y_ref")
        self.n_classes_, self.n_reference_ = k, n
        self.columns_ = [1] if k == 2 else list(range(k))
        self.methods_ = []
        for c in self.columns_:
            hits = int((y == c).sum())
            fewest = min(hits, n - hits)
            method = "isotonic" if fewest >= self.min_isotonic else "platt" if fewest >= self.min_platt else "none"
            self.methods_.append(method)
        self.method_ = _summary(self.methods_, self.columns_)
        self.maps_ = self._fit_maps(p, y)
        rng = np.random.default_rng([int(self.seed), 6])
        m = self.replicate_rows_ = min(n, MAX_REPLICATE_ROWS)
        self.replicates_ = []
        for _ in range(self.n_replicates):
            rows = rng.integers(0, n, size=m)
            self.replicates_.append(self._fit_maps(p[rows], y[rows]))
        return self

    def _fit_maps(self, p: np.ndarray, y: np.ndarray) -> list:
        maps: list[IsotonicRegression | tuple[float, float] | None] = []
        for c, method in zip(self.columns_, self.methods_, strict=True):
            hit = y == c
            if method == "isotonic":
                iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
                maps.append(iso.fit(p[:, c], hit.astype(float)))
            elif method == "platt" and 0 < hit.sum() < len(hit):
                maps.append(_platt(_logit(p[:, c]), hit.astype(float)))
            else:
                maps.append(None)
        return maps

    def transform(self, proba: np.ndarray, *, replicate: int | None = None) -> np.ndarray:
        """Calibrated probabilities (rows sum to 1); ``replicate`` picks a bootstrap calibration."""
        if not hasattr(self, "maps_"):
            raise RuntimeError("Calibrator.transform needs a fitted Calibrator: call fit(proba_ref, y_ref) first.")
        p = _check_proba(proba, "proba")
        if p.shape[1] != self.n_classes_:
            raise InputError(
                f"proba must have the {self.n_classes_} columns the Calibrator was fitted on. Got {p.shape[1]} instead."
            )
        return self._apply(p, self.maps_ if replicate is None else self.replicates_[replicate])

    def _apply(self, p: np.ndarray, maps: list) -> np.ndarray:
        cal = p.copy()
        for c, fitted in zip(self.columns_, maps, strict=True):
            if isinstance(fitted, IsotonicRegression):  # its predict, clipped, without the validation
                mapped = np.interp(p[:, c], fitted.X_thresholds_, fitted.y_thresholds_)
            elif isinstance(fitted, tuple):
                mapped = expit(fitted[0] + fitted[1] * _logit(p[:, c]))
            else:
                mapped = p[:, c]
            cal[:, c] = (1 - TIE_BREAK) * mapped + TIE_BREAK * p[:, c]
        if self.n_classes_ == 2:
            cal[:, 0] = 1.0 - cal[:, 1]
            return cal
        sums = cal.sum(axis=1)
        empty = sums <= 0
        cal[empty] = p[empty]  # every class mapped to 0: nothing to renormalise, keep the model's
        return cal / cal.sum(axis=1, keepdims=True)

    def estimate(
        self, proba: np.ndarray, metric: str, *, seed: int = 0, n_boot: int = 200, pred: np.ndarray | None = None
    ) -> Interval:
        """``estimate_metric`` of the calibrated ``proba`` (the model's raw probabilities), with the
        calibration's own uncertainty added: each resample is shifted by how much the estimate moves
        under one of the bootstrap calibrations, and the estimate is bias-corrected by their mean.

        ``pred`` defaults to the argmax of the raw ``proba`` (what the model predicts); ROC AUC
        ranks rows by the raw ``proba``.
        """
        p = _check_proba(proba, "proba")
        if pred is None:
            pred = p.argmax(axis=1)  # the model's own prediction, not the calibrated argmax
        scores = p if metric == "roc_auc" else None
        estimate, samples = _estimate(self.transform(p), metric, seed, n_boot, pred, scores)
        if not self.replicates_ or not np.isfinite(estimate):
            return percentile_interval(estimate, samples)
        moved = np.array(
            [_expected(self.transform(p, replicate=b), metric, pred, scores) for b in range(len(self.replicates_))]
        )
        moved = moved[np.isfinite(moved)]
        if moved.size:
            # bootstrap bias correction: a calibration fitted on a sample is a little too sure of
            # itself (noise in the map pushes probabilities away from 1/2), and refits on resamples
            # are as much surer again; this removes about a third of the optimism seen on test data
            # replicates fitted on m < n rows spread sqrt(n / m) times wider, and are m / n times as biased
            shrink = self.replicate_rows_ / self.n_reference_
            bias = shrink * (moved.mean() - _expected(self.transform(p), metric, pred, scores))
            samples = samples + np.sqrt(shrink) * np.resize(moved - moved.mean(), samples.size) - bias
            estimate -= bias
        return percentile_interval(estimate, samples)


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(q / (1 - q))


def _platt(x: np.ndarray, hit: np.ndarray, ridge: float = 1.0) -> tuple[float, float]:
    """Intercept and slope of P(hit) = sigmoid(a + b·x) by Newton steps; the ridge on the slope
    (that of scikit-learn's default LogisticRegression) keeps it finite on separable data."""
    X = np.column_stack([np.ones_like(x), x])
    beta = np.zeros(2)
    penalty = np.diag([0.0, ridge])
    for _ in range(50):
        q = expit(X @ beta)
        grad = X.T @ (q - hit) + penalty @ beta
        hess = (X * (q * (1 - q))[:, None]).T @ X + penalty + 1e-9 * np.eye(2)
        step = np.clip(np.linalg.solve(hess, grad), -5.0, 5.0)  # damped: no overshoot on separable data
        beta -= step
        if np.abs(step).max() < 1e-10:
            break
    return float(beta[0]), float(beta[1])


def _summary(methods: list[str], columns: list[int]) -> str:
    if len(set(methods)) == 1:
        return methods[0]
    parts = []
    for method in dict.fromkeys(methods):
        cls = [str(c) for c, m in zip(columns, methods, strict=True) if m == method]
        parts.append(f"{method} (class{'es' if len(cls) > 1 else ''} {', '.join(cls)})")
    return "; ".join(parts)


# ----- estimation ------------------------------------------------------------------------------
def estimate_metric(
    proba: np.ndarray,
    metric: str,
    *,
    seed: int = 0,
    n_boot: int = 200,
    pred: np.ndarray | None = None,
    scores: np.ndarray | None = None,
) -> Interval:
    """Expected value of ``metric`` when the labels are drawn from the calibrated ``proba``.

    The probabilities are taken as exact; ``Calibrator.estimate`` adds the uncertainty of a
    calibration fitted on a finite reference.

    Args:
        proba: Calibrated probabilities, (n_rows, n_classes); a 1-D array is P(class 1).
        metric: ``"accuracy"``, ``"balanced_accuracy"``, ``"f1_macro"`` or ``"roc_auc"``
            (macro one-vs-rest for multiclass).
        seed: Seed of the resamples.
        n_boot: Resamples of the interval. Label-based metrics draw confusion matrices, which
            cost nothing per row, and use at least ``MIN_CELL_DRAWS``.
        pred: The model's predicted class indices, when they are not the argmax of ``proba``
            (calibration can move a row across 0.5; the model still predicts what it predicts).
        scores: The model's own probabilities to rank rows by for ROC AUC (default ``proba``;
            ``Calibrator`` keeps the binary ranking, but renormalising multiclass rows does not).

    Returns:
        The estimate with a 95% interval from label sampling combined with the row bootstrap
        (see the module docs). ROC AUC of fewer than two rows is NaN.
    """
    p = _check_proba(proba, "proba")
    return percentile_interval(*_estimate(p, metric, seed, n_boot, pred, scores))


def _estimate(p, metric, seed, n_boot, pred, scores) -> tuple[float, np.ndarray]:
    """(estimate, resampled values) of validated probabilities."""
    if metric not in ESTIMABLE_METRICS:
        raise InputError(
            f"the metric to estimate without labels must be one of {', '.join(ESTIMABLE_METRICS)}. "
            f"Got {metric!r} instead."
        )
    n, k = p.shape
    rng = np.random.default_rng([int(seed), 5])
    with np.errstate(invalid="ignore", divide="ignore"):
        if metric == "roc_auc":
            s = p if scores is None else _check_proba(scores, "scores")
            if s.shape != p.shape:
                raise InputError(f"scores must have the shape of proba {p.shape!r}. Got {s.shape!r} instead.")
            return _auc_draws(p, s, rng, n_boot)
        labels = p.argmax(axis=1) if pred is None else _check_labels(pred, n, k, "pred")
        truth, predicted, expected = _cells(p, labels)
        draws = rng.multinomial(n, expected / expected.sum(), size=max(n_boot, MIN_CELL_DRAWS)).astype(float)
        samples = METRICS[metric].batch(truth, predicted, None, draws)
    # The mean of the draws, not the metric of the expected matrix: they agree for many rows, but
    # on few rows a class may be absent, which macro averages skip (one row: balanced accuracy is
    # 1 or 0, expected max(proba), while the expected matrix gives 1/2).
    return float(np.nanmean(samples)) if np.isfinite(samples).any() else float("nan"), samples


def _cells(p: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Expected confusion matrix as cells: (true class, predicted class, expected count)."""
    n, k = p.shape
    onehot = np.zeros((n, k))
    onehot[np.arange(n), labels] = 1.0
    truth, predicted = np.divmod(np.arange(k * k), k)
    return truth, predicted, (p.T @ onehot).ravel()  # cell (true i, predicted j) at i * k + j


def _expected(p: np.ndarray, metric: str, pred: np.ndarray, scores: np.ndarray | None) -> float:
    """The metric of the expected confusion matrix (the expected pairs for ROC AUC): no draws."""
    with np.errstate(invalid="ignore", divide="ignore"):
        if metric == "roc_auc":
            return _expected_auc(p, p if scores is None else scores)
        truth, predicted, expected = _cells(p, np.asarray(pred, dtype=np.int64))
        return float(METRICS[metric].batch(truth, predicted, None, expected[None, :])[0])


def _auc_draws(p: np.ndarray, s: np.ndarray, rng, n_boot: int) -> tuple[float, np.ndarray]:
    n, k = p.shape
    if n < 2:
        return float("nan"), np.full(n_boot, np.nan)
    estimate = _expected_auc(p, s)
    rows = np.arange(n) if n <= MAX_ROWS else np.sort(rng.choice(n, size=MAX_ROWS, replace=False))
    rate = n / len(rows)
    # one copy of each row per class: copy c is a row labelled c, resampled Poisson(rate * p_c) times
    truth = np.repeat(np.arange(k), len(rows))
    score_k = np.tile(s[rows], (k, 1))
    mean_k = rate * p[rows].T.ravel()
    batch = METRICS["roc_auc"].batch
    samples = np.empty(n_boot)
    block = max(1, 2_000_000 // len(truth))
    for start in range(0, n_boot, block):
        size = min(block, n_boot - start)
        W = rng.poisson(mean_k, size=(size, len(truth))).astype(float)
        samples[start : start + size] = batch(truth, None, score_k, W)
    finite = samples[np.isfinite(samples)]
    if finite.size == 0 or not np.isfinite(estimate):
        return estimate, samples
    return estimate, samples - finite.mean() + estimate  # centred on the exact expectation


def _expected_auc(p: np.ndarray, s: np.ndarray) -> float:
    """Expected (positive, negative) pairs ranked right over expected pairs, one-vs-rest per class.

    A row is never paired with itself: its own positive and negative chances are subtracted.
    Macro average over classes with an expected pair.
    """
    k = p.shape[1]
    values = []
    for c in [1] if k == 2 else range(k):
        _, level = np.unique(s[:, c], return_inverse=True)
        pos = np.bincount(level, weights=p[:, c])
        neg = np.bincount(level, weights=1 - p[:, c])
        own = np.bincount(level, weights=p[:, c] * (1 - p[:, c]))
        below = np.cumsum(neg) - neg
        num = float((pos * (below + 0.5 * neg)).sum() - 0.5 * own.sum())
        den = float(pos.sum() * neg.sum() - own.sum())
        if den > 1e-12:
            values.append(num / den)
    return float(np.mean(values)) if values else float("nan")
