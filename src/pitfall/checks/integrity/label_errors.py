"""PF106 label-errors."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from pitfall.checks.base import Check, Requires, Skip
from pitfall.checks.context import FAST_BOOSTING, Context
from pitfall.checks.out_of_fold import apply_temperature, fit_temperature, out_of_fold_proba
from pitfall.findings import Finding, Severity

N_EXAMPLES = 20


@dataclass(frozen=True)
class Flags:
    """Confident-learning flags of one labelled set."""

    flagged: np.ndarray  # bool per row
    suggested: np.ndarray  # class index the row more likely belongs to (-1 when not flagged)
    margin: np.ndarray  # p(suggested) - p(given label)
    thresholds: np.ndarray  # per-class mean self-confidence


def confident_flags(proba: np.ndarray, y: np.ndarray) -> Flags:
    """Rows whose given label looks wrong, by the confident joint of Northcutt et al. (2021).

    The threshold of class j is the mean probability of j among the rows labelled j (its
    self-confidence). A row is flagged when the probability of its label is below that label's
    threshold while another class reaches its own threshold; the suggested label is the most
    probable such class.
    """
    n, k = proba.shape
    rows = np.arange(n)
    self_conf = proba[rows, y]
    counts = np.bincount(y, minlength=k)
    sums = np.bincount(y, weights=self_conf, minlength=k)
    thresholds = np.where(counts > 0, sums / np.maximum(counts, 1), np.inf)
    above = proba >= thresholds
    above[rows, y] = False
    flagged = (self_conf < thresholds[y]) & above.any(axis=1)
    suggested = np.where(flagged, np.argmax(np.where(above, proba, -1.0), axis=1), -1)
    margin = np.where(flagged, proba[rows, np.maximum(suggested, 0)] - self_conf, 0.0)
    return Flags(flagged, suggested, margin, thresholds)


def null_flag_counts(proba: np.ndarray, n_sims: int, seed: int) -> np.ndarray:
    """Flag counts when every label is drawn from the model's own probabilities.

    Labels drawn this way are exactly as noisy as the model says the data are, so these counts
    are what confident learning flags on correct labels: the overlap of the classes alone.
    """
    rng = np.random.default_rng([seed, 106])
    cum = np.cumsum(proba, axis=1)
    cum[:, -1] = 1.0
    out = np.empty(n_sims)
    for s in range(n_sims):
        y = (cum > rng.random((len(proba), 1))).argmax(axis=1)
        out[s] = confident_flags(proba, y).flagged.sum()
    return out


def null_contradiction_counts(proba: np.ndarray, epsilon: float, n_sims: int, seed: int) -> np.ndarray:
    """Counts of labels given probability at most ``epsilon`` when every label is drawn from the
    model's own probabilities: what a calibrated model's tails predict for correct labels."""
    rng = np.random.default_rng([seed, 1062])
    cum = np.cumsum(proba, axis=1)
    cum[:, -1] = 1.0
    rows = np.arange(len(proba))
    out = np.empty(n_sims)
    for s in range(n_sims):
        y = (cum > rng.random((len(proba), 1))).argmax(axis=1)
        out[s] = (proba[rows, y] <= epsilon).sum()
    return out


class LabelErrors(Check):
    """More rows look mislabelled than the overlap of the classes explains.

    ## What it finds
    Likely label errors by confident learning (Northcutt, Jiang & Chuang 2021). Each training
    row gets class probabilities from a model that did not see it (pitfall's default model,
    five folds, each fold model boosted at 4 times the learning rate for a quarter of the
    rounds); class j's threshold is the mean probability of j among rows labelled j. A row
    is flagged when its label's probability is below that label's threshold while another class
    reaches its own threshold. Test rows are flagged the same way with the scan's model.

    Correct labels get flagged too wherever the classes overlap, so the count alone proves
    nothing. The check draws labels from the model's own probabilities (labels exactly as
    noisy as the model believes the data to be) and reruns the flagging, `n_null` times: a
    parametric null. It warns when the flagged count exceeds the null's `level` quantile and
    the excess over the null's mean (the estimated number of label errors) is at least
    `min_rows` rows and `min_share` of the rows, or `min_share + train_allowance` on the training
    side (below that, a training-side excess is reported at `info`). Up to 20 suspect rows are
    listed, largest margin first, with the suggested label.

    A model fitted on labels flipped at random (to any other class) learns the flip rate as a
    floor of probability on every class, and the parametric null above then explains the flags
    as overlap. But a model spreads that floor unevenly (a class that looks nothing like the row
    gets less), while random flips land on every class alike. So the check also counts
    *confident contradictions*: rows whose label gets an out-of-fold probability of at most
    `epsilon` (odds of 99 to 1 against, by default). Calibrated probabilities predict how many
    such labels correct data hold (the sum of the probabilities at most `epsilon`), and the
    same drawn labellings give its `level` quantile. When the observed count exceeds it, by at
    least `min_rows` and `min_share` of the rows, the finding is a `warning` whatever the
    flag count says: class overlap does not produce labels that a good model gives 1% to more
    often than it says. The excess is a lower bound on the number of label errors (a flipped
    label the model still gives more than `epsilon` is not counted).

    Label noise that a model can learn exactly (the same flip rate everywhere, spread over the
    classes as the model spreads its doubt) looks like class overlap and cannot be told from
    it; what this check finds are labels that disagree with confident predictions more often
    than the model's probabilities allow.

    ## Why it matters
    Wrong training labels teach the model wrong answers; wrong test labels bias the score
    (usually downward, and unevenly across classes), so a comparison between models can flip.

    ## How to fix
    Review the listed rows (relabel, or drop them if they cannot be checked), then look for a
    cause: a confusable pair of classes, an annotator, a labelling rule. Tools such as
    cleanlab can rank every row for review.

    ## Example
    312 of 4,000 training rows flagged where 190 [null 99% quantile 221] are expected with
    correct labels: about 122 label errors (3.1%).

    ## Options
    - `epsilon` (default 0.01): the out-of-fold probability at or below which a label counts as
      confidently contradicted.
    - `level` (default 0.99): quantile of the null flag count the observed count must exceed
      (per set: train, and test).
    - `min_share` (default 0.01): smallest share of rows with estimated label errors that counts.
    - `train_allowance` (default 0.04): share of rows added to `min_share` before a
      training-side excess is a warning. The null takes the out-of-fold probabilities as exact,
      but each fold model is itself miscalibrated here and there (boosted trees drawing an
      oblique boundary in steps), which neither one temperature nor a full matrix scaling
      removes; on clean 4-class data this alone raised the flagged count by up to 4% of rows.
    - `min_rows` (default 10): smallest number of estimated label errors that counts.
    - `n_null` (default 200): labellings drawn for the null.
    - `min_class_rows` (default 500): training rows the rarest class needs for a warning. The
      null takes the out-of-fold probabilities as calibrated; a class learnt from fewer rows has
      probabilities too rough for that. On clean data with 2% positives the excess reached 17%
      of rows with 30 positive training rows, and 3 of 6 seeds still warned with 150, so below
      this the finding is `info` (a list of suspects to review).
    """

    code = "PF106"
    name = "label-errors"
    family = "integrity"
    requires = Requires(tasks=frozenset({"binary", "multiclass"}))
    model_based = True

    def __init__(
        self,
        *,
        level: float = 0.99,
        min_share: float = 0.01,
        train_allowance: float = 0.04,
        min_rows: int = 10,
        n_null: int = 200,
        min_class_rows: int = 500,
        epsilon: float = 0.01,
    ):
        self.epsilon = epsilon
        self.min_class_rows = min_class_rows
        self.level = level
        self.min_share = min_share
        self.train_allowance = train_allowance
        self.min_rows = min_rows
        self.n_null = n_null

    def run(self, ctx: Context) -> Iterator[Finding]:
        if len(ctx.cv_rows) < 20 or len(np.unique(ctx.y_train)) < 2:
            raise Skip("too few training rows or a single class: no out-of-fold probabilities")
        oof = out_of_fold_proba(ctx)
        # the model's overall over- or under-confidence would pass for label errors (or hide
        # them): one temperature, fitted on the training labels, removes it
        temperature = fit_temperature(oof.proba, oof.y)
        train = self._measure(ctx, apply_temperature(oof.proba, temperature), oof.y, oof.rows, "train")
        sets = {"train": train}
        valid = oof.test_rows  # labelled test rows (a seeded sample of MAX_CV_ROWS on big test sets)
        if len(valid) >= 20:
            test_proba = apply_temperature(oof.test_proba, temperature)
            sets["test"] = self._measure(ctx, test_proba, ctx.y_test[valid], valid, "test")
        ctx.metrics["label_errors"] = {
            **{key: train[key] for key in ("flagged", "expected_clean", "share", "examples")},
            "temperature": temperature,
            "sets": {name: {k: v for k, v in found.items() if k != "fires"} for name, found in sets.items()},
        }
        class_rows = np.bincount(ctx.y_train[ctx.cv_rows], minlength=len(ctx.classes))
        present = class_rows[class_rows > 0]
        few = int(present.min()) if len(present) else 0
        for name, found in sets.items():
            if not found["fires"]:
                continue
            model = "out-of-fold" if name == "train" else "cross-fitted on train"
            hint = ""
            if few < self.min_class_rows and not found["contradiction_fires"]:
                # The null takes the probabilities as calibrated; a class learnt from a few dozen
                # rows has probabilities too rough for that, and the excess is no evidence.
                found["fires"] = "info"
                hint = (
                    f" The rarest class has {few} training rows, too few for calibrated probabilities: "
                    "treat the list as suspects to review, not as a measured error rate."
                )
            if found["contradiction_fires"]:
                head = (
                    f"{found['contradicted']:,} of {found['n']:,} {name} labels get at most "
                    f"{self.epsilon:.0%} probability from a model that did not see them ({model}) where "
                    f"{found['contradicted_expected']:.0f} [null {self.level:.0%} quantile "
                    f"{found['contradicted_null_quantile']:.0f}] are expected with correct labels: at least "
                    f"{found['contradicted_excess']:.0f} label errors "
                    f"({found['contradicted_excess'] / max(found['n'], 1):.1%}) that class overlap does not explain"
                    f" ({found['flagged']:,} rows flagged by confident learning)."
                )
            else:
                head = (
                    f"{found['flagged']:,} of {found['n']:,} {name} rows look mislabelled ({model}) where "
                    f"{found['expected_clean']:.0f} [null {self.level:.0%} quantile {found['null_quantile']:.0f}] "
                    f"are expected with correct labels: about {found['estimated_errors']:.0f} label errors "
                    f"({found['share']:.1%})."
                )
            yield self.finding(
                head + hint,
                f"Review the listed {name} rows (relabel or drop them) and look for a cause: a confusable "
                "pair of classes, an annotator, a labelling rule.",
                evidence={
                    "set": name,
                    **{k: v for k, v in found.items() if k != "fires"},
                    "level": self.level,
                    "min_share": self.min_share,
                    "train_allowance": self.train_allowance,
                    "min_rows": self.min_rows,
                    "min_class_rows": self.min_class_rows,
                    "epsilon": self.epsilon,
                    "rarest_class_rows": few,
                    "n_null": self.n_null,
                    "seed": ctx.seed,
                    "n_folds": oof.n_folds,
                    # the fold models' learning rate and rounds (None: text or image columns, the content model)
                    "fold_boosting": None if ctx.split.roles.modality else dict(FAST_BOOSTING),
                    "temperature": temperature,
                    "model": "default",
                },
                columns=(ctx.split.target,),
                severity=Severity.WARNING if found["fires"] == "warning" else Severity.INFO,
            )

    def _measure(self, ctx: Context, proba: np.ndarray, y: np.ndarray, rows: np.ndarray, name: str) -> dict:
        """Flags, the null, the decision and the listed examples for one labelled set."""
        flags = confident_flags(proba, y)
        seed = ctx.seed + (0 if name == "train" else 1)
        null = null_flag_counts(proba, self.n_null, seed)
        flagged = int(flags.flagged.sum())
        expected = float(null.mean())
        quantile = float(np.quantile(null, self.level))
        n = len(y)
        excess = max(flagged - expected, 0.0)
        counts = flagged > quantile and excess >= max(self.min_rows, self.min_share * n)
        allowance = self.train_allowance if name == "train" else 0.0
        fires = "warning" if counts and excess >= (self.min_share + allowance) * n else "info" if counts else ""
        given = proba[np.arange(n), y]
        contradicted = int((given <= self.epsilon).sum())
        null_c = null_contradiction_counts(proba, self.epsilon, self.n_null, seed)
        c_expected, c_quantile = float(null_c.mean()), float(np.quantile(null_c, self.level))
        c_excess = max(contradicted - c_expected, 0.0)
        tail = contradicted > c_quantile and c_excess >= max(self.min_rows, self.min_share * n)
        if tail:
            fires = "warning"
        return {
            "n": n,
            "flagged": flagged,
            "expected_clean": expected,
            "null_quantile": quantile,
            "estimated_errors": excess,
            "share": excess / n if n else 0.0,
            "contradicted": contradicted,
            "contradicted_expected": c_expected,
            "contradicted_null_quantile": c_quantile,
            "contradicted_excess": c_excess,
            "contradiction_fires": bool(tail),
            "thresholds": {
                str(c): float(t) for c, t in zip(ctx.classes, flags.thresholds, strict=True) if np.isfinite(t)
            },
            "examples": _examples(ctx, flags, proba, y, rows, name),
            "fires": fires,
        }


def _examples(ctx: Context, flags: Flags, proba: np.ndarray, y: np.ndarray, rows: np.ndarray, name: str) -> list:
    """The flagged rows with the largest margins: position in the set, id, labels, confidence."""
    frame = ctx.split.train if name == "train" else ctx.split.test
    id_col = ctx.split.roles.id
    top = np.flatnonzero(flags.flagged)
    top = top[np.argsort(-flags.margin[top], kind="stable")][:N_EXAMPLES]
    out = []
    for i in top:
        row = int(rows[i])
        item = {
            "row": row,
            "given": _plain(ctx.classes[y[i]]),
            "suggested": _plain(ctx.classes[flags.suggested[i]]),
            "confidence": float(proba[i, flags.suggested[i]]),
            "given_proba": float(proba[i, y[i]]),
        }
        if id_col and id_col in frame.columns:
            item["id"] = _plain(frame[id_col].iloc[row])
        out.append(item)
    return out


def _plain(value):
    """A JSON-friendly scalar (numpy scalars to Python)."""
    return value.item() if isinstance(value, np.generic) else value
