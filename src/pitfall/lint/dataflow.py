"""Follow data through a script or notebook with Python's ``ast``: an abstract interpreter.

Statements run in order (notebook cells in the order they ran). Each variable holds a ``Val``:
which rows it holds (origins), what shaped it (taints) and, for estimators, what they were
fitted on. Functions defined in the file are followed into (to a small depth); everything else
that is not a known library call gives values with no history, so unknown code never creates a
finding. Both branches of an ``if`` run, one after the other; a loop body runs once per element
of a literal collection, else twice, so a value carried around the loop is seen.

The interpreter records *events*: splits, estimator constructions, fits, evaluations (a score,
a metric, a cross-validation) and selections by a score. ``rules`` turns events into findings.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field, replace
from typing import Any

from pitfall.lint import known
from pitfall.lint.sources import Cell, Source
from pitfall.lint.values import Est, Origin, Site, Taint, Val, fresh_id, join, overlaps, unknown

__all__ = ["Evaluation", "Selection", "SplitEvent", "Trace", "analyse"]

MAX_DEPTH = 4  # nested calls of functions defined in the file
MAX_ELEMENTS = 12  # loop bodies run once per element up to this many
STATS = {"mean", "median", "std", "var", "min", "max", "mode", "quantile", "sum", "nanmean", "nanstd",
         "nanmedian", "nanmin", "nanmax", "percentile", "nanpercentile", "mad", "sem", "skew", "kurt"}
TIME_OPS = {"shift", "diff", "rolling", "pct_change", "ewm", "expanding", "resample"}
WINDOW_OPS = {"rolling", "ewm", "expanding", "resample", "groupby"}
ROW_PRESERVING_GROUP = {"transform", "shift", "diff", "cumsum", "cumcount", "cumprod", "cummax", "cummin",
                        "rolling", "expanding", "rank", "ffill", "bfill", "fillna", "pct_change", "ewm"}
SELECT_METHODS = {"idxmax", "idxmin", "nlargest", "nsmallest", "sort_values", "argmax", "argmin", "argsort"}
ATTR_STATS = {"feature_importances_", "coef_", "ranking_", "support_", "scores_", "pvalues_",
              "get_support", "get_feature_names_out", "variances_", "estimator_"}
ENTITY_WORDS = {"patient", "subject", "user", "customer", "participant", "person", "individual", "animal",
                "mouse", "session", "household", "player", "account", "client", "device", "sensor", "donor",
                "author", "speaker", "site", "hospital", "family", "respondent", "student", "driver"}
_WORD = re.compile(r"[A-Za-z]+")


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


def _is_id_column(name: str) -> bool:
    lower = name.lower()
    if lower in ("id", "uid", "guid") or lower.endswith(("_id", "id")) and (lower.endswith("_id") or name[-2:] in
                                                                          ("Id", "ID")):
        return True
    return any(w.lower() in ENTITY_WORDS for w in _WORD.findall(lower.replace("_", " ")))


class _Return(Exception):
    pass


class Interpreter:
    def __init__(self, source: Source) -> None:
        self.source = source
        self.trace = Trace(source.path)
        self.env: dict[str, Val] = {}
        self.cell: Cell | None = None
        self.stack: list[ast.FunctionDef] = []
        self.returns: list[list[Val]] = []
        self.loops = 0
        self.star: list[str] = []
        self.split_by_key: dict[Any, SplitEvent] = {}

    # ----------------------------------------------------------------- helpers
    def site(self, node: ast.AST) -> Site:
        line = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0) + 1
        lines = self.cell.lines if self.cell else []
        excerpt = lines[line - 1].strip() if 0 < line <= len(lines) else ""
        return Site(self.cell.number if self.cell else None, line, col, excerpt[:200])

    def fresh_data(self, what: str = "") -> Val:
        return Val(kind="data", origins=frozenset({(fresh_id(), ())}))

    def as_data(self, v: Val) -> Val:
        """A value that must hold rows: unknown values become opaque data of their own."""
        if v.kind in ("data", "stat") and v.origins:
            return v
        if v.kind == "seq" and v.items:
            j = join(list(v.items))
            if j.origins:
                return j
        return replace(self.fresh_data(), taints=v.all_taints())

    def text(self, node: ast.AST) -> str:
        try:
            return ast.unparse(node)
        except Exception:  # pragma: no cover - unparse handles every parsed node
            return "?"

    # ----------------------------------------------------------------- statements
    def run(self) -> Trace:
        for cell in self.source.cells:
            self.cell = cell
            self.block(cell.tree.body)
        return self.trace

    def block(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            self.stmt(stmt)

    def stmt(self, s: ast.stmt) -> None:
        method = getattr(self, "s_" + type(s).__name__, None)
        if method is not None:
            method(s)
        elif isinstance(s, ast.Expr):
            self.ev(s.value)

    def s_Expr(self, s: ast.Expr) -> None:
        self.ev(s.value)

    def s_Import(self, s: ast.Import) -> None:
        for alias in s.names:
            if alias.asname:
                self.env[alias.asname] = Val(kind="ref", qual=alias.name)
            else:
                top = alias.name.split(".")[0]
                self.env[top] = Val(kind="ref", qual=top)

    def s_ImportFrom(self, s: ast.ImportFrom) -> None:
        if s.level:  # a relative import: the user's own code
            for alias in s.names:
                self.env[alias.asname or alias.name] = unknown()
            return
        for alias in s.names:
            if alias.name == "*":
                self.star.append(s.module or "")
            else:
                self.env[alias.asname or alias.name] = Val(kind="ref", qual=f"{s.module}.{alias.name}")

    def s_Assign(self, s: ast.Assign) -> None:
        value = self.ev(s.value)
        for target in s.targets:
            self.assign(target, value, s.value)

    def s_AnnAssign(self, s: ast.AnnAssign) -> None:
        if s.value is not None:
            self.assign(s.target, self.ev(s.value), s.value)

    def s_AugAssign(self, s: ast.AugAssign) -> None:
        value = self.ev(s.value)
        current = self.ev(s.target)
        if current.kind == "seq":
            merged = replace(current, items=current.items + (value,), taints=current.taints | value.all_taints())
        else:
            merged = join([current, value])
        self.assign(s.target, merged, s.value)

    def s_FunctionDef(self, s: ast.FunctionDef) -> None:
        self.env[s.name] = Val(kind="func", node=s)

    s_AsyncFunctionDef = s_FunctionDef

    def s_ClassDef(self, s: ast.ClassDef) -> None:
        self.env[s.name] = Val(kind="ref", qual=f"<local>.{s.name}")

    def s_Return(self, s: ast.Return) -> None:
        if self.returns:
            self.returns[-1].append(self.ev(s.value) if s.value is not None else unknown())
        raise _Return

    def s_If(self, s: ast.If) -> None:
        if (isinstance(s.test, ast.Compare) and isinstance(s.test.left, ast.Name)
                and s.test.left.id == "__name__"):
            self.block(s.body)
            return
        test = self.ev(s.test)
        if self.loops and isinstance(s.test, ast.Compare):
            sides = [s.test.left, *s.test.comparators]
            scores = [self.ev(n) for n in sides]
            tainted = [t for v in scores for t in v.all_taints() if t.kind == "testscore"]
            if tainted and any(not isinstance(n, ast.Constant) for n, v in zip(sides, scores, strict=True)
                               if not any(t.kind == "testscore" for t in v.all_taints())):
                self.trace.selections.append(Selection(self.site(s), frozenset(tainted), "if"))
        del test
        self.block(s.body)
        self.block(s.orelse)

    def s_For(self, s: ast.For) -> None:
        it = self.ev(s.iter)
        elements = self.elements(it)
        self.loops += 1
        try:
            if elements is not None and 0 < len(elements) <= MAX_ELEMENTS:
                for el in elements:
                    self.assign(s.target, el, None)
                    self.block(s.body)
            else:
                el = join(list(it.items)) if it.kind == "seq" and it.items else (
                    it if it.kind in ("data", "stat") else unknown())
                for _ in range(2):
                    self.assign(s.target, el, None)
                    self.block(s.body)
        finally:
            self.loops -= 1
        self.block(s.orelse)

    s_AsyncFor = s_For

    def s_While(self, s: ast.While) -> None:
        self.ev(s.test)
        self.loops += 1
        try:
            for _ in range(2):
                self.block(s.body)
        finally:
            self.loops -= 1
        self.block(s.orelse)

    def s_With(self, s: ast.With) -> None:
        for item in s.items:
            v = self.ev(item.context_expr)
            if item.optional_vars is not None:
                self.assign(item.optional_vars, v if v.kind == "est" else unknown(), None)
        self.block(s.body)

    s_AsyncWith = s_With

    def s_Try(self, s: ast.Try) -> None:
        self.block(s.body)
        for h in s.handlers:
            if h.name:
                self.env[h.name] = unknown()
            self.block(h.body)
        self.block(s.orelse)
        self.block(s.finalbody)

    s_TryStar = s_Try

    def s_Delete(self, s: ast.Delete) -> None:
        for t in s.targets:
            if isinstance(t, ast.Name):
                self.env.pop(t.id, None)

    def s_Global(self, s: ast.AST) -> None:
        return

    def s_Match(self, s: ast.Match) -> None:
        self.ev(s.subject)
        for case in s.cases:
            self.block(case.body)

    # ----------------------------------------------------------------- assignment
    def assign(self, target: ast.AST, value: Val, value_node: ast.AST | None) -> None:
        if isinstance(target, ast.Name):
            self.name_roles(target.id, value)
            self.env[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            elts = target.elts
            if any(isinstance(e, ast.Starred) for e in elts):
                for e in elts:
                    self.assign(e.value if isinstance(e, ast.Starred) else e, unknown(), None)
                return
            if value.kind == "seq" and len(value.items) == len(elts):
                for e, v in zip(elts, value.items, strict=True):
                    self.assign(e, v, None)
            else:
                for e in elts:
                    self.assign(e, value if value.kind == "data" else unknown(), None)
        elif isinstance(target, ast.Subscript):
            self.assign_subscript(target, value)
        elif isinstance(target, ast.Starred):
            self.assign(target.value, unknown(), None)

    def name_roles(self, name: str, value: Val) -> None:
        """``X_val, X_test = ...``: the names tell which held-out side is which."""
        role = name_role(name)
        if role is None or value.kind not in ("data", "index"):
            return
        sides = [value.split_side] if value.kind == "index" and value.split_side else \
            [o[1][-1] for o in value.origins if o[1]]
        for key, side in sides:
            roles = self.trace.roles.setdefault(key, {})
            if (key, side) not in self._named:
                roles[side] = role
                self._named.add((key, side))

    _named: set = set()

    def assign_subscript(self, target: ast.Subscript, value: Val) -> None:
        base_node = target.value
        if isinstance(base_node, ast.Attribute) and base_node.attr in ("loc", "iloc", "at", "iat"):
            base_node = base_node.value
        if not isinstance(base_node, ast.Name):
            return
        base = self.env.get(base_node.id)
        if base is None:
            return
        taints = value.all_taints()
        if base.kind == "seq":
            items = base.items + ((value,) if value.kind != "const" else ())
            self.env[base_node.id] = replace(base, items=items, taints=base.taints | taints)
            return
        if base.kind not in ("data", "stat"):
            return
        col = self.column_key(target.slice)
        if isinstance(col, str):
            self.env[base_node.id] = base.with_col(col, taints)
        elif isinstance(col, list):
            new = base
            for c in col:
                new = new.with_col(c, taints)
            self.env[base_node.id] = new
        else:
            self.env[base_node.id] = replace(base, taints=base.taints | taints)

    def column_key(self, key: ast.AST) -> str | list[str] | None:
        """The column(s) a subscript assignment writes, when the code names them."""
        if isinstance(key, ast.Tuple) and key.elts:
            key = key.elts[-1]
        v = self.ev(key)
        if v.kind == "const" and isinstance(v.const, str):
            return v.const
        if v.kind == "seq" and v.items and all(i.kind == "const" and isinstance(i.const, str) for i in v.items):
            return [i.const for i in v.items]
        return None

    # ----------------------------------------------------------------- expressions
    def ev(self, node: ast.AST | None) -> Val:
        if node is None:
            return unknown()
        method = getattr(self, "e_" + type(node).__name__, None)
        if method is None:
            return unknown()
        try:
            return method(node)
        except RecursionError:
            return unknown()

    def e_Constant(self, n: ast.Constant) -> Val:
        return Val(kind="const", const=n.value)

    def e_Name(self, n: ast.Name) -> Val:
        if n.id in self.env:
            return self.env[n.id]
        for module in reversed(self.star):
            qual = f"{module}.{n.id}"
            if known.category(qual) or known.function_kind(qual):
                return Val(kind="ref", qual=qual)
        return Val(kind="ref", qual=f"builtins.{n.id}")

    def e_Attribute(self, n: ast.Attribute) -> Val:
        base = self.ev(n.value)
        attr = n.attr
        if base.kind == "ref":
            return Val(kind="ref", qual=f"{base.qual}.{attr}")
        if base.kind == "est" and base.est is not None:
            return self.est_attribute(base.est, attr, n)
        if base.kind in ("data", "stat"):
            if attr == "index" and base.kind == "data" and base.origins:
                return replace(base.flat(), const=("index_of",), kind="data")
            if attr in ("index", "columns"):
                return Val(kind="colnames", taints=frozenset(t for t in base.all_taints() if t.kind == "select"))
            if attr in ("loc", "iloc"):
                return replace(base, const=("indexer", attr))
            if attr in ("shape", "dtypes", "dtype", "ndim", "size", "name", "empty", "nbytes"):
                return unknown()
            if attr in ("values", "T", "str", "dt", "cat", "array", "at", "iat", "plot", "sparse"):
                return base.flat() if attr == "values" and base.cols else replace(base, const=None) \
                    if attr in ("values", "T", "array") else base
            if base.kind == "data":  # df.Age, bunch.data, bunch.target: a column
                return self.columns(base, n, Val(kind="const", const=attr))
            return base
        if base.kind == "colnames":
            return base
        if base.kind == "splitter":
            return Val(kind="method", items=(base,), const=attr)
        if base.kind == "seq":
            return Val(kind="method", items=(base,), const=attr)
        return unknown()

    def e_Subscript(self, n: ast.Subscript) -> Val:
        base = self.ev(n.value)
        return self.subscript(base, n.slice, n)

    def e_BinOp(self, n: ast.BinOp) -> Val:
        a, b = self.ev(n.left), self.ev(n.right)
        if a.kind == "const" and b.kind == "const":
            try:
                return Val(kind="const", const=eval(compile(ast.Expression(n), "<c>", "eval"), {}, {}))  # noqa: S307
            except Exception:
                return Val(kind="const")
        if a.kind == "seq" and b.kind in ("seq", "const") and isinstance(n.op, (ast.Add, ast.Mult)):
            return replace(a, items=a.items + (b.items if b.kind == "seq" else ()), taints=a.taints | b.taints)
        if a.kind in ("data", "stat") or b.kind in ("data", "stat"):
            return self.combine([a, b])
        return join([a, b]) if a.all_taints() or b.all_taints() else unknown()

    def combine(self, values: list[Val]) -> Val:
        """Arithmetic between values: the rows of the data operands, the taints of all."""
        data = [v for v in values if v.kind == "data"]
        origins = frozenset().union(*(v.origins for v in data)) if data else frozenset()
        taints = frozenset().union(*(v.all_taints() for v in values))
        preds = tuple(p for v in values for p in v.preds)
        return Val(kind="data" if data else "stat", origins=origins, taints=taints, preds=preds)

    def e_UnaryOp(self, n: ast.UnaryOp) -> Val:
        v = self.ev(n.operand)
        if v.kind == "const" and isinstance(n.op, ast.USub) and isinstance(v.const, (int, float)):
            return Val(kind="const", const=-v.const)
        return v if v.kind in ("data", "stat") else unknown()

    def e_BoolOp(self, n: ast.BoolOp) -> Val:
        vals = [self.ev(v) for v in n.values]
        return self.combine(vals) if any(v.kind in ("data", "stat") for v in vals) else unknown()

    def e_Compare(self, n: ast.Compare) -> Val:
        vals = [self.ev(n.left), *(self.ev(c) for c in n.comparators)]
        if any(v.kind in ("data", "stat") for v in vals):
            return self.combine(vals)
        return unknown()

    def e_IfExp(self, n: ast.IfExp) -> Val:
        self.ev(n.test)
        a, b = self.ev(n.body), self.ev(n.orelse)
        if a.kind == b.kind == "est":
            return a
        return join([a, b])

    def e_Tuple(self, n: ast.Tuple) -> Val:
        return Val(kind="seq", items=tuple(self.ev(e) for e in n.elts))

    e_List = e_Tuple
    e_Set = e_Tuple

    def e_Dict(self, n: ast.Dict) -> Val:
        keys = tuple(self.ev(k).const if k is not None else None for k in n.keys)
        return Val(kind="seq", items=tuple(self.ev(v) for v in n.values), keys=keys)

    def e_Starred(self, n: ast.Starred) -> Val:
        return self.ev(n.value)

    def e_NamedExpr(self, n: ast.NamedExpr) -> Val:
        v = self.ev(n.value)
        self.assign(n.target, v, n.value)
        return v

    def e_JoinedStr(self, n: ast.JoinedStr) -> Val:
        for v in n.values:
            if isinstance(v, ast.FormattedValue):
                self.ev(v.value)
        return Val(kind="const")

    def e_Lambda(self, n: ast.Lambda) -> Val:
        return Val(kind="lambda", node=n)

    def comprehension(self, n: Any, elt_nodes: list[ast.AST]) -> Val:
        saved = dict(self.env)
        extra: set[Taint] = set()
        results: list[Val] = []
        try:
            for gen in n.generators:
                it = self.ev(gen.iter)
                elements = self.elements(it)
                el = join(list(elements)) if elements else (it if it.kind in ("data", "stat") else unknown())
                if elements and all(e.kind == "const" for e in elements):
                    el = elements[0]
                self.assign(gen.target, el, None)
                extra |= {t for t in it.all_taints() if t.kind in ("select", "testscore")}
                for cond in gen.ifs:
                    extra |= {t for t in self.ev(cond).all_taints() if t.kind in ("select", "testscore")}
            results = [self.ev(e) for e in elt_nodes]
        finally:
            self.env = saved
        item = join(results) if len(results) > 1 else results[0]
        if item.kind == "const" and not extra:
            return Val(kind="seq", items=(item,))
        return Val(kind="seq", items=(item,), taints=frozenset(extra))

    def e_ListComp(self, n: ast.ListComp) -> Val:
        return self.comprehension(n, [n.elt])

    e_SetComp = e_ListComp
    e_GeneratorExp = e_ListComp

    def e_DictComp(self, n: ast.DictComp) -> Val:
        return self.comprehension(n, [n.value])

    def elements(self, it: Val) -> list[Val] | None:
        """The elements a loop over ``it`` binds, when the code shows them."""
        if it.kind == "seq":
            if it.const == "items" and it.keys:
                return [Val(kind="seq", items=(Val(kind="const", const=k), v)) for k, v in
                        zip(it.keys, it.items, strict=False)]
            if it.const == "keys":
                return [Val(kind="const", const=k) for k in it.keys]
            if it.items:
                return [replace(i, taints=i.taints | it.taints) if i.kind != "const" else i for i in it.items]
        return None

    # ----------------------------------------------------------------- subscripts
    def subscript(self, base: Val, key_node: ast.AST, node: ast.AST) -> Val:
        if base.kind == "seq":
            k = self.ev(key_node) if not isinstance(key_node, ast.Slice) else Val(kind="slice")
            if k.kind == "const" and base.keys and k.const in base.keys:
                return base.items[base.keys.index(k.const)]
            if k.kind == "const" and isinstance(k.const, int) and not base.keys and -len(base.items) <= k.const < \
                    len(base.items) and base.const is None:
                item = base.items[k.const]
                return replace(item, taints=item.taints | base.taints) if item.kind != "const" else item
            if k.kind == "slice":
                return base
            j = join(list(base.items)) if base.items else unknown()
            if j.kind == "unknown" and base.taints:
                return Val(kind="stat", taints=base.taints)
            return replace(j, taints=j.taints | base.taints) if j.kind != "unknown" else j
        if base.kind == "colnames":
            k = self.ev(key_node) if not isinstance(key_node, ast.Slice) else unknown()
            return Val(kind="colnames", taints=base.taints | frozenset(t for t in k.all_taints() if t.kind == "select"))
        if base.kind not in ("data", "stat"):
            self.ev(key_node)
            return unknown()
        indexer = base.const[1] if isinstance(base.const, tuple) and base.const[:1] == ("indexer",) else None
        if isinstance(base.const, tuple) and base.const[:1] == ("window",):
            self.ev(key_node)
            return base  # df.groupby("id")["x"]: still grouped
        if isinstance(base.const, tuple) and base.const[:1] == ("corr",) and not isinstance(key_node, ast.Slice):
            return self.columns(base, key_node)
        base = replace(base, const=None)
        if indexer is not None:
            if isinstance(key_node, ast.Tuple) and len(key_node.elts) == 2:
                rows = self.rows(base, key_node.elts[0])
                return self.columns(rows, key_node.elts[1])
            return self.rows(base, key_node)
        if isinstance(key_node, ast.Slice):
            return self.rows(base, key_node)
        if isinstance(key_node, ast.Tuple) and key_node.elts:
            rows = self.rows(base, key_node.elts[0])
            return self.columns(rows, key_node.elts[1]) if len(key_node.elts) > 1 else rows
        k = self.ev(key_node)
        if k.kind in ("data", "index") and not (k.kind == "data" and k.const == ("colnames",)):
            return self.rows(base, key_node, k)
        return self.columns(base, key_node, k)

    def columns(self, base: Val, key_node: ast.AST, k: Val | None = None) -> Val:
        if isinstance(key_node, ast.Slice):
            for part in (key_node.lower, key_node.upper, key_node.step):
                self.ev(part)
            return base.flat()
        k = k if k is not None else self.ev(key_node)
        select = frozenset(t for t in k.all_taints() if t.kind == "select")
        if base.kind == "stat" and isinstance(base.const, tuple) and base.const[:1] == ("corr",) and \
                k.kind == "const" and isinstance(k.const, str):
            _, origins, site, _ = base.const  # a correlation matrix's column: correlations with that column
            t = Taint("select", site, f".corr()[{k.const!r}]", origins, {"label": k.const})
            return Val(kind="stat", taints=base.taints | {t})
        if k.kind == "const" and isinstance(k.const, str):
            out = Val(kind=base.kind, origins=base.origins, taints=base.col_taints(k.const) | select,
                      const=("col", k.const), preds=base.preds)
            return out
        if k.kind == "seq" and k.items and all(i.kind == "const" and isinstance(i.const, str) for i in k.items):
            names = [i.const for i in k.items]
            taints = frozenset().union(*(base.col_taints(c) for c in names)) | select | k.taints
            return Val(kind=base.kind, origins=base.origins, taints=taints, preds=base.preds,
                       cols=tuple((c, t) for c, t in base.cols if c in names))
        if k.kind in ("const", "seq", "colnames", "stat", "unknown", "ref") or k.kind == "data":
            flat = base.flat()
            return replace(flat, taints=flat.taints | select)
        return base.flat()

    def rows(self, base: Val, key_node: ast.AST, k: Val | None = None) -> Val:
        """A subset of rows: a slice, a mask, positions from a splitter or another frame's index."""
        if isinstance(key_node, ast.Slice):
            lo, hi = key_node.lower, key_node.upper
            if lo is None and hi is None:
                return base
            if lo is None:
                key, side = ("cut", self.text(hi)), "lo"
            elif hi is None:
                key, side = ("cut", self.text(lo)), "hi"
            else:
                key, side = ("range", self.text(lo), self.text(hi), fresh_id()), "sub"
            self.ev(lo)
            self.ev(hi)
            return self.extend(base, key, side)
        k = k if k is not None else self.ev(key_node)
        if k.kind == "index" and k.split_side is not None:
            return self.extend(base, *k.split_side)
        if k.kind == "data" and k.const == ("index_of",) and k.origins and all(
                any(overlaps(o, b) and len(o[1]) >= len(b[1]) for b in base.origins) for o in k.origins):
            return replace(base, origins=k.origins)
        if k.kind == "const" and (isinstance(k.const, (int, str)) or k.const is None):
            return base  # one row, or a column through .loc: same rows for our purposes
        return self.extend(base, ("mask", self.text(key_node)), "in")

    def extend(self, base: Val, key: Any, side: str) -> Val:
        origins = frozenset((src, path + ((key, side),)) for src, path in base.origins)
        return replace(base, origins=origins)

    # ----------------------------------------------------------------- calls
    def e_Call(self, n: ast.Call) -> Val:
        if isinstance(n.func, ast.Attribute):
            receiver = self.ev(n.func.value)
            if receiver.kind == "colnames":
                for a in n.args:
                    self.ev(a)
                return receiver
            if receiver.kind in ("est", "data", "stat", "splitter", "seq") and not (
                    receiver.kind == "est" and receiver.est is None):
                func = Val(kind="method", items=(receiver,), const=n.func.attr)
            elif receiver.kind == "ref":
                func = Val(kind="ref", qual=f"{receiver.qual}.{n.func.attr}")
            else:
                func = unknown()
        else:
            func = self.ev(n.func)
        if "seed" in self.text(n.func).rpartition(".")[2].lower() and self.trace.global_seed is None:
            self.trace.global_seed = self.site(n)  # np.random.seed, seed_everything(42), set_seed(0)
        args = [self.ev(a) for a in n.args]
        kwargs: dict[str, Val] = {}
        starstar = False
        for kw in n.keywords:
            if kw.arg is None:
                starstar = True
                self.ev(kw.value)
            else:
                kwargs[kw.arg] = self.ev(kw.value)
        if func.kind == "ref":
            return self.call_ref(func.qual, args, kwargs, n, starstar)
        if func.kind == "func":
            return self.call_user(func.node, args, kwargs)
        if func.kind == "method":
            receiver = func.items[0]
            name = func.const
            if receiver.kind == "est":
                return self.est_method(receiver.est, name, args, kwargs, n)
            if receiver.kind in ("data", "stat"):
                return self.data_method(receiver, name, args, kwargs, n)
            if receiver.kind == "splitter":
                return self.splitter_method(receiver.est, name, args, kwargs, n)
            if receiver.kind == "seq":
                return self.seq_method(receiver, name, args, kwargs, n)
        if func.kind == "est":  # calling a Keras model on data
            return unknown()
        return self.opaque(args, kwargs)

    def opaque(self, args: list[Val], kwargs: dict[str, Val]) -> Val:
        """Unknown code: data that comes out has no history (it cannot be linked to anything)."""
        if any(v.kind == "data" for v in [*args, *kwargs.values()]):
            return self.fresh_data()
        return unknown()

    def call_user(self, fnode: Any, args: list[Val], kwargs: dict[str, Val]) -> Val:
        if not isinstance(fnode, (ast.FunctionDef, ast.AsyncFunctionDef)) or len(self.stack) >= MAX_DEPTH \
                or fnode in self.stack:
            return self.opaque(args, kwargs)
        saved = self.env
        self.env = dict(saved)
        params = fnode.args
        positional = [*params.posonlyargs, *params.args]
        defaults = [None] * (len(positional) - len(params.defaults)) + list(params.defaults)
        for i, p in enumerate(positional):
            if i < len(args):
                self.env[p.arg] = args[i]
            elif p.arg in kwargs:
                self.env[p.arg] = kwargs[p.arg]
            elif defaults[i] is not None:
                self.env[p.arg] = self.ev(defaults[i])
            else:
                self.env[p.arg] = unknown()
        for p, d in zip(params.kwonlyargs, params.kw_defaults, strict=True):
            self.env[p.arg] = kwargs.get(p.arg) or (self.ev(d) if d is not None else unknown())
        if params.vararg:
            self.env[params.vararg.arg] = Val(kind="seq", items=tuple(args[len(positional):]))
        if params.kwarg:
            self.env[params.kwarg.arg] = unknown()
        self.stack.append(fnode)
        self.returns.append([])
        loops, self.loops = self.loops, 0
        try:
            self.block(fnode.body)
        except _Return:
            pass
        finally:
            self.loops = loops
            self.stack.pop()
            results = self.returns.pop()
            self.env = saved
        if not results:
            return unknown()
        if len(results) == 1:
            return results[0]
        if all(r.kind == "seq" and len(r.items) == len(results[0].items) for r in results):
            return Val(kind="seq", items=tuple(join(list(col)) if not all(c.kind == "est" for c in col) else col[-1]
                                               for col in zip(*(r.items for r in results), strict=True)))
        ests = [r for r in results if r.kind == "est"]
        return ests[-1] if ests else join(results)

    # -- library functions and classes
    def call_ref(self, qual: str, args: list[Val], kwargs: dict[str, Val], n: ast.Call, starstar: bool) -> Val:
        if qual.startswith("builtins."):
            return self.builtin(qual[9:], args, kwargs, n)
        if qual.rpartition(".")[2] in ("EarlyStopping", "ModelCheckpoint", "ReduceLROnPlateau", "early_stopping"):
            return Val(kind="callback", qual=qual)
        cat = known.category(qual)
        if cat is not None:
            return self.construct(qual, cat, args, kwargs, n, starstar)
        kind = known.function_kind(qual)
        if kind is None:
            return self.opaque(args, kwargs)
        site = self.site(n)
        data_args = [a for a in args if a.kind in ("data", "stat")]
        if kind == "split":
            return self.train_test_split(args, kwargs, n)
        if kind == "metric":
            return self.evaluate(site, [*args, *kwargs.values()], [], what=qual.rpartition(".")[2],
                                 curve=qual.endswith("_curve"))
        if kind == "cv":
            return self.cross_validate(qual, args, kwargs, n)
        if kind == "label_stat":
            if len(args) >= 2:
                x, y = self.as_data(args[0]), args[1]
                label = y.const[1] if isinstance(y.const, tuple) and y.const[:1] == ("col",) else None
                t = Taint("select", site, f"{qual.rpartition('.')[2]}(...)", x.origins | y.origins,
                          {"label": label})
                return Val(kind="stat", taints=x.all_taints() | frozenset({t}))
            return unknown()
        if kind == "composite":
            steps = [a.est for a in args if a.kind == "est"]
            est = Est(qual, "composite", site, steps=steps)
            self.trace.estimators.append(est)
            return Val(kind="est", est=est)
        if kind == "resample":
            replace_ = kwargs.get("replace")
            if replace_ is not None and replace_.kind == "const" and replace_.const is False:
                return Val(kind="seq", items=tuple(self.extend(self.as_data(a), ("resample", fresh_id()), "sub")
                                                   for a in args)) if len(args) > 1 else (
                    self.extend(self.as_data(args[0]), ("resample", fresh_id()), "sub") if args else unknown())
            if any(a.preds for a in args):  # a bootstrap of predictions and labels: a confidence interval
                outs = [self.as_data(a) for a in args]
                return outs[0] if len(outs) == 1 else Val(kind="seq", items=tuple(outs))
            outs = []
            for a in args:
                d = self.as_data(a)
                t = Taint("oversample", site, "resample(replace=True)", d.origins)
                outs.append(replace(d.flat(), taints=d.all_taints() | {t}))
            return outs[0] if len(outs) == 1 else Val(kind="seq", items=tuple(outs))
        if kind == "preprocess_fn" and args:  # preprocessing.scale(X): fitted and applied at once
            d = self.as_data(args[0])
            t = Taint("preprocess", site, f"{qual.rpartition('.')[2]}()", d.origins)
            return replace(d.flat(), taints=d.all_taints() | {t}, const=None)
        if kind == "source":
            return self.fresh_data()
        if kind == "given_split":
            key = fresh_id()
            self.trace.roles[key] = {"train": "train", "test": "test"}
            src = fresh_id()
            parts = []
            for side in ("train", "test"):
                d = Val(kind="data", origins=frozenset({(src, ((key, side),))}))
                parts.append(Val(kind="seq", items=(d, d)))
            return Val(kind="seq", items=tuple(parts))
        if kind == "frame":
            if data_args:
                return self.combine(data_args)
            if args and args[0].kind == "seq" and any(i.kind == "data" for i in args[0].items):
                return join(list(args[0].items))
            taints = frozenset().union(*(a.all_taints() for a in [*args, *kwargs.values()])) if args else frozenset()
            return replace(self.fresh_data(), taints=taints)
        if kind == "concat":
            return self.concat(args, kwargs, site)
        if kind == "merge":
            return self.merge(args)
        if kind == "global_seed":
            if self.trace.global_seed is None:
                self.trace.global_seed = site
            return unknown()
        if kind == "select_fn":
            self.select_check([*args], site, qual.rpartition(".")[2])
            return self.combine(data_args) if data_args else unknown()
        if kind == "opaque":
            return unknown()
        if kind == "booster_train":
            return unknown()
        # propagate: numpy / pandas functions keep the rows and taints of their data arguments
        seq_data = [i for a in args if a.kind == "seq" for i in a.items if i.kind in ("data", "stat")]
        if data_args or seq_data:
            return self.combine(data_args + seq_data)
        return unknown()

    def builtin(self, name: str, args: list[Val], kwargs: dict[str, Val], n: ast.Call) -> Val:
        if name in ("max", "min", "sorted"):
            self.select_check([*args, *kwargs.values()], self.site(n), name)
            if name == "sorted" and args:
                return args[0]
            return join(list(args[0].items)) if len(args) == 1 and args[0].kind == "seq" and args[0].items else (
                join(args) if args else unknown())
        if name in ("list", "tuple", "set", "reversed", "iter"):
            if args and args[0].kind == "seq":
                return replace(args[0], const=None) if args[0].const not in ("items", "keys") else args[0]
            return args[0] if args else Val(kind="seq")
        if name == "dict":
            return args[0] if args and args[0].kind == "seq" else Val(kind="seq", keys=tuple(kwargs),
                                                                      items=tuple(kwargs.values()))
        if name == "enumerate" and args and args[0].kind == "seq" and args[0].items:
            return Val(kind="seq", items=tuple(Val(kind="seq", items=(Val(kind="const", const=i), v))
                                               for i, v in enumerate(self.elements(args[0]) or [])))
        if name == "zip" and args and all(a.kind == "seq" and a.items for a in args):
            lists = [self.elements(a) or [] for a in args]
            return Val(kind="seq", items=tuple(Val(kind="seq", items=tuple(t)) for t in zip(*lists, strict=False)))
        if name in ("abs", "round", "float", "int", "sum", "next", "getattr"):
            return args[0] if args else unknown()
        if name in ("print", "display", "len", "range", "isinstance", "type", "str", "repr", "open", "hasattr"):
            return unknown()
        return self.opaque(args, kwargs)

    def concat(self, args: list[Val], kwargs: dict[str, Val], site: Site) -> Val:
        parts: list[Val] = []
        for a in args[:1]:
            parts = list(a.items) if a.kind == "seq" else [a]
        axis = kwargs.get("axis")
        columns = axis is not None and axis.kind == "const" and axis.const in (1, "columns")
        if not parts:
            return unknown()
        merged = self.combine([self.as_data(p) if p.kind != "stat" else p for p in parts])
        if not columns:
            datas = [p for p in parts if p.kind == "data"]
            for i, a in enumerate(datas):
                for b in datas[i + 1:]:
                    if any(overlaps(x, y) for x in a.origins for y in b.origins):
                        t = Taint("oversample", site, "concatenation of overlapping rows", merged.origins)
                        return replace(merged, taints=merged.taints | {t})
        return merged

    def merge(self, args: list[Val]) -> Val:
        if not args:
            return unknown()
        left = self.as_data(args[0])
        extra = frozenset().union(*(a.all_taints() for a in args[1:])) if len(args) > 1 else frozenset()
        return replace(left.flat(), taints=left.all_taints() | extra)

    # -- splits
    def train_test_split(self, args: list[Val], kwargs: dict[str, Val], n: ast.Call) -> Val:
        site = self.site(n)
        key = fresh_id()
        inputs = [o for a in args for o in a.origins]
        nested = bool(inputs) and all(self.trace.held_role(o) is None and any(
            self.trace.role(k, side) == "train" for k, side in o[1]) for o in inputs)
        self.trace.roles[key] = {"train": "train", "test": "val" if nested else "test"}
        shuffle = kwargs.get("shuffle")
        shuffled = not (shuffle is not None and shuffle.kind == "const" and shuffle.const is False)
        seeded = "random_state" in kwargs or any(k is None for k in ()) or not shuffled
        taints = frozenset().union(*(a.all_taints() for a in args)) if args else frozenset()
        event = SplitEvent(site, key, "train_test_split", seeded, shuffled, False, False, taints)
        self.trace.splits.append(event)
        self.split_by_key[key] = event
        outs: list[Val] = []
        for a in args:
            d = self.as_data(a)
            const = d.const if d.const == ("index_of",) or (isinstance(d.const, tuple) and d.const[:1] == ("col",)) \
                else None
            for side in ("train", "test"):
                outs.append(replace(self.extend(d, key, side), const=const))
        return Val(kind="seq", items=tuple(outs))

    def splitter_method(self, est: Est, name: str, args: list[Val], kwargs: dict[str, Val], n: ast.Call) -> Val:
        if name == "split":
            key = fresh_id()
            self.trace.roles[key] = {"train": "train", "test": "cv"}
            taints = frozenset().union(*(a.all_taints() for a in args)) if args else frozenset()
            event = self.split_event(est, self.site(n), key, taints, "groups" in kwargs or len(args) >= 3)
            est.evaluated = True
            event.evaluated = True
            pair = Val(kind="seq", items=(Val(kind="index", split_side=(key, "train")),
                                          Val(kind="index", split_side=(key, "test"))))
            return Val(kind="seq", items=(pair,))
        if name == "get_n_splits":
            return unknown()
        return unknown()

    def split_event(self, est: Est, site: Site, key: Any, taints: frozenset[Taint], groups: bool) -> SplitEvent:
        shuffle = est.kwargs.get("shuffle")
        shuffled = est.name in ("ShuffleSplit", "StratifiedShuffleSplit") or (
            shuffle is not None and shuffle.kind == "const" and shuffle.const is True)
        event = SplitEvent(site, key, est.name, "random_state" in est.kwargs or not shuffled, shuffled,
                           est.name in known.GROUP_AWARE or groups, est.name in known.TIME_AWARE, taints)
        self.trace.splits.append(event)
        self.split_by_key[key] = event
        return event

    # -- estimators
    def construct(self, qual: str, cat: str, args: list[Val], kwargs: dict[str, Val], n: ast.Call,
                  starstar: bool) -> Val:
        site = self.site(n)
        est = Est(qual, cat, site, kwargs=dict(kwargs), n_args=len(args))
        if starstar:
            est.kwargs["**"] = unknown()
        if cat == "composite":
            est.steps += [a.est for a in args if a.kind == "est"]
            for a in args[:1]:
                for item in a.items if a.kind == "seq" else []:
                    if item.kind == "seq":
                        est.steps += [i.est for i in item.items if i.kind == "est"]
                    elif item.kind == "est":
                        est.steps.append(item.est)
            for key in ("steps", "transformers", "transformer_list"):
                if key in kwargs:
                    for item in kwargs[key].items:
                        est.steps += [i.est for i in item.items if i.kind == "est"]
            if "regressor" in kwargs and kwargs["regressor"].kind == "est":
                est.steps.append(kwargs["regressor"].est)
        if cat == "search" or (cat in ("select", "model") and args and args[0].kind == "est"):
            inner = args[0] if args else kwargs.get("estimator")
            if inner is not None and inner.kind == "est":
                est.steps.append(inner.est)
        self.trace.estimators.append(est)
        if cat == "splitter":
            return Val(kind="splitter", est=est)
        return Val(kind="est", est=est)

    def fit(self, est: Est, X: Val, y: Val | None, kwargs: dict[str, Val], site: Site, partial: bool = False) -> None:
        X = self.as_data(X)
        origins = X.origins | (y.origins if y is not None and y.kind == "data" else frozenset())
        taints = X.all_taints() | (y.all_taints() if y is not None else frozenset())
        if y is not None and isinstance(y.const, tuple) and y.const[:1] == ("col",):
            self.trace.label_columns.add(y.const[1])
        est.fit_origins = (est.fit_origins | origins) if partial else origins
        est.fit_taints = taints
        est.fit_site = site
        est.fitted = True
        est.selected_on = frozenset()
        est.selected_site = None
        # Early stopping or best-epoch checkpoints on data passed to fit.
        chosen: list[Val] = []
        if "eval_set" in kwargs:
            stopping = any(k in est.kwargs for k in ("early_stopping_rounds", "callbacks")) or any(
                k in kwargs for k in ("early_stopping_rounds", "callbacks"))
            if stopping:
                chosen.append(kwargs["eval_set"])
        if "validation_data" in kwargs and "callbacks" in kwargs:
            callbacks = kwargs["callbacks"]
            names = {i.est.name for i in self.flatten(callbacks) if i.kind == "est"} | {
                i.qual.rpartition(".")[2] for i in self.flatten(callbacks) if i.kind == "callback"}
            if names & {"EarlyStopping", "ModelCheckpoint", "ReduceLROnPlateau"}:
                chosen.append(kwargs["validation_data"])
        if chosen:
            rows = frozenset().union(*(v.origins for c in chosen for v in self.flatten(c) if v.kind == "data"))
            est.selected_on = rows
            est.selected_site = site
        for step in est.steps:
            step.fitted = True
            step.fit_origins = est.fit_origins
            step.fit_site = site
        est.taint = None
        cat = est.effective_category()
        if cat in ("preprocess", "select"):
            est.taint = Taint(cat, site, est.name, est.fit_origins)

    def flatten(self, v: Val) -> list[Val]:
        if v.kind == "seq":
            return [x for i in v.items for x in self.flatten(i)]
        return [v]

    def transform(self, est: Est, X: Val) -> Val:
        X = self.as_data(X)
        extra = ({est.taint} if est.taint is not None else set()) | set(est.fit_taints if est.effective_category() in (
            "preprocess", "select") else ())
        flat = X.flat()
        return replace(flat, taints=flat.taints | frozenset(extra), const=None)

    def est_method(self, est: Est, name: str, args: list[Val], kwargs: dict[str, Val], n: ast.Call) -> Val:
        site = self.site(n)
        X = args[0] if args else kwargs.get("X") or kwargs.get("x")
        y = args[1] if len(args) > 1 else kwargs.get("y")
        cat = est.effective_category()
        if name in ("fit", "partial_fit", "fit_on_texts", "adapt", "train"):
            if X is not None:
                self.fit(est, X, y, kwargs, site, partial=name == "partial_fit")
            return Val(kind="est", est=est)
        if name == "fit_transform" or name == "fit_predict":
            if X is None:
                return unknown()
            self.fit(est, X, y, kwargs, site)
            if name == "fit_predict" or cat == "model":
                return self.predict(est, X)
            return self.transform(est, X)
        if name in ("transform", "inverse_transform", "texts_to_sequences", "texts_to_matrix",
                    "sequences_to_matrix", "flow", "flow_from_dataframe"):
            if X is None:
                return unknown()
            if est.category == "augment" and name.startswith("flow"):
                d = self.as_data(X)
                t = Taint("oversample", site, f"{est.name}.{name}", d.origins)
                return replace(d.flat(), taints=d.all_taints() | {t})
            if cat in ("preprocess", "select") or est.category in ("preprocess", "select", "composite"):
                return self.transform(est, X)
            return self.as_data(X)
        if name in ("fit_resample", "fit_sample", "resample"):
            if X is None:
                return unknown()
            xs = [self.as_data(X)] + ([y] if y is not None else [])
            if est.category == "oversample":
                origins = frozenset().union(*(v.origins for v in xs))
                t = Taint("oversample", site, est.name, origins)
                est.fitted, est.fit_site, est.fit_origins = True, site, origins
                outs = [replace(v.flat(), taints=v.all_taints() | {t}) for v in xs]
            else:
                key = ("resample", fresh_id())
                outs = [self.extend(v, key, "sub") for v in xs]
            return Val(kind="seq", items=tuple(outs)) if len(outs) > 1 else outs[0]
        if name in ("predict", "predict_proba", "predict_log_proba", "decision_function", "predict_classes"):
            if X is None:
                return unknown()
            return self.predict(est, X)
        if name in ("score", "evaluate"):
            if X is None:
                return unknown()
            return self.evaluate(site, [self.as_data(X), *([y] if y is not None else [])],
                                 [self.snapshot(est)] if est.fitted else [], what=f"{est.name}.{name}")
        if name in ("get_support", "get_feature_names_out"):
            v = self.est_attribute(est, name, n)
            return v.items[0] if v.kind == "method" else v
        if name in ("set_params", "set_output"):
            return Val(kind="est", est=est)
        if name == "split" and est.category == "splitter":
            return self.splitter_method(est, name, args, kwargs, n)
        return unknown()

    def est_attribute(self, est: Est, attr: str, node: ast.AST) -> Val:
        if attr in ATTR_STATS and est.fitted:
            t = Taint("select", est.fit_site or self.site(node), f"{est.name}.{attr}", est.fit_origins)
            if attr in ("get_support", "get_feature_names_out"):
                return Val(kind="method", items=(Val(kind="stat", taints=frozenset({t})),), const="__call__")
            return Val(kind="stat", taints=frozenset({t}))
        if attr in ("best_estimator_", "estimator"):
            return Val(kind="est", est=est)
        if attr in ("best_score_", "cv_results_") and est.fitted:
            return self.cv_evaluation(self.site(node), est, Val(kind="data", origins=est.fit_origins,
                                                                 taints=est.fit_taints), f"{est.name}.{attr}")
        return unknown()

    def snapshot(self, est: Est) -> Model:
        return Model(est, est.fit_origins, est.selected_on, est.fit_site, est.selected_site)

    def predict(self, est: Est, X: Val) -> Val:
        d = self.as_data(X)
        preds = ((est, est.fit_origins, est.selected_on),) if est.fitted else ()
        return Val(kind="data", origins=d.origins, taints=d.all_taints(), preds=preds)

    # -- evaluation
    def evaluate(self, site: Site, values: list[Val], models: list[Model], what: str, curve: bool = False) -> Val:
        data = [v for v in values if v.kind in ("data", "stat") and v.origins]
        origins = frozenset().union(*(v.origins for v in data)) if data else frozenset()
        taints = frozenset().union(*(v.all_taints() for v in data)) if data else frozenset()
        models = list(models)
        for v in data:
            for est, fit, selected in v.preds:
                models.append(Model(est, fit, selected, est.fit_site, est.selected_site))
        for m in models:
            self.mark_evaluated(m.est)
        for o in origins:
            for key, _ in o[1]:
                if key in self.split_by_key:
                    self.split_by_key[key].evaluated = True
        ev = Evaluation(site, origins, taints, models, what=what)
        self.trace.evaluations.append(ev)
        score_taints = frozenset(t for t in taints if t.kind == "testscore")
        held = [o for o in origins if self.trace.held_role(o) == "test"
                and not any(overlaps(f, o) for m in models for f in m.fit)]
        if held and models:
            score_taints |= {Taint("testscore", site, what, frozenset(held))}
        return Val(kind="stat", taints=score_taints) if not curve else Val(
            kind="seq", items=tuple(Val(kind="stat", taints=score_taints) for _ in range(3)))

    def mark_evaluated(self, est: Est) -> None:
        est.evaluated = True
        for s in est.steps:
            self.mark_evaluated(s)

    def cross_validate(self, qual: str, args: list[Val], kwargs: dict[str, Val], n: ast.Call) -> Val:
        est_val = args[0] if args else kwargs.get("estimator")
        X = args[1] if len(args) > 1 else kwargs.get("X")
        y = args[2] if len(args) > 2 else kwargs.get("y")
        if est_val is None or est_val.kind != "est" or X is None:
            return unknown()
        site = self.site(n)
        data = self.as_data(X)
        if y is not None and y.kind == "data":
            data = self.combine([data, y])
        cv = kwargs.get("cv")
        key = fresh_id()
        self.trace.roles[key] = {"train": "train", "test": "cv"}
        if cv is not None and cv.kind == "splitter":
            self.split_event(cv.est, site, key, data.all_taints(), "groups" in kwargs)
            cv.est.evaluated = True
        if key not in self.split_by_key:
            event = SplitEvent(site, key, "cv", True, False, "groups" in kwargs, False, data.all_taints())
            self.split_by_key[key] = event
            self.trace.splits.append(event)
        return self.cv_evaluation(site, est_val.est, data, qual.rpartition(".")[2], key)

    def cv_evaluation(self, site: Site, est: Est, data: Val, what: str, key: Any = None) -> Val:
        key = key if key is not None else fresh_id()
        self.trace.roles.setdefault(key, {"train": "train", "test": "cv"})
        held = frozenset((s, p + ((key, "test"),)) for s, p in data.origins)
        fit = frozenset((s, p + ((key, "train"),)) for s, p in data.origins)
        self.mark_evaluated(est)
        if key in self.split_by_key:
            self.split_by_key[key].evaluated = True
        self.trace.evaluations.append(Evaluation(site, held, data.all_taints(), [Model(est, fit, frozenset(), site,
                                                                                        None)], cv=True, what=what))
        return Val(kind="stat")

    def select_check(self, values: list[Val], site: Site, how: str) -> None:
        tainted = frozenset(t for v in values for t in v.all_taints() if t.kind == "testscore")
        if tainted:
            self.trace.selections.append(Selection(site, tainted, how))

    # -- methods on data
    def data_method(self, recv: Val, name: str, args: list[Val], kwargs: dict[str, Val], n: ast.Call) -> Val:
        site = self.site(n)
        window = isinstance(recv.const, tuple) and recv.const[:1] == ("window",)
        grouped = window and len(recv.const) > 1 and recv.const[1] == "groupby"
        arg_taints = frozenset().union(*(a.all_taints() for a in [*args, *kwargs.values()])) if (
            args or kwargs) else frozenset()
        if name == "__call__":
            return recv
        if name in ("groupby",):
            cols = [a.const for a in args if a.kind == "const" and isinstance(a.const, str)]
            cols += [i.const for a in args if a.kind == "seq" for i in a.items if i.kind == "const"
                     and isinstance(i.const, str)]
            by = kwargs.get("by")
            if by is not None and by.kind == "const" and isinstance(by.const, str):
                cols.append(by.const)
            if args and args[0].kind == "data" and isinstance(args[0].const, tuple) and args[0].const[:1] == ("col",):
                cols.append(args[0].const[1])
            return replace(recv.flat(), const=("window", "groupby", tuple(cols)))
        if name in WINDOW_OPS - {"groupby"}:
            t = Taint("timeseries", site, f".{name}()", recv.origins, {"op": name})
            base = recv.flat()
            extra = {t} | (self.group_taint(recv, site) if grouped else set())
            return replace(base, taints=base.taints | frozenset(extra), const=("window", name))
        if grouped:
            base = recv.flat()
            if name in ROW_PRESERVING_GROUP or name == "apply":
                extra = set(self.group_taint(recv, site)) if name != "apply" else set()
                if name in TIME_OPS:
                    extra.add(Taint("timeseries", site, f"groupby().{name}()", recv.origins, {"op": name}))
                if name == "transform" and args and not extra:  # per-subject statistics are PF203's
                    body = self.text(n.args[0]) if n.args else ""
                    windowed = any(f".{op}(" in body for op in TIME_OPS)
                    if windowed:
                        extra.add(Taint("timeseries", site, f"groupby().transform({body})", recv.origins,
                                        {"op": "transform"}))
                    elif (args[0].kind == "const" and args[0].const in STATS) or (
                            args[0].kind == "lambda" and any(f".{stat}(" in body for stat in STATS)):
                        extra.add(Taint("preprocess", site, f"groupby().transform({body})", recv.origins))
                return replace(base, taints=base.taints | frozenset(extra) | arg_taints, const=None)
            # an aggregation: one row per group, no longer repeated
            kept = frozenset(t for t in base.taints if t.kind not in ("groups", "timeseries"))
            return replace(base, taints=kept, const=None)
        if window:
            return replace(recv, const=None)
        if name in STATS and recv.kind == "data" and recv.origins:
            t = Taint("preprocess", site, f"{self.text(n.func)}()", recv.origins)
            return Val(kind="stat", taints=recv.all_taints() | {t})
        if name in ("corr", "corrwith", "cov"):
            label = None
            if name == "corrwith" and args and isinstance(args[0].const, tuple) and args[0].const[:1] == ("col",):
                label = args[0].const[1]
            return Val(kind="stat", taints=recv.all_taints(), const=("corr", recv.origins, site, label)
                       if recv.kind == "data" else None) if label is None else Val(
                kind="stat", taints=recv.all_taints() | {Taint("select", site, ".corrwith()", recv.origins,
                                                               {"label": label})})
        if recv.kind == "stat":
            if name in SELECT_METHODS:
                self.select_check([recv, *args], site, name)
            keep = recv.const if isinstance(recv.const, tuple) and recv.const[:1] == ("corr",) else None
            return replace(recv, taints=recv.all_taints() | frozenset(t for t in arg_taints if t.kind == "select"),
                           cols=(), const=keep)
        if name in SELECT_METHODS:
            self.select_check([recv, *args], site, name)
        if name == "sample":
            rep, frac = kwargs.get("replace"), kwargs.get("frac")
            if (rep is not None and rep.const is True) or (frac is not None and isinstance(frac.const, (int, float))
                                                            and frac.const > 1):
                t = Taint("oversample", site, ".sample(replace=True)", recv.origins)
                return replace(recv.flat(), taints=recv.all_taints() | {t})
            if frac is not None and frac.const == 1:
                return recv
            return self.extend(recv, ("sample", fresh_id()), "in")
        if name == "drop":
            return self.drop(recv, args, kwargs)
        if name in ("head", "tail", "nlargest", "nsmallest"):
            count = self.text(n.args[0]) if n.args else "5"
            return self.extend(recv, (name, count), "in")
        if name in ("append",):
            return self.concat([Val(kind="seq", items=(recv, *args))], kwargs, site)
        if name in ("merge", "join"):
            return replace(recv.flat(), taints=recv.all_taints() | arg_taints)
        if name in ("isin",):
            return replace(recv.flat(), const=None)
        if name in ("split",) and recv.kind == "data":
            return self.opaque([recv], {})
        if name in ("to_csv", "to_parquet", "info", "describe", "plot", "hist", "to_excel", "to_pickle",
                    "to_json", "head_", "value_counts", "nunique", "count", "isnull", "isna", "notnull", "notna",
                    "any", "all", "unique", "duplicated", "tolist", "to_list", "item", "__len__"):
            if name in ("isnull", "isna", "notnull", "notna", "duplicated"):
                return replace(recv.flat(), const=None)
            return unknown() if name not in ("tolist", "to_list", "unique") else replace(recv.flat(), const=None)
        if name in TIME_OPS:
            t = Taint("timeseries", site, f".{name}()", recv.origins, {"op": name})
            return replace(recv.flat(), taints=recv.all_taints() | {t} | arg_taints, const=None)
        inplace = kwargs.get("inplace")
        out = replace(recv, taints=recv.taints | arg_taints, const=recv.const if name in (
            "copy", "astype", "reset_index", "rename") else None)
        if arg_taints and recv.cols and not (isinstance(recv.const, tuple) and recv.const[:1] == ("col",)):
            out = out.flat()
        if inplace is not None and inplace.const is True:
            self.inplace(n, out)
        return out

    def inplace(self, n: ast.Call, out: Val) -> None:
        """``df.fillna(..., inplace=True)`` and ``df['Age'].fillna(..., inplace=True)`` update df."""
        target = n.func.value if isinstance(n.func, ast.Attribute) else None
        if isinstance(target, ast.Name):
            self.env[target.id] = replace(out, const=None)
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
            self.assign_subscript(target, out)

    def group_taint(self, recv: Val, site: Site) -> set[Taint]:
        cols = recv.const[2] if len(recv.const) > 2 else ()
        ids = [c for c in cols if _is_id_column(c)]
        if not ids:
            return set()
        return {Taint("groups", site, f"groupby({ids[0]!r})", recv.origins, {"column": ids[0]})}

    def drop(self, recv: Val, args: list[Val], kwargs: dict[str, Val]) -> Val:
        axis = kwargs.get("axis")
        cols_kw = kwargs.get("columns")
        index_kw = kwargs.get("index")
        labels = args[0] if args else kwargs.get("labels")
        is_columns = cols_kw is not None or (axis is not None and axis.const in (1, "columns"))
        if is_columns:
            what = cols_kw if cols_kw is not None else labels
            names = self.const_strings(what) if what is not None else None
            if names is not None:
                return replace(recv.drop_cols(names), const=None)
            return replace(recv, const=None)
        rows = index_kw if index_kw is not None else labels
        if rows is not None and rows.kind == "data" and rows.const == ("index_of",):
            outs = set()
            for o in rows.origins:
                if o[1] and o[1][-1][1] == "in":
                    parent = (o[0], o[1][:-1])
                    if parent in recv.origins:
                        outs.add((o[0], o[1][:-1] + ((o[1][-1][0], "out"),)))
            if outs:
                return replace(recv, origins=frozenset(outs), const=None)
            return self.extend(recv, ("drop", fresh_id()), "sub")
        names = self.const_strings(rows) if rows is not None else None
        if names is not None:  # pandas drops columns by name only with axis=1, but people mean columns
            return replace(recv.drop_cols(names), const=None)
        return replace(recv, const=None)

    @staticmethod
    def const_strings(v: Val | None) -> list[str] | None:
        if v is None:
            return None
        if v.kind == "const" and isinstance(v.const, str):
            return [v.const]
        if v.kind == "seq" and v.items and all(i.kind == "const" and isinstance(i.const, str) for i in v.items):
            return [i.const for i in v.items]
        return None

    def seq_method(self, recv: Val, name: str, args: list[Val], kwargs: dict[str, Val], n: ast.Call) -> Val:
        target = n.func.value if isinstance(n.func, ast.Attribute) else None
        if name in ("append", "extend", "add", "insert", "update"):
            new_items = [a for a in args if a.kind != "const"]
            if name == "extend" or name == "update":
                new_items = [i for a in new_items for i in (a.items if a.kind == "seq" else (a,))]
            taints = frozenset().union(*(a.all_taints() for a in args)) if args else frozenset()
            updated = replace(recv, items=recv.items + tuple(new_items), taints=recv.taints | taints)
            if isinstance(target, ast.Name):
                self.env[target.id] = updated
            return unknown()
        if name in ("items", "keys", "values"):
            if name == "values":
                return replace(recv, keys=(), const=None)
            return replace(recv, const=name)
        if name == "get" and args and args[0].kind == "const" and args[0].const in recv.keys:
            return recv.items[recv.keys.index(args[0].const)]
        if name == "index":
            self.select_check([recv, *args], self.site(n), "index")
            return unknown()
        if name in ("sort",):
            self.select_check([recv], self.site(n), "sort")
        if name in ("copy", "pop", "get"):
            return join(list(recv.items)) if name != "copy" else recv
        return unknown()


def analyse(source: Source) -> Trace:
    """Run the interpreter over one file's cells and return what it saw."""
    interp = Interpreter(source)
    interp._named = set()
    return interp.run()
