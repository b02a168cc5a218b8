"""``pitfall serve --workers N``: the app factory each uvicorn worker process calls.

uvicorn starts workers as fresh processes that import ``pitfall.serve.workers:app``; the served model, the policy
and the options reach them through a pickle file named by ``PITFALL_SERVE_CONFIG`` (written by ``configure``, in a
private temporary directory, readable by this user only). The store is the only state the workers share: items,
reviews, users and review sessions all live in it, so any worker can answer any request.
"""

from __future__ import annotations

import atexit
import os
import pickle
import shutil
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["ENV", "app", "configure"]

ENV = "PITFALL_SERVE_CONFIG"


def configure(*, store_url: str, model: Any, policy: Any, version: str, options: dict[str, Any]) -> Path:
    """Write what the workers need and point ``PITFALL_SERVE_CONFIG`` at it (inherited by the workers)."""
    options = dict(options)
    limiter = options.pop("rate_limit", None)
    if limiter is not None:
        options["rate_limit_per_minute"] = (limiter.requests * 60, limiter.bytes * 60 / 2**20)
    folder = Path(tempfile.mkdtemp(prefix="pitfall-serve-"))  # mode 0700
    atexit.register(shutil.rmtree, folder, True)  # when the parent exits; a restarted worker still finds it
    path = folder / "config.pickle"
    with open(path, "wb") as fh:
        pickle.dump(
            {"store_url": store_url, "model": model, "policy": policy, "version": version, "options": options}, fh
        )
    os.environ[ENV] = str(path)
    return path


def app() -> Any:
    """The app of one worker: its own store connection, the configured model and options."""
    from pitfall.deploy.store import Store
    from pitfall.serve.app import create_app
    from pitfall.serve.guard import RateLimit

    with open(os.environ[ENV], "rb") as fh:  # written by configure() in this user's private temporary folder
        config = pickle.load(fh)  # noqa: S301
    options = dict(config["options"])
    per_minute = options.pop("rate_limit_per_minute", None)
    if per_minute is not None:
        options["rate_limit"] = RateLimit(*per_minute)
    return create_app(Store(config["store_url"]), config["model"], config["policy"], config["version"], **options)
