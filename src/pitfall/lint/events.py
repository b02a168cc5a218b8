"""What the dataflow analysis records: evaluations, selections by a score, splits, and the
roles (train, test, validation, cross-validation fold) of each split's sides."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pitfall.lint.values import Est, Origin, Site, Taint

__all__ = ["Evaluation", "Model", "Selection", "SplitEvent", "Trace", "name_role"]


@dataclass
class Model:
    """What an evaluation knows of a model: the object and what it was fitted/selected on then."""

    est: Est
    fit: frozenset[Origin]
    selected: frozenset[Origin]
    fit_site: Site | None
    selected_site: Site | None


@dataclass
class Evaluation:
    site: Site
    origins: frozenset[Origin]  # the rows scored (labels and predictions)
    taints: frozenset[Taint]
    models: list[Model]
    cv: bool = False
    what: str = ""


@dataclass
class Selection:
    site: Site
    scores: frozenset[Taint]  # testscore taints of the scores compared
    how: str


@dataclass
class SplitEvent:
    site: Site
    key: Any
    how: str  # "train_test_split", "KFold", ...
    seeded: bool
    shuffled: bool
    group_aware: bool
    time_aware: bool
    taints: frozenset[Taint]
    evaluated: bool = False


@dataclass
class Trace:
    """Everything the interpreter saw in one file."""

    path: str
    evaluations: list[Evaluation] = field(default_factory=list)
    selections: list[Selection] = field(default_factory=list)
    splits: list[SplitEvent] = field(default_factory=list)
    estimators: list[Est] = field(default_factory=list)
    global_seed: Site | None = None
    roles: dict[Any, dict[str, str]] = field(default_factory=dict)
    label_columns: set[str] = field(default_factory=set)

    def role(self, key: Any, side: str) -> str | None:
        return self.roles.get(key, {}).get(side)

    def held_role(self, origin: Origin) -> str | None:
        """The role of the last held-out side on an origin's path: test, val, cv or None."""
        for key, side in reversed(origin[1]):
            role = self.role(key, side)
            if role is not None and role != "train":
                return role
        return None

    def all_train(self, origin: Origin) -> bool:
        return any(self.role(k, s) == "train" for k, s in origin[1]) and self.held_role(origin) in (None, "cv")


def name_role(name: str) -> str | None:
    """test / val / train from a variable name (``X_test``, ``val_df``, ``Xtr``), or None."""
    tokens = [t for t in re.split(r"[^a-z]+", name.lower()) if t]
    for tok in tokens:
        core = tok[1:] if tok[:1] in "xy" and len(tok) > 2 else tok
        if core in ("val", "valid", "validation", "dev", "eval", "v") and tok != "v" or core.startswith("valid"):
            return "val"
        if core in ("test", "tst", "te", "testing") or core.startswith("test"):
            return "test"
        if core in ("train", "tr", "trn", "training") or core.startswith("train"):
            return "train"
    return None
