"""``drift()``: compare a current data set with a reference one, chunk by chunk, and run the
drift checks (PF5xx) on the summaries.

Reading plan (each pass is a map over chunks followed by merges, so any engine that can map a
function over partitions can run it):

1. bin edges of numeric columns from the quantiles of the reference's first rows (those read to
   tell numeric from categorical columns);
2. reference, one pass: a seeded bottom-k row sample, the row count, fixed-edge histograms,
   category counts and missing counts;
3. only where the first rows' edges do not fit the whole reference (``edges_fit`` on the
   sample: a sorted file, first rows unlike the rest): those columns' edges from the sample's
   quantiles and a second reference pass for their histograms;
4. current, one pass: the same summaries, per time window too, and the current row sample.

Each pass is ``engine.map_reduce(source, columns, chunk_rows, fn, combine)`` with a pure ``fn``
of one chunk and an associative ``combine`` (``pitfall.engine.local``): the ``local`` engine
loops over the chunks here, the ``dask`` engine maps partitions on a Dask cluster.
"""

from __future__ import annotations

import os
import warnings
from functools import partial
from pathlib import Path
from time import perf_counter
from typing import Any

import numpy as np
import pandas as pd

from pitfall.checks.drift.context import PREDICTION, WINDOW, DriftContext, Segment
from pitfall.checks.registry import CHECKS, SPECS
from pitfall.checks.selection import parse_selectors, select_codes
from pitfall.config import Config, resolve_config
from pitfall.data.dataset import did_you_mean, infer_task
from pitfall.data.model import check_model
from pitfall.data.split import parse_time
from pitfall.data.stream import Source, infer_kinds, normalize, open_source
from pitfall.data.summaries import (
    CategoricalSummary,
    RowSample,
    edges_fit,
    quantile_edges,
    summarize_categorical,
    summarize_numeric,
)
from pitfall.engine.local import Engine, open_engine
from pitfall.errors import ConfigError, InputError, ModelError
from pitfall.report import Report
from pitfall.runners.scan import run_check

__all__ = ["drift", "parse_window"]

DataLike = pd.DataFrame | str | os.PathLike
SAMPLE_ROWS = 50_000
CHUNK_ROWS = 100_000
MIN_WINDOW_ROWS = 30  # windows with fewer rows are listed but not tested
MAX_WINDOWS = 1000
MAX_CATEGORIES = 1000  # categorical columns with more levels are identifiers, not compared
PROBA = "__proba_{}__"


def parse_window(window: str | float | None) -> tuple[str, Any] | None:
    """``("number", w)`` for a numeric time column, ``("delta", Timedelta)`` for a fixed length
    (1d, 7d, 1h; counted from Monday 1970-01-05, so 7d windows start on Mondays),
    ``("offset", DateOffset)`` for a calendar one (MS, W)."""
    if window is None:
        return None
    text = str(window).strip()
    try:
        value = float(text)
    except ValueError:
        pass
    else:
        if not np.isfinite(value) or value <= 0:
            raise ConfigError(f"--window must be positive. Got {window!r} instead.")
        return "number", value
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            delta = pd.Timedelta(text)
        except (ValueError, TypeError):
            delta = None
        if delta is not None:
            if delta <= pd.Timedelta(0):
                raise ConfigError(f"--window must be a positive length of time. Got {window!r} instead.")
            return "delta", delta
        try:
            from pandas.tseries.frequencies import to_offset

            return "offset", to_offset(text)
        except (ValueError, TypeError):
            raise ConfigError(
                f"--window must be a pandas offset like 1d, 7d, 1h or MS (or a number when the time column "
                f"holds numbers). Got {window!r} instead."
            ) from None


def window_keys(times: pd.Series, spec: tuple[str, Any], column: str, source: str) -> tuple[pd.Series, dict]:
    """The start of each row's window as text (NA where the time is missing), and for each key
    its (start, end) values."""
    kind, size = spec
    numeric = pd.api.types.is_numeric_dtype(times)
    if kind == "number" and not numeric:
        raise InputError(
            f"{source}: time column {column!r} holds dates but --window {size:g} is a number. "
            "Give a length of time like 1d or 7d."
        )
    if kind != "number" and numeric:
        raise InputError(
            f"{source}: time column {column!r} holds numbers, not dates. Give --window as a number in its units."
        )
    ok = times.notna().to_numpy()
    keys = pd.Series(pd.NA, index=times.index, dtype=object)
    bounds: dict[str, tuple[Any, Any]] = {}
    if not ok.any():
        return keys, bounds
    t = times[ok]
    if kind == "number":
        starts = np.floor(t.to_numpy(dtype=float) / size) * size
        ends = starts + size
    elif kind == "delta":
        epoch = pd.Timestamp("1970-01-05")  # a Monday: 7d windows are calendar weeks
        starts = epoch + ((t - epoch) // size) * size
        ends = starts + size
    else:
        days = t.dt.normalize()
        firsts = {d: size.rollback(d) for d in days.unique()}
        starts = days.map(firsts)
        ends = starts.map(lambda s: s + size)
    starts = pd.Series(np.asarray(starts), index=t.index)
    ends = pd.Series(np.asarray(ends), index=t.index)
    text = starts.map(stamp)
    keys[ok] = text.to_numpy()
    for key, s, e in zip(text.to_numpy(), starts.to_numpy(), ends.to_numpy(), strict=True):
        if key not in bounds:
            bounds[key] = (s, e)
    return keys, bounds


def stamp(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        return f"{value:g}"
    ts = pd.Timestamp(value)
    return ts.strftime("%Y-%m-%d") if ts == ts.normalize() else ts.isoformat()


def _check_roles(ref: Source, cur: Source, target: str | None, time: str | None, id: str | None) -> list[str]:
    """Validate the role columns and that both data sets have the same features; return them."""
    for role, col in (("target", target), ("time", time), ("id", id)):
        if col is not None and (not isinstance(col, str) or not col.strip()):
            raise ConfigError(f"--{role} must be a column name. Got {col!r} instead.")
    named = [c for c in (target, time, id) if c]
    if len(set(named)) != len(named):
        raise ConfigError("--target, --time and --id must name different columns.")
    if target and target not in ref.columns:
        raise InputError(f"{ref.name}: no target column {target!r}{did_you_mean(target, ref.columns)}.")
    if time and time not in cur.columns:
        raise InputError(f"{cur.name}: no time column {time!r}{did_you_mean(time, cur.columns)}.")
    if id and id not in ref.columns:
        raise InputError(f"{ref.name}: no id column {id!r}{did_you_mean(id, ref.columns)}.")
    special = set(named)
    ref_cols = [c for c in ref.columns if c not in special]
    cur_cols = [c for c in cur.columns if c not in special]
    missing = [c for c in ref_cols if c not in set(cur_cols)]
    extra = [c for c in cur_cols if c not in set(ref_cols)]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"lacks {', '.join(map(repr, missing[:5]))}" + (" …" if len(missing) > 5 else ""))
        if extra:
            parts.append(f"has extra {', '.join(map(repr, extra[:5]))}" + (" …" if len(extra) > 5 else ""))
        raise InputError(
            f"{cur.name}: the columns differ from the reference {ref.name}: it {' and '.join(parts)}. "
            "Give both data sets the same feature columns."
        )
    if not ref_cols:
        raise InputError(f"{ref.name}: no feature columns left besides --target/--time/--id. Nothing to compare.")
    return ref_cols


def drift(
    reference: DataLike,
    current: DataLike,
    *,
    target: str | None = None,
    time: str | None = None,
    window: str | None = None,
    id: str | None = None,
    model: Any = None,
    select: list[str] | str | None = None,
    ignore: list[str] | str | None = None,
    config: Config | str | Path | bool | None = None,
    seed: int | None = None,
    chunk_rows: int = CHUNK_ROWS,
    sample_rows: int = SAMPLE_ROWS,
    engine: str = "local",
    scheduler: str | None = None,
) -> Report:
    """Compare ``current`` data with ``reference`` data and report what drifted (PF501–PF505).

    Args:
        reference: The data the model was built and validated on (DataFrame or file path:
            CSV/TSV, Parquet, JSON lines; large CSV and Parquet files are read in chunks).
        current: The data the model now sees, with the same feature columns.
        target: Label column: needed in the reference for PF505 and in both for PF503.
        time: Time column of the current data (left out of the features).
        window: Cut the current data into windows of this length (pandas offset: 1d, 7d, 1h,
            MS; a number for a numeric time column); every check then reports per window.
        id: Row-identifier column, never compared.
        model: A fitted scikit-learn-style estimator (PF504, PF505).
        select: Codes or prefixes to run, e.g. ``["PF501"]``.
        ignore: Codes or prefixes to skip.
        config: A ``Config``, a pyproject.toml path, False to ignore config files, or None to use
            the nearest pyproject.toml.
        seed: Seed for the row samples and every model. Defaults to 0.
        chunk_rows: Rows read at a time from a file.
        sample_rows: Rows of each data set kept as a seeded sample for models and exact tests.
        engine: ``"local"`` (this process, chunk by chunk) or ``"dask"`` (partitions mapped on a
            Dask cluster; needs ``pip install 'pitfall[dask]'``). Both give the same results.
        scheduler: Address of a Dask scheduler (``tcp://host:8786``) for ``engine="dask"``; by
            default the current Dask client, else a local cluster for this call.

    Returns:
        A Report with the findings, skipped checks and measured statistics (``metrics["drift"]``).
    """
    cfg = resolve_config(config)
    seed = seed if seed is not None else (cfg.seed if cfg.seed is not None else 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise ConfigError(f"seed must be an integer from 0 to 2**32 - 1. Got {seed!r} instead.")
    for name, value in (("chunk_rows", chunk_rows), ("sample_rows", sample_rows)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{name} must be a positive integer. Got {value!r} instead.")
    if window is not None and not time:
        raise ConfigError("--window needs --time COLUMN naming when each current row was observed.")
    spec = parse_window(window)
    if model is not None:
        check_model(model)
    drift_codes = [c for c, spec in SPECS.items() if spec.command() == "drift"]
    sel = parse_selectors(select, option="--select") or cfg.select
    ign = parse_selectors(ignore, option="--ignore") + cfg.ignore
    codes = select_codes(CHECKS, parse_selectors(sel, option="select"), parse_selectors(ign, option="ignore"))
    codes = [c for c in codes if c in drift_codes]
    started = perf_counter()

    ref = open_source(reference, "reference")
    cur = open_source(current, "current")
    features = _check_roles(ref, cur, target, time, id)
    with open_engine(engine, scheduler) as eng:
        ctx = _read(
            ref,
            cur,
            features,
            target=target,
            time=time,
            spec=spec,
            model=model,
            seed=seed,
            chunk_rows=chunk_rows,
            sample_rows=sample_rows,
            engine=eng,
        )
    ctx.window = None if window is None else str(window)
    ctx.params = {code: dict(p) for code, p in cfg.checks.items()}
    report = Report(
        inputs={
            "data": f"{ref.name} → {cur.name}",
            "reference": ref.name,
            "current": cur.name,
            "n_reference": ctx.n_reference,
            "n_current": ctx.n_current,
            "features": len(ctx.features),
            "target": target,
            "task": ctx.task,
            "time": time,
            "window": ctx.window,
            "n_windows": len(ctx.windows) if spec else None,
            "id": id,
            "model": "user" if model is not None else None,
            "model_class": type(model).__name__ if model is not None else None,
            "seed": seed,
            "engine": engine,
            "config": cfg.source,
        }
    )
    for code in codes:
        cls = CHECKS[code]
        if cls.requires.model and model is None:
            report.skipped[code] = "needs --model"
            continue
        run_check(code, ctx, ctx.params, cfg, report)
    report.metrics = ctx.metrics
    report.notes = ctx.notes
    report.timings["total"] = perf_counter() - started
    report.sort()
    return report


def _predict(model: Any, X: pd.DataFrame, name: str, classifier: bool) -> tuple[np.ndarray, np.ndarray | None]:
    try:
        label = np.asarray(model.predict(X))
        has_proba = classifier and hasattr(model, "predict_proba")
        proba = np.asarray(model.predict_proba(X), dtype=float) if has_proba else None
    except Exception as exc:
        detail = str(exc).strip().splitlines()[0][:150].rstrip(".") if str(exc).strip() else ""
        raise ModelError(
            f"the model cannot predict on {name}: {type(exc).__name__}: {detail}. "
            "Give a model fitted on these feature columns."
        ) from None
    return label, proba


def _augment(
    raw: pd.DataFrame, z: pd.DataFrame, source: Source, features: list[str], model: Any, classifier: bool
) -> pd.DataFrame:
    """Add the model's prediction (and class probabilities) to a normalised chunk. Typed data
    (DataFrames, Parquet) go to the model as read; streamed text as normalised."""
    if model is None:
        return z
    names = getattr(model, "feature_names_in_", None)  # a model fitted on some of the columns gets those
    if names is not None and len(names) and set(map(str, names)) <= set(features):
        features = [str(c) for c in names]
    X = raw[features] if source.fmt != "csv" else z[features]
    label, proba = _predict(model, X, source.name, classifier)
    z = z.copy()
    z[PREDICTION] = label.astype(str) if classifier else label.astype(float)
    if proba is not None:
        for j in range(proba.shape[1]):
            z[PROBA.format(j)] = proba[:, j]
    return z


def _summaries(z: pd.DataFrame, kinds: dict[str, str], edges: dict[str, np.ndarray]) -> dict[str, Any]:
    out = {}
    for col, kind in kinds.items():
        if col not in z.columns:
            continue
        if kind == "numeric":
            out[col] = summarize_numeric(z[col].to_numpy(dtype=float), edges[col])
        else:
            out[col] = summarize_categorical(z[col])
    return out


def _merge_into(acc: dict[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    for col, s in part.items():
        acc[col] = s if col not in acc else acc[col].merge(s)
    return acc


def _merged(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """``_merge_into`` without touching ``a`` (engines may hold on to partial results)."""
    return _merge_into(dict(a), b)


def _reference_part(
    raw: pd.DataFrame,
    *,
    kinds: dict[str, str],
    edges: dict[str, np.ndarray],
    source: Source,
    features: list[str],
    model: Any,
    classifier: bool,
    sample_rows: int,
    seed: int,
    key_cols: list[str],
) -> dict[str, Any]:
    """The reference's pass on one chunk: its row count, row sample and the summary of every column."""
    z = _augment(raw, normalize(raw, kinds), source, features, model, classifier)
    return {"n": len(z), "sample": RowSample.of(z, sample_rows, seed, key_cols), "columns": _summaries(z, kinds, edges)}


def _add_reference(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    return {
        "n": a["n"] + b["n"],
        "sample": a["sample"].merge(b["sample"]),
        "columns": _merged(a["columns"], b["columns"]),
    }


def _summary_part(
    raw: pd.DataFrame,
    *,
    kinds: dict[str, str],
    only: list[str],
    edges: dict[str, np.ndarray],
    source: Source,
    features: list[str],
    model: Any,
    classifier: bool,
) -> dict[str, Any]:
    """The summaries of the columns ``only`` on one chunk (a second reference pass, when the
    first rows' bin edges did not fit them)."""
    z = _augment(raw, normalize(raw, kinds), source, features, model, classifier)
    return _summaries(z, {c: kinds[c] for c in only}, edges)


def _current_part(
    raw: pd.DataFrame,
    *,
    cur_cols: list[str],
    time: str | None,
    spec: tuple[str, Any] | None,
    kinds: dict[str, str],
    cur_kinds: dict[str, str],
    edges: dict[str, np.ndarray],
    source: Source,
    features: list[str],
    model: Any,
    classifier: bool,
    sample_rows: int,
    seed: int,
) -> dict[str, Any]:
    """The current data's pass on one chunk: summaries overall and per window, window bounds and
    row counts, rows without a time, and the row sample."""
    z = _augment(raw, normalize(raw[[c for c in cur_cols if c != time]], kinds), source, features, model, classifier)
    per_window: dict[str, dict[str, Any]] = {}
    bounds: dict[str, tuple[Any, Any]] = {}
    counts: dict[str, int] = {}
    no_time = 0
    if spec is not None:
        times = parse_time(raw[time].reset_index(drop=True), source=source.name)
        keys, bounds = window_keys(times, spec, time, source.name)
        no_time = int(keys.isna().sum())
        z[WINDOW] = keys.to_numpy()
        for key, idx in z.groupby(WINDOW, sort=False).indices.items():
            part = z.iloc[idx]
            counts[key] = len(part)
            per_window[key] = _summaries(part, cur_kinds, edges)
        check_window_count(bounds)
    else:
        z[WINDOW] = "all"
    sample = RowSample.of(z, sample_rows, seed, [c for c in cur_cols if c in z.columns])
    return {
        "n": len(z),
        "overall": _summaries(z, cur_kinds, edges),
        "per_window": per_window,
        "bounds": bounds,
        "counts": counts,
        "no_time": no_time,
        "sample": sample,
    }


def _add_current(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    per_window = dict(a["per_window"])
    for key, part in b["per_window"].items():
        per_window[key] = _merged(per_window[key], part) if key in per_window else part
    bounds = {**b["bounds"], **a["bounds"]}  # a key's bounds are the same wherever it is seen
    check_window_count(bounds)
    counts = dict(a["counts"])
    for key, n in b["counts"].items():
        counts[key] = counts.get(key, 0) + n
    return {
        "n": a["n"] + b["n"],
        "overall": _merged(a["overall"], b["overall"]),
        "per_window": per_window,
        "bounds": bounds,
        "counts": counts,
        "no_time": a["no_time"] + b["no_time"],
        "sample": a["sample"].merge(b["sample"]),
    }


def check_window_count(bounds: dict[str, Any]) -> None:
    if len(bounds) > MAX_WINDOWS:
        raise ConfigError(f"--window cuts the current data into more than {MAX_WINDOWS} windows. Give a longer window.")


def _read(
    ref: Source,
    cur: Source,
    features: list[str],
    *,
    target: str | None,
    time: str | None,
    spec: tuple[str, Any] | None,
    model: Any,
    seed: int,
    chunk_rows: int,
    sample_rows: int,
    engine: Engine,
) -> DriftContext:
    """The passes over both data sets (see the module docs), each run by ``engine``."""
    target_in_current = bool(target and target in cur.columns)
    ref_cols = features + ([target] if target else [])
    head = ref.head(ref_cols)
    kinds = infer_kinds(head, ref_cols)
    task = None
    if target:
        task = infer_task(head[target])
        if task != "regression":
            kinds[target] = "categorical"
    classifier = model is not None and (hasattr(model, "classes_") or hasattr(model, "predict_proba"))
    key_cols = list(ref_cols)

    # the reference: sample and summaries in one pass, on bin edges from its first rows
    if model is not None:
        kinds[PREDICTION] = "categorical" if classifier else "numeric"
    common = dict(features=features, model=model, classifier=classifier)
    numeric = [c for c, k in kinds.items() if k == "numeric"]
    first_rows = _augment(head, normalize(head, kinds), ref, features, model, classifier)
    edges = {c: quantile_edges(first_rows[c].to_numpy(dtype=float)) for c in numeric}
    whole = engine.map_reduce(
        ref,
        ref_cols,
        chunk_rows,
        partial(
            _reference_part,
            kinds=kinds,
            edges=edges,
            source=ref,
            sample_rows=sample_rows,
            seed=seed,
            key_cols=key_cols,
            **common,
        ),
        _add_reference,
    )
    if whole is None:
        raise InputError(f"{ref.name}: no data rows. Give data with rows.")
    n_ref, ref_sample, reference = whole["n"], whole["sample"].frame, whole["columns"]
    misfit = [] if n_ref <= len(head) else [c for c in numeric if not edges_fit(ref_sample[c], edges[c])]
    if misfit:  # sorted data or unrepresentative first rows: edges from the sample, and a second pass
        edges.update({c: quantile_edges(ref_sample[c].to_numpy(dtype=float)) for c in misfit})
        redone = engine.map_reduce(
            ref,
            ref_cols,
            chunk_rows,
            partial(_summary_part, kinds=kinds, only=misfit, edges=edges, source=ref, **common),
            _merged,
        )
        reference.update(redone)

    # current: summaries overall and per window, and the sample
    cur_cols = features + ([target] if target_in_current else []) + ([time] if time else [])
    cur_kinds = {c: k for c, k in kinds.items() if c != target or target_in_current}
    current = engine.map_reduce(
        cur,
        cur_cols,
        chunk_rows,
        partial(
            _current_part,
            cur_cols=cur_cols,
            time=time,
            spec=spec,
            kinds=kinds,
            cur_kinds=cur_kinds,
            edges=edges,
            source=cur,
            sample_rows=sample_rows,
            seed=seed,
            **common,
        ),
        _add_current,
    )
    if current is None or current["n"] == 0 or n_ref == 0:
        raise InputError(
            f"{cur.name if not current or current['n'] == 0 else ref.name}: no data rows. Give data with rows."
        )
    n_cur, overall, per_window = current["n"], current["overall"], current["per_window"]
    bounds, counts, no_time, csample = current["bounds"], current["counts"], current["no_time"], current["sample"]

    features, notes = _drop_identifiers(features, reference, kinds)
    segments = [Segment("all", None, None, n_cur, overall)]
    skipped = []
    for key in sorted(bounds, key=lambda k: bounds[k][0]):
        s, e = bounds[key]
        if counts.get(key, 0) < MIN_WINDOW_ROWS:
            skipped.append({"start": key, "end": stamp(e), "n": counts.get(key, 0)})
            continue
        segments.append(Segment(key, key, stamp(e), counts[key], per_window[key]))
    if skipped:
        notes.append(
            f"{len(skipped)} window(s) with fewer than {MIN_WINDOW_ROWS} rows were not tested "
            f"(first: {skipped[0]['start']})."
        )
    if no_time:
        notes.append(f"{no_time} current row(s) have no time and belong to no window (they count in the whole).")
    classes = []
    if model is not None and classifier and hasattr(model, "classes_"):
        classes = list(model.classes_)
    return DriftContext(
        reference=reference,
        segments=segments,
        features=features,
        kinds=kinds,
        ref_sample=ref_sample,
        cur_sample=csample.frame,
        exact=n_ref <= sample_rows and n_cur <= sample_rows,
        n_reference=n_ref,
        n_current=n_cur,
        target=target,
        target_in_current=target_in_current,
        task=task,
        classes=classes,
        model=model,
        time=time,
        seed=seed,
        notes=notes,
        skipped_windows=skipped,
    )


def _drop_identifiers(features: list[str], reference: dict[str, Any], kinds: dict[str, str]) -> tuple[list, list]:
    """Categorical columns with a level for (almost) every row are identifiers: every new row
    brings new values, which is not drift."""
    keep, dropped = [], []
    for col in features:
        s = reference[col]
        if isinstance(s, CategoricalSummary) and (
            len(s.counts) > MAX_CATEGORIES or (s.n >= 50 and len(s.counts) > 0.5 * s.n)
        ):
            dropped.append(col)
        else:
            keep.append(col)
    notes = []
    if dropped:
        notes.append(f"Not compared (a distinct value for most rows, like an identifier): {', '.join(dropped[:10])}.")
    return keep, notes
