"""pandas and list operations for the dataflow interpreter: statistics, grouping, windows,
sampling, dropping rows or columns, and the lists and dicts that collect scores."""

from __future__ import annotations

import ast
import re
from dataclasses import replace

from pitfall.lint.values import Site, Taint, Val, fresh_id, join, unknown

__all__ = ["FrameOps", "STATS", "TIME_OPS"]

STATS = {
    "mean",
    "median",
    "std",
    "var",
    "min",
    "max",
    "mode",
    "quantile",
    "sum",
    "nanmean",
    "nanstd",
    "nanmedian",
    "nanmin",
    "nanmax",
    "percentile",
    "nanpercentile",
    "mad",
    "sem",
    "skew",
    "kurt",
}
TIME_OPS = {"shift", "diff", "rolling", "pct_change", "ewm", "expanding", "resample"}
WINDOW_OPS = {"rolling", "ewm", "expanding", "resample", "groupby"}
ROW_PRESERVING_GROUP = {
    "transform",
    "shift",
    "diff",
    "cumsum",
    "cumcount",
    "cumprod",
    "cummax",
    "cummin",
    "rolling",
    "expanding",
    "rank",
    "ffill",
    "bfill",
    "fillna",
    "pct_change",
    "ewm",
}
SELECT_METHODS = {"idxmax", "idxmin", "nlargest", "nsmallest", "sort_values", "argmax", "argmin", "argsort"}
ENTITY_WORDS = {
    "patient",
    "subject",
    "user",
    "customer",
    "participant",
    "person",
    "individual",
    "animal",
    "mouse",
    "session",
    "household",
    "player",
    "account",
    "client",
    "device",
    "sensor",
    "donor",
    "author",
    "speaker",
    "site",
    "hospital",
    "family",
    "respondent",
    "student",
    "driver",
}
_WORD = re.compile(r"[A-Za-z]+")


def _is_id_column(name: str) -> bool:
    lower = name.lower()
    if (
        lower in ("id", "uid", "guid")
        or lower.endswith(("_id", "id"))
        and (lower.endswith("_id") or name[-2:] in ("Id", "ID"))
    ):
        return True
    return any(w.lower() in ENTITY_WORDS for w in _WORD.findall(lower.replace("_", " ")))


class FrameOps:
    """Methods of the interpreter for values that hold rows (a DataFrame, a Series, an array)."""

    def data_method(self, recv: Val, name: str, args: list[Val], kwargs: dict[str, Val], n: ast.Call) -> Val:
        site = self.site(n)
        window = isinstance(recv.const, tuple) and recv.const[:1] == ("window",)
        grouped = window and len(recv.const) > 1 and recv.const[1] == "groupby"
        arg_taints = (
            frozenset().union(*(a.all_taints() for a in [*args, *kwargs.values()])) if (args or kwargs) else frozenset()
        )
        if name == "__call__":
            return recv
        if name in ("groupby",):
            cols = [a.const for a in args if a.kind == "const" and isinstance(a.const, str)]
            cols += [
                i.const
                for a in args
                if a.kind == "seq"
                for i in a.items
                if i.kind == "const" and isinstance(i.const, str)
            ]
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
                        extra.add(
                            Taint("timeseries", site, f"groupby().transform({body})", recv.origins, {"op": "transform"})
                        )
                    elif (args[0].kind == "const" and args[0].const in STATS) or (
                        args[0].kind == "lambda" and any(f".{stat}(" in body for stat in STATS)
                    ):
                        extra.add(Taint("preprocess", site, f"groupby().transform({body})", recv.origins))
                return replace(base, taints=base.taints | frozenset(extra) | arg_taints, const=None)
            # an aggregation: one row per group, no longer repeated
            kept = frozenset(t for t in base.taints if t.kind not in ("groups", "timeseries"))
            return replace(base, taints=kept, const=None)
        if window:
            return replace(recv, const=None)
        if (
            name in ("apply", "transform")
            and args
            and args[0].kind == "lambda"
            and recv.kind == "data"
            and not (kwargs.get("axis") is not None and kwargs["axis"].const in (1, "columns"))
        ):
            body = self.text(n.args[0]) if n.args else ""
            if any(f".{stat}(" in body for stat in STATS):  # column by column: statistics of all rows
                t = Taint("preprocess", site, f".{name}({body})", recv.origins)
                return replace(recv.flat(), taints=recv.all_taints() | {t}, const=None)
        if name in STATS and recv.kind == "data" and recv.origins:
            t = Taint("preprocess", site, f"{self.text(n.func)}()", recv.origins)
            return Val(kind="stat", taints=recv.all_taints() | {t})
        if name in ("corr", "corrwith", "cov"):
            label = None
            if name == "corrwith" and args and isinstance(args[0].const, tuple) and args[0].const[:1] == ("col",):
                label = args[0].const[1]
            return (
                Val(
                    kind="stat",
                    taints=recv.all_taints(),
                    const=("corr", recv.origins, site, label) if recv.kind == "data" else None,
                )
                if label is None
                else Val(
                    kind="stat",
                    taints=recv.all_taints() | {Taint("select", site, ".corrwith()", recv.origins, {"label": label})},
                )
            )
        if recv.kind == "stat":
            if name in SELECT_METHODS:
                self.select_check([recv, *args], site, name)
            keep = recv.const if isinstance(recv.const, tuple) and recv.const[:1] == ("corr",) else None
            return replace(
                recv,
                taints=recv.all_taints() | frozenset(t for t in arg_taints if t.kind == "select"),
                cols=(),
                const=keep,
            )
        if name in SELECT_METHODS:
            self.select_check([recv, *args], site, name)
        if name == "sample":
            rep, frac = kwargs.get("replace"), kwargs.get("frac")
            if (rep is not None and rep.const is True) or (
                frac is not None and isinstance(frac.const, (int, float)) and frac.const > 1
            ):
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
        if name in (
            "to_csv",
            "to_parquet",
            "info",
            "describe",
            "plot",
            "hist",
            "to_excel",
            "to_pickle",
            "to_json",
            "head_",
            "value_counts",
            "nunique",
            "count",
            "isnull",
            "isna",
            "notnull",
            "notna",
            "any",
            "all",
            "unique",
            "duplicated",
            "tolist",
            "to_list",
            "item",
            "__len__",
        ):
            if name in ("isnull", "isna", "notnull", "notna", "duplicated"):
                return replace(recv.flat(), const=None)
            return unknown() if name not in ("tolist", "to_list", "unique") else replace(recv.flat(), const=None)
        if name in TIME_OPS:
            t = Taint("timeseries", site, f".{name}()", recv.origins, {"op": name})
            return replace(recv.flat(), taints=recv.all_taints() | {t} | arg_taints, const=None)
        inplace = kwargs.get("inplace")
        out = replace(
            recv,
            taints=recv.taints | arg_taints,
            const=recv.const if name in ("copy", "astype", "reset_index", "rename") else None,
        )
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
