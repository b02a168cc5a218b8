"""From what the dataflow saw to findings: one function per code.

Each rule reads a ``Trace`` and yields ``Hit``s (a code, where, a message, a fix, evidence and
a severity); ``runner`` makes them ``Finding``s. A rule fires only on a chain the code shows end
to end: a statistic learnt from rows, rows that reach a score, and a model that did not train
on them. Where any link is unknown code, it stays silent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pitfall.findings import Severity
from pitfall.lint import known
from pitfall.lint.events import Evaluation, Trace
from pitfall.lint.values import Origin, Site, Taint, overlaps

__all__ = ["Hit", "RULES", "where"]

TAINT_CODES = {"preprocess": "PF206", "select": "PF207", "oversample": "PF209"}


@dataclass
class Hit:
    code: str
    site: Site
    message: str
    fix: str
    evidence: dict[str, Any] = field(default_factory=dict)
    severity: Severity = Severity.ERROR


def where(site: Site | None) -> str:
    if site is None:
        return "?"
    return f"cell {site.cell}, line {site.line}" if site.cell is not None else f"line {site.line}"


def _held_out(ev: Evaluation) -> list[Origin]:
    """The scored rows that the model did not train on."""
    fits = [f for m in ev.models for f in m.fit]
    return [o for o in ev.origins if not any(overlaps(f, o) for f in fits)]


def _on_test_only(trace: Trace, t: Taint) -> bool:
    return bool(t.fit) and all(trace.held_role(o) in ("test", "val") for o in t.fit)


def statistics_leaks(trace: Trace) -> Iterator[Hit]:
    """PF206, PF207 and PF209: a statistic (or created rows) reached a score on the rows it saw."""
    found: dict[tuple[str, Taint], Hit] = {}
    for ev in trace.evaluations:
        if not ev.models:
            continue  # predictions of unknown code: nothing can be said
        held = _held_out(ev)
        if not held:
            continue
        for t in ev.taints:
            code = TAINT_CODES.get(t.kind)
            if code is None:
                continue
            label = t.detail.get("label")
            if t.kind == "select" and label is not None and label not in trace.label_columns:
                continue  # a correlation with a column that is not the label: not a selection by the label
            leaked = [o for o in held if any(overlaps(f, o) for f in t.fit)]
            if not leaked:
                continue
            within_train = ev.cv and all(trace.all_train(o) for o in leaked)
            severity = Severity.WARNING if within_train else Severity.ERROR
            hit = found.get((code, t))
            if hit is not None:
                if severity is Severity.ERROR and hit.severity is not Severity.ERROR:
                    hit.severity = severity
                hit.evidence["scored_at"].append(where(ev.site))
                continue
            found[(code, t)] = _statistic_hit(trace, code, t, ev, severity)
    yield from found.values()


def _statistic_hit(trace: Trace, code: str, t: Taint, ev: Evaluation, severity: Severity) -> Hit:
    on_test = _on_test_only(trace, t)
    evidence = {
        "fitted": t.what,
        "fitted_at": where(t.site),
        "scored_at": [where(ev.site)],
        "scored_by": ev.what,
        "on_test_set_only": on_test,
        "cross_validation": ev.cv,
    }
    if ev.cv and severity is Severity.WARNING:
        scope = "the cross-validation folds of the training data (the test score, if any, is not affected)"
    elif ev.cv:
        scope = "every cross-validation fold it is then scored on"
    else:
        scope = "the rows it is then scored on"
    if code == "PF206":
        if on_test:
            message = (
                f"{t.what} is fitted on the test set itself, which is then scored ({ev.what} at "
                f"{where(ev.site)}): the test rows shape their own preprocessing."
            )
        else:
            message = f"{t.what} learns its statistics from rows that include {scope} ({ev.what} at {where(ev.site)})."
        fix = (
            "Split first, then fit the preprocessing on the training rows only and apply it to the test rows "
            "(`scaler.fit(X_train)`, `X_test = scaler.transform(X_test)`), or put it in a Pipeline so that "
            "cross-validation refits it in each fold."
        )
    elif code == "PF207":
        message = (
            f"Features are chosen by {t.what} on rows that include {scope} ({ev.what} at "
            f"{where(ev.site)}): the selection has seen the labels of the rows that judge it."
        )
        fix = (
            "Select features inside the model: `make_pipeline(SelectKBest(k=...), model)` fitted on the "
            "training rows, so cross-validation refits the selection in each fold; never rank features on "
            "all rows."
        )
    else:
        if on_test:
            message = (
                f"{t.what} creates rows in the test set that are then scored ({ev.what} at "
                f"{where(ev.site)}): the score is measured on synthetic rows."
            )
        else:
            message = (
                f"{t.what} creates rows before the data are split: synthetic copies of training rows "
                f"reach {scope} ({ev.what} at {where(ev.site)})."
            )
        fix = (
            "Split first and oversample (or augment) only the training rows, e.g. with "
            "`imblearn.pipeline.make_pipeline(SMOTE(), model)` inside cross-validation; score on the "
            "untouched test rows."
        )
    return Hit(code, t.site, message, fix, evidence, severity)


def test_used_for_training(trace: Trace) -> Iterator[Hit]:
    """PF208: a model trained, early-stopped or chosen on the rows that then score it."""
    seen: set[tuple[Site | None, str]] = set()
    for ev in trace.evaluations:
        if ev.cv:
            continue
        for m in ev.models:
            for o in ev.origins:
                role = trace.held_role(o)
                if role not in ("test", "val"):
                    continue
                name = "test" if role == "test" else "validation"
                if any(overlaps(f, o) for f in m.fit) and m.fit_site is not None:
                    if (m.fit_site, "fit") in seen:
                        break
                    seen.add((m.fit_site, "fit"))
                    yield Hit(
                        "PF208",
                        m.fit_site,
                        f"{m.est.name} is fitted on rows that include the {name} set and then scored on "
                        f"them ({ev.what} at {where(ev.site)}).",
                        f"Fit on the training rows only (`{m.est.name.lower()}.fit(X_train, y_train)`) "
                        f"and score once on the untouched {name} rows.",
                        {
                            "model": m.est.name,
                            "fitted_at": where(m.fit_site),
                            "scored_at": where(ev.site),
                            "held_out": name,
                        },
                    )
                    break
                if any(overlaps(f, o) for f in m.selected) and m.selected_site is not None:
                    if (m.selected_site, "stop") in seen:
                        break
                    seen.add((m.selected_site, "stop"))
                    yield Hit(
                        "PF208",
                        m.selected_site,
                        f"{m.est.name} stops early (or keeps its best epoch) by its score on the {name} set, "
                        f"which then scores it ({ev.what} at {where(ev.site)}).",
                        "Early-stop on a validation split of the training rows "
                        "(`train_test_split(X_train, y_train)`) and keep the test set for the final score.",
                        {
                            "model": m.est.name,
                            "early_stopping_at": where(m.selected_site),
                            "scored_at": where(ev.site),
                            "held_out": name,
                        },
                    )
                    break
    for sel in trace.selections:
        if (sel.site, "select") in seen:
            continue
        seen.add((sel.site, "select"))
        sources = sorted({where(t.site) for t in sel.scores})
        what = sorted({t.what for t in sel.scores})
        yield Hit(
            "PF208",
            sel.site,
            f"A model, setting or threshold is chosen by its score on the test set ({', '.join(what)} at "
            f"{', '.join(sources)}): the winner's test score is optimistic.",
            "Choose with cross-validation or a validation split of the training rows (GridSearchCV on "
            "X_train), then score only the chosen model once on the test set.",
            {"selected_at": where(sel.site), "scores_at": sources, "how": sel.how},
        )


def unseeded(trace: Trace) -> Iterator[Hit]:
    """PF702: a split or a model whose result depends on a seed that the code does not set."""
    if trace.global_seed is not None:
        return
    for sp in trace.splits:
        if sp.how == "train_test_split" and sp.shuffled and not sp.seeded and sp.evaluated:
            yield Hit(
                "PF702",
                sp.site,
                "train_test_split has no random_state: each run draws another split and reports another score.",
                "Pass `random_state=` (any fixed integer) and record it with the results.",
                {"call": "train_test_split"},
                Severity.WARNING,
            )
    for est in trace.estimators:
        # A sampler's rows reach the score through the data, not through the model it feeds.
        used = est.evaluated or (est.category == "oversample" and est.fitted and bool(trace.evaluations))
        if not used or "random_state" in est.kwargs or "**" in est.kwargs:
            continue
        shuffle = est.kwargs.get("shuffle")
        random = (
            est.name in known.RANDOM_MODELS
            or est.category == "oversample"
            or (
                est.category == "splitter"
                and (
                    est.name in ("ShuffleSplit", "StratifiedShuffleSplit", "GroupShuffleSplit")
                    or (shuffle is not None and shuffle.const is True)
                )
            )
            or (est.category == "model" and known.top(est.qual) in ("keras", "tensorflow"))
        )
        if not random:
            continue
        seed_word = "a seed" if known.top(est.qual) in ("keras", "tensorflow") else "random_state"
        yield Hit(
            "PF702",
            est.site,
            f"{est.name} has no {seed_word}: its result changes from run to run, and the reported score with it.",
            "Pass `random_state=` (or set the framework's seed) and record it with the results.",
            {"estimator": est.name},
            Severity.WARNING,
        )


def split_ignores_structure(trace: Trace) -> Iterator[Hit]:
    """PF203 and PF204 from code: a random split of repeated subjects or of a time series."""
    for sp in trace.splits:
        if not sp.evaluated:
            continue
        series = [t for t in sp.taints if t.kind == "timeseries"]
        groups = [t for t in sp.taints if t.kind == "groups"]
        if series and sp.shuffled and not sp.time_aware:
            t = series[0]
            yield Hit(
                "PF204",
                sp.site,
                f"{sp.how} shuffles rows of a time series: features are built from neighbouring rows "
                f"({t.what} at {where(t.site)}), so the model trains on the future of the rows it is "
                "tested on.",
                "Split by time: train on the past and test on the later rows (`shuffle=False` after sorting "
                "by time, or `TimeSeriesSplit` for cross-validation).",
                {"split": sp.how, "time_feature": t.what, "time_feature_at": where(t.site)},
                Severity.WARNING,
            )
        if groups and not sp.group_aware:
            t = groups[0]
            column = t.detail.get("column")
            yield Hit(
                "PF203",
                sp.site,
                f"{sp.how} splits rows at random although the data hold several rows per {column!r} "
                f"({t.what} at {where(t.site)}): the same {column} lands in train and test.",
                f"Split by {column!r}: `GroupShuffleSplit`/`GroupKFold` with `groups=df[{column!r}]`.",
                {"split": sp.how, "group_column": column, "grouped_at": where(t.site)},
                Severity.WARNING,
            )


RULES = (statistics_leaks, test_used_for_training, unseeded, split_ignores_structure)
