"""The one base class every check derives from, and what a check declares it needs."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from pitfall.findings import Finding, Severity

if TYPE_CHECKING:
    from pitfall.checks.context import Context

__all__ = ["Check", "Requires", "Skip"]


@dataclass(frozen=True)
class Requires:
    """What a check needs to run; when something is missing the check is skipped with a reason.

    Attributes:
        split: A test set (always true in a scan).
        model: Predictions of a model (the user's, or pitfall's default).
        user_model: The user's own fitted model (``--model``); pitfall's default will not do.
        group: A declared group column.
        time: A declared time column.
        study: Declared study variable(s) (``--study``).
        drift: A reference and a current data set (``pitfall drift``); ``pitfall scan`` leaves
            these checks out altogether.
        thresholds: Labelled validation data and a confidence policy (``pitfall thresholds``);
            left out of ``pitfall scan`` and ``pitfall drift``.
        monitor: The items and reviews of a ``pitfall serve`` store (``pitfall monitor``); left out of
            the other commands.
        rerun: A recorded run and its re-execution (``pitfall rerun``); left out of the other commands.
        text: A declared text column (``--text``).
        image: A declared image column (``--image`` or an image folder).
        lint: Found by reading the user's code (``pitfall lint``); left out of the other commands.
        tasks: Target types the check applies to.
    """

    model: bool = False
    user_model: bool = False
    group: bool = False
    time: bool = False
    study: bool = False
    drift: bool = False
    thresholds: bool = False
    monitor: bool = False
    rerun: bool = False
    text: bool = False
    image: bool = False
    lint: bool = False
    tasks: frozenset[str] = frozenset({"binary", "multiclass", "regression"})


class Skip(Exception):
    """Raised inside ``run`` when the data turns out not to apply; the message is the reason."""


class Check:
    """Base class: a check measures something and yields findings.

    Subclasses set the class attributes below, take thresholds as keyword-only ``__init__``
    arguments and implement ``run``. Their docstring is their documentation and must have the
    sections ``## What it finds``, ``## Why it matters``, ``## How to fix`` and ``## Example``.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    family: ClassVar[str]
    severity: ClassVar[Severity] = Severity.WARNING
    requires: ClassVar[Requires] = Requires()
    since: ClassVar[str] = "0.1.0"
    model_based: ClassVar[bool] = False  # fits models: reported apart in benchmarks

    @classmethod
    def command(cls) -> str:
        """The command that runs this check: ``scan``, ``drift``, ``thresholds``, ``monitor``, ``lint`` or ``rerun``."""
        if cls.requires.lint:
            return "lint"
        if cls.requires.rerun:
            return "rerun"
        if cls.requires.thresholds:
            return "thresholds"
        if cls.requires.monitor:
            return "monitor"
        return "drift" if cls.requires.drift else "scan"

    def run(self, ctx: Context) -> Iterator[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError

    def params(self) -> dict[str, Any]:
        sig = inspect.signature(type(self).__init__)
        return {p: getattr(self, p) for p in sig.parameters if p != "self" and hasattr(self, p)}

    @classmethod
    def docs(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        """The docstring's first paragraph, on one line."""
        return " ".join(cls.docs().split("\n\n")[0].split()) if cls.__doc__ else cls.name

    def finding(
        self,
        message: str,
        fix: str,
        *,
        evidence: dict[str, Any] | None = None,
        columns: tuple[str, ...] | list[str] = (),
        severity: Severity | None = None,
    ) -> Finding:
        return Finding(
            code=self.code,
            name=self.name,
            family=self.family,
            severity=severity or self.severity,
            message=message,
            fix=fix,
            evidence=evidence or {},
            columns=tuple(columns),
            docs=self.docs(),
        )
