"""How often the text checks (PF201-PF203, PF301 on ``--text``) warn on clean text data.

Clean shapes: made-up languages (label = language; average word length differs between
languages, as it does between real ones), two topics sharing most of their vocabulary, and short
catalogue entries of two common words (exact repeats by chance). docs/false-alarms.md reports the
rates; regenerate them with ``python -m tests.text.test_false_alarms 25``.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

import pitfall
from tests.text.synthetic import language_id, split, topics

CODES = ("PF201", "PF202", "PF203", "PF301")


def catalogue(seed: int, n: int = 800) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    colours = ["red", "blue", "green", "black", "white", "grey", "navy", "pink"]
    items = ["shirt", "shoe", "hat", "sock", "scarf", "coat", "bag", "belt", "glove", "dress"]
    return pd.DataFrame(
        {
            "text": [f"{rng.choice(colours)} {rng.choice(items)} size {rng.choice(list('SML'))}" for _ in range(n)],
            "label": rng.choice(["a", "b", "c"], size=n),
        }
    )


SHAPES = {
    "languages": lambda seed: (language_id(seed, n=1000), "lang"),
    "topics": lambda seed: (topics(seed, n=1000), "topic"),
    "catalogue": lambda seed: (catalogue(seed), "label"),
}


def alarms(shape: str, seed: int) -> set[str]:
    """Codes that raised a warning or an error on one seed of ``shape``."""
    frame, target = SHAPES[shape](seed)
    train, test = split(frame, seed)
    report = pitfall.scan(train, test, target=target, text="text", select=",".join(CODES), config=False, seed=seed)
    assert not report.crashed, report.crashed
    return {f.code for f in report.findings if f.severity.value in ("warning", "error")}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_clean_text_raises_no_alarm(shape):
    for seed in (11, 12):
        assert not alarms(shape, seed)


if __name__ == "__main__":  # pragma: no cover - the measurement behind docs/false-alarms.md
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 25
    print("| shape | seeds | " + " | ".join(CODES) + " |")
    print("|---|---|" + "---|" * len(CODES))
    for shape in SHAPES:
        counts = dict.fromkeys(CODES, 0)
        for seed in range(n):
            for code in alarms(shape, seed):
                counts[code] += 1
        print(f"| {shape} | {n} | " + " | ".join(str(counts[c]) for c in CODES) + " |", flush=True)
