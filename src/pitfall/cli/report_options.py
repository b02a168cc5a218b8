"""What ``scan``, ``drift`` and ``monitor`` share: report options, settings and writing the report.

The three commands end the same way (select checks, pick a format, write a file or print, exit by
``--fail-on``), so the options and their handling live here once and read the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from pitfall.errors import ConfigError, InputError

FORMATS = ["text", "json", "html", "junit", "sarif"]


def report_options(
    *,
    select_help: str = "Codes or prefixes to run, e.g. PF2,PF401.",
    quiet_help: str = "No terminal summary when writing a file.",
    formats: Sequence[str] = FORMATS,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The options every reporting command takes, as one decorator (after the command's own)."""
    options = [
        click.option("--select", multiple=True, help=select_help),
        click.option("--ignore", multiple=True, help="Codes or prefixes to skip."),
        click.option("--format", "fmt", type=click.Choice(list(formats)), default="text", show_default=True),
        click.option("--output", "-o", type=click.Path(path_type=Path), help="Write the report to FILE."),
        click.option(
            "--fail-on",
            type=click.Choice(["error", "warning", "never"]),
            default=None,
            help="Exit 1 on findings at or above this level [error].",
        ),
        click.option(
            "--config",
            "config_path",
            type=click.Path(path_type=Path),
            help="pyproject.toml to read [tool.pitfall] from.",
        ),
        click.option("--no-config", is_flag=True, help="Ignore [tool.pitfall] settings."),
        click.option("--quiet", "-q", is_flag=True, help=quiet_help),
    ]

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


def load_settings(config_path: Path | None, no_config: bool, fail_on: str | None) -> tuple[Any, str]:
    """``[tool.pitfall]`` (None with ``--no-config``) and the ``--fail-on`` level it and the flag give."""
    from pitfall.config import load_config

    if config_path is not None and not config_path.is_file():
        what = "is a directory" if config_path.is_dir() else "no such file"
        raise ConfigError(f"{config_path}: {what}. Give --config the path of a pyproject.toml.")
    cfg = load_config(config_path) if not no_config else None
    level = fail_on or (cfg.fail_on if cfg else None) or "error"
    if level not in ("error", "warning", "never"):
        raise ConfigError(f"fail-on must be error, warning or never. Got {level!r} instead.")
    return cfg, level


def check_output(output: Path, inputs: Sequence[Path]) -> None:
    """Refuse before working: an unwritable --output would waste the run, an input path would
    destroy the user's data."""
    if output.is_dir():
        raise InputError(f"{output}: is a directory. Give a file name for --output, e.g. {output / 'report.html'}.")
    resolved = output.resolve()
    for path in inputs:
        if path.exists() and path.resolve() == resolved:
            raise InputError(f"{output}: --output would overwrite the input file {path}. Choose another name.")
    parent = resolved.parent
    if not parent.is_dir():
        raise InputError(f"{output}: the folder {output.parent} does not exist. Create it first.")


def write_report(report: Any, fmt: str, output: Path | None, quiet: bool, *, text_extra: str = "") -> None:
    """Print or write ``report`` in ``fmt``; ``text_extra`` follows the findings in the text format."""
    from pitfall.reporting.terminal import print_report

    rendered = {
        "json": report.to_json,
        "html": report.to_html,
        "junit": report.to_junit,
        "sarif": report.to_sarif,
        "text": lambda: report.to_text() + text_extra,
    }[fmt]
    if output is not None:
        try:
            output.write_text(rendered(), encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{output}: cannot write the report ({exc.strerror}).") from None
        if not quiet:
            print_report(report)
            click.echo(f"Report written to {output}", err=True)
    elif fmt == "text":
        print_report(report)
        click.echo(text_extra, nl=False)
    else:
        click.echo(rendered())


_DEFAULT_MLFLOW = "sqlite:///mlflow.db"


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    ctx.meta[f"pitfall.{param.name}"] = value
    return value


def record_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--record`` and ``--mlflow [URI]`` for a command that ends with :func:`finish_run`.

    The values go to the click context rather than the command's parameters, so adding them to a
    command is this decorator and one ``finish_run`` call.
    """
    func = click.option(
        "--mlflow",
        "mlflow",
        is_flag=False,
        flag_value="",
        default=None,
        metavar="[URI]",
        expose_value=False,
        callback=_remember,
        help="Log the run to an MLflow tracking store [MLFLOW_TRACKING_URI, else sqlite:///mlflow.db] "
        "(pip install 'pitfall[mlflow]').",
    )(func)
    return click.option(
        "--record/--no-record",
        "record",
        default=None,
        expose_value=False,
        callback=_remember,
        help="Record the run under .pitfall/runs/ for `pitfall runs`, `rerun` and `card` [record in [tool.pitfall]].",
    )(func)


def finish_run(
    command: str,
    report: Any,
    *,
    cfg: Any = None,
    inputs: dict[str, Path | None],
    seeds: dict[str, Any],
    model_path: Path | None = None,
    model: Any = None,
    exit_code: int | None = None,
    load_config: bool = False,
) -> None:
    """Record the run and/or log it to MLflow when ``--record``/``record = true``/``--mlflow`` ask for it."""
    import os
    import sys

    ctx = click.get_current_context()
    record = ctx.meta.get("pitfall.record")
    mlflow_uri = ctx.meta.get("pitfall.mlflow")
    if load_config and cfg is None:
        from pitfall.config import load_config as read_config

        try:
            cfg = read_config()
        except ConfigError as exc:  # the command's own work is done: say why it is not recorded, keep its exit
            if record is None and mlflow_uri is None:
                return
            click.echo(f"pitfall: warning: [tool.pitfall] not read for the run record ({exc})", err=True)
    if record is None:
        record = bool(getattr(cfg, "record", False))
    if not record and mlflow_uri is None:
        return
    if mlflow_uri == "":
        mlflow_uri = os.environ.get("MLFLOW_TRACKING_URI") or _DEFAULT_MLFLOW
    obj = ctx.find_root().obj
    argv = list(obj["argv"]) if isinstance(obj, dict) and "argv" in obj else sys.argv[1:]
    from pitfall.records import record_run

    done = record_run(
        command,
        argv,
        cfg,
        inputs,
        report,
        seeds,
        model_path,
        model=model,
        exit_code=exit_code,
        record=record,
        mlflow_uri=mlflow_uri,
        parent=os.environ.get("PITFALL_RERUN_OF") or None,
    )
    if done.folder is not None:
        click.echo(f"Run recorded: {done.id} (see `pitfall runs list`, `pitfall card {done.id}`)", err=True)
    if done.mlflow_run is not None:
        click.echo(f"Logged to MLflow ({mlflow_uri}): run {done.mlflow_run}", err=True)
