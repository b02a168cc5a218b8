"""Monitoring of a ``pitfall serve`` store: workload, review rate, audited accuracy and drift, per time window.

Read-only: it selects from the store's tables and writes nothing. The numbers per window (and for the whole period):

- items, and the share of each decision (``auto``, ``review``, ``abstain``, ``blocked``);
- the review rate (share sent to people), how many of those have a final review and how many wait;
- the accuracy of automatic decisions, measured on the audit sample (items routed to review with reason ``audit``,
  a hash-chosen share of what would have been automatic) that has a final review: correct when the final label is
  the model's, with a Wilson 95% interval. PF603 judges it against the policy's ``target_accuracy``.

Drift is not tested here again: the stored records (their fields plus ``created_at``) become the "current" data of
``pitfall.drift`` against a training reference, with PF501 (features) and PF504 (predictions, with a model), and
its findings and per-window verdicts join the report. Times are UTC; windows are the ones ``pitfall drift`` cuts.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from pitfall.checks.deployment.audit_accuracy import AuditSample
from pitfall.checks.registry import SPECS
from pitfall.checks.selection import parse_selectors, select_codes
from pitfall.config import Config, resolve_config
from pitfall.deploy.routing import DECISIONS
from pitfall.deploy.store import QUEUE_DECISIONS, Store, items, reviews
from pitfall.errors import InputError
from pitfall.report import Report
from pitfall.reporting.monitor_plots import accuracy_text, drift_text
from pitfall.runners.drift import check_window_count, drift, parse_window, stamp, window_keys
from pitfall.runners.scan import run_check
from pitfall.stats import wilson

__all__ = [
    "AUDIT_REASON",
    "DRIFT_CODES",
    "MonitorContext",
    "accuracy_text",
    "drift_text",
    "load_items",
    "monitor",
    "operations",
    "records_frame",
    "text_table",
]

AUDIT_REASON = "audit"
DRIFT_CODES = ["PF501", "PF504"]
TIME = "created_at"
DataLike = pd.DataFrame | str | os.PathLike


@dataclass
class MonitorContext:
    """What the monitor checks (PF603) read: the policy's target and the audit samples, whole period first."""

    target_accuracy: float | None
    policy: str | None
    audits: list[AuditSample]
    seed: int = 0
    metrics: dict[str, Any] = field(default_factory=dict)


def load_items(store: Store, max_items: int | None = None) -> pd.DataFrame:
    """Every stored item with its final review (``final_action``/``final_label``, NA when none), oldest first;
    with ``max_items``, only the most recent ones (what a web page can afford to load).

    ``created_at`` is naive UTC (SQLite returns naive times, PostgreSQL aware ones)."""
    final = sa.and_(reviews.c.item_id == items.c.id, reviews.c.action != "skip")
    query = (
        sa.select(
            items.c.id,
            items.c.model_version,
            items.c.record,
            items.c.label,
            items.c.confidence,
            items.c.decision,
            items.c.reason,
            items.c.created_at,
            reviews.c.action.label("final_action"),
            reviews.c.label.label("final_label"),
        )
        .select_from(items.outerjoin(reviews, final))
        .order_by(items.c.created_at, items.c.id)
    )
    if max_items is not None:
        query = query.order_by(None).order_by(items.c.created_at.desc(), items.c.id.desc()).limit(max_items)
    with store.engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    if max_items is not None:
        rows = rows[::-1]
    frame = pd.DataFrame(
        [dict(r) for r in rows],
        columns=[
            "id",
            "model_version",
            "record",
            "label",
            "confidence",
            "decision",
            "reason",
            "created_at",
            "final_action",
            "final_label",
        ],
    )
    times = pd.to_datetime(frame["created_at"], utc=True) if len(frame) else pd.Series([], dtype="datetime64[ns, UTC]")
    frame["created_at"] = times.dt.tz_localize(None)
    return frame


def _stats(part: pd.DataFrame) -> dict[str, Any]:
    """The workload and audit numbers of one set of items."""
    n = len(part)
    decisions = part["decision"].to_numpy()
    counts = {d: int((decisions == d).sum()) for d in DECISIONS}
    final = part["final_action"].notna().to_numpy()
    to_people = np.isin(decisions, QUEUE_DECISIONS)
    audit = (part["reason"].to_numpy() == AUDIT_REASON) & (decisions == "review")
    audited = audit & final
    correct = int((part["final_label"].to_numpy()[audited] == part["label"].to_numpy()[audited]).sum())
    n_audited = int(audited.sum())
    return {
        "n": n,
        "decisions": counts,
        "shares": {d: (c / n if n else None) for d, c in counts.items()},
        "review_rate": float(to_people.mean()) if n else None,
        "reviewed": int((to_people & final).sum()),
        "pending": int((to_people & ~final).sum()),
        "audit": {
            "sent": int(audit.sum()),
            "reviewed": n_audited,
            "correct": correct,
            "accuracy": wilson(correct, n_audited).to_dict() if n_audited else None,
        },
    }


def operations(frame: pd.DataFrame, window: str | None = None) -> dict[str, Any]:
    """``{"window", "overall", "windows"}``: ``_stats`` for all items and for each window (oldest first), each window
    with its ``start`` and ``end`` as ``pitfall drift`` names them."""
    out: dict[str, Any] = {"window": window, "overall": _stats(frame), "windows": []}
    spec = parse_window(window)
    if spec is None or not len(frame):
        return out
    keys, bounds = window_keys(frame[TIME], spec, TIME, "store")
    check_window_count(bounds)  # a window too short for the period would make thousands of rows
    for key in sorted(bounds, key=lambda k: bounds[k][0]):
        part = frame[(keys == key).to_numpy(dtype=bool)]
        out["windows"].append({"start": key, "end": stamp(bounds[key][1]), **_stats(part)})
    return out


def records_frame(frame: pd.DataFrame, time: str = TIME) -> pd.DataFrame:
    """The stored records as rows (their fields as columns) plus their time under ``time``."""
    records = pd.DataFrame.from_records(list(frame["record"]), index=frame.index)
    records[time] = frame[TIME].to_numpy()
    return records


def _reference_columns(reference: DataLike) -> tuple[str, list[str]]:
    from pitfall.data.stream import open_source

    source = open_source(reference, "reference")
    return source.name, [str(c) for c in source.columns]


def _drift_current(
    frame: pd.DataFrame, ref_name: str, ref_cols: list[str], target: str | None, store_name: str
) -> tuple[pd.DataFrame, str, list[str]]:
    """The records with exactly the reference's feature columns, the time column's name, and notes."""
    if target is not None and target not in ref_cols:
        raise InputError(f"{ref_name}: no target column {target!r}. Give --target the label column of the reference.")
    features = [c for c in ref_cols if c != target]
    records = pd.DataFrame.from_records(list(frame["record"]), index=frame.index)
    missing = [c for c in features if c not in records.columns]
    if missing:
        shown = ", ".join(map(repr, missing[:5])) + (" …" if len(missing) > 5 else "")
        raise InputError(
            f"{store_name}: the stored records lack column(s) {shown} of the reference {ref_name}. "
            "Give --target for the reference's label column, or a reference with the served columns."
        )
    notes = []
    extra = [c for c in records.columns if c not in set(features)]
    if extra:
        notes.append(f"Record field(s) not in the reference were not compared: {', '.join(map(str, extra[:10]))}.")
    time = TIME if TIME not in features else "__created_at__"
    current = records[features].copy()
    current[time] = frame[TIME].to_numpy()
    return current, time, notes


def _drift_verdicts(metrics: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Drift verdicts of the whole period and of each window (by start) from ``metrics["drift"]``."""

    def verdict(features: Mapping[str, Any], prediction: Mapping[str, Any] | None) -> dict[str, Any]:
        drifted = sorted(
            k
            for k, v in features.items()
            if isinstance(v, Mapping)
            and (v.get("drifted") or (isinstance(v.get("missing"), Mapping) and v["missing"].get("drifted")))
        )
        pred = (
            None
            if not prediction
            else any(isinstance(v, Mapping) and bool(v.get("drifted")) for v in prediction.values())
        )
        return {"tested": True, "features_drifted": drifted, "prediction_drifted": pred}

    drift_m = metrics.get("drift") or {}
    overall = verdict(drift_m.get("features") or {}, drift_m.get("prediction"))
    per: dict[str, dict[str, Any]] = {}
    for w in drift_m.get("windows") or []:
        per[str(w.get("start"))] = verdict(w.get("features") or {}, w.get("prediction"))
    for w in drift_m.get("skipped_windows") or []:
        per[str(w.get("start"))] = {"tested": False, "reason": f"only {w.get('n')} rows"}
    return overall, per


def monitor(
    store: Store,
    reference: DataLike | None = None,
    *,
    model: Any = None,
    policy: Any = None,
    window: str | None = None,
    target: str | None = None,
    seed: int | None = None,
    config: Config | str | Path | bool | None = False,
    select: list[str] | str | None = None,
    ignore: list[str] | str | None = None,
    max_items: int | None = None,
) -> Report:
    """Monitor the items and reviews of ``store``: workload and audited accuracy, and drift against ``reference``.

    Args:
        store: The service's store (read only).
        reference: The training data (DataFrame or file) the stored records are compared with; without it no drift
            check runs and the report says so.
        model: The served model; with it PF504 compares its predictions on the reference and on the records.
        policy: The policy file (path or ``pitfall.deploy.policy.Policy``); its ``target_accuracy`` enables PF603.
        window: Cut time into windows: a pandas offset like 1d, 7d, 1h or MS. None: the whole period only.
        target: Label column of the reference, left out of the comparison.
        seed: Seed of the drift checks' samples. Defaults to the config's, else 0.
        config: As for ``pitfall.drift``; False (the default) ignores config files.
        select: Codes or prefixes to run among PF501, PF504 and PF603.
        ignore: Codes or prefixes to skip.
        max_items: Look at the most recent ``max_items`` items only (None: all of them).

    Returns:
        A Report: findings of PF501/PF504/PF603, the drift statistics (``metrics["drift"]``) and the workload per
        window (``metrics["monitor"]``).
    """
    started = perf_counter()
    cfg = resolve_config(config)
    seed = seed if seed is not None else (cfg.seed if cfg.seed is not None else 0)
    parse_window(window)
    policy_name, target_accuracy = _policy(policy)
    sel = parse_selectors(select, option="--select") or cfg.select
    ign = parse_selectors(ignore, option="--ignore") + cfg.ignore
    monitor_codes = [c for c, spec in SPECS.items() if spec.command() == "monitor"]
    codes = select_codes([*DRIFT_CODES, *monitor_codes], sel, ign)
    frame = load_items(store, max_items)
    store_name = store.url.render_as_string(hide_password=True)
    if not len(frame):
        raise InputError(f"{store_name}: the store holds no items yet. Serve predictions first (POST /predict).")
    ops = operations(frame, window)
    report = Report(
        inputs={
            "data": f"{store_name} (pitfall monitor)",
            "store": store_name,
            "current": store_name,
            "n_current": len(frame),
            "window": window,
            "n_windows": len(ops["windows"]) if window else None,
            "policy": policy_name,
            "target_accuracy": target_accuracy,
            "model": "user" if model is not None else None,
            "model_class": type(model).__name__ if model is not None else None,
            "seed": seed,
            "config": cfg.source,
        }
    )
    drift_codes = [c for c in codes if c in DRIFT_CODES]
    if reference is None:
        report.inputs["reference"] = "none"
        for code in drift_codes:
            report.skipped[code] = "needs a training reference (--reference)"
    else:
        ref_name, ref_cols = _reference_columns(reference)
        current, time, notes = _drift_current(frame, ref_name, ref_cols, target, store_name)
        found = (
            drift(
                reference,
                current,
                target=target,
                time=time,
                window=window,
                model=model,
                select=drift_codes,
                ignore=None,
                config=cfg,
                seed=seed,
            )
            if drift_codes
            else Report()
        )
        report.findings += found.findings
        report.skipped.update(found.skipped)
        report.crashed.update(found.crashed)
        report.timings.update({k: v for k, v in found.timings.items() if k != "total"})
        report.notes += notes + found.notes
        if "drift" in found.metrics:
            report.metrics["drift"] = found.metrics["drift"]
        report.inputs.update(
            reference=ref_name,
            n_reference=found.inputs.get("n_reference"),
            features=found.inputs.get("features"),
            target=target,
            time=time,
        )
        overall, per = _drift_verdicts(report.metrics)
        ops["overall"]["drift"] = overall
        for w in ops["windows"]:
            w["drift"] = per.get(w["start"])
    audits = [_audit_sample("all", None, None, ops["overall"])]
    audits += [_audit_sample(w["start"], w["start"], w["end"], w) for w in ops["windows"]]
    ctx = MonitorContext(target_accuracy, policy_name, audits, seed)
    params = {code: dict(p) for code, p in cfg.checks.items()}
    for code in codes:
        if code in monitor_codes:
            run_check(code, ctx, params, cfg, report)
    report.metrics["monitor"] = ops
    report.timings["total"] = perf_counter() - started
    report.sort()
    return report


def _audit_sample(key: str, start: str | None, end: str | None, stats: Mapping[str, Any]) -> AuditSample:
    return AuditSample(key, start, end, stats["audit"]["reviewed"], stats["audit"]["correct"])


def _policy(policy: Any) -> tuple[str | None, float | None]:
    """The policy's name (its file) and target accuracy; a routing policy has no target."""
    if policy is None:
        return None, None
    if isinstance(policy, (str, os.PathLike)):
        from pitfall.deploy.policy import read_policy

        return str(policy), read_policy(policy).target_accuracy
    target = getattr(policy, "target_accuracy", None)
    return "policy", None if target is None else float(target)


def text_table(ops: Mapping[str, Any]) -> str:
    """The per-window numbers as a plain-text table, whole period last (for the terminal and text reports)."""
    head = ("window", "items", "auto", "review rate", "reviewed", "pending", "audit accuracy [95% CI]", "drift")
    rows = [head]
    for w in [*ops.get("windows", []), {**ops["overall"], "start": "all"}]:
        rate = w.get("review_rate")
        auto = (w.get("shares") or {}).get("auto")
        rows.append(
            (
                str(w["start"]),
                str(w["n"]),
                "-" if auto is None else f"{auto:.1%}",
                "-" if rate is None else f"{rate:.1%}",
                str(w["reviewed"]),
                str(w["pending"]),
                accuracy_text(w["audit"]),
                drift_text(w.get("drift")),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)).rstrip() for r in rows]
    title = f"\nPer window ({ops.get('window')}, UTC):\n" if ops.get("window") else "\nWhole period:\n"
    return title + "\n".join(lines) + "\n"
