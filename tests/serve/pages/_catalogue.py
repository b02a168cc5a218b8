"""A small catalogue for the review page: titles of museum objects, a TF-IDF model, a policy that sends most
items to people (one label behind a safety rule, an audit sample), and a served app with two reviewers."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from pitfall.deploy.routing import Policy, SafetyRule

WORDS = {
    "map": ["map", "chart", "survey", "county", "coastline", "atlas", "scale"],
    "letter": ["letter", "written", "dear", "signed", "envelope", "correspondence", "sir"],
    "photograph": ["photograph", "print", "negative", "portrait", "studio", "albumen", "camera"],
}
FILLER = ["the", "of", "with", "and", "an", "old", "small", "from", "to", "in", "a", "by"]
POLICY = Policy(
    accept=0.85,
    review=0.5,
    safety=[SafetyRule(label="photograph", action="review", when={"collection": "restricted"})],
    audit_rate=0.5,
)


def titles(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    labels = rng.choice(list(WORDS), size=n)
    rows = []
    for label in labels:
        own = list(rng.choice(WORDS[label], size=2))
        other = list(rng.choice(WORDS[rng.choice([k for k in WORDS if k != label])], size=1))
        words = own + other + list(rng.choice(FILLER, size=5))
        rng.shuffle(words)
        rows.append(
            {
                "title": " ".join(words),
                "year": int(rng.integers(1850, 1950)),
                "collection": "restricted" if rng.random() < 0.15 else "open",
            }
        )
    return pd.DataFrame(rows).assign(label=labels)


def fit_text_model():
    train = titles(400, seed=0)
    pre = ColumnTransformer([("title", TfidfVectorizer(), "title")])
    return make_pipeline(pre, LogisticRegression(C=3.0, max_iter=1000)).fit(
        train[["title", "year", "collection"]], train["label"]
    )


def new_records(n: int = 24, seed: int = 1) -> list[dict]:
    return titles(n, seed).drop(columns="label").to_dict(orient="records")
