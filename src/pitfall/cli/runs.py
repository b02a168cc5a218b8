"""``pitfall runs list`` and ``pitfall runs diff A B``: the recorded runs of this project."""

from __future__ import annotations

import json

import click


@click.group("runs")
def runs_cmd() -> None:
    """Recorded runs (.pitfall/runs/): list them, compare two."""


@runs_cmd.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def runs_list_cmd(fmt: str) -> int:
    """List recorded runs, oldest first: command, findings, data and model hashes, headline score."""
    from pitfall.records import RunStore

    store = RunStore.find()
    rows = store.listing()
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return 0
    if not rows:
        click.echo(f"No recorded runs in {store.runs}. Record one with `pitfall scan ... --record`.")
        return 0
    for row in rows:
        if row["problem"]:
            click.echo(f"{row['id']}  unreadable: {row['problem']}")
            continue
        counts = f"{row['errors'] or 0}E {row['warnings'] or 0}W {row['infos'] or 0}I"
        parts = [row["id"], f"{row['command']:<10}", counts, f"data {row['data'] or '-'}"]
        if row["model"]:
            parts.append(f"model:{row['model'][:8]}")
        if row["git_commit"]:
            parts.append(f"git {row['git_commit'][:8]}{'+dirty' if row['git_dirty'] else ''}")
        first = next(iter(row["metrics"].items()), None)
        if first:
            name, ci = first
            if ci.get("estimate") is not None and ci.get("low") is not None:
                parts.append(f"{name} {ci['estimate']:.3f} [{ci['low']:.3f}, {ci['high']:.3f}]")
        if row["parent"]:
            parts.append(f"rerun of {row['parent']}")
        click.echo("  ".join(parts))
    return 0


@runs_cmd.command("diff")
@click.argument("a")
@click.argument("b")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def runs_diff_cmd(a: str, b: str, fmt: str) -> int:
    """What changed between runs A and B: data, code and settings, environment, numbers.

    A and B are run ids, unique prefixes or suffixes of one, or `last`.
    """
    from pitfall.records import RunStore
    from pitfall.records.diff import diff_runs, render_diff

    store = RunStore.find()
    diff = diff_runs(store.load(a), store.load(b))
    click.echo(json.dumps(diff, indent=2) if fmt == "json" else render_diff(diff), nl=fmt == "json")
    return 0
