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
import operator
from dataclasses import replace
from typing import Any

from pitfall.lint import known
from pitfall.lint.calls import CallOps, ReturnSignal
from pitfall.lint.estimators import EstimatorOps
from pitfall.lint.events import Evaluation, Selection, SplitEvent, Trace, name_role
from pitfall.lint.frames import FrameOps
from pitfall.lint.sources import Cell, Source
from pitfall.lint.values import Site, Taint, Val, fresh_id, join, overlaps, unknown

__all__ = ["Evaluation", "Interpreter", "Selection", "SplitEvent", "Trace", "analyse"]

MAX_ELEMENTS = 12  # loop bodies run once per element up to this many


_OPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}


def _arithmetic(op: ast.operator, a: Any, b: Any) -> Any:
    """Constant folding for numbers (``test_size = 1 - 0.8``), never for other types or powers."""
    if (
        type(op) not in _OPS
        or isinstance(a, bool)
        or isinstance(b, bool)
        or not (isinstance(a, (int, float)) and isinstance(b, (int, float)))
    ):
        return None
    try:
        return _OPS[type(op)](a, b)
    except (ArithmeticError, ValueError):
        return None


class Interpreter(FrameOps, EstimatorOps, CallOps):
    """Runs a file's statements over abstract values; the mixins hold calls, frames and estimators."""

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
        self._named: set[tuple[Any, str]] = set()  # split sides whose role a variable name has set

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
        raise ReturnSignal

    def s_If(self, s: ast.If) -> None:
        if isinstance(s.test, ast.Compare) and isinstance(s.test.left, ast.Name) and s.test.left.id == "__name__":
            self.block(s.body)
            return
        if isinstance(s.test, ast.Compare):
            sides = [s.test.left, *s.test.comparators]
            values = [self.ev(n) for n in sides]
            # In a loop, `if score > best:` keeps the best by that score; `if score > 0.9:` does not.
            tainted = [t for v in values for t in v.all_taints() if t.kind == "testscore"]
            others = [
                n for n, v in zip(sides, values, strict=True) if not any(t.kind == "testscore" for t in v.all_taints())
            ]
            if self.loops and tainted and any(not isinstance(n, ast.Constant) for n in others):
                self.trace.selections.append(Selection(self.site(s), frozenset(tainted), "if"))
        else:
            self.ev(s.test)
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
                el = (
                    join(list(it.items))
                    if it.kind == "seq" and it.items
                    else (it if it.kind in ("data", "stat") else unknown())
                )
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
        sides = (
            [value.split_side]
            if value.kind == "index" and value.split_side
            else [o[1][-1] for o in value.origins if o[1]]
        )
        for key, side in sides:
            roles = self.trace.roles.setdefault(key, {})
            if (key, side) not in self._named:
                roles[side] = role
                self._named.add((key, side))

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
                return (
                    base.flat()
                    if attr == "values" and base.cols
                    else replace(base, const=None)
                    if attr in ("values", "T", "array")
                    else base
                )
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
            return Val(kind="const", const=_arithmetic(n.op, a.const, b.const))
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
                return [
                    Val(kind="seq", items=(Val(kind="const", const=k), v))
                    for k, v in zip(it.keys, it.items, strict=False)
                ]
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
            if (
                k.kind == "const"
                and isinstance(k.const, int)
                and not base.keys
                and -len(base.items) <= k.const < len(base.items)
                and base.const is None
            ):
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
        if (
            base.kind == "stat"
            and isinstance(base.const, tuple)
            and base.const[:1] == ("corr",)
            and k.kind == "const"
            and isinstance(k.const, str)
        ):
            _, origins, site, _ = base.const  # a correlation matrix's column: correlations with that column
            t = Taint("select", site, f".corr()[{k.const!r}]", origins, {"label": k.const})
            return Val(kind="stat", taints=base.taints | {t})
        if k.kind == "const" and isinstance(k.const, str):
            out = Val(
                kind=base.kind,
                origins=base.origins,
                taints=base.col_taints(k.const) | select,
                const=("col", k.const),
                preds=base.preds,
            )
            return out
        if k.kind == "seq" and k.items and all(i.kind == "const" and isinstance(i.const, str) for i in k.items):
            names = [i.const for i in k.items]
            taints = frozenset().union(*(base.col_taints(c) for c in names)) | select | k.taints
            return Val(
                kind=base.kind,
                origins=base.origins,
                taints=taints,
                preds=base.preds,
                cols=tuple((c, t) for c, t in base.cols if c in names),
            )
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
        if (
            k.kind == "data"
            and k.const == ("index_of",)
            and k.origins
            and all(any(overlaps(o, b) and len(o[1]) >= len(b[1]) for b in base.origins) for o in k.origins)
        ):
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
                receiver.kind == "est" and receiver.est is None
            ):
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

    # -- splits


def analyse(source: Source) -> Trace:
    """Run the interpreter over one file's cells and return what it saw."""
    return Interpreter(source).run()
