"""``pitfall drift``: compare current data with reference data and write a report."""

from __future__ import annotations

from pathlib import Path

import click

from pitfall.cli.report_options import (
    FORMATS,
    check_output,
    finish_run,
    load_settings,
    record_options,
    report_options,
    write_report,
)


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
@report_options(select_help="Codes or prefixes to run, e.g. PF501,PF503.", formats=FORMATS)
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="Where the chunks are read and summarised: this process, or a Dask cluster (pip install 'pitfall[dask]').",
)
@click.option("--scheduler", help="Dask scheduler address for --engine dask, e.g. tcp://host:8786 [a local cluster].")
@record_options
def drift_cmd(
    reference,
    current,
    target,
    time_col,
    window,
    id_col,
    model_path,
    trust_model,
    seed,
    select,
    ignore,
    fmt,
    output,
    fail_on,
    config_path,
    no_config,
    quiet,
    engine,
    scheduler,
) -> int:
    """Compare CURRENT data with REFERENCE data: which features, labels and predictions drifted.

    \b
    Examples:
      pitfall drift reference.parquet current.parquet
      pitfall drift ref.csv cur.csv --time visit_date --window 7d --target no_show
      pitfall drift ref.parquet cur.parquet --model model.joblib --trust-model --format html -o drift.html
      pitfall drift ref.parquet cur.parquet --engine dask --scheduler tcp://scheduler:8786
    """
    from pitfall.data.model import load_model
    from pitfall.runners.drift import drift

    if output is not None:
        check_output(output, [reference, current, *(p for p in (model_path, config_path) if p is not None)])
    cfg, fail_on = load_settings(config_path, no_config, fail_on)
    model = load_model(model_path, trust=trust_model) if model_path else None
    report = drift(
        reference,
        current,
        target=target,
        time=time_col,
        window=window,
        id=id_col,
        model=model,
        select=list(select) or None,
        ignore=list(ignore) or None,
        config=cfg if cfg is not None else False,
        seed=seed,
        engine=engine,
        scheduler=scheduler,
    )
    if model_path:
        report.inputs["model"] = str(model_path)

    write_report(report, fmt, output, quiet)
    finish_run(
        "drift",
        report,
        cfg=cfg,
        inputs={"reference": reference, "current": current},
        seeds={"seed": report.inputs.get("seed", seed)},
        model_path=model_path,
        model=model,
        exit_code=report.exit_code(fail_on),
    )
    return report.exit_code(fail_on)
