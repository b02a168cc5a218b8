"""Errors that pitfall reports to its users as one line, never as a traceback.

::

    PitfallError            exit status 2, message shown as ``pitfall: error: <message>``
    ├── InputError          a data file or frame cannot be used (missing, empty, bad column, ...)
    ├── ConfigError         a command-line option or ``[tool.pitfall]`` setting is invalid
    └── ModelError          a model cannot be loaded or lacks a method a check needs

Messages follow one pattern: the fact, the value seen, then what to do.
"""

from __future__ import annotations

__all__ = ["ConfigError", "InputError", "ModelError", "PitfallError"]


class PitfallError(Exception):
    """Base class: a problem with what the user gave pitfall, explained in one line."""

    exit_code = 2


class InputError(PitfallError, ValueError):
    """A data file or data frame cannot be used as given."""


class ConfigError(PitfallError, ValueError):
    """An option or a ``[tool.pitfall]`` setting is invalid."""


class ModelError(PitfallError, ValueError):
    """A model cannot be loaded, or lacks a method that the requested metric needs."""
