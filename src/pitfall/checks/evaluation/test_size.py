"""PF403 small-test-set."""

from __future__ import annotations

import math
from collections.abc import Iterator

from pitfall.checks.base import Check, Requires
from pitfall.checks.context import Context
from pitfall.findings import Finding, Severity

RELATIVE = {"mae", "rmse"}  # errors in the target's units: precision relative to the error


class SmallTestSet(Check):
    """The test set is too small for the precision a score will be quoted with.

    ## What it finds
    The bootstrap 95% interval of the model's test score. When its half-width exceeds the
    precision you will claim (`claimed_precision`, default 0.05, i.e. "0.87 ± 0.05"; set it
    with `--claimed-precision` or `[tool.pitfall.checks.PF403]`), the finding reports the
    half-width and roughly how many test rows would give the claimed precision (half-widths
    shrink as 1/sqrt(n)). For errors in the target's units (`mae`, `rmse`) the precision is
    relative: 0.05 means ± 5% of the error.

    ## Why it matters
    On 80 test rows an accuracy of 0.85 is compatible with anything from 0.77 to 0.93. Two
    models "0.85 vs 0.82" on such a test set are not distinguishable, and a reported third
    decimal is noise.

    ## How to fix
    Collect or hold out more test rows, or quote the interval and fewer decimals; use
    repeated cross-validation to compare models on small data sets.

    ## Example
    A 60-row test set for a rare-manuscript classifier: balanced accuracy 0.80 [0.68, 0.91].

    ## Options
    - `claimed_precision` (default 0.05): the ± you intend to report.
    """

    code = "PF403"
    name = "small-test-set"
    family = "evaluation"
    severity = Severity.WARNING
    requires = Requires(model=True)
    model_based = True

    def __init__(self, *, claimed_precision: float = 0.05):
        self.claimed_precision = claimed_precision

    def run(self, ctx: Context) -> Iterator[Finding]:
        iv = ctx.score(ctx.predictions)
        half = iv.half_width
        n = len(ctx.y_test)
        relative = ctx.metric.name in RELATIVE
        claimed = self.claimed_precision * (abs(iv.estimate) if relative else 1.0)
        if not (math.isfinite(half) and claimed > 0) or half <= claimed:
            return
        needed = int(math.ceil(n * (half / claimed) ** 2))
        wanted = f"±{self.claimed_precision:.0%} (±{claimed:.3g})" if relative else f"±{claimed:g}"
        yield self.finding(
            f"The test score {ctx.metric.name} {iv} on {n:,} rows is only precise to ±{half:.3g}, "
            f"wider than the claimed {wanted}; about {needed:,} test rows would be needed.",
            "Hold out more test rows, or report the interval (and fewer decimals) with the score.",
            evidence={
                "metric": ctx.metric.name,
                "score": iv.to_dict(),
                "half_width": half,
                "claimed_precision": self.claimed_precision,
                "claimed_half_width": claimed,
                "n_test": n,
                "n_test_needed": needed,
            },
        )
