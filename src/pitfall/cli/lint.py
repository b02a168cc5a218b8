"""``pitfall lint``: find leakage written in scripts and notebooks, without running them."""

from __future__ import annotations

from pathlib import Path

import click

from pitfall.cli.report_options import (
    check_output,
    finish_run,
    load_settings,
    record_options,
    report_options,
    write_report,
)

__all__ = ["lint_cmd"]

LINT_FORMATS = ["text", "json", "html", "sarif"]


@click.command("lint")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@report_options(select_help="Codes or prefixes to report, e.g. PF206,PF207.", formats=LINT_FORMATS)
@record_options
def lint_cmd(paths, select, ignore, fmt, output, fail_on, config_path, no_config, quiet) -> int:
    """Find leakage in PATHS: .py files, .ipynb notebooks, or folders holding them.

    \b
    Reads the code without running it and follows the data from where it is loaded to every
    fit and score: preprocessing (PF206) or feature selection (PF207) fitted before the split,
    the test set used for training or model selection (PF208), oversampling before the split
    (PF209), random splits of time series or repeated subjects (PF204, PF203), unseeded splits
    and models (PF702). `# pitfall: ignore[PF206]` on a line silences it.

    \b
    Examples:
      pitfall lint analysis.ipynb train.py src/
      pitfall lint notebooks/ --format sarif -o pitfall.sarif --fail-on warning
    """
    from pitfall.lint import lint

    if output is not None:
        check_output(output, [*paths, *(p for p in (config_path,) if p is not None)])
    cfg, fail_on = load_settings(config_path, no_config, fail_on)
    report = lint(
        list(paths), select=list(select) or None, ignore=list(ignore) or None, config=cfg if cfg is not None else False
    )
    if report.inputs.get("files", 0) == 0 and not report.findings:
        from pitfall.errors import InputError

        problems = "; ".join(report.notes) or "no .py or .ipynb files there"
        raise InputError(f"nothing to lint in {', '.join(map(str, paths))}: {problems}.")
    for note in report.notes:
        if any(word in note for word in (": cannot parse", ": not ", ": no such", "skipped", "internal error")):
            click.echo(f"pitfall: {note}", err=True)
    write_report(report, fmt, output, quiet)
    code = report.exit_code(fail_on)
    finish_run(
        "lint", report, cfg=cfg, inputs={f"path{i}": Path(p) for i, p in enumerate(paths)}, seeds={}, exit_code=code
    )
    return code
