"""Content columns, free text and images: how pitfall reads them and which default model it uses.

A column declared with ``--text`` or ``--image`` holds content rather than a value. The tabular
encoders pass over it; the default model reads it (``ContentModel``), and the text and image checks
measure it (near-duplicate records, trivial statistics, rule baselines).
"""

from __future__ import annotations

from pitfall.data.dataset import Split

__all__ = ["default_model_name"]


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
