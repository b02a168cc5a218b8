"""PF403 small-test-set."""

from __future__ import annotations

import math
from collections.abc import Iterator

from pitfall.checks.base import Check, Requires
from pitfall.checks.context import Context
from pitfall.findings import Finding, Severity

RELATIVE = {"mae", "rmse"}  # errors in the target's units: precision relative to the error
DEFAULT_PRECISION = 0.05  # two decimals: the reference when no precision is claimed


class SmallTestSet(Check):
    """The test set is too small for the precision a score will be quoted with.

    ## What it finds
    The bootstrap 95% interval of the model's test score, reported once as the precision the
    test set supports ("balanced_accuracy 0.87, precise to ±0.06 on 143 rows").

    - `warning` when you state a precision (`--claimed-precision`, the `claimed_precision`
      argument of `pitfall.scan`, or `[tool.pitfall.checks.PF403]`) and the interval's
      half-width exceeds it: the claim is at stake. The finding says roughly how many test
      rows would support it (half-widths shrink as 1/sqrt(n)).
    - `info` when no precision is stated and the half-width exceeds ±0.05 (two decimals): a
      fact about the test set that cannot by itself change a conclusion. PF401 says whether
      the interval separates the model from its baselines.

    For errors in the target's units (`mae`, `rmse`) the precision is relative: 0.05 means
    ± 5% of the error.

    ## Why it matters
    On 80 test rows an accuracy of 0.85 is compatible with anything from 0.77 to 0.93. Two
    models "0.85 vs 0.82" on such a test set are not distinguishable, and a reported third
    decimal is noise.

    ## How to fix
    Quote the interval and fewer decimals, or hold out more test rows; use repeated
    cross-validation to compare models on small data sets.

    ## Example
    A 60-row test set for a rare-manuscript classifier: balanced accuracy 0.80 [0.68, 0.91].

    ## Options
    - `claimed_precision` (default none: report at info against ±0.05): the ± you intend to
      report; a stated claim that the test set cannot support is a warning.
    """

    code = "PF403"
    name = "small-test-set"
    family = "evaluation"
    severity = Severity.WARNING
    requires = Requires(model=True)
    model_based = True

    def __init__(self, *, claimed_precision: float | None = None):
        self.claimed_precision = claimed_precision

    def run(self, ctx: Context) -> Iterator[Finding]:
        iv = ctx.score(ctx.predictions)
        half = iv.half_width
        n = len(ctx.y_test)
        relative = ctx.metric.name in RELATIVE
        stated = self.claimed_precision is not None
        precision = self.claimed_precision if stated else DEFAULT_PRECISION
        claimed = precision * (abs(iv.estimate) if relative else 1.0)
        if not (math.isfinite(half) and claimed > 0) or half <= claimed:
            return
        needed = int(math.ceil(n * (half / claimed) ** 2))
        wanted = f"±{precision:.0%} (±{claimed:.3g})" if relative else f"±{claimed:g}"
        supports = f"The test score {ctx.metric.name} {iv} on {n:,} rows is precise to ±{half:.3g}"
        if stated:
            message = (
                f"{supports}, wider than the claimed {wanted}; about {needed:,} test rows would support the claim."
            )
        else:
            message = f"{supports}: quote it with the interval, to no more than {_decimals(half)} decimals."
        yield self.finding(
            message,
            "Report the interval (and fewer decimals) with the score, or hold out more test rows.",
            evidence={
                "metric": ctx.metric.name,
                "score": iv.to_dict(),
                "half_width": half,
                "claimed_precision": precision,
                "claim_stated": stated,
                "claimed_half_width": claimed,
                "n_test": n,
                "n_test_needed": needed,
            },
            severity=Severity.WARNING if stated else Severity.INFO,
        )


def _decimals(half: float) -> int:
    """Decimals a score precise to ±``half`` supports (±0.06: one; ±0.003: two)."""
    return max(0, int(math.floor(-math.log10(half)))) if half > 0 else 3
