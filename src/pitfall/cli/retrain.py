"""``pitfall retrain`` (refit the served model on reviewed items, promote it if not worse) and ``pitfall models``.

Exit status of ``pitfall retrain``: 0 the new version was promoted, 1 it was stored but not promoted (the report
says why), 2 bad usage or input.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from pitfall.cli.report_options import check_output, finish_run, record_options
from pitfall.cli.serve import open_store, store_option
from pitfall.errors import ConfigError


@click.command("retrain")
@click.option("--store", "store_url", required=True, help="Database of the service (SQLAlchemy URL).")
@click.option(
    "--train",
    "train_path",
    required=True,
    type=click.Path(path_type=Path),
    help="Training data of the promoted model (CSV, Parquet, JSON lines).",
)
@click.option("--target", "-t", required=True, help="Label column of the training and holdout data.")
@click.option(
    "--holdout",
    "holdout_path",
    required=True,
    type=click.Path(path_type=Path),
    help="Labelled data neither model is trained on; both are compared on it.",
)
@click.option("--trust-model", is_flag=True, help="Allow loading the stored model (unpickling runs its code).")
@click.option(
    "--margin",
    type=float,
    default=0.01,
    show_default=True,
    help="Promote only if the 95% lower bound of new − old score is at least −MARGIN.",
)
@click.option("--metric", default="auto", show_default=True, help="Metric of the comparison (auto: balanced accuracy).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the bootstrap, scans and refit.")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Also write the new model (joblib) to FILE.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "html"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(path_type=Path),
    help="Write the report to FILE instead of standard output.",
)
@record_options
def retrain_cmd(
    store_url, train_path, target, holdout_path, trust_model, margin, metric, seed, output, fmt, report_path
) -> int:
    """Refit the promoted model on the training data plus reviewed items; promote it only if it is not worse.

    The new version is compared with the promoted one on --holdout (paired bootstrap interval of the score
    difference, and pitfall's model checks). It is promoted when the interval's lower bound is at least
    -MARGIN and it has no error-level finding the old model lacks; otherwise it is stored unpromoted.
    Exit status: 0 promoted, 1 not promoted, 2 bad usage or input.

    \b
    Examples:
      pitfall retrain --store sqlite:///pitfall.db --train train.csv --target label --holdout holdout.csv --trust-model
      pitfall retrain --store URL --train train.parquet -t label --holdout h.csv --trust-model --format html \\
          --report retrain.html -o model-v2.joblib
    """
    from pitfall.runners.retrain import retrain

    inputs = [train_path, holdout_path]
    for path in (output, report_path):
        if path is not None:
            check_output(path, inputs)
    if output is not None and report_path is not None and output.resolve() == report_path.resolve():
        raise ConfigError(f"{output}: --output and --report name the same file. Give them different names.")
    store = open_store(store_url)
    try:
        result = retrain(
            store,
            train_path,
            holdout_path,
            target=target,
            trust_model=trust_model,
            margin=margin,
            metric=metric,
            seed=seed,
        )
    finally:
        store.close()
    if output is not None:
        output.write_bytes(result.data)
        result.notes.append(f"New model written to {output}.")
    rendered = {"text": result.to_text, "json": result.to_json, "html": result.to_html}[fmt]()
    if report_path is not None:
        report_path.write_text(rendered, encoding="utf-8")
        state = "promoted" if result.promoted else "not promoted"
        click.echo(f"pitfall: {result.version} {state}; report written to {report_path}", err=True)
    else:
        click.echo(rendered, nl=False)
    finish_run(
        "retrain",
        result,
        inputs={"train": train_path, "holdout": holdout_path, "new_model": output},
        seeds={"seed": seed},
        exit_code=result.exit_code(),
        load_config=True,
    )
    return result.exit_code()


@click.group("models")
def models_cmd() -> None:
    """Model versions kept by the review service."""


@models_cmd.command("list")
@store_option
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format."
)
def models_list_cmd(store_url: str, fmt: str) -> int:
    """List model versions: promoted flag, parent, rows used and the scores that decided promotion."""
    store = open_store(store_url)
    try:
        listing = store.list_models()
    finally:
        store.close()
    rows = [_listing_row(entry) for entry in listing]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return 0
    if not rows:
        click.echo("No model versions in the store.")
        return 0
    for row in rows:
        mark = "*" if row["promoted"] else " "
        stored = "file stored" if row["stored"] else "no file"
        parts = [f"{mark} {row['version']}", row["created_at"][:19].replace("T", " "), stored]
        if row["parent"]:
            parts.append(f"parent {row['parent']}")
        if row["n_train_rows"] is not None:
            parts.append(f"{row['n_train_rows']} train + {row['n_reviewed']} reviewed rows")
        score = row["scores"]
        if score:
            d = score["difference"]
            parts.append(
                f"{score['metric']} {_num(score['new']['estimate'])} vs parent "
                f"{_num(score['parent']['estimate'])}, diff {_num(d['estimate'], '+')} "
                f"[{_num(d['low'], '+')}, {_num(d['high'], '+')}]"
            )
        click.echo("  ".join(parts))
    click.echo("* promoted (the version the service predicts with)")
    return 0


def _num(value: float | None, sign: str = "") -> str:
    return "nan" if value is None else format(value, f"{sign}.3f")


def _listing_row(entry) -> dict:
    info, file = entry.info, entry.file
    evidence = file.scores if file is not None else {}
    scores = None
    found = evidence.get("scores")
    if isinstance(found, dict) and all(isinstance(found.get(k), dict) for k in ("parent", "new", "difference")):
        scores = {"metric": evidence.get("metric"), **found}
    return {
        "version": info.version,
        "promoted": info.promoted,
        "sha256": info.sha256,
        "classes": list(info.classes),
        "created_at": info.created_at.isoformat(),
        "stored": file is not None,
        "size": file.size if file is not None else None,
        "parent": file.parent if file is not None else None,
        "n_train_rows": file.n_train_rows if file is not None else None,
        "n_reviewed": len(file.reviewed_items) if file is not None else None,
        "scores": scores,
        "decision_reasons": evidence.get("reasons"),
    }
