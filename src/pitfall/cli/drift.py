"""``pitfall drift``: compare current data with reference data and write a report."""

from __future__ import annotations

from pathlib import Path

import click

from pitfall.cli.scan import FORMATS, _check_output
from pitfall.errors import ConfigError, InputError


@click.command("drift")
@click.argument("reference", type=click.Path(path_type=Path))
@click.argument("current", type=click.Path(path_type=Path))
@click.option("--target", "-t", default=None, help="Label column (PF503 needs it in both files, PF505 in REFERENCE).")
@click.option("--time", "time_col", help="Column with the observation time of the current rows.")
@click.option("--window", help="Cut the current data into windows: a pandas offset like 1d, 7d, 1h or MS.")
@click.option("--id", "id_col", help="Row-identifier column (never compared).")
@click.option("--model", "model_path", type=click.Path(path_type=Path), help="Fitted model (joblib/pickle).")
@click.option("--trust-model", is_flag=True, help="Allow loading the model file (unpickling runs its code).")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=None, help="Seed for every random step [0].")
@click.option("--select", multiple=True, help="Codes or prefixes to run, e.g. PF501,PF503.")
@click.option("--ignore", multiple=True, help="Codes or prefixes to skip.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write the report to FILE.")
@click.option(
    "--fail-on", type=click.Choice(["error", "warning", "never"]), default=None,
    help="Exit 1 on findings at or above this level [error].",
)
@click.option(
    "--config", "config_path", type=click.Path(path_type=Path), help="pyproject.toml to read [tool.pitfall] from."
)
@click.option("--no-config", is_flag=True, help="Ignore [tool.pitfall] settings.")
@click.option("--quiet", "-q", is_flag=True, help="No terminal summary when writing a file.")
@click.option(
    "--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
    help="Where the chunks are read and summarised: this process, or a Dask cluster (pip install 'pitfall[dask]').",
)
@click.option("--scheduler", help="Dask scheduler address for --engine dask, e.g. tcp://host:8786 [a local cluster].")
def drift_cmd(
    reference, current, target, time_col, window, id_col, model_path, trust_model, seed, select, ignore, fmt, output,
    fail_on, config_path, no_config, quiet, engine, scheduler,
) -> int:
    """Compare CURRENT data with REFERENCE data: which features, labels and predictions drifted.

    \b
    Examples:
      pitfall drift reference.parquet current.parquet
      pitfall drift ref.csv cur.csv --time visit_date --window 7d --target no_show
      pitfall drift ref.parquet cur.parquet --model model.joblib --trust-model --format html -o drift.html
      pitfall drift ref.parquet cur.parquet --engine dask --scheduler tcp://scheduler:8786
    """
    from pitfall.config import load_config
    from pitfall.data.model import load_model
    from pitfall.monitoring.runner import drift

    if output is not None:
        _check_output(output, [reference, current, *(p for p in (model_path, config_path) if p is not None)])
    if config_path is not None and not config_path.is_file():
        what = "is a directory" if config_path.is_dir() else "no such file"
        raise ConfigError(f"{config_path}: {what}. Give --config the path of a pyproject.toml.")
    cfg = load_config(config_path) if not no_config else None
    model = load_model(model_path, trust=trust_model) if model_path else None
    fail_on = fail_on or (cfg.fail_on if cfg else None) or "error"
    if fail_on not in ("error", "warning", "never"):
        raise ConfigError(f"fail-on must be error, warning or never. Got {fail_on!r} instead.")
    report = drift(
        reference, current, target=target, time=time_col, window=window, id=id_col, model=model,
        select=list(select) or None, ignore=list(ignore) or None, config=cfg if cfg is not None else False, seed=seed,
        engine=engine, scheduler=scheduler,
    )
    if model_path:
        report.inputs["model"] = str(model_path)

    from pitfall.reporting.terminal import print_report

    rendered = {"json": report.to_json, "html": report.to_html, "junit": report.to_junit, "text": report.to_text}[fmt]
    if output is not None:
        text = rendered()
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{output}: cannot write the report ({exc.strerror}).") from None
        if not quiet:
            print_report(report)
            click.echo(f"Report written to {output}", err=True)
    elif fmt == "text":
        print_report(report)
    else:
        click.echo(rendered())
    return report.exit_code(fail_on)
