"""Entry point: ``pitfall scan | checks | explain``. Errors become one line and exit status 2."""

from __future__ import annotations

import os
import sys
import traceback
import warnings

import click

from pitfall.cli.card import card_cmd
from pitfall.cli.drift import drift_cmd
from pitfall.cli.explain import checks_cmd, explain_cmd
from pitfall.cli.lint import lint_cmd
from pitfall.cli.monitor import monitor_cmd
from pitfall.cli.rerun import rerun_cmd
from pitfall.cli.retrain import models_cmd, retrain_cmd
from pitfall.cli.runs import runs_cmd
from pitfall.cli.scan import scan_cmd
from pitfall.cli.serve import serve_cmd, users_cmd
from pitfall.cli.thresholds import thresholds_cmd
from pitfall.errors import PitfallError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="pitfall", prog_name="pitfall")
def cli() -> None:
    """pitfall: find the pitfalls of an ML project before they reach a paper or a catalogue."""


cli.add_command(scan_cmd)
cli.add_command(checks_cmd)
cli.add_command(explain_cmd)
cli.add_command(drift_cmd)
cli.add_command(thresholds_cmd)
cli.add_command(serve_cmd)
cli.add_command(users_cmd)
cli.add_command(monitor_cmd)
cli.add_command(retrain_cmd)
cli.add_command(models_cmd)
cli.add_command(lint_cmd)
cli.add_command(runs_cmd)
cli.add_command(rerun_cmd)
cli.add_command(card_cmd)


# click >= 8.2 raises this for a bare ``pitfall``; older versions print the help themselves.
_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())


def _one_line(text: str) -> str:
    """Error messages are one line: parsers and libraries sometimes add their own newlines."""
    return " ".join(part.strip() for part in str(text).strip().splitlines() if part.strip())


def _usage_error(exc: click.ClickException) -> str:
    message = _one_line(exc.format_message()).rstrip(".")
    ctx = getattr(exc, "ctx", None)
    command = ctx.command_path if ctx is not None else "pitfall"
    return f"pitfall: error: {message}. Run `{command} --help` for usage."


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit status (0 clean, 1 findings, 2 bad usage or input).

    Every problem with what the user gave becomes one line on stderr starting with
    ``pitfall: error:``; library warnings are silenced because they would interleave with the
    report. ``PITFALL_DEBUG=1`` shows warnings and tracebacks.
    """
    debug = os.environ.get("PITFALL_DEBUG") == "1"
    with warnings.catch_warnings():
        if not debug:
            warnings.simplefilter("ignore")
        return _main(argv, debug)


def _main(argv: list[str] | None, debug: bool) -> int:
    try:
        args = list(argv) if argv is not None else sys.argv[1:]
        rv = cli.main(args=args, prog_name="pitfall", standalone_mode=False, obj={"argv": args})
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("pitfall: aborted", err=True)
        return 2
    except _NO_ARGS_IS_HELP as exc:
        exc.show()  # ``pitfall`` alone prints the help
        return 2
    except click.ClickException as exc:
        click.echo(_usage_error(exc), err=True)
        return 2
    except PitfallError as exc:
        if debug:
            traceback.print_exc()
        click.echo(f"pitfall: error: {_one_line(str(exc))}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("pitfall: interrupted", err=True)
        return 130
    except MemoryError:
        click.echo("pitfall: error: out of memory. Scan a sample of the rows (e.g. df.sample(n=500_000)).", err=True)
        return 2
    except Exception as exc:  # never show users a traceback unless they ask for one
        if debug:
            traceback.print_exc()
        first = _one_line(str(exc))
        click.echo(
            f"pitfall: internal error: {type(exc).__name__}: {first[:200]} "
            "(set PITFALL_DEBUG=1 for the traceback and report it)",
            err=True,
        )
        return 2
    return rv if isinstance(rv, int) else 0


def run() -> None:  # console_scripts target
    sys.exit(main())
