"""``pitfall rerun RUN``: re-execute a recorded run and check that its result comes back (PF701, PF702)."""

from __future__ import annotations

import click


@click.command("rerun")
@click.argument("run", default="last")
@click.option("--train-script", help='Your training command, e.g. "python train.py": run (twice) before the re-scan.')
@click.option("--trust-model", is_flag=True, help="Allow loading a model file that changed since the run.")
@click.option(
    "--timeout", type=click.FloatRange(0, min_open=True), default=None, help="Seconds each command may run [no limit]."
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "never"]),
    default="warning",
    show_default=True,
    help="Exit 1 on findings at or above this level.",
)
@click.option("--no-record", is_flag=True, help="Do not record the re-execution as a new run.")
def rerun_cmd(
    run: str,
    train_script: str | None,
    trust_model: bool,
    timeout: float | None,
    fmt: str,
    fail_on: str,
    no_record: bool,
) -> int:
    """Re-execute recorded RUN (default: the last one) and compare: reproduced, or PF701/PF702.

    The recorded command runs again from the project root; with --train-script your training
    command runs first, twice, and the two models it writes must agree. The re-execution is
    recorded as a new run (its parent is RUN); RUN itself is never changed.

    \b
    Examples:
      pitfall rerun last
      pitfall rerun 20260105-101500123-scan-3f2a1c --train-script "python train.py"
    """
    from pitfall.records import RunStore
    from pitfall.records.rerun import rerun

    result = rerun(
        RunStore.find(), run, train_script=train_script, trust_model=trust_model, timeout=timeout, record=not no_record
    )
    click.echo(result.to_json() if fmt == "json" else result.to_text(), nl=fmt == "json")
    return result.exit_code(fail_on)
