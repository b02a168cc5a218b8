"""HTML report: one self-contained file (inline CSS, inline SVG plots, no network at all).

Reports are opened from CI artefacts, e-mail attachments and air-gapped clusters, so nothing
is loaded from elsewhere. Column names, file names and evidence are user data and may hold
markup, so every value goes through Jinja2 autoescaping; only the SVG built by
``pitfall.reporting.svg`` (which escapes its own text) is marked safe.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from pitfall.findings import Severity, jsonable
from pitfall.reporting import svg

if TYPE_CHECKING:
    from pitfall.report import Report

__all__ = ["render_html"]

_SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO)
_MAX_LIST = 12  # list items shown inline in the evidence table
_MAX_JSON = 20_000  # characters of raw evidence JSON shown per finding
_OPEN_EVIDENCE_ROWS = 10  # evidence tables longer than this start collapsed
_BACKTICKS = re.compile(r"`([^`]+)`")


@cache
def environment() -> Environment:
    """The one jinja2 environment of pitfall's templates: autoescaping on, also for strings."""
    env = Environment(
        loader=PackageLoader("pitfall", "reporting/templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["code_spans"] = _code_spans
    return env


def render_html(report: Report, *, fragment: bool = False) -> str:
    """Render ``report`` as HTML.

    Args:
        report: The scan result.
        fragment: Return a ``<div>`` for Jupyter (``_repr_html_``) instead of a whole page.
    """
    template = environment().get_template("fragment.html.j2" if fragment else "report.html.j2")
    return template.render(**_view(report))


def _view(report: Report) -> dict[str, Any]:
    """Everything the templates show, as plain values (the templates hold no logic)."""
    from pitfall import __version__
    from pitfall.checks.registry import SPECS

    inputs = report.inputs
    scores = report.metrics.get("scores")
    single = report.metrics.get("single_feature")
    plots = []
    scores_svg = svg.scores_plot(scores)
    if scores_svg:
        note, table = _scores_note(scores), _scores_table(scores)
        plots.append({"svg": Markup(scores_svg), "note": note, "table": table})
    feat = svg.single_feature_plot(single)
    if feat:
        svg_text, hidden = feat
        note = "Bars: each feature alone, as a simple rule; whiskers: 95% CI for the top features."
        if hidden:
            note += f" {hidden} lower-scoring feature(s) not shown."
        plots.append({"svg": Markup(svg_text), "note": note, "table": None})
    plots += _model_plots(report.metrics)
    from pitfall.reporting.drift_plots import drift_plots

    plots += drift_plots(report.metrics)  # a `pitfall drift` report
    from pitfall.reporting.monitor_plots import monitor_plots

    plots += monitor_plots(report.metrics, report.inputs)  # a `pitfall monitor` report
    ran = [c for c in report.timings if c != "total" and c not in report.skipped]
    flagged = {f.code for f in report.findings}
    passed = [c for c in ran if c not in flagged and c not in report.crashed]
    return {
        "version": __version__,
        "title": f"pitfall report: {_sources(inputs)}",
        "inputs": _inputs(inputs),
        "summary": report.summary,
        "groups": [
            {
                "severity": sev.value,
                "findings": [_finding(f) for f in report.findings if f.severity is sev],
            }
            for sev in _SEVERITIES
            if any(f.severity is sev for f in report.findings)
        ],
        "plots": plots,
        "passed": [{"code": c, "name": _check_name(c, SPECS)} for c in sorted(passed)],
        "skipped": [{"code": c, "name": _check_name(c, SPECS), "reason": r} for c, r in sorted(report.skipped.items())],
        "crashed": [{"code": c, "name": _check_name(c, SPECS), "error": e} for c, e in sorted(report.crashed.items())],
        "timings": _timings(report.timings, SPECS),
        "notes": list(report.notes),
    }


def _model_plots(metrics: dict[str, Any]) -> list[dict[str, Any]]:
    """Plots of the model checks (PF302-PF405), each only when its check measured something."""
    from pitfall.reporting import model_plots

    out = []
    study = model_plots.ablation_plot(metrics.get("study"), str((metrics.get("scores") or {}).get("metric", "score")))
    if study:
        out.append(
            {
                "svg": Markup(study),
                "note": "PF302: bars near zero mean the model does not need the variable.",
                "table": None,
            }
        )
    sliced = model_plots.slices_plot(metrics.get("slices"))
    if sliced:
        svg_text, hidden = sliced
        note = "PF303: the slices with the lowest scores; red slices differ from the rest beyond chance."
        if hidden:
            note += f" {hidden} more slice(s) in the JSON report."
        out.append({"svg": Markup(svg_text), "note": note, "table": None})
    churn = model_plots.churn_plot(metrics.get("seeds"))
    if churn:
        out.append(
            {
                "svg": Markup(churn),
                "note": "PF404: rows right of zero change their prediction with the seed.",
                "table": None,
            }
        )
    reliability = model_plots.reliability_plot(metrics.get("calibration"))
    if reliability:
        out.append(
            {"svg": Markup(reliability), "note": "PF405: points below the diagonal are overconfident.", "table": None}
        )
    return out


def _sources(inputs: dict[str, Any]) -> str:
    if inputs.get("data"):
        return str(inputs["data"])
    if inputs.get("command") == "lint":
        return "lint " + " ".join(map(str, inputs.get("paths", [])))
    if inputs.get("train") or inputs.get("test"):
        return f"{inputs.get('train', '?')} / {inputs.get('test', '?')}"
    return "scan"


def _inputs(inputs: dict[str, Any]) -> list[tuple[str, str]]:
    """Label/value pairs for the header, in reading order; unset roles are left out."""
    rows: list[tuple[str, str]] = []

    def add(label: str, value: Any) -> None:
        if value is not None and value != "" and value != []:
            rows.append((label, _format_value(value)))

    add("data", inputs.get("data"))
    add("train", inputs.get("train"))
    add("test", inputs.get("test"))
    add("target", inputs.get("target"))
    add("task", inputs.get("task"))
    if any(k in inputs for k in ("n_train", "n_test", "n_features")):
        add(
            "size",
            f"{_count(inputs.get('n_train'))} train / {_count(inputs.get('n_test'))} test rows, "
            f"{_count(inputs.get('n_features'))} features",
        )
    add("split", inputs.get("split"))
    for role in ("group", "time", "id"):
        add(role, inputs.get(role))
    model = inputs.get("model")
    cls = inputs.get("model_class")
    is_default = str(model).startswith("default")
    if model is not None and cls and not is_default and str(cls) not in str(model):
        model = f"{model} ({cls})"
    add("model", model)
    add("metric", inputs.get("metric"))
    add("seed", inputs.get("seed"))
    add("config", inputs.get("config"))
    known = {
        "data",
        "train",
        "test",
        "target",
        "task",
        "n_train",
        "n_test",
        "n_features",
        "split",
        "group",
        "time",
        "id",
        "model",
        "model_class",
        "metric",
        "seed",
        "config",
    }
    for key, value in inputs.items():
        if key not in known:
            add(str(key), value)
    return rows


def _count(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else "?"


def _format_value(value: Any) -> str:
    """A compact human-readable form of one evidence value."""
    value = jsonable(value)
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value == 0 or 1e-3 <= abs(value) < 1e6:
            return f"{value:.4g}" if abs(value) < 1 else f"{value:,.4g}"
        return f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, dict) and _is_interval(value):
        level = value.get("level")
        finite_level = isinstance(level, (int, float)) and math.isfinite(level)
        pct = f" ({level:.0%} CI)" if finite_level else ""
        parts = [_score(value.get(k)) for k in ("estimate", "low", "high")]
        return f"{parts[0]} [{parts[1]}, {parts[2]}]{pct}"
    if isinstance(value, list):
        return _format_list(value)
    if (
        isinstance(value, dict)
        and value
        and all(isinstance(v, (int, float, str, bool)) or v is None for v in value.values())
    ):
        # flat mappings (quantiles, shares): "q05 1.806, q25 27.39, …" reads better than JSON
        text = ", ".join(f"{k} {_format_value(v)}" for k, v in value.items())
        return text if len(text) <= 300 else text[:299] + "…"
    if isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
        return text if len(text) <= 300 else text[:299] + "…"
    return str(value)


def _format_list(value: list[Any]) -> str:
    """Lists as a reader writes them, not as Python prints them: ``a, b, c``; pairs (a category
    and its share) as ``a: 0.7``; records as ``k v, k v; k v, k v``; empty as ``none``."""
    if not value:
        return "none"
    shown, hidden = value[:_MAX_LIST], len(value) - _MAX_LIST
    more = f" … ({hidden} more)" if hidden > 0 else ""
    if all(_is_pair(v) for v in shown):
        return "; ".join(f"{_format_value(k)}: {_format_value(v)}" for k, v in shown) + more
    if all(isinstance(v, dict) for v in shown):
        return "; ".join(_format_value(v) for v in shown) + more
    if any(isinstance(v, (list, dict)) for v in shown):
        return "; ".join(_format_value(v) for v in shown) + more
    return ", ".join(_format_value(v) for v in shown) + more


def _is_pair(value: Any) -> bool:
    """A ``[key, number]`` pair (how drift evidence lists top categories and their shares)."""
    return (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], (str, int, float, bool))
        and isinstance(value[1], (int, float))
        and not isinstance(value[1], bool)
    )


def _score(value: Any) -> str:
    """Scores with three decimals, as in the messages; very large or tiny ones in short form."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return f"{value:.3f}" if abs(value) < 1e4 else f"{value:.4g}"
    return "n/a"


def _code_spans(text: Any) -> Markup:
    """Escape ``text``, then show its `backticked` parts (commands, column names) as code."""
    escaped = str(escape(str(text)))
    return Markup(_BACKTICKS.sub(r"<code>\1</code>", escaped))


def _is_interval(value: dict[str, Any]) -> bool:
    return (
        "estimate" in value
        and "low" in value
        and "high" in value
        and set(value) <= {"estimate", "low", "high", "level"}
    )


def _evidence_rows(evidence: dict[str, Any]) -> list[dict[str, Any]]:
    """Flatten one level of nesting (``baselines.majority``); intervals stay on one line; a list
    of flat records (calibration bins, feature importances) becomes a small table of its own."""
    rows: list[dict[str, Any]] = []
    for key, value in jsonable(evidence).items():
        if isinstance(value, dict) and value and not _is_interval(value) and len(value) <= 12:
            for sub, v in value.items():
                rows.append(_evidence_row(f"{key}.{sub}", v))
        else:
            rows.append(_evidence_row(key, value))
    return rows


def _evidence_row(key: str, value: Any) -> dict[str, Any]:
    table = _record_table(value)
    return {"key": key, "value": "" if table else _format_value(value), "table": table}


_MAX_RECORD_ROWS = 20


def _record_table(value: Any) -> dict[str, Any] | None:
    """A list of flat records as headers and rows, or None when it is anything else."""
    if not isinstance(value, list) or not value or not all(isinstance(v, dict) and v for v in value):
        return None
    if any(
        isinstance(x, (dict, list)) and not (isinstance(x, dict) and _is_interval(x)) for v in value for x in v.values()
    ):
        return None
    headers = list(dict.fromkeys(str(k) for v in value for k in v))
    shown = value[:_MAX_RECORD_ROWS]
    return {
        "headers": headers,
        "rows": [[_format_value(v.get(h)) if h in v else "" for h in headers] for v in shown],
        "note": f"{len(shown)} of {len(value)} shown; all in the JSON" if len(value) > len(shown) else "",
    }


_MAX_EXAMPLE_ROWS = 5
_MAX_EXAMPLE_COLUMNS = 10


def _cell(value: Any) -> str:
    """Example cells: identifiers and row numbers without thousands separators."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _format_value(value)


def _example_table(value: Any) -> dict[str, Any] | None:
    """Example rows (a list of dicts: copies, suspects) as a small table; nested ``{"test": a,
    "train": b}`` pairs become ``a / b`` so a near copy reads at a glance."""
    if not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
        return None
    flat_rows: list[dict[str, str]] = []
    for example in value[:_MAX_EXAMPLE_ROWS]:
        flat: dict[str, str] = {}
        for key, v in example.items():
            if isinstance(v, dict) and not _is_interval(v):
                for sub, sv in v.items():
                    name = str(sub) if key == "values" else f"{key}.{sub}"
                    if isinstance(sv, dict) and set(sv) == {"test", "train"}:
                        flat[name] = f"{_cell(sv['test'])} / {_cell(sv['train'])}"
                    else:
                        flat[name] = _cell(sv)
            else:
                flat[str(key)] = _cell(v)
        flat_rows.append(flat)
    headers = list(dict.fromkeys(k for row in flat_rows for k in row))
    hidden = max(len(headers) - _MAX_EXAMPLE_COLUMNS, 0)
    headers = headers[:_MAX_EXAMPLE_COLUMNS]
    paired = any(" / " in v for row in flat_rows for v in row.values())
    note = f"{min(len(value), _MAX_EXAMPLE_ROWS)} of {len(value)} example(s)"
    if paired:
        note += "; pairs read test / train"
    if hidden:
        note += f"; {hidden} more column(s) in the JSON"
    return {
        "headers": headers,
        "rows": [[row.get(h, "") for h in headers] for row in flat_rows],
        "note": note,
    }


def _finding(f) -> dict[str, Any]:
    raw = json.dumps(jsonable(f.evidence), indent=2, ensure_ascii=False, allow_nan=False)
    examples = _example_table(jsonable(f.evidence.get("examples")))
    if len(raw) > _MAX_JSON:
        raw = raw[:_MAX_JSON] + f"\n… ({len(raw) - _MAX_JSON:,} more characters in the JSON report)"
    return {
        "code": f.code,
        "name": f.name,
        "family": f.family,
        "severity": f.severity.value,
        "message": f.message,
        "fix": f.fix,
        "columns": list(f.columns),
        "evidence": (
            evidence := _evidence_rows({k: v for k, v in f.evidence.items() if k != "examples" or examples is None})
        ),
        # short evidence is open; long tables start folded so the findings read one after another
        "evidence_open": len(evidence) + sum(len(r["table"]["rows"]) for r in evidence if r["table"])
        <= _OPEN_EVIDENCE_ROWS,
        "examples": examples,
        "evidence_json": raw if f.evidence else "",
        "docs": f.docs,
        "location": str(f.location) if f.location is not None else "",
        "excerpt": f.location.excerpt if f.location is not None else "",
    }


def _check_name(code: str, checks: Mapping[str, Any]) -> str:
    cls = checks.get(code)
    return getattr(cls, "name", "") if cls is not None else ""


def _scores_note(scores: dict[str, Any]) -> str:
    source = scores.get("model_source")
    who = f"the {source} model" if source else "the model"
    return (
        f"Points: test-set score of {who} and of each baseline, with 95% bootstrap intervals. "
        "Amber: a baseline the model does not clearly beat (the interval of the paired "
        "difference reaches zero)."
    )


def _scores_table(scores: dict[str, Any]) -> list[dict[str, str]]:
    diffs = scores.get("model_minus_baseline") or {}
    rows = []
    for name, iv in (scores.get("values") or {}).items():
        diff = diffs.get(name)
        rows.append(
            {
                "name": str(name),
                "score": _format_value(iv) if isinstance(iv, dict) else _format_value(iv),
                "diff": _format_value(diff) if isinstance(diff, dict) else "",
            }
        )
    return rows


def _timings(timings: dict[str, float], checks: Mapping[str, Any]) -> dict[str, Any]:
    per_check = {k: v for k, v in timings.items() if k != "total"}
    finite = [v for v in per_check.values() if isinstance(v, (int, float)) and math.isfinite(v)]
    longest = max(finite, default=0.0) or 1.0
    rows = []
    for code, sec in sorted(per_check.items(), key=lambda kv: -(_seconds(kv[1]) or 0.0)):
        s = _seconds(sec)
        rows.append(
            {
                "code": code,
                "name": _check_name(code, checks),
                "seconds": "n/a" if s is None else f"{s:.3f}",
                "share": 0 if s is None else round(100 * s / longest, 1),
            }
        )
    total = _seconds(timings.get("total"))
    return {"rows": rows, "total": None if total is None else f"{total:.2f}"}


def _seconds(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None
