"""What a model card, datasheet and REFORMS checklist say, assembled from a run record.

Only measurements and people's own answers go in: numbers come from the recorded report and
manifest (with their confidence intervals), answers from ``[tool.pitfall.card]``; everything else
is a visible question (see :mod:`pitfall.records.questions`). Rendering is in
:mod:`pitfall.reporting.card`; this module decides the content.
"""

from __future__ import annotations

from typing import Any

from pitfall.records.metrics import headline
from pitfall.records.questions import QUESTIONS, answers
from pitfall.records.reforms import checklist
from pitfall.records.store import Run

__all__ = ["card_content", "model_card_toolkit_json"]

_MAX_SLICES = 12


def _ci(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if not isinstance(value, dict) or value.get("estimate") is None:
        return None
    return {"estimate": value.get("estimate"), "low": value.get("low"), "high": value.get("high")}


def _data(manifest: dict[str, Any]) -> dict[str, Any]:
    comp = manifest.get("composition") or {}
    files = [
        {
            "role": role,
            "path": e.get("path"),
            "sha256": e.get("sha256"),
            "rows": e.get("rows"),
            "columns": e.get("columns"),
            "rows_sha256": e.get("rows_sha256"),
        }
        for role, e in (manifest.get("inputs") or {}).items()
        if role not in ("model", "new_model")
    ]
    splits = {}
    for name, part in (comp.get("splits") or {}).items():
        target = part.get("target") or {}
        splits[name] = {
            "rows": part.get("rows"),
            "rows_sha256": part.get("rows_sha256"),
            "duplicate_rows": part.get("duplicate_rows"),
            "missing_cells_share": part.get("missing_cells_share"),
            "groups": part.get("groups"),
            "time_span": part.get("time_span"),
            "class_counts": target.get("counts"),
            "target": target,
        }
    roles = comp.get("roles") or {}
    train_target = ((comp.get("splits") or {}).get("train") or {}).get("target") or {}
    return {
        "files": files,
        "splits": splits,
        "columns": comp.get("columns") or [],
        "features": comp.get("features") or [],
        "task": comp.get("task"),
        "target_name": roles.get("target"),
        "roles": roles,
        "target": train_target,
        "split_method": comp.get("split_method"),
        "test_rows_in_train": comp.get("test_rows_in_train"),
    }


def _slices(report: dict[str, Any]) -> list[dict[str, Any]]:
    rows = ((report.get("metrics") or {}).get("slices") or {}).get("slices") or []
    ordered = sorted(rows, key=lambda s: (not s.get("flagged"), -(s.get("gap") or 0)))
    out = []
    for s in ordered[:_MAX_SLICES]:
        out.append(
            {
                "column": s.get("column"),
                "slice": s.get("slice"),
                "n": s.get("n"),
                "metric": s.get("metric"),
                "score": _ci(s.get("score")),
                "rest": s.get("rest"),
                "gap": s.get("gap"),
                "flagged": bool(s.get("flagged")),
                "sensitive": bool(s.get("sensitive")),
            }
        )
    return out


def _quantitative(report: dict[str, Any]) -> dict[str, Any]:
    metrics = report.get("metrics") or {}
    out: dict[str, Any] = {}
    cal = metrics.get("calibration") or {}
    if cal:
        out["calibration"] = {
            "ece": _ci(cal.get("ece")),
            "null_ece_95": cal.get("null_ece_95"),
            "brier": cal.get("brier"),
        }
    seeds = metrics.get("seeds") or {}
    if seeds:
        out["seeds"] = {
            k: seeds.get(k)
            for k in ("seeds", "scores", "churn", "disagreement", "confident_churn")
            if seeds.get(k) is not None
        }
    robust = metrics.get("robustness") or {}
    if robust.get("noise"):
        out["robustness"] = [
            {"scale": n.get("scale"), "flip_rate": _ci(n.get("flip_rate")), "score": _ci(n.get("score"))}
            for n in robust["noise"]
        ]
    errors = metrics.get("label_errors") or {}
    if errors:
        out["label_errors"] = {
            "flagged": errors.get("flagged"),
            "expected_clean": errors.get("expected_clean"),
            "share": errors.get("share"),
        }
    return out


def _findings(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "code": f.get("code"),
            "name": f.get("name"),
            "severity": f.get("severity"),
            "message": f.get("message"),
            "fix": f.get("fix"),
            "columns": f.get("columns", []),
        }
        for f in report.get("findings") or []
    ]


def card_content(run: Run, current_card: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything the card, datasheet and checklist show, as one JSON-ready dict."""
    manifest, report = run.manifest, run.report
    people = answers((manifest.get("config") or {}).get("card"), current_card)
    model_entry = (manifest.get("inputs") or {}).get("model")
    inputs = report.get("inputs") or {}
    default = str(inputs.get("model") or "")
    default_class = default[len("default (") : -1] if default.startswith("default (") else None
    model = {
        "class": (model_entry or {}).get("class") or default_class or inputs.get("model_class"),
        "source": "user" if model_entry else (inputs.get("model") or "none"),
        "path": (model_entry or {}).get("path"),
        "sha256": (model_entry or {}).get("sha256"),
        "params": (model_entry or {}).get("params") or {},
    }
    head = headline(report)
    scores = (report.get("metrics") or {}).get("scores") or {}
    baselines = []
    for name, value in (scores.get("values") or {}).items():
        if name != "model" and _ci(value):
            baselines.append({"name": name, **_ci(value)})
    metric_name = scores.get("metric") or inputs.get("metric")
    content: dict[str, Any] = {
        "run": manifest["id"],
        "created": manifest.get("created"),
        "command": manifest.get("command"),
        "command_line": "pitfall " + " ".join(manifest.get("argv") or []),
        "pitfall_version": manifest.get("pitfall_version"),
        "git": manifest.get("git"),
        "environment": manifest.get("environment"),
        "seeds": manifest.get("seeds"),
        "people": people,
        "questions": {k: q for k, q in QUESTIONS.items() if k not in people},
        "model": model,
        "metric": metric_name,
        "metrics": [{"name": k, **v} for k, v in head.items() if " (" not in k],
        "baselines": baselines,
        "slices": _slices(report),
        "quantitative": _quantitative(report),
        "data": _data(manifest),
        "findings": _findings(report),
        "summary": report.get("summary") or manifest.get("summary"),
        "skipped": report.get("skipped") or {},
        "crashed": report.get("crashed") or {},
        "drift": [f for f in _findings(report) if (f["code"] or "").startswith("PF5")]
        if manifest.get("command") == "drift"
        else None,
    }
    content["reforms"] = checklist(content, report, people)
    return content


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(map(str, value))
    return str(value)


def model_card_toolkit_json(content: dict[str, Any]) -> dict[str, Any]:
    """The card in the Model Card Toolkit's JSON schema (its fields, as strings), plus ``pitfall`` extras.

    Performance metrics carry MCT's ``confidence_interval`` (``lower_bound``/``upper_bound``); the
    numeric values, findings and the REFORMS checklist are under the extra top-level ``pitfall`` key.
    """
    people = content["people"]
    owners = people.get("owners") or []
    owners = owners if isinstance(owners, list) else [owners]
    performance = []
    for m in content["metrics"]:
        entry = {
            "type": m["name"],
            "value": f"{m['estimate']:.4f}" if m.get("estimate") is not None else "n/a",
            "slice": "test set",
        }
        if m.get("low") is not None and m.get("high") is not None:
            entry["confidence_interval"] = {"lower_bound": f"{m['low']:.4f}", "upper_bound": f"{m['high']:.4f}"}
        performance.append(entry)
    for s in content["slices"]:
        if s.get("score"):
            sc = s["score"]
            performance.append(
                {
                    "type": s.get("metric") or content["metric"],
                    "value": f"{sc['estimate']:.4f}",
                    "slice": f"{s['column']} = {s['slice']} (n={s['n']})",
                    "confidence_interval": {"lower_bound": f"{sc['low']:.4f}", "upper_bound": f"{sc['high']:.4f}"},
                }
            )
    data = content["data"]
    datasets = [
        {
            "name": f"{name} split",
            "link": next((f["path"] for f in data["files"] if f["role"] == name), ""),
            "description": f"{s['rows']} rows; order-insensitive row hash {s['rows_sha256']}",
        }
        for name, s in data["splits"].items()
    ] or [{"name": f["role"], "link": f["path"] or "", "description": f"sha256 {f['sha256']}"} for f in data["files"]]
    card: dict[str, Any] = {
        "model_details": {
            "name": _text(people.get("name") or content["model"]["class"] or "model"),
            "version": {"name": content["run"], "date": content["created"] or ""},
        },
        "model_parameters": {
            "model_architecture": content["model"]["class"] or "",
            "data": datasets,
            "input_format": f"{len(data['features'])} features: {', '.join(data['features'][:30])}",
            "output_format": f"{data.get('task') or ''} prediction of '{data.get('target_name') or ''}'",
        },
        "quantitative_analysis": {"performance_metrics": performance},
        "considerations": {
            "limitations": [
                {"description": f"{f['code']} {f['name']} ({f['severity']}): {f['message']} Fix: {f['fix']}"}
                for f in content["findings"]
            ],
        },
    }
    details = card["model_details"]
    if people.get("overview"):
        details["overview"] = _text(people["overview"])
    if owners:
        details["owners"] = [{"name": str(o)} for o in owners]
    if people.get("license"):
        details["licenses"] = [{"identifier": _text(people["license"])}]
    if people.get("references"):
        refs = people["references"] if isinstance(people["references"], list) else [people["references"]]
        details["references"] = [{"reference": str(r)} for r in refs]
    if people.get("citation"):
        details["citations"] = [{"citation": _text(people["citation"])}]
    considerations = card["considerations"]
    if people.get("intended_users"):
        considerations["users"] = [{"description": _text(people["intended_users"])}]
    if people.get("intended_uses"):
        considerations["use_cases"] = [{"description": _text(people["intended_uses"])}]
    if people.get("ethical_considerations"):
        considerations["ethical_considerations"] = [{"name": _text(people["ethical_considerations"])}]
    card["pitfall"] = {
        "run": content["run"],
        "pitfall_version": content["pitfall_version"],
        "metrics": content["metrics"],
        "baselines": content["baselines"],
        "slices": content["slices"],
        "findings": content["findings"],
        "quantitative": content["quantitative"],
        "reforms": content["reforms"],
        "open_questions": content["questions"],
    }
    return card
