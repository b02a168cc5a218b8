"""``pitfall checks`` and ``pitfall explain CODE``: the registry and each check's documentation."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from pitfall.errors import ConfigError

if TYPE_CHECKING:
    from pitfall.checks.catalog import CheckSpec


@click.command("checks")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
def checks_cmd(fmt: str) -> None:
    """List every check: code, name, family, default severity, what it needs."""
    from pitfall.checks.registry import SPECS

    rows = [
        {
            "code": code,
            "name": spec.name,
            "family": spec.family,
            "severity": spec.severity,
            "summary": spec.summary(),
            "needs": _needs(spec),
        }
        for code, spec in SPECS.items()
    ]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    if fmt == "markdown":
        click.echo(markdown_table(rows))
        return
    from rich.console import Console

    console = Console()
    console.print(checks_table(rows, console.width))


# Below this width the five-column table squeezes the summary to a word a line: each check is
# then a block (code, name, severity, family on one line; the summary wrapped under it).
WIDE = 110


def checks_table(rows: list[dict], width: int):
    """The registry laid out for a terminal ``width`` columns wide (a rich renderable)."""
    from rich.table import Table
    from rich.text import Text

    if width >= WIDE:
        table = Table(title="pitfall checks")
        for col in ("code", "name", "family", "severity"):
            table.add_column(col, no_wrap=True)
        table.add_column("summary", overflow="fold", ratio=1)
        for r in rows:
            table.add_row(r["code"], r["name"], r["family"], r["severity"], r["summary"])
        return table
    table = Table(
        title="pitfall checks", box=None, show_header=False, pad_edge=False, padding=(0, 1, 0, 0), expand=True
    )
    table.add_column("code", no_wrap=True, style="bold")
    table.add_column("check", ratio=1, overflow="fold")
    family = None
    for r in rows:
        if r["family"] != family:
            if family is not None:
                table.add_row("", "")
            family = r["family"]
            table.add_row("", Text(family, style="bold underline"))
        head = Text(r["name"], style="bold")
        head.append(f"  {r['severity']}", style=_SEVERITY_STYLE.get(r["severity"], ""))
        table.add_row(r["code"], Text.assemble(head, "\n", r["summary"]))
    return table


_SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "blue"}


def _needs(spec: CheckSpec) -> list[str]:
    """What a check needs beyond the data: the command that runs it (when not scan), a model's
    predictions (the user's or the default) and the columns named with --group, --time, --study, --text or --image."""
    req = spec.requires
    needs = [] if spec.command() == "scan" else [f"`pitfall {spec.command()}`"]
    needs += ["model"] if req.get("model") else []
    return needs + [f"--{k}" for k in ("group", "time", "study", "text", "image") if req.get(k)]


def markdown_table(rows: list[dict]) -> str:
    """The registry as a Markdown table (the README's list of checks is this output)."""
    lines = ["| code | name | severity | needs | what it finds |", "|---|---|---|---|---|"]
    for r in rows:
        summary = r["summary"].replace("|", "\\|")
        lines.append(
            f"| {r['code']} | `{r['name']}` | {r['severity']} | {', '.join(r['needs']) or 'data'} | {summary} |"
        )
    return "\n".join(lines)


@click.command("explain")
@click.argument("code")
def explain_cmd(code: str) -> None:
    """Print what a check finds, why it matters and how to fix it (e.g. `pitfall explain PF202`)."""
    from pitfall.checks.registry import SPECS, get_spec

    try:
        spec = get_spec(code)
    except KeyError:
        raise ConfigError(f"no check has code {code!r}. Known codes: {', '.join(SPECS)}.") from None
    from rich.console import Console
    from rich.markdown import Markdown

    head = f"# {spec.code} {spec.name} ({spec.family}, default severity {spec.severity})\n\n"
    Console().print(Markdown(head + spec.docs))
