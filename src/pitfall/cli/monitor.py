"""``pitfall monitor``: workload, audited accuracy and drift of a ``pitfall serve`` store, per time window.

Read-only, so it can run from cron or CI against the live store: ``--format json`` for scripts, exit status 1 when
a finding reaches ``--fail-on`` (as ``pitfall scan`` and ``pitfall drift``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from pitfall.cli.report_options import check_output, load_settings, report_options, write_report
from pitfall.errors import ConfigError

FORMATS = ["text", "json", "html"]


def open_existing_store(url: str) -> Any:
    """A ``Store`` for an existing store at ``url`` (nothing is created), or a one-line ``ConfigError``."""
    try:
        import sqlalchemy as sa

        from pitfall.deploy.store import Store
    except ModuleNotFoundError as exc:
        raise ConfigError(
            f"monitoring needs the serve extra ({exc.name} is missing): pip install 'pitfall[serve]'."
        ) from None
    hint = "Use the --store URL that `pitfall serve` writes to, e.g. sqlite:///pitfall.db."
    try:
        url_obj = sa.engine.make_url(url)
    except Exception:
        raise ConfigError(f"--store {url!r}: not a database URL. {hint}") from None
    if (
        url_obj.get_backend_name() == "sqlite"
        and url_obj.database not in (None, "", ":memory:")
        and not Path(url_obj.database).is_file()
    ):
        raise ConfigError(f"--store {url!r}: no such database file {url_obj.database!r}. {hint}")
    try:
        store = Store(url, create=False)
        found = sa.inspect(store.engine).has_table("pitfall_items")
    except Exception as exc:  # SQLAlchemy raises several types for missing drivers and unreachable servers
        first = " ".join(str(exc).split())[:200]
        raise ConfigError(f"--store {url!r}: cannot open the store ({type(exc).__name__}: {first}). {hint}") from None
    if not found:
        store.close()
        raise ConfigError(f"--store {url!r}: not a pitfall store (no pitfall_items table). {hint}")
    return store


@click.command("monitor")
@click.option(
    "--store",
    "store_url",
    default="sqlite:///pitfall.db",
    show_default=True,
    help="Database of the service (SQLAlchemy URL); only read.",
)
@click.option(
    "--reference",
    type=click.Path(path_type=Path),
    help="Training data the stored records are compared with (PF501, PF504).",
)
@click.option("--target", "-t", default=None, help="Label column of --reference (left out of the comparison).")
@click.option("--model", "model_path", type=click.Path(path_type=Path), help="The served model, for PF504.")
@click.option("--trust-model", is_flag=True, help="Allow loading the model file (unpickling runs its code).")
@click.option(
    "--policy",
    "policy_path",
    type=click.Path(path_type=Path),
    help="policy.toml; its target_accuracy is what the audited accuracy is judged against (PF603).",
)
@click.option(
    "--window",
    default="1d",
    show_default=True,
    help="Cut time (UTC) into windows: a pandas offset like 1d, 7d, 1h or MS.",
)
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=None, help="Seed for every random step [0].")
@report_options(select_help="Codes or prefixes to run among PF501, PF504, PF603.", formats=FORMATS)
def monitor_cmd(
    store_url,
    reference,
    target,
    model_path,
    trust_model,
    policy_path,
    window,
    seed,
    select,
    ignore,
    fmt,
    output,
    fail_on,
    config_path,
    no_config,
    quiet,
) -> int:
    """Monitor a `pitfall serve` store: items, review rate, audited accuracy and drift per time window.

    \b
    Examples:
      pitfall monitor --store sqlite:///pitfall.db --reference train.csv --target label --policy policy.toml
      pitfall monitor --store sqlite:///pitfall.db --reference train.csv -t label \\
          --model model.joblib --trust-model --window 7d --format json -o monitor.json
    """
    from pitfall.data.model import load_model

    if output is not None:
        check_output(output, [p for p in (reference, model_path, policy_path, config_path) if p is not None])
    cfg, fail_on = load_settings(config_path, no_config, fail_on)
    if model_path is not None and reference is None:
        raise ConfigError("--model is for prediction drift (PF504), which needs --reference too.")
    if policy_path is not None:
        from pitfall.deploy.policy import read_policy

        read_policy(policy_path)  # a bad policy file is reported before the model is loaded
    model = load_model(model_path, trust=trust_model) if model_path else None
    store = open_existing_store(store_url)
    try:
        from pitfall.runners.monitor import monitor, text_table

        report = monitor(
            store,
            reference,
            model=model,
            policy=policy_path,
            window=window,
            target=target,
            seed=seed,
            config=cfg if cfg is not None else False,
            select=list(select) or None,
            ignore=list(ignore) or None,
        )
    finally:
        store.close()
    if model_path is not None:
        report.inputs["model"] = str(model_path)
    write_report(report, fmt, output, quiet, text_extra=text_table(report.metrics["monitor"]))
    return report.exit_code(fail_on)
