"""Image shortcuts: descriptors as trivial statistics (PF301), colour ablations (PF302) and the
pixel-variance rule baseline (PF401).

Each function measures one image column and hands the verdict to the shared check's own
statistics, so an image finding means what the tabular one means.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pitfall.checks.context import Context, Predictions
from pitfall.data.images import DESCRIPTORS, image_table, resolve
from pitfall.findings import Finding, Severity

__all__ = ["colour_reliance_findings", "image_rule_baselines", "image_statistic_findings"]


# ----- PF301 ------------------------------------------------------------------------------------
def _statistics(ctx: Context, col: str) -> tuple[np.ndarray, np.ndarray]:
    tr, te = image_table(ctx, col, "train"), image_table(ctx, col, "test")
    formats = sorted({f for f in tr.descriptors["format"] if isinstance(f, str)})
    return tr.statistics(formats), te.statistics(formats)


def image_statistic_findings(check: Any, ctx: Context) -> Iterator[Finding]:
    """PF301 on each image column: pitfall's default model on the image descriptors (brightness,
    contrast, extremes, border, saturation, size, file size, format, bit depth, EXIF fields)
    scored against the model, judged by ``TrivialStatisticShortcut._judge``."""
    from pitfall.checks.shortcuts.trivial_statistics import dummy_predictions_of, fit_predict, statistic_scores

    rows = ctx.cv_rows
    if len(rows) < 20 or len(ctx.y_test) < 10:
        return
    balanced = ctx.metric.name == "balanced_accuracy"
    y = ctx.y_train[rows]
    found: dict[str, Any] = {}
    other = ctx.metrics.pop("shortcuts", None)  # another modality's entry: kept where it was
    for col in ctx.split.roles.image:
        S_train, S_test = _statistics(ctx, col)
        S_train = S_train[rows]
        with np.errstate(all="ignore"):
            varying = [j for j in range(len(DESCRIPTORS)) if np.nanstd(S_train[:, j]) > 0]
        if not varying:
            continue
        names = [DESCRIPTORS[j] for j in varying]
        preds = {
            "model": ctx.predictions,
            "statistics": fit_predict(ctx, S_train[:, varying], y, S_test[:, varying], names, balanced),
            "dummy": dummy_predictions_of(ctx),
        }
        scores = statistic_scores(ctx, S_train, y, S_test, varying, balanced, names=DESCRIPTORS)
        position = [ctx.split.features.index(col)] if col in ctx.split.features else []
        for f in check._judge(ctx, preds, scores, position):
            yield replace(
                f,
                message=f.message.replace(
                    "each row's summary statistics", f"each image's descriptors in {col!r}"
                ).replace("the row ", "the image "),
                fix=f.fix.replace("the row ", "the image ").replace("normalise rows", "normalise images"),
                evidence={**f.evidence, "modality": "image", "column": col, "descriptors": names},
                columns=(col,),
            )
        found[col] = ctx.metrics.pop("shortcuts", None)
    if other is not None:
        ctx.metrics["shortcuts"] = other
    if found:
        ctx.metrics["image_shortcuts"] = found


# ----- PF302 ------------------------------------------------------------------------------------
ABLATIONS = ("grayscale", "channel_permutation")  # the second rotates RGB to BRG


def _ablate(im: Any, kind: str) -> Any:
    from PIL import Image

    rgb = im.convert("RGB")
    if kind == "grayscale":
        return rgb.convert("L").convert("RGB")
    r, g, b = rgb.split()
    return Image.merge("RGB", (b, r, g))


def ablated_predictions(ctx: Context, col: str, kind: str, folder: Path) -> tuple[Predictions, int]:
    """The model's predictions on copies of the test images changed by ``kind``, written as PNG
    files to ``folder``: any model that reads the paths can be judged. Unreadable images keep
    their path. Returns the predictions and the number of images changed."""
    from PIL import Image

    from pitfall.checks.shortcuts.study_variable import predict_frame

    X = ctx.split.test[ctx.split.features].reset_index(drop=True).copy()
    paths, changed = [], 0
    for i, value in enumerate(X[col].tolist()):
        src = resolve(value, ctx.split.root)
        try:
            with Image.open(src) as im:
                im.load()
                dest = folder / f"{kind}-{i}.png"
                _ablate(im, kind).save(dest)
            paths.append(str(dest.resolve()))
            changed += 1
        except Exception:
            paths.append(value)
    X[col] = pd.Series(paths, dtype=object)
    return predict_frame(ctx, ctx.model, X, ctx.predictions.proba is not None), changed


def colour_reliance_findings(check: Any, ctx: Context) -> Iterator[Finding]:
    """PF302 on each colour image column: how far the score falls when the test images are turned
    gray, or their channels permuted, with the paired bootstrap intervals of the scan."""
    from pitfall.checks.evaluation.baselines import dummy_predictions

    cols = [
        c
        for c in ctx.split.roles.image
        if (image_table(ctx, c, "test").descriptors["channels"] == 3).any() and c in ctx.split.features
    ]
    if not cols:
        return
    level = 1 - (1 - check.level) / len(cols)  # one decision per column (Bonferroni)
    base = ctx.predictions
    gain = ctx.score_difference(base, next(iter(dummy_predictions(ctx).values())), level=level)
    floor = check.min_reliance * gain.estimate
    metric = ctx.metric.name
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="pitfall-ablate-") as tmp:
        for col in cols:
            falls, changed = {}, 0
            for kind in ABLATIONS:
                pred, changed = ablated_predictions(ctx, col, kind, Path(tmp))
                falls[kind] = ctx.score_difference(base, pred, level=level)
            results[col] = {k: v.to_dict() for k, v in falls.items()}
            # the verdict rests on the gray copies: a model may depend on how channels correlate in
            # natural images without colour deciding anything, so a permutation is shown, not judged
            fall = falls["grayscale"]
            if not (gain.estimate > 0 and fall.low > 0 and fall.estimate >= floor):
                continue
            permuted = falls["channel_permutation"]
            most = fall.estimate >= 0.5 * gain.estimate
            verb = "lowers" if ctx.metric.greater_is_better else "raises"
            yield check.finding(
                f"The model relies on the colour of the images in {col!r}: scoring them turned gray {verb} "
                f"{metric} by {fall}, with their channels permuted by {permuted} (its gain over a dummy "
                f"guess is {gain}).",
                "If colour should not decide the label (a staining batch, a scanner's tint, a sky survey's "
                "filter), train on images normalised for colour or in grayscale, and check the score holds.",
                evidence={
                    "modality": "image",
                    "column": col,
                    "method": "ablated copies of the test images re-predicted",
                    "metric": metric,
                    "ablations": results[col],
                    "model_gain_over_dummy": gain.to_dict(),
                    "minimum_reliance": floor,
                    "images_changed": changed,
                    "model_source": ctx.model_source,
                    "seed": ctx.seed,
                },
                columns=(col,),
                severity=Severity.WARNING if most else Severity.INFO,
            )
    ctx.metrics["image_ablations"] = results


# ----- PF401 ------------------------------------------------------------------------------------
def image_rule_baselines(ctx: Context, *, balanced: bool) -> dict[str, tuple[str, Predictions]]:
    """The blank-page rule for each image column: a threshold (up to 32 bins, learnt on the
    training images) on each image's pixel variance. Returns ``{name: (column, predictions)}``."""
    from pitfall.checks.single_feature import FeatureRule, fit_table, predict_table

    out = {}
    k = len(ctx.classes)
    y = ctx.y_train
    for col in ctx.split.roles.image:
        tr, te = image_table(ctx, col, "train"), image_table(ctx, col, "test")
        x_tr = tr.descriptors["std"].to_numpy(float) ** 2
        x_te = te.descriptors["std"].to_numpy(float) ** 2
        rule = FeatureRule.fit(
            f"pixel variance({col})", 0, x_tr, y, classification=ctx.is_classification, categorical=False
        )
        prior = np.bincount(y, minlength=k) / len(y) if k else float(np.mean(y))
        table = fit_table(rule.bins(x_tr), y, rule.n_bins, k, prior)
        pred = predict_table(table, rule.bins(x_te), k, np.maximum(prior, 1e-12) if k else prior, balanced=balanced)
        out[f"rule: pixel variance({col})"] = (col, pred)
    return out
