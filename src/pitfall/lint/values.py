"""The abstract values the dataflow analysis follows through a program.

Rows are tracked by *origins*: a data source (a file read, a data set loaded) and the path of
splits taken from it. ``(source 3, ((split 1, "test"),))`` is the test side of the first split of
source 3. Two origins *overlap* (may share rows) when one path is a prefix of the other: all of
source 3 contains its test side; the train and test sides of one split do not overlap.
Subsets the analysis cannot place (a mask it cannot read) get a fresh split key, so they overlap
only with what contains them: unknown code can hide a leak but never invent one.

What shaped the values is tracked by *taints*: a statistic learnt from some rows (a fitted
scaler, a selector, ``df.mean()``), rows created by oversampling, a time-series feature, scores
measured on a test set. Each taint keeps where it was made and which rows it was learnt from.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = ["Est", "Origin", "Site", "Taint", "Val", "overlaps", "unknown"]

_ids = itertools.count(1)


def fresh_id() -> int:
    return next(_ids)


Origin = tuple[int, tuple[tuple[Any, str], ...]]


def overlaps(a: Origin, b: Origin) -> bool:
    """Whether two origins may share rows: same source, one path a prefix of the other."""
    if a[0] != b[0]:
        return False
    pa, pb = a[1], b[1]
    n = min(len(pa), len(pb))
    return pa[:n] == pb[:n]


def any_overlap(xs: frozenset[Origin], ys: frozenset[Origin]) -> bool:
    return any(overlaps(a, b) for a in xs for b in ys)


@dataclass(frozen=True)
class Site:
    """A place in the user's code: the cell (if a notebook) and the node's line and column."""

    cell: int | None
    line: int
    column: int
    excerpt: str = ""


@dataclass(frozen=True, eq=False)
class Taint:
    """Something that shaped a value: a statistic learnt from rows, created rows, a score.

    ``kind`` is ``preprocess`` (PF206), ``select`` (PF207), ``oversample`` (PF209), ``testscore``
    (a score measured on held-out rows, PF208), ``timeseries`` (PF204) or ``groups`` (PF203).
    """

    kind: str
    site: Site
    what: str  # e.g. "StandardScaler", "df.mean()", "SMOTE"
    fit: frozenset[Origin] = frozenset()
    detail: dict[str, Any] = field(default_factory=dict)

    def __hash__(self) -> int:
        return id(self)


@dataclass(eq=False)
class Est:
    """An estimator object (mutable, like the real one): what it is and what it was fitted on."""

    qual: str
    category: str
    site: Site
    kwargs: dict[str, Any] = field(default_factory=dict)  # keyword -> Val
    n_args: int = 0
    steps: list[Est] = field(default_factory=list)  # a Pipeline's steps, a search's estimator
    fit_origins: frozenset[Origin] = frozenset()
    fit_taints: frozenset[Taint] = frozenset()
    fit_site: Site | None = None
    selected_on: frozenset[Origin] = frozenset()  # early stopping / checkpoint data
    selected_site: Site | None = None
    fitted: bool = False
    evaluated: bool = False
    taint: Taint | None = None  # the statistics of its latest fit, carried by what it transforms

    @property
    def name(self) -> str:
        return self.qual.rpartition(".")[2]

    def effective_category(self) -> str:
        """A composite acts as its last step (a pipeline ending in a model is a model)."""
        if self.category == "composite" and self.steps:
            cats = [s.effective_category() for s in self.steps]
            if any(c in ("model", "search") for c in cats):
                return "model"
            if "select" in cats:
                return "select"
            return "preprocess"
        if self.category == "search":
            return "model"
        return self.category


@dataclass(frozen=True)
class Val:
    """An abstract value.

    ``kind``: ``data`` (rows), ``stat`` (numbers learnt from rows), ``est`` (an estimator),
    ``splitter``, ``index`` (row positions from a splitter), ``const`` (a Python constant),
    ``seq`` (a list/tuple/dict of values), ``ref`` (a module, class or function by its qualified
    name), ``func`` (a function defined in the analysed file) or ``unknown``.
    """

    kind: str = "unknown"
    origins: frozenset[Origin] = frozenset()
    taints: frozenset[Taint] = frozenset()
    cols: tuple[tuple[str, frozenset[Taint]], ...] = ()  # per-column taints of a frame
    est: Est | None = None
    qual: str = ""
    const: Any = None
    items: tuple[Val, ...] = ()
    keys: tuple[Any, ...] = ()  # for a dict: the keys of items
    node: Any = None  # a FunctionDef for kind "func"
    split_side: tuple[Any, str] | None = None  # for kind "index"
    preds: tuple[tuple[Est, frozenset[Origin], frozenset[Origin]], ...] = ()  # (model, fit, selected)

    def all_taints(self) -> frozenset[Taint]:
        out = set(self.taints)
        for _, t in self.cols:
            out |= t
        for item in self.items:
            out |= item.all_taints()
        return frozenset(out)

    def col_taints(self, name: str) -> frozenset[Taint]:
        for c, t in self.cols:
            if c == name:
                return self.taints | t
        return self.taints

    def with_col(self, name: str, taints: frozenset[Taint]) -> Val:
        cols = tuple((c, t) for c, t in self.cols if c != name) + ((name, frozenset(taints)),)
        return replace(self, cols=cols)

    def drop_cols(self, names: list[str]) -> Val:
        return replace(self, cols=tuple((c, t) for c, t in self.cols if c not in names))

    def flat(self) -> Val:
        """The value with every column's taints folded into the frame's."""
        return replace(self, taints=self.all_taints() if self.kind != "seq" else self.taints, cols=())


def unknown() -> Val:
    return Val()


def join(values: list[Val], kind: str | None = None) -> Val:
    """One value standing for several: the union of their rows, taints and predictions."""
    values = [v for v in values if v is not None]
    if not values:
        return unknown()
    if all(v.kind == "est" for v in values):
        return values[-1]
    if (
        all(v.kind == "seq" for v in values)
        and len({len(v.items) for v in values}) == 1
        and not any(v.keys for v in values)
    ):
        return Val(
            kind="seq",
            items=tuple(join(list(col)) for col in zip(*(v.items for v in values), strict=True)),
            taints=frozenset().union(*(v.taints for v in values)),
        )
    origins: set[Origin] = set()
    taints: set[Taint] = set()
    preds: list = []
    for v in values:
        origins |= v.origins
        taints |= v.all_taints()
        preds += [p for p in v.preds if p not in preds]
    if kind is None:
        kinds = {v.kind for v in values} - {"est", "ref", "func", "method", "lambda", "callback"}
        kind = (
            "data"
            if origins or "data" in kinds
            else ("stat" if taints else kinds.pop() if len(kinds) == 1 else "unknown")
        )
    return Val(kind=kind, origins=frozenset(origins), taints=frozenset(taints), preds=tuple(preds))
