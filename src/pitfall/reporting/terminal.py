"""Terminal output with rich: findings grouped by severity, then scores and skipped checks."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from pitfall.findings import Severity

if TYPE_CHECKING:
    from pitfall.report import Report

__all__ = ["render_text", "renderables", "STYLES"]

STYLES = {
    "pitfall.severity.error": "bold red",
    "pitfall.severity.warning": "bold yellow",
    "pitfall.severity.info": "cyan",
    "pitfall.code": "bold",
    "pitfall.fix": "green",
    "pitfall.muted": "dim",
}

_ICON = {Severity.ERROR: "✖", Severity.WARNING: "▲", Severity.INFO: "ℹ"}


def _header(report: Report) -> Text:
    i = report.inputs
    src = i.get("data") or f"{i.get('train', '?')} / {i.get('test', '?')}"
    if i.get("command") == "lint":
        return _lint_header(i)
    if "store" in i:  # a `pitfall monitor` report
        return _monitor_header(i)
    if "reference" in i:  # a `pitfall drift` report
        return _drift_header(i)
    t = Text()
    t.append("pitfall scan ", style="bold")
    t.append(f"{src}\n", style="pitfall.muted")
    t.append(
        f"target {i.get('target')!r} ({i.get('task')}), "
        f"{i.get('n_train', 0):,} train / {i.get('n_test', 0):,} test rows, "
        f"{i.get('n_features', 0)} features, split: {i.get('split')}, model: {i.get('model')}, "
        f"metric: {i.get('metric')}, seed: {i.get('seed')}",
        style="pitfall.muted",
    )
    return t


def _lint_header(i: dict) -> Text:
    t = Text()
    t.append("pitfall lint ", style="bold")
    t.append(f"{' '.join(map(str, i.get('paths', [])))}\n", style="pitfall.muted")
    orders = list(i.get("cell_order", {}).values())
    by_counts = sum(o.startswith("execution counts") for o in orders)
    order = (
        f"; cells in execution-count order in {by_counts}, in document order in {len(orders) - by_counts}"
        if orders
        else ""
    )
    unreadable = f", {i['unreadable']} unreadable" if i.get("unreadable") else ""
    t.append(
        f"{i.get('files', 0)} file(s), {i.get('notebooks', 0)} notebook(s){unreadable}{order}", style="pitfall.muted"
    )
    return t


def _drift_header(i: dict) -> Text:
    t = Text()
    t.append("pitfall drift ", style="bold")
    t.append(f"{i.get('reference')} → {i.get('current')}\n", style="pitfall.muted")
    extra = "".join(
        f", {label}: {i[key]}"
        for key, label in (
            ("target", "target"),
            ("time", "time"),
            ("window", "window"),
            ("n_windows", "windows"),
            ("model", "model"),
        )
        if i.get(key)
    )
    t.append(
        f"{i.get('n_reference', 0):,} reference / {i.get('n_current', 0):,} current rows, "
        f"{i.get('features', 0)} features{extra}, seed: {i.get('seed')}",
        style="pitfall.muted",
    )
    return t


def _monitor_header(i: dict) -> Text:
    t = Text()
    t.append("pitfall monitor ", style="bold")
    t.append(f"{i.get('store')}\n", style="pitfall.muted")
    extra = "".join(
        f", {label}: {i[key]}"
        for key, label in (
            ("reference", "reference"),
            ("window", "window"),
            ("n_windows", "windows"),
            ("policy", "policy"),
            ("target_accuracy", "target accuracy"),
        )
        if i.get(key) is not None
    )
    t.append(f"{i.get('n_current', 0):,} stored items{extra}, seed: {i.get('seed')}", style="pitfall.muted")
    return t


def _findings(report: Report) -> Iterator:
    for sev in (Severity.ERROR, Severity.WARNING, Severity.INFO):
        items = [f for f in report.findings if f.severity is sev]
        if not items:
            continue
        yield Text(f"\n{sev.value.upper()}S ({len(items)})", style=f"pitfall.severity.{sev.value}")
        for f in items:
            line = Text()
            line.append(f"{_ICON[sev]} ", style=f"pitfall.severity.{sev.value}")
            line.append(f"{f.code} ", style="pitfall.code")
            line.append(f"{f.name}: ", style="pitfall.muted")
            if f.location is not None:
                line.append(f"{f.location} ", style="pitfall.code")
            line.append(f.message)
            yield line
            if f.location is not None and f.location.excerpt:
                yield Text(f"    {f.location.excerpt}", style="pitfall.muted")
            yield Text(f"    fix: {f.fix}", style="pitfall.fix")


def _scores(report: Report) -> Iterator:
    scores = report.metrics.get("scores")
    if not scores:
        return
    table = Table(title=f"Model vs baselines ({scores['metric']}, 95% bootstrap CI)", title_justify="left")
    table.add_column("model / baseline")
    table.add_column("score", justify="right")
    table.add_column("95% CI", justify="right")
    table.add_column("model − baseline", justify="right")
    for name, iv in scores["values"].items():
        diff = scores["model_minus_baseline"].get(name)
        table.add_row(
            name,
            f"{iv['estimate']:.3f}",
            f"[{iv['low']:.3f}, {iv['high']:.3f}]",
            "" if diff is None else f"{diff['estimate']:+.3f} [{diff['low']:+.3f}, {diff['high']:+.3f}]",
        )
    yield Text("")
    yield table


def renderables(report: Report) -> Iterator:
    yield _header(report)
    if not report.findings:
        yield Text("\nNo findings.", style="bold green")
    yield from _findings(report)
    yield from _scores(report)
    if report.crashed:
        yield Text("\nChecks that failed internally (the others ran):", style="bold red")
        for code, msg in report.crashed.items():
            yield Text(f"  {code}: {msg}", style="red")
    for note in report.notes:
        yield Text(f"\nNote: {note}", style="pitfall.muted")
    if report.skipped:
        yield Text("\nSkipped: " + "; ".join(f"{c} ({r})" for c, r in report.skipped.items()), style="pitfall.muted")
    s = report.summary
    yield Text(
        f"\n{s['error']} error(s), {s['warning']} warning(s), {s['info']} info. "
        "Run `pitfall explain CODE` for details.",
        style="bold",
    )


def make_console(**kwargs) -> Console:
    from rich.theme import Theme

    return Console(theme=Theme(STYLES), **kwargs)


def render_text(report: Report, width: int = 100, color: bool = False) -> str:
    buf = StringIO()
    console = make_console(file=buf, width=width, color_system="standard" if color else None, force_terminal=color)
    console.print(Group(*renderables(report)))
    return buf.getvalue()


def print_report(report: Report, console: Console | None = None) -> None:
    console = console or make_console()
    console.print(Panel.fit(Group(*renderables(report)), border_style="dim"))
