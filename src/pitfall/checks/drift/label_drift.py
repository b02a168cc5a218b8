"""PF503 label-drift: the class shares (or the target's distribution) changed."""

from __future__ import annotations

from collections.abc import Iterator

from pitfall.checks.base import Skip
from pitfall.checks.drift.context import DriftContext
from pitfall.checks.drift.feature_drift import OPTIONS_DOC, ColumnDriftCheck
from pitfall.findings import Finding

__all__ = ["LabelDrift"]


class LabelDrift(ColumnDriftCheck):
    __doc__ = (
        """The label's class shares (or, for regression, its distribution) changed between reference and current.

    ## What it finds
    With `--target` in both data sets: the class counts of the current data (and of each window)
    against the reference's, by a chi-squared test; the effect size is the largest change of one
    class's share, as Cohen's h (PSI and the Jensen–Shannon distance are reported too, but PSI
    hardly moves when a rare class doubles from 5% to 10%, h = 0.19). For a numeric target: a
    Kolmogorov–Smirnov test and the Wasserstein distance in reference standard deviations. A
    change in the share of missing labels is tested too. As in PF501, a change is flagged when the
    Benjamini–Hochberg adjusted p-value (across the label's tests in every window) is below `fdr`
    and the effect reaches its minimum (`min_class_h`, `min_wasserstein`, `min_missing_h`):
    `warning`; `error` when it reaches the large value (`large_class_h`, ...).

    ## Why it matters
    When the base rate moves (no-shows rise from 10% to 30% after a change in how tickets are
    sold), a model's threshold, its calibration and every metric that depends on prevalence
    (accuracy, precision) shift with it, even if the features did not drift.

    ## How to fix
    Check whether the population or the labelling changed. Recalibrate the model's probabilities
    and thresholds on recent labelled data, or retrain; report metrics at the current prevalence.

    ## Example
    `pitfall drift ref.csv cur.csv --target no_show`: the label 'no_show' drifted in the current
    data: a class share moved by Cohen's h 0.44 (PSI 0.21), chi-squared 412.0; current top
    categories '0' 71%, '1' 29%.

    ## Options
"""
        + OPTIONS_DOC
    )

    class_shares = True
    code = "PF503"
    name = "label-drift"

    def run(self, ctx: DriftContext) -> Iterator[Finding]:
        if not ctx.target:
            raise Skip("needs --target")
        if not ctx.target_in_current:
            raise Skip(f"the current data has no target column {ctx.target!r} (labels not known yet)")
        yield from self.findings_for(
            ctx,
            [ctx.target],
            "label",
            {ctx.target: f"the label {ctx.target!r}"},
            "Check whether the population or the labelling changed; recalibrate thresholds and probabilities "
            "on recent labelled data, or retrain.",
        )
