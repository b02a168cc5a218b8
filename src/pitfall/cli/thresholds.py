"""``pitfall thresholds``: choose the confidence at which predictions are accepted, reviewed or withheld."""

from __future__ import annotations

from pathlib import Path

import click

from pitfall.cli.report_options import check_output, finish_run, record_options
from pitfall.errors import ConfigError


@click.command("thresholds")
@click.argument("model_path", metavar="MODEL", type=click.Path(path_type=Path))
@click.argument("valid", metavar="VALID", type=click.Path(path_type=Path))
@click.option("--target", "-t", required=True, help="Label column of VALID.")
@click.option("--trust-model", is_flag=True, help="Allow loading the model file (unpickling runs its code).")
@click.option(
    "--accuracy",
    type=float,
    default=0.98,
    show_default=True,
    help="Accuracy the auto-accepted predictions must reach (95% lower confidence bound).",
)
@click.option(
    "--review-floor",
    type=float,
    default=None,
    help="Confidence below which suggestions are withheld [where the model stops beating the commonest label].",
)
@click.option(
    "--max-review-share",
    type=float,
    default=0.5,
    show_default=True,
    help="Share of items left to people above which PF602 warns.",
)
@click.option("--per-label", is_flag=True, help="Also choose one accept threshold per predicted label.")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write the policy (TOML) to FILE.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "html"]),
    default="text",
    show_default=True,
    help="Report printed on stdout.",
)
@record_options
def thresholds_cmd(
    model_path,
    valid,
    target,
    trust_model,
    accuracy,
    review_floor,
    max_review_share,
    per_label,
    output,
    fmt,
) -> int:
    """Choose confidence thresholds for MODEL on labelled VALID data: accept, review or abstain.

    The accept threshold is the lowest confidence whose accepted predictions reach --accuracy
    with 95% confidence. Exit status 1 when no threshold reaches it (PF602 error).

    \b
    Examples:
      pitfall thresholds model.joblib --trust-model valid.csv --target label --accuracy 0.98
      pitfall thresholds model.joblib --trust-model valid.parquet -t label --per-label -o policy.toml
      pitfall thresholds model.joblib --trust-model valid.csv -t label --format html > thresholds.html
    """
    from pitfall.data.load import read_table
    from pitfall.data.model import load_model
    from pitfall.deploy.policy import read_policy, write_policy
    from pitfall.runners.thresholds import thresholds, validate_options

    validate_options(accuracy, review_floor, max_review_share)
    kept = []
    if output is not None:
        check_output(output, [model_path, valid])
        if output.exists():
            try:
                kept = read_policy(output).safety
            except ConfigError:
                raise ConfigError(
                    f"{output}: exists and is not a policy file. Choose another --output name or remove it."
                ) from None
    model = load_model(model_path, trust=trust_model)
    data = read_table(valid)
    result = thresholds(
        model,
        data,
        target=target,
        accuracy=accuracy,
        review_floor=review_floor,
        max_review_share=max_review_share,
        per_label=per_label,
    )
    if output is not None:
        if result.accept is None:
            result.notes.append(f"No policy written to {output}: no threshold meets the target.")
        else:
            if kept:
                result.notes.append(f"Kept {len(kept)} [[safety]] rule(s) from the existing {output}.")
            header = (
                f"pitfall thresholds {model_path.name} {valid.name} --target {target} --accuracy {accuracy:g}".replace(
                    "\n", " "
                )
            )
            write_policy(result.to_policy(kept), output, header=header)
            result.notes.append(f"Policy written to {output}.")
    rendered = {"text": result.to_text, "json": result.to_json, "html": result.to_html}[fmt]()
    click.echo(rendered, nl=False)
    finish_run(
        "thresholds",
        result,
        inputs={"valid": valid},
        seeds={},
        model_path=model_path,
        model=model,
        exit_code=result.exit_code(),
        load_config=True,
    )
    return result.exit_code()
