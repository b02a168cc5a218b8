"""``pitfall scan``: scan data files (and optionally a model) and write a report."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pitfall.cli.report_options import FORMATS, check_output, load_settings, report_options, write_report
from pitfall.errors import ConfigError

__all__ = ["FORMATS", "scan_cmd"]


@click.command("scan")
@click.argument("data", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--target", "-t", help="Label column (an image folder's labels are its folder names).")
@click.option("--group", help="Column naming the object each row belongs to (galaxy, patient).")
@click.option("--time", "time_col", help="Column with the observation time.")
@click.option("--id", "id_col", help="Row-identifier column (never used as a feature).")
@click.option("--study", multiple=True, help="Feature(s) the study is about (PF302), e.g. colour.")
@click.option("--sensitive", multiple=True, help="Column(s) whose groups must be served equally (PF303).")
@click.option("--text", "text_cols", multiple=True, help="Column(s) of free text (TF-IDF model, text checks).")
@click.option("--image", "image_cols", multiple=True,
              help="Column(s) of image paths, relative to the data file's folder (pixel model, image checks).")
@click.option("--rules", "rules_path", type=click.Path(path_type=Path),
              help="CSV of regular expressions and labels (pattern,label): a rule baseline for PF401.")
@click.option("--embed", help="module:function mapping a list of texts (or image paths) to a 2-D array.")
@click.option("--model", "model_path", type=click.Path(path_type=Path), help="Fitted model (joblib/pickle).")
@click.option("--trust-model", is_flag=True, help="Allow loading the model file (unpickling runs its code).")
@click.option("--split", type=click.Choice(["random", "group", "time"]), help="How to split one data file.")
@click.option(
    "--test-size", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=None,
    help="Share of rows for test when splitting [0.2].",
)
@click.option("--task", type=click.Choice(["binary", "multiclass", "regression"]), help="Override the inferred task.")
@click.option(
    "--metric", default=None,
    help="auto, accuracy, balanced_accuracy, f1_macro, roc_auc, average_precision, r2, mae, rmse.",
)
@click.option(
    "--claimed-precision", type=click.FloatRange(0, min_open=True), default=None,
    help="± you will quote the score with: PF403 warns when the test set cannot support it [none: info against 0.05].",
)
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=None, help="Seed for every random step [0].")
@report_options(quiet_help="No progress bar and no terminal summary when writing a file.")
def scan_cmd(
    data, target, group, time_col, id_col, study, sensitive, text_cols, image_cols, rules_path, embed, model_path,
    trust_model, split, test_size, task, metric,
    claimed_precision, seed, select, ignore, fmt, output, fail_on, config_path, no_config, quiet,
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
    from pitfall.runner import scan

    if len(data) > 2:
        raise ConfigError(
            f"give one data file, or a train and a test file. Got {len(data)} files "
            f"({', '.join(map(str, data))}). Concatenate extra files first."
        )
    if len(data) == 2 and test_size is not None:
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
            TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(), transient=True,
        )
        progress.start()
        task_id = progress.add_task("loading", total=None)

        def on_progress(code: str, done: int, total: int) -> None:
            from pitfall.checks.registry import CHECKS

            label = f"{code} {CHECKS[code].name}" if code in CHECKS else code
            progress.update(task_id, description=label, completed=done, total=total)

    try:
        report = scan(
            data[0],
            data[1] if len(data) == 2 else None,
            target=target, group=group, time=time_col, id=id_col, study=list(study), sensitive=list(sensitive),
            text=list(text_cols), image=list(image_cols), rules=rules_path, embed=embed, model=model, split=split,
            test_size=test_size, task=task, metric=metric, seed=seed, select=list(select) or None,
            ignore=list(ignore) or None, config=cfg if cfg is not None else False,
            claimed_precision=claimed_precision, on_progress=on_progress,
        )
    finally:
        if progress is not None:
            progress.stop()
    if model_path:
        report.inputs["model"] = str(model_path)

    write_report(report, fmt, output, quiet)
    return report.exit_code(fail_on)

