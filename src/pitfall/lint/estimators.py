"""Estimators, splits and scores for the dataflow interpreter: what an estimator was fitted on,
what its transforms carry, which rows a score was measured on, and selections by a score."""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import Any

from pitfall.lint import known
from pitfall.lint.events import Evaluation, Model, Selection, SplitEvent
from pitfall.lint.values import Est, Site, Taint, Val, fresh_id, overlaps, unknown

__all__ = ["ATTR_STATS", "EstimatorOps"]

ATTR_STATS = {
    "feature_importances_",
    "coef_",
    "ranking_",
    "support_",
    "scores_",
    "pvalues_",
    "get_support",
    "get_feature_names_out",
    "variances_",
    "estimator_",
}


class EstimatorOps:
    """Methods of the interpreter for splits, estimators (fit, transform, predict) and scores."""

    def train_test_split(self, args: list[Val], kwargs: dict[str, Val], n: ast.Call) -> Val:
        site = self.site(n)
        key = fresh_id()
        inputs = [o for a in args for o in a.origins]
        nested = bool(inputs) and all(
            self.trace.held_role(o) is None and any(self.trace.role(k, side) == "train" for k, side in o[1])
            for o in inputs
        )
        self.trace.roles[key] = {"train": "train", "test": "val" if nested else "test"}
        shuffle = kwargs.get("shuffle")
        shuffled = not (shuffle is not None and shuffle.kind == "const" and shuffle.const is False)
        seeded = "random_state" in kwargs or not shuffled
        taints = frozenset().union(*(a.all_taints() for a in args)) if args else frozenset()
        event = SplitEvent(site, key, "train_test_split", seeded, shuffled, False, False, taints)
        self.trace.splits.append(event)
        self.split_by_key[key] = event
        outs: list[Val] = []
        for a in args:
            d = self.as_data(a)
            const = (
                d.const
                if d.const == ("index_of",) or (isinstance(d.const, tuple) and d.const[:1] == ("col",))
                else None
            )
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
            pair = Val(
                kind="seq",
                items=(Val(kind="index", split_side=(key, "train")), Val(kind="index", split_side=(key, "test"))),
            )
            return Val(kind="seq", items=(pair,))
        if name == "get_n_splits":
            return unknown()
        return unknown()

    def split_event(self, est: Est, site: Site, key: Any, taints: frozenset[Taint], groups: bool) -> SplitEvent:
        shuffle = est.kwargs.get("shuffle")
        shuffled = est.name in ("ShuffleSplit", "StratifiedShuffleSplit") or (
            shuffle is not None and shuffle.kind == "const" and shuffle.const is True
        )
        event = SplitEvent(
            site,
            key,
            est.name,
            "random_state" in est.kwargs or not shuffled,
            shuffled,
            est.name in known.GROUP_AWARE or groups,
            est.name in known.TIME_AWARE,
            taints,
        )
        self.trace.splits.append(event)
        self.split_by_key[key] = event
        return event

    # -- estimators
    def construct(
        self, qual: str, cat: str, args: list[Val], kwargs: dict[str, Val], n: ast.Call, starstar: bool
    ) -> Val:
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
                k in kwargs for k in ("early_stopping_rounds", "callbacks")
            )
            if stopping:
                chosen.append(kwargs["eval_set"])
        if "validation_data" in kwargs and "callbacks" in kwargs:
            callbacks = kwargs["callbacks"]
            names = {i.est.name for i in self.flatten(callbacks) if i.kind == "est"} | {
                i.qual.rpartition(".")[2] for i in self.flatten(callbacks) if i.kind == "callback"
            }
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
        extra = ({est.taint} if est.taint is not None else set()) | set(
            est.fit_taints if est.effective_category() in ("preprocess", "select") else ()
        )
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
        if name in (
            "transform",
            "inverse_transform",
            "texts_to_sequences",
            "texts_to_matrix",
            "sequences_to_matrix",
            "flow",
            "flow_from_dataframe",
        ):
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
            return self.evaluate(
                site,
                [self.as_data(X), *([y] if y is not None else [])],
                [self.snapshot(est)] if est.fitted else [],
                what=f"{est.name}.{name}",
            )
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
            return self.cv_evaluation(
                self.site(node),
                est,
                Val(kind="data", origins=est.fit_origins, taints=est.fit_taints),
                f"{est.name}.{attr}",
            )
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
        held = [
            o
            for o in origins
            if self.trace.held_role(o) == "test" and not any(overlaps(f, o) for m in models for f in m.fit)
        ]
        if held and models:
            score_taints |= {Taint("testscore", site, what, frozenset(held))}
        return (
            Val(kind="stat", taints=score_taints)
            if not curve
            else Val(kind="seq", items=tuple(Val(kind="stat", taints=score_taints) for _ in range(3)))
        )

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
        self.trace.evaluations.append(
            Evaluation(site, held, data.all_taints(), [Model(est, fit, frozenset(), site, None)], cv=True, what=what)
        )
        return Val(kind="stat")

    def select_check(self, values: list[Val], site: Site, how: str) -> None:
        tainted = frozenset(t for v in values for t in v.all_taints() if t.kind == "testscore")
        if tainted:
            self.trace.selections.append(Selection(site, tainted, how))

    # -- methods on data
