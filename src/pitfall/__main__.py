"""``python -m pitfall``: the command line, as ``pitfall`` (``pitfall rerun`` re-executes runs this way)."""

from pitfall.cli.main import run

if __name__ == "__main__":
    run()
