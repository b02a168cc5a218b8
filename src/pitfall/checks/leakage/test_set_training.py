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
SEED_COPIES = 5  # train-only copies of a model whose randomness the user left unseeded


def unseeded_params(model: Any) -> list[str]:
    """Parameters that leave the model's randomness unseeded: ``random_state`` is None or a
    ``RandomState`` (its own or a pipeline step's), so each fit draws a different model."""
    try:
        params = model.get_params(deep=True)
    except Exception:
        return []
    return [
        key
        for key, value in params.items()
        if (key == "random_state" or key.endswith("__random_state"))
        and (value is None or isinstance(value, np.random.RandomState))
    ]


def seeded(template: Any, keys: list[str], seed: int) -> Any:
    """A clone of ``template`` whose unseeded ``keys`` are fixed to ``seed`` (a reproducible scan)."""
    from sklearn.base import clone

    model = clone(template)
    if keys:
        model.set_params(**dict.fromkeys(keys, seed))
    return model


def same_predictions(a: Predictions, b: Predictions) -> bool:
    if not np.array_equal(a.label, b.label):
        return False
    if (a.proba is None) != (b.proba is None):
        return False
    return a.proba is None or bool(np.allclose(a.proba, b.proba, rtol=0, atol=1e-12))


def seed_bound(user_loss: np.ndarray, copy_losses: np.ndarray) -> dict[str, float]:
    """Lower bound of the user's gain over copies that differ from it by seed alone.

    The user's unseeded model is, when fitted on the training rows, one more draw of the same
    fit: its mean test loss is exchangeable with the copies'. With ``k`` copies whose mean
    losses spread by ``s``, the user's gain over their average has standard deviation
    ``s * sqrt(1 + 1/k)`` on these test rows; the bound is a one-sided Student t prediction
    bound (``k - 1`` degrees of freedom) at the check's level.
    """
    from scipy import stats

    means = copy_losses.mean(axis=1)
    k = len(means)
    spread = float(means.std(ddof=1))
    gain = float(means.mean() - user_loss.mean())
    t = float(stats.t.ppf(1 - (1 - LEVEL) / 2, k - 1))
    return {
        "copies": k,
        "gain": gain,
        "copy_loss_sd": spread,
        "t": t,
        "low": gain - t * spread * float(np.sqrt(1 + 1 / k)),
    }


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

    A model whose randomness is unseeded (`random_state=None`, in a pipeline step too) is one
    draw among many: when two seeds give different predictions, five copies are fitted with
    seeds taken from the scan's seed, the gain is measured against their average, and it must
    also exceed what another seed would give: a one-sided 99.5% Student t prediction bound
    from the spread of the copies' test losses (`unseeded_copies` in the evidence). Without
    this, a 20-tree forest that happened to draw well looked fitted on more rows.

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
        copies, oof = self._refit(ctx)
        copy = copies[0]
        metric = ctx.metric
        test_iv, copy_iv = ctx.score(user), ctx.score(copy)
        rows = ctx.cv_rows
        y_seen = ctx.y_train[rows]
        seen = self._on_train(ctx, ctx.user_model, rows)
        train_iv = ctx.score(seen, y=y_seen)
        oof_iv = ctx.score(oof, y=y_seen) if oof is not None else None
        loss_user = row_loss(ctx, user, ctx.y_test)
        copy_losses = np.stack([row_loss(ctx, c, ctx.y_test) for c in copies])
        loss_copy = copy_losses.mean(axis=0)
        loss_seen = row_loss(ctx, seen, y_seen)
        gain = row_mean_interval(ctx, loss_copy - loss_user, level=LEVEL)
        by_seed = seed_bound(loss_user, copy_losses) if len(copies) > 1 else None
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
            "unseeded_copies": by_seed,
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
        if by_seed is not None and not by_seed["low"] > 0:
            return  # no more than another seed of the same fit would give
        if closed >= self.closure:
            severity = Severity.ERROR
        elif score_gain >= floor:
            severity = Severity.WARNING
        else:  # fitted on a few more rows, perhaps legitimately: the score barely moved
            return
        who = f"step {step!r} ({type(est).__name__})" if step else f"the model ({type(est).__name__})"
        unseen = f", out-of-fold on train {oof_iv}" if oof_iv is not None else ""
        seeds = (
            f" (unseeded: {by_seed['copies']} copies with different seeds, the gain is "
            f"{by_seed['gain'] / by_seed['copy_loss_sd']:.1f} times their spread)"
            if by_seed is not None and by_seed["copy_loss_sd"] > 0
            else ""
        )
        scores = (
            f"{metric.name} on test {test_iv} and on its own training rows {train_iv}; the same "
            f"model fitted on the training rows alone scores {copy_iv} on test{seeds}{unseen}"
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
    def _refit(ctx: Context) -> tuple[list[Predictions], Predictions | None]:
        """Test predictions of train-only copies of the user's model, and the first copy's
        out-of-fold predictions on ``ctx.cv_rows`` (None when a fold cannot be fitted).

        One copy when the model is seeded or fits the same model whatever the seed; when its
        randomness is unseeded and two seeds give different predictions, ``SEED_COPIES``
        copies with seeds from the scan's seed, so the check can tell a real gain from the
        luck of the user's draw."""
        from sklearn.base import clone
        from sklearn.model_selection import KFold, StratifiedKFold

        rows = ctx.cv_rows
        features = list(ctx.split.features)
        train = ctx.split.train.iloc[rows]
        X, y = train[features], train[ctx.split.target]
        X_all, y_all = ctx.split.train[features], ctx.split.train[ctx.split.target]
        try:
            keys = unseeded_params(ctx.user_model)
            template = seeded(ctx.user_model, keys, ctx.seed)
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
            copies = [ctx.predict(copy, features)]
            for j in range(1, SEED_COPIES if keys else 1):
                other = seeded(template, keys, ctx.seed + j).fit(X_all, y_all)
                copies.append(ctx.predict(other, features))
                if j == 1 and same_predictions(copies[0], copies[1]):
                    copies.pop()  # the seed changes nothing: a deterministic fit
                    break
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
                return copies, None
        if proba is None and ctx.metric.needs_proba:
            return copies, None
        return copies, Predictions(label, proba)

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
