"""Calls for the dataflow interpreter: functions defined in the file (followed into), library
functions and classes (by the module they are imported from), builtins, and unknown code."""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import Any

from pitfall.lint import known
from pitfall.lint.values import Est, Site, Taint, Val, fresh_id, join, overlaps, unknown

__all__ = ["CallOps", "MAX_DEPTH"]

MAX_DEPTH = 4  # nested calls of functions defined in the file


class ReturnSignal(Exception):
    """Raised by ``return`` inside a followed function."""


class CallOps:
    """Methods of the interpreter for calls."""

    def opaque(self, args: list[Val], kwargs: dict[str, Val]) -> Val:
        """Unknown code: data that comes out has no history (it cannot be linked to anything)."""
        if any(v.kind == "data" for v in [*args, *kwargs.values()]):
            return self.fresh_data()
        return unknown()

    def call_user(self, fnode: Any, args: list[Val], kwargs: dict[str, Val]) -> Val:
        if (
            not isinstance(fnode, (ast.FunctionDef, ast.AsyncFunctionDef))
            or len(self.stack) >= MAX_DEPTH
            or fnode in self.stack
        ):
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
            self.env[params.vararg.arg] = Val(kind="seq", items=tuple(args[len(positional) :]))
        if params.kwarg:
            self.env[params.kwarg.arg] = unknown()
        self.stack.append(fnode)
        self.returns.append([])
        loops, self.loops = self.loops, 0
        try:
            self.block(fnode.body)
        except ReturnSignal:
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
            return Val(
                kind="seq",
                items=tuple(
                    join(list(col)) if not all(c.kind == "est" for c in col) else col[-1]
                    for col in zip(*(r.items for r in results), strict=True)
                ),
            )
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
            return self.evaluate(
                site, [*args, *kwargs.values()], [], what=qual.rpartition(".")[2], curve=qual.endswith("_curve")
            )
        if kind == "cv":
            return self.cross_validate(qual, args, kwargs, n)
        if kind == "label_stat":
            if len(args) >= 2:
                x, y = self.as_data(args[0]), args[1]
                label = y.const[1] if isinstance(y.const, tuple) and y.const[:1] == ("col",) else None
                t = Taint("select", site, f"{qual.rpartition('.')[2]}(...)", x.origins | y.origins, {"label": label})
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
                return (
                    Val(
                        kind="seq",
                        items=tuple(self.extend(self.as_data(a), ("resample", fresh_id()), "sub") for a in args),
                    )
                    if len(args) > 1
                    else (self.extend(self.as_data(args[0]), ("resample", fresh_id()), "sub") if args else unknown())
                )
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
            return (
                join(list(args[0].items))
                if len(args) == 1 and args[0].kind == "seq" and args[0].items
                else (join(args) if args else unknown())
            )
        if name in ("list", "tuple", "set", "reversed", "iter"):
            if args and args[0].kind == "seq":
                return replace(args[0], const=None) if args[0].const not in ("items", "keys") else args[0]
            return args[0] if args else Val(kind="seq")
        if name == "dict":
            return (
                args[0]
                if args and args[0].kind == "seq"
                else Val(kind="seq", keys=tuple(kwargs), items=tuple(kwargs.values()))
            )
        if name == "enumerate" and args and args[0].kind == "seq" and args[0].items:
            return Val(
                kind="seq",
                items=tuple(
                    Val(kind="seq", items=(Val(kind="const", const=i), v))
                    for i, v in enumerate(self.elements(args[0]) or [])
                ),
            )
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
                for b in datas[i + 1 :]:
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
