"""Entry point: ``pitfall scan | checks | explain``. Errors become one line and exit status 2."""

from __future__ import annotations

import os
import sys
import traceback

import click

from pitfall.cli.explain import checks_cmd, explain_cmd
from pitfall.cli.scan import scan_cmd
from pitfall.errors import PitfallError


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="pitfall", prog_name="pitfall")
def cli() -> None:
    """pitfall: find the pitfalls of an ML project before they reach a paper or a catalogue."""


cli.add_command(scan_cmd)
cli.add_command(checks_cmd)
cli.add_command(explain_cmd)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit status (0 clean, 1 findings, 2 bad usage or input)."""
    debug = os.environ.get("PITFALL_DEBUG") == "1"
    try:
        rv = cli.main(args=argv, prog_name="pitfall", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("pitfall: aborted", err=True)
        return 2
    except click.ClickException as exc:
        exc.show()
        return 2
    except PitfallError as exc:
        click.echo(f"pitfall: error: {exc}", err=True)
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
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        click.echo(
            f"pitfall: internal error: {type(exc).__name__}: {first[:200]} "
            "(set PITFALL_DEBUG=1 for the traceback and report it)",
            err=True,
        )
        return 2
    return rv if isinstance(rv, int) else 0


def run() -> None:  # console_scripts target
    sys.exit(main())
