"""Model files kept in the store: serialize a model to joblib bytes, name its version, load it back.

The store keeps each version's bytes so that ``pitfall retrain`` has the parent it refits and ``pitfall serve``
can serve the promoted version without a file. Unpickling runs code stored in the bytes, so loading needs the
same ``--trust-model`` consent as loading a file, and the bytes must match the sha256 the version was
registered with.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import re
from typing import TYPE_CHECKING, Any

from pitfall.data.model import check_model
from pitfall.errors import ConfigError, ModelError

if TYPE_CHECKING:
    from pitfall.deploy.store import Store

__all__ = ["dump_model", "load_stored_model", "version_for"]

_HASH_SUFFIX = re.compile(r"-[0-9a-f]{12}$")


def dump_model(model: Any) -> bytes:
    """The joblib serialization of ``model`` (what ``joblib.dump`` would write to a file)."""
    import joblib

    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    return buffer.getvalue()


def version_for(stem: str, data: bytes) -> str:
    """``<stem>-<first 12 hex digits of sha256>``, the naming ``pitfall serve`` uses for a model file.

    A stem that already ends in such a hash (a retrained model's parent) loses it, so lineages read
    ``model-1a2b…``, ``model-3c4d…`` rather than growing a hash per generation."""
    return f"{_HASH_SUFFIX.sub('', stem) or 'model'}-{hashlib.sha256(data).hexdigest()[:12]}"


def load_stored_model(store: Store, version: str, *, trust: bool) -> Any:
    """Unpickle the stored bytes of ``version``.

    Raises:
        ConfigError: The version is not registered or its bytes were never stored.
        ModelError: Loading is not trusted, the bytes do not match the registered sha256, or they do not
            unpickle into a model.
    """
    info = store.get_model(version)
    if info is None:
        raise ConfigError(f"model version {version!r} is not in the store. Run `pitfall models list` to see them.")
    data = store.model_bytes(version)
    if data is None:
        raise ConfigError(
            f"model version {version!r} has no stored file (it was registered before model files were kept). "
            "Serve its file once with `pitfall serve MODEL --store URL --trust-model ...` to store it."
        )
    if not trust:
        raise ModelError(
            f"model version {version!r}: loading a stored model runs code stored in it (pickle). "
            "Pass --trust-model if you trust this store."
        )
    if hashlib.sha256(data).hexdigest() != info.sha256:
        raise ModelError(
            f"model version {version!r}: the stored bytes do not match its registered sha256; the store was "
            "altered. Serve the model file again under a new name."
        )
    import joblib

    try:
        model = joblib.load(io.BytesIO(data))
    except (pickle.UnpicklingError, EOFError, ValueError, KeyError, IndexError) as exc:
        raise ModelError(
            f"model version {version!r}: the stored bytes are not a joblib file ({type(exc).__name__})."
        ) from None
    except (ModuleNotFoundError, ImportError, AttributeError) as exc:
        raise ModelError(
            f"model version {version!r}: the model needs code that is not installed here ({exc}). Install it."
        ) from None
    check_model(model, source=f"model version {version!r}")
    return model
