"""PF208 test-set-used-for-training."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

from pitfall.checks.base import Check, Requires, Skip
from pitfall.checks.context import Context, Predictions
from pitfall.checks.refits import predict_frame, row_mean_interval
from pitfall.findings import Finding, Severity

LEVEL = 0.99  # two-sided interval of the gain: one-sided false-alarm rate 0.5% per scan


def final_step(model: Any) -> tuple[str, Any]:
    """The estimator that makes the predictions: a pipeline's last step, a search's best model."""
    model = getattr(model, "best_estimator_", model)
    steps = getattr(model, "steps", None)
    if steps:
        name, last = steps[-1]
        inner_name, inner = final_step(last)
        return (f"{name}/{inner_name}" if inner_name else name), inner
    return "", model


def closure(gain: float, train_gain: float) -> float:
    """Share of the gap between the model's training score and an unseen-data score that the
    test score closes (0: the test rows behave like unseen rows, 1: like training rows)."""
    if not (np.isfinite(gain) and np.isfinite(train_gain)) or train_gain <= 0:
        return 0.0
    return float(gain / train_gain)


class TestSetUsedForTraining(Check):
    """The user's model was fitted on rows that include the test set.

    ## What it finds
    A copy of the user's model (`sklearn.base.clone`, same hyperparameters and seed) is fitted
    on the training rows alone and scored on the test set, next to the user's model. On the
    same test rows the two scores are compared with a paired bootstrap interval (99%). The
    user's model is also scored on its own training rows, which it has seen.

    - `error`: the user's model beats its train-only copy on test (the interval of the gain
      lies above zero) and the gain closes at least `closure` (default 0.5) of the gap between
      the copy's test score (what the training data supports on unseen rows) and the user's
      model's score on its training rows. The test rows then behave like rows the model has
      seen: a memorising model (forest, deep tree, nearest neighbours) is as good on test as
      on train.
    - `warning`: the gain is significant but closes less of the gap, and the test score itself
      is better than the copy's by at least the precision you claim (`--claimed-precision`,
      default 0.05; relative for `mae`/`rmse`): the model was fitted on more or other rows than
      the training set given (test rows, or other data), so its test score is not that of the
      training data you report. A significant gain smaller than that is not reported (a model
      refitted on a few more rows, a validation set, moves its score that little).

    The copy's out-of-fold score on the training rows (5 folds) is reported as well: what the
    model reaches on rows it has not seen. A model fitted correctly on the training rows is
    identical to its copy (same seed), or differs from it by seed only, which helps and hurts
    test rows alike: the gain is then zero up to chance.

    ## Why it matters
    A model that saw the test rows while fitting reports a score on rows it has memorised: a
    random forest fitted on train and test together scores about 1.0 on test, whatever it
    will score on new data. No other check sees this when the test rows are exact rows of the
    training file only for the model.

    ## How to fix
    Fit the model on the training rows only (`model.fit(X_train, y_train)`), after the split;
    choose hyperparameters by cross-validation on the training rows; then score the test set
    once.

    ## Example
    `RandomForestClassifier().fit(pd.concat([X_train, X_test]), ...)`: test accuracy 1.000,
    while the same forest fitted on train alone scores 0.93 on test.

    ## Options
    - `closure` (default 0.5): share of the gap between unseen-data and training score that the
      test score must close to be an `error`.
    """

    code = "PF208"
    name = "test-set-used-for-training"
    family = "leakage"
    severity = Severity.ERROR
    requires = Requires(model=True, user_model=True)
    model_based = True
    __test__ = False  # not a pytest test class, despite its name

    def __init__(self, *, closure: float = 0.5):
        self.closure = closure

    def run(self, ctx: Context) -> Iterator[Finding]:
        if ctx.user_model is None:
            raise Skip("needs the user's fitted model (--model); pitfall's own model is fitted on train")
        user = ctx.predictions
        copy, oof = self._refit(ctx)
        metric = ctx.metric
        test_iv, copy_iv = ctx.score(user), ctx.score(copy)
        rows = ctx.cv_rows
        y_seen = ctx.y_train[rows]
        seen = self._on_train(ctx, ctx.user_model, rows)
        train_iv = ctx.score(seen, y=y_seen)
        oof_iv = ctx.score(oof, y=y_seen) if oof is not None else None
        loss_user, loss_copy = row_loss(ctx, user, ctx.y_test), row_loss(ctx, copy, ctx.y_test)
        loss_seen = row_loss(ctx, seen, y_seen)
        gain = row_mean_interval(ctx, loss_copy - loss_user, level=LEVEL)
        closed = closure(gain.estimate, float(loss_copy.mean() - loss_seen.mean()))
        step, est = final_step(ctx.user_model)
        evidence = {
            "metric": metric.name,
            "model_test_score": test_iv.to_dict(),
            "train_only_copy_test_score": copy_iv.to_dict(),
            "model_train_score": train_iv.to_dict(),
            "copy_out_of_fold_score": oof_iv.to_dict() if oof_iv is not None else None,
            "row_loss": loss_name(ctx, user),
            "model_test_loss": float(loss_user.mean()),
            "copy_test_loss": float(loss_copy.mean()),
            "model_train_loss": float(loss_seen.mean()),
            "loss_gain_over_copy": gain.to_dict(),
            "gap_closed": closed,
            "closure_threshold": self.closure,
            "level": LEVEL,
            "estimator": type(est).__name__,
            "step": step or None,
            "seed": ctx.seed,
        }
        ctx.metrics["test_set_training"] = evidence
        sign = 1.0 if metric.greater_is_better else -1.0
        score_gain = sign * (test_iv.estimate - copy_iv.estimate)
        relative = metric.name in {"mae", "rmse"}
        stated = ctx.options.check_params.get("PF403", {}).get("claimed_precision")
        floor = (stated or 0.05) * (abs(copy_iv.estimate) if relative else 1.0)
        evidence.update(score_gain=score_gain, score_gain_floor=floor)
        if not gain.low > 0:
            return
        if closed >= self.closure:
            severity = Severity.ERROR
        elif score_gain >= floor:
            severity = Severity.WARNING
        else:  # fitted on a few more rows, perhaps legitimately: the score barely moved
            return
        who = f"step {step!r} ({type(est).__name__})" if step else f"the model ({type(est).__name__})"
        unseen = f", out-of-fold on train {oof_iv}" if oof_iv is not None else ""
        scores = (
            f"{metric.name} on test {test_iv} and on its own training rows {train_iv}; the same "
            f"model fitted on the training rows alone scores {copy_iv} on test{unseen}"
        )
        if severity is Severity.ERROR:
            message = (
                f"The test rows look seen by {who}: {scores}. Its {evidence['row_loss']} on test "
                f"is {gain} lower than the copy's, {min(closed, 1.0):.0%} of the way to its training rows."
            )
        else:
            message = (
                f"{who[0].upper()}{who[1:]} does better on test than the same model fitted on the "
                f"training rows alone ({scores}; {evidence['row_loss']} {gain} lower): it was "
                "fitted on other or more rows than the training set."
            )
        yield self.finding(
            message,
            "Fit the model on the training rows only, after the split "
            "(model.fit(X_train, y_train)), and score the test set once.",
            evidence=evidence,
            severity=severity,
        )

    @staticmethod
    def _refit(ctx: Context) -> tuple[Predictions, Predictions | None]:
        """Test predictions of a train-only copy of the user's model, and its out-of-fold
        predictions on ``ctx.cv_rows`` (None when a fold cannot be fitted)."""
        from sklearn.base import clone
        from sklearn.model_selection import KFold, StratifiedKFold

        rows = ctx.cv_rows
        features = list(ctx.split.features)
        train = ctx.split.train.iloc[rows]
        X, y = train[features], train[ctx.split.target]
        X_all, y_all = ctx.split.train[features], ctx.split.train[ctx.split.target]
        try:
            template = clone(ctx.user_model)
        except Exception as exc:
            raise Skip(f"the model cannot be cloned for refitting ({type(exc).__name__})") from None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                copy = clone(template).fit(X_all, y_all)  # all rows, as the user fitted it
            except Exception as exc:
                raise Skip(
                    f"the model cannot be refitted on the training rows ({type(exc).__name__}: {str(exc)[:120]})"
                ) from None
            test_pred = ctx.predict(copy, features)
            codes = ctx.y_train[rows]
            if ctx.is_classification and np.bincount(codes).min(initial=len(codes)) >= 5:
                splitter: Any = StratifiedKFold(5, shuffle=True, random_state=ctx.seed)
            else:
                splitter = KFold(5, shuffle=True, random_state=ctx.seed)
            label = np.zeros(len(rows), dtype=np.int64 if ctx.is_classification else float)
            proba = np.zeros((len(rows), len(ctx.classes))) if ctx.is_classification else None
            try:
                for fit_idx, held in splitter.split(X, codes if ctx.is_classification else None):
                    fold = clone(template).fit(X.iloc[fit_idx], y.iloc[fit_idx])
                    pred = predict_frame(ctx, fold, X.iloc[held])
                    label[held] = pred.label
                    if proba is not None:
                        if pred.proba is None:
                            proba = None
                        else:
                            proba[held] = pred.proba
            except Exception:
                return test_pred, None
        if proba is None and ctx.metric.needs_proba:
            return test_pred, None
        return test_pred, Predictions(label, proba)

    @staticmethod
    def _on_train(ctx: Context, model: Any, rows: np.ndarray) -> Predictions:
        X = ctx.split.train.iloc[rows][list(ctx.split.features)]
        pred = predict_frame(ctx, model, X)
        return Predictions(pred.label, pred.proba)


def loss_name(ctx: Context, pred: Predictions) -> str:
    if not ctx.is_classification:
        return "absolute error"
    return "error rate" if pred.proba is None else "missing probability of the true class"


def row_loss(ctx: Context, pred: Predictions, y: np.ndarray) -> np.ndarray:
    """Per-row loss that a model which saw the row lowers: 1 - p(true class), the 0/1 error
    without probabilities, the absolute error for regression."""
    if not ctx.is_classification:
        return np.abs(np.asarray(pred.label, dtype=float) - y)
    if pred.proba is None:
        return (pred.label != y).astype(float)
    return 1.0 - pred.proba[np.arange(len(y)), y]
