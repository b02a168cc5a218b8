"""``pitfall runs diff A B``: what changed between two runs, in four parts: data, code, environment, numbers."""

from __future__ import annotations

from typing import Any

from pitfall.records.metrics import intervals

__all__ = ["diff_runs", "render_diff"]


def _changes(a: dict[str, Any], b: dict[str, Any], prefix: str = "") -> list[dict[str, Any]]:
    out = []
    for key in sorted(set(a) | set(b)):
        name = f"{prefix}{key}"
        va, vb = a.get(key), b.get(key)
        if isinstance(va, dict) and isinstance(vb, dict):
            out.extend(_changes(va, vb, name + "."))
        elif va != vb:
            out.append({"what": name, "a": va, "b": vb})
    return out


def _data(ma: dict[str, Any], mb: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    ia, ib = ma.get("inputs") or {}, mb.get("inputs") or {}
    for role in sorted(set(ia) | set(ib)):
        if role == "model":
            continue
        ea, eb = ia.get(role) or {}, ib.get(role) or {}
        for key in ("path", "sha256", "rows", "columns", "rows_sha256"):
            if ea.get(key) != eb.get(key):
                out.append({"what": f"{role}.{key}", "a": ea.get(key), "b": eb.get(key)})
        if (
            ea.get("sha256") != eb.get("sha256")
            and ea.get("rows_sha256")
            and ea.get("rows_sha256") == eb.get("rows_sha256")
        ):
            out.append({"what": f"{role}", "a": "same rows", "b": "rewritten (same rows, other order or format)"})
    ca = ((ma.get("composition") or {}).get("splits")) or {}
    cb = ((mb.get("composition") or {}).get("splits")) or {}
    for part in sorted(set(ca) | set(cb)):
        for key in ("rows", "rows_sha256", "duplicate_rows"):
            va, vb = (ca.get(part) or {}).get(key), (cb.get(part) or {}).get(key)
            if va != vb:
                out.append({"what": f"split {part}.{key}", "a": va, "b": vb})
    return out


def code_changes(ma: dict[str, Any], mb: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    from pitfall.records.rerun import (
        strip_output_options as _strip,  # where the report goes and recording do not change results
    )

    if ma.get("command") != mb.get("command") or _strip(ma.get("argv") or []) != _strip(mb.get("argv") or []):
        out.append({"what": "command", "a": " ".join(ma.get("argv") or []), "b": " ".join(mb.get("argv") or [])})
    ga, gb = ma.get("git") or {}, mb.get("git") or {}
    for key in ("commit", "dirty", "branch"):
        if ga.get(key) != gb.get(key):
            out.append({"what": f"git.{key}", "a": ga.get(key), "b": gb.get(key)})
    mda, mdb = (ma.get("inputs") or {}).get("model") or {}, (mb.get("inputs") or {}).get("model") or {}
    for key in ("path", "sha256", "class"):
        if mda.get(key) != mdb.get(key):
            out.append({"what": f"model.{key}", "a": mda.get(key), "b": mdb.get(key)})
    out.extend(_changes(mda.get("params") or {}, mdb.get("params") or {}, "model.params."))
    out.extend(_changes(ma.get("seeds") or {}, mb.get("seeds") or {}, "seed."))
    out.extend(_changes(ma.get("config") or {}, mb.get("config") or {}, "config."))
    return out


def environment_changes(ma: dict[str, Any], mb: dict[str, Any]) -> list[dict[str, Any]]:
    ea, eb = dict(ma.get("environment") or {}), dict(mb.get("environment") or {})
    ea.pop("executable", None)
    eb.pop("executable", None)
    return _changes(ea, eb) + (
        [{"what": "pitfall_version", "a": ma.get("pitfall_version"), "b": mb.get("pitfall_version")}]
        if ma.get("pitfall_version") != mb.get("pitfall_version")
        else []
    )


def _numbers(ra: dict[str, Any], rb: dict[str, Any], ma: dict[str, Any], mb: dict[str, Any]) -> dict[str, Any]:
    a, b = intervals(ra.get("metrics") or {}), intervals(rb.get("metrics") or {})
    moved = []
    for name in sorted(set(a) | set(b)):
        va, vb = a.get(name), b.get(name)
        if va == vb:
            continue
        outside = None
        if va and vb and None not in (va.get("low"), va.get("high"), vb.get("estimate")):
            outside = not va["low"] <= vb["estimate"] <= va["high"]
        moved.append({"metric": name, "a": va, "b": vb, "outside_a_ci": outside})
    key = lambda f: (f.get("code"), tuple(f.get("columns") or ()))  # noqa: E731
    fa = {key(f): f for f in ma.get("findings") or []}
    fb = {key(f): f for f in mb.get("findings") or []}
    return {
        "metrics": moved,
        "findings_appeared": [fb[k] for k in fb if k not in fa],
        "findings_disappeared": [fa[k] for k in fa if k not in fb],
        "summary": {"a": ma.get("summary"), "b": mb.get("summary")},
    }


def diff_runs(a: Any, b: Any) -> dict[str, Any]:
    """The differences between two loaded runs (:class:`pitfall.records.store.Run`)."""
    ma, mb = a.manifest, b.manifest
    return {
        "a": ma["id"],
        "b": mb["id"],
        "data": _data(ma, mb),
        "code": code_changes(ma, mb),
        "environment": environment_changes(ma, mb),
        "numbers": _numbers(a.report, b.report, ma, mb),
    }


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, dict) and "estimate" in value:
        est, lo, hi = value.get("estimate"), value.get("low"), value.get("high")
        f = lambda v: "n/a" if v is None else f"{v:.3f}"  # noqa: E731
        return f"{f(est)} [{f(lo)}, {f(hi)}]"
    text = "—" if value is None else str(value)
    return text if len(text) <= 70 else text[:67] + "..."


def render_diff(diff: dict[str, Any], max_metrics: int = 25) -> str:
    """The diff as text, one section per kind of change."""
    lines = [f"pitfall runs diff {diff['a']} {diff['b']}"]
    for section, title in (("data", "Data"), ("code", "Code and settings"), ("environment", "Environment")):
        changes = diff[section]
        lines.append(f"\n{title}: " + ("unchanged" if not changes else f"{len(changes)} change(s)"))
        for c in changes:
            lines.append(f"  {c['what']}: {_short(c['a'])} → {_short(c['b'])}")
    numbers = diff["numbers"]
    metrics = numbers["metrics"]
    moved = sum(1 for m in metrics if m["outside_a_ci"])
    lines.append(
        "\nNumbers: " + ("unchanged" if not metrics else f"{len(metrics)} metric(s) differ, {moved} outside A's 95% CI")
    )
    ordered = sorted(metrics, key=lambda m: not m["outside_a_ci"])
    for m in ordered[:max_metrics]:
        flag = "  OUTSIDE CI" if m["outside_a_ci"] else ""
        lines.append(f"  {m['metric']}: {_short(m['a'])} → {_short(m['b'])}{flag}")
    if len(ordered) > max_metrics:
        lines.append(f"  ... and {len(ordered) - max_metrics} more (--format json for all)")
    sa, sb = numbers["summary"]["a"] or {}, numbers["summary"]["b"] or {}
    if sa != sb:
        lines.append(
            f"  findings: {sa.get('error', 0)}E/{sa.get('warning', 0)}W/{sa.get('info', 0)}I → "
            f"{sb.get('error', 0)}E/{sb.get('warning', 0)}W/{sb.get('info', 0)}I"
        )
    for f in numbers["findings_appeared"]:
        lines.append(f"  + {f['code']} {f.get('severity', '')}: {f.get('message', '')[:150]}")
    for f in numbers["findings_disappeared"]:
        lines.append(f"  - {f['code']} {f.get('severity', '')}: {f.get('message', '')[:150]}")
    return "\n".join(lines) + "\n"
