"""``pitfall scan``: scan data files (and optionally a model) and write a report."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
from pitfall.errors import ConfigError
from pitfall.runners.scan_inputs import SCAN_INPUTS, ScanInput, scan_kwargs

__all__ = ["FORMATS", "scan_cmd"]


def _click_type(item: ScanInput) -> Any:
    if item.choices:
        return click.Choice(list(item.choices))
    return {
        "path": click.Path(path_type=Path),
        "share": click.FloatRange(0, 1, min_open=True, max_open=True),
        "positive": click.FloatRange(0, min_open=True),
        "seed": click.IntRange(0, 2**32 - 1),
    }.get(item.kind)


def scan_input_options(command: Callable) -> Callable:
    """The options of ``pitfall scan`` made from ``SCAN_INPUTS``, the table ``scan()`` documents too."""
    for item in reversed(SCAN_INPUTS):
        flags = [item.flag, *([item.short] if item.short else [])]
        command = click.option(
            *flags, item.name, multiple=item.many, type=_click_type(item), default=None, help=item.help
        )(command)
    return command


@click.command("scan")
@click.argument("data", nargs=-1, required=True, type=click.Path(path_type=Path))
@scan_input_options
@click.option("--model", "model_path", type=click.Path(path_type=Path), help="Fitted model (joblib/pickle).")
@click.option("--trust-model", is_flag=True, help="Allow loading the model file (unpickling runs its code).")
@report_options(quiet_help="No progress bar and no terminal summary when writing a file.")
@record_options
def scan_cmd(
    data,
    model_path,
    trust_model,
    select,
    ignore,
    fmt,
    output,
    fail_on,
    config_path,
    no_config,
    quiet,
    **values,
) -> int:
    """Scan DATA for ML pitfalls: `TRAIN TEST` files, or one file that pitfall splits.

    \b
    Examples:
      pitfall scan train.csv test.csv --target label --group galaxy_id
      pitfall scan data.parquet --target label --split group --group galaxy_id
      pitfall scan train.csv test.csv -t label --model model.joblib --trust-model --format html -o report.html
      pitfall scan images/            # images/<label>/*.png, or images/train/<label>/ + images/test/<label>/
    """
    from pitfall.data.model import load_model
    from pitfall.runners.scan import scan

    if len(data) > 2:
        raise ConfigError(
            f"give one data file, or a train and a test file. Got {len(data)} files "
            f"({', '.join(map(str, data))}). Concatenate extra files first."
        )
    if len(data) == 2 and values.get("test_size") is not None:
        raise ConfigError(
            "--test-size is for one data file that pitfall splits; with a train and a test file, leave it out."
        )
    if output is not None:
        check_output(output, [*data, *(p for p in (model_path, config_path) if p is not None)])
    cfg, fail_on = load_settings(config_path, no_config, fail_on)
    model = load_model(model_path, trust=trust_model) if model_path else None

    show_progress = not quiet and sys.stderr.isatty()
    progress = None
    on_progress = None
    if show_progress:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            transient=True,
        )
        progress.start()
        task_id = progress.add_task("loading", total=None)

        def on_progress(code: str, done: int, total: int) -> None:
            from pitfall.checks.registry import SPECS

            label = f"{code} {SPECS[code].name}" if code in SPECS else code
            progress.update(task_id, description=label, completed=done, total=total)

    try:
        report = scan(
            data[0],
            data[1] if len(data) == 2 else None,
            **scan_kwargs(values),
            model=model,
            select=list(select) or None,
            ignore=list(ignore) or None,
            config=cfg if cfg is not None else False,
            on_progress=on_progress,
        )
    finally:
        if progress is not None:
            progress.stop()
    if model_path:
        report.inputs["model"] = str(model_path)

    write_report(report, fmt, output, quiet)
    inputs = {
        "train" if len(data) == 2 else "data": data[0],
        "test": data[1] if len(data) == 2 else None,
        "rules": values.get("rules"),
    }
    finish_run(
        "scan",
        report,
        cfg=cfg,
        inputs=inputs,
        seeds={"seed": report.inputs["seed"]},
        model_path=model_path,
        model=model,
        exit_code=report.exit_code(fail_on),
    )
    return report.exit_code(fail_on)
