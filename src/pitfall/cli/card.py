"""``pitfall card RUN -o card/``: model card, datasheet and REFORMS checklist written from a recorded run."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("card")
@click.argument("run", default="last")
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    default=Path("card"),
    show_default=True,
    help="Folder to write MODEL_CARD.md, DATASHEET.md, REFORMS.md, card.html and model_card.json to.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help="pyproject.toml to read [tool.pitfall.card] from [the nearest one].",
)
def card_cmd(run: str, output: Path, config_path: Path | None) -> int:
    """Write the model card, datasheet and REFORMS checklist of recorded RUN (default: the last run).

    Everything pitfall measured in the run is filled in (scores with confidence intervals,
    baselines, slices, calibration, seed churn, robustness, data composition, findings with
    their fixes). What only people know comes from [tool.pitfall.card] or is left as a question.

    \b
    Examples:
      pitfall scan train.csv test.csv -t label --record && pitfall card last -o card/
      pitfall card 20260105-101500123-scan-3f2a1c -o docs/card
    """
    from pitfall.cli.report_options import load_settings
    from pitfall.errors import InputError
    from pitfall.records import RunStore
    from pitfall.records.card import card_content, model_card_toolkit_json
    from pitfall.reporting.card import render_card, write_card

    if output.exists() and not output.is_dir():
        raise InputError(f"{output}: is a file. Give --output a folder name, e.g. card/.")
    cfg, _ = load_settings(config_path, False, None)
    record = RunStore.find().load(run)
    content = card_content(record, current_card=getattr(cfg, "card", None))
    files = render_card(content, model_card_toolkit_json(content))
    written = write_card(files, output)
    open_items = sum(1 for item in content["reforms"] if item["status"] == "open")
    click.echo(
        f"Card of run {record.id} written to {output}/ ({', '.join(p.name for p in written)}); "
        f"{len(content['questions'])} question(s) for people, {open_items} of 32 REFORMS items open.",
        err=True,
    )
    return 0
