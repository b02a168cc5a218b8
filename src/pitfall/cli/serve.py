"""``pitfall serve`` (the review service) and ``pitfall users add|list|revoke|rotate`` (reviewer tokens).

The service binds 127.0.0.1 unless told otherwise: it hands out predictions and accepts labels, so exposing it is
a decision the user makes with ``--host``, behind their own TLS proxy.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import click

from pitfall.errors import ConfigError


def open_store(url: str) -> Any:
    """A ``Store`` for ``url``, or a one-line ``ConfigError`` naming the problem."""
    try:
        from pitfall.deploy.store import Store
    except ModuleNotFoundError as exc:
        raise ConfigError(
            f"the service needs the serve extra ({exc.name} is missing): pip install 'pitfall[serve]'."
        ) from None
    try:
        return Store(url)
    except Exception as exc:  # SQLAlchemy raises several types for bad URLs, missing drivers, unreachable files
        first = " ".join(str(exc).split())[:200]
        raise ConfigError(
            f"--store {url!r}: cannot open the store ({type(exc).__name__}: {first}). "
            "Use a URL like sqlite:///pitfall.db or postgresql+psycopg://user@host/db."
        ) from None


@click.command("serve")
@click.argument("model_path", metavar="[MODEL]", required=False, type=click.Path(path_type=Path))
@click.option("--trust-model", is_flag=True, help="Allow loading the model file (unpickling runs its code).")
@click.option(
    "--policy",
    "policy_path",
    required=True,
    type=click.Path(path_type=Path),
    help="policy.toml with the thresholds and safety rules (see `pitfall thresholds`).",
)
@click.option(
    "--store",
    "store_url",
    default="sqlite:///pitfall.db",
    show_default=True,
    help="Database for items and reviews (SQLAlchemy URL).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to bind.")
@click.option(
    "--secure-cookie",
    is_flag=True,
    help="Mark the review page's session cookie Secure: for a service reached over HTTPS (a TLS proxy).",
)
@click.option(
    "--image-root",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Folder the review page shows records' image paths from (paths outside it are refused).",
)
@click.option(
    "--reference",
    "reference_path",
    type=click.Path(path_type=Path),
    help="Training data the monitoring page (/monitor) compares the served records with, for drift.",
)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    metavar="NAME",
    help="A host name clients may use in the Host header, besides loopback (repeat; '*' for any). "
    "Give the public name when a proxy forwards to the service.",
)
@click.option(
    "--allowed-origin",
    "allowed_origins",
    multiple=True,
    metavar="URL",
    help="A browser origin (https://name[:port]) allowed to POST, besides the allowed hosts' own (repeat).",
)
@click.option(
    "--rate-limit",
    default="6000,120",
    show_default=True,
    metavar="REQUESTS,MIB",
    help="Per client address and minute: anonymous /predict requests and body MiB (0,0 turns it off).",
)
@click.option(
    "--public",
    "public",
    default="items,metrics,openapi",
    show_default=True,
    metavar="READS",
    help="What anonymous clients may read, comma-separated among items, metrics, version, openapi, docs "
    "('none' for nothing); the rest needs a reviewer token. docs loads scripts from a CDN.",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="uvicorn worker processes; the store is their only shared state.",
)
def serve_cmd(
    model_path: Path | None,
    trust_model: bool,
    policy_path: Path,
    store_url: str,
    host: str,
    port: int,
    secure_cookie: bool = False,
    reference_path: Path | None = None,
    allowed_hosts: tuple[str, ...] = (),
    allowed_origins: tuple[str, ...] = (),
    rate_limit: str = "6000,120",
    workers: int = 1,
    public: str = "items,metrics,openapi",
    image_root: Path | None = None,
) -> int:
    """Serve MODEL over HTTP: predictions are routed by the policy, stored, and queued for review.

    Without MODEL, serve the store's promoted version (the one `pitfall retrain` promoted) from the model
    file kept in the store. A MODEL file is kept in the store too, so it can be retrained later.

    \b
    Examples:
      pitfall serve model.joblib --trust-model --policy policy.toml --store sqlite:///pitfall.db
      pitfall serve --trust-model --policy policy.toml --store sqlite:///pitfall.db
      pitfall users add alice --store sqlite:///pitfall.db
    """
    from pitfall.data.model import load_model
    from pitfall.deploy.policy import read_policy

    limits = _rate_limit(rate_limit)
    reads = _public(public)
    policy = read_policy(policy_path)
    reference = _read_reference(reference_path)
    model = load_model(model_path, trust=trust_model) if model_path is not None else None
    try:
        import uvicorn

        from pitfall.serve.app import create_app, ensure_model
    except ModuleNotFoundError as exc:
        raise ConfigError(
            f"the service needs the serve extra ({exc.name} is missing): pip install 'pitfall[serve]'."
        ) from None
    store = open_store(store_url)
    if model_path is None:
        version, model = _promoted_from_store(store, store_url, trust_model)
        source = "the store"
    else:
        data = model_path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        version = f"{model_path.stem}-{digest[:12]}"
        ensure_model(store, version, model, model_path)
        _keep_model_file(store, version, data)
        source = str(model_path)
    from pitfall.serve.guard import LOOPBACK, RateLimit

    hosts = (*LOOPBACK, *allowed_hosts)
    if host not in ("127.0.0.1", "localhost", "::1", "0.0.0.0", "::") and host not in hosts:
        hosts = (*hosts, host)  # the address it binds is a name clients may use
    options = {
        "secure_cookie": secure_cookie,
        "reference": reference,
        "allowed_hosts": hosts,
        "allowed_origins": allowed_origins,
        "rate_limit": RateLimit(*limits),
        "public": reads,
        "image_root": image_root,
    }
    click.echo(f"pitfall: serving {source} as {version} on http://{host}:{port} (store {store.url!r})", err=True)
    if workers == 1:
        uvicorn.run(create_app(store, model, policy, version, **options), host=host, port=port, log_level="warning")
        return 0
    store.close()
    from pitfall.serve import workers as worker_app

    worker_app.configure(store_url=store_url, model=model, policy=policy, version=version, options=options)
    uvicorn.run("pitfall.serve.workers:app", factory=True, host=host, port=port, workers=workers, log_level="warning")
    return 0


def _public(value: str) -> frozenset[str]:
    names = frozenset(part.strip() for part in value.split(",") if part.strip() and part.strip() != "none")
    known = ("items", "metrics", "version", "openapi", "docs")
    unknown = sorted(names - set(known))
    if unknown:
        raise ConfigError(f"--public must name reads among {', '.join(known)} (or 'none'). Got {', '.join(unknown)}.")
    return names


def _rate_limit(value: str) -> tuple[float, float]:
    try:
        requests, mib = (float(part) for part in value.split(","))
        if requests < 0 or mib < 0:
            raise ValueError
    except ValueError:
        raise ConfigError(
            f"--rate-limit must be REQUESTS,MIB per minute (e.g. 6000,120; 0,0 turns it off). Got {value!r} instead."
        ) from None
    return requests, mib


def _promoted_from_store(store: Any, store_url: str, trust_model: bool) -> tuple[str, Any]:
    """The promoted version and its model, unpickled from the bytes kept in the store."""
    from pitfall.deploy.model_files import load_stored_model

    info = store.promoted_model()
    if info is None:
        store.close()
        raise ConfigError(f"--store {store_url!r} has no promoted model. Give a MODEL file to serve.")
    try:
        return info.version, load_stored_model(store, info.version, trust=trust_model)
    except Exception:
        store.close()
        raise


def _keep_model_file(store: Any, version: str, data: bytes) -> None:
    """Store the served file's bytes once, so `pitfall retrain` has the parent; a replica doing it too is fine."""
    if store.model_file(version) is not None:
        return
    try:
        store.save_model_file(version, data)
    except ValueError:
        if store.model_file(version) is None:
            raise


def _read_reference(path: Path | None) -> Any:
    """The training data for the monitoring page's drift, read before the service starts (a bad file stops it)."""
    if path is None:
        return None
    from pitfall.data.load import read_table

    return read_table(path)


store_option = click.option(
    "--store",
    "store_url",
    default="sqlite:///pitfall.db",
    show_default=True,
    help="Database of the service (SQLAlchemy URL).",
)


@click.group("users")
def users_cmd() -> None:
    """Manage reviewers of the review service."""


@users_cmd.command("add")
@click.argument("name")
@store_option
def users_add_cmd(name: str, store_url: str) -> int:
    """Create reviewer NAME and print their token (shown once: only a hash is stored)."""
    store = open_store(store_url)
    try:
        token = store.add_user(name)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    finally:
        store.close()
    click.echo(token)
    return 0


@users_cmd.command("list")
@store_option
def users_list_cmd(store_url: str) -> int:
    """List reviewers: name, when their token was made, open review-page sessions."""
    store = open_store(store_url)
    try:
        listing = store.list_users()
    finally:
        store.close()
    if not listing:
        click.echo("no reviewers yet: add one with `pitfall users add NAME`.", err=True)
    for user in listing:
        click.echo(f"{user.name}\t{user.created_at.isoformat(timespec='seconds')}\t{user.sessions} open session(s)")
    return 0


@users_cmd.command("revoke")
@click.argument("name")
@store_option
def users_revoke_cmd(name: str, store_url: str) -> int:
    """Delete reviewer NAME: their token stops working and their sessions end at once (their reviews stay)."""
    store = open_store(store_url)
    try:
        store.revoke_user(name)
    except ValueError as exc:
        raise ConfigError(f"{exc} See `pitfall users list`.") from None
    finally:
        store.close()
    click.echo(f"revoked {name}: their token and sessions no longer work.", err=True)
    return 0


@users_cmd.command("rotate")
@click.argument("name")
@store_option
def users_rotate_cmd(name: str, store_url: str) -> int:
    """Give reviewer NAME a new token (printed once); the old one stops working and their sessions end."""
    store = open_store(store_url)
    try:
        token = store.rotate_token(name)
    except ValueError as exc:
        raise ConfigError(f"{exc} See `pitfall users list`.") from None
    finally:
        store.close()
    click.echo(token)
    return 0
