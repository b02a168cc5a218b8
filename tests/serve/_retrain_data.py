"""A served model with a systematic error, and reviewers who either fix it or spoil it.

Label rule: ``y = x1 > 0`` at site A, ``y = x1 > 1.5`` at site B. The parent was trained before site B joined
(training rows are all site A), so on site B it is wrong for every ``x1`` in (0, 1.5]: about a quarter of the
site-B rows. Production (and the holdout) is half site B.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import make_column_transformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from pitfall.deploy.model_files import dump_model, version_for
from pitfall.deploy.store import NewItem, Store

N_TRAIN, N_HOLDOUT, N_REVIEWED = 600, 400, 300


def make(n: int, rng: np.random.Generator, share_b: float) -> pd.DataFrame:
    x1 = rng.uniform(-3, 3, n).round(4)
    x2 = rng.normal(size=n).round(4)
    site = np.where(rng.random(n) < share_b, "B", "A")
    y = np.where(site == "A", x1 > 0, x1 > 1.5).astype(int)
    return pd.DataFrame({"x1": x1, "x2": x2, "site": site, "y": y})


def pipeline() -> Any:
    encode = make_column_transformer(
        (StandardScaler(), ["x1", "x2"]), (OneHotEncoder(handle_unknown="ignore"), ["site"])
    )
    return make_pipeline(encode, LogisticRegression())


def scenario(
    store: Store, *, seed: int, reviewers: str, n_reviewed: int = N_REVIEWED, share_b: float = 1.0
) -> dict[str, Any]:
    """Serve the parent, route ``n_reviewed`` production items to review and label them.

    ``reviewers``: ``truth`` (correct labels), ``random`` (coin flips) or ``flipped`` (always the wrong class).
    """
    rng = np.random.default_rng(seed)
    train, holdout = make(N_TRAIN, rng, 0.0), make(N_HOLDOUT, rng, 0.5)
    production = make(n_reviewed, rng, share_b)
    model = pipeline().fit(train.drop(columns="y"), train["y"])
    data = dump_model(model)
    version = version_for("model", data)
    store.save_model_file(version, data, classes=["0", "1"], promoted=True)
    X = production.drop(columns="y")
    predicted = model.predict(X)
    ids = store.add_items(
        version,
        [
            NewItem(record=rec, label=str(p), confidence=0.7, decision="review", reason="test")
            for rec, p in zip(X.to_dict("records"), predicted, strict=True)
        ],
    )
    truth = production["y"].to_numpy()
    labels = {"truth": truth, "random": rng.integers(0, 2, len(truth)), "flipped": 1 - truth}[reviewers]
    for item_id, p, label in zip(ids, predicted, labels, strict=True):
        if int(p) == int(label):
            store.add_review(item_id, "ann", "accept")
        else:
            store.add_review(item_id, "ann", "correct", str(label))
    return {
        "train": train,
        "holdout": holdout,
        "production": production,
        "model": model,
        "version": version,
        "data": data,
    }
