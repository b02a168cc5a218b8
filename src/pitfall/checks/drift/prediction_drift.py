"""PF504 prediction-drift: the model's predictions are distributed differently on current data."""

from __future__ import annotations

from collections.abc import Iterator

from pitfall.checks.base import Requires
from pitfall.checks.drift.context import PREDICTION, DriftContext
from pitfall.checks.drift.feature_drift import OPTIONS_DOC, ColumnDriftCheck
from pitfall.findings import Finding

__all__ = ["PredictionDrift"]


class PredictionDrift(ColumnDriftCheck):
    __doc__ = (
        """The model's predicted class shares (or predicted values) changed between reference and current.

    ## What it finds
    With `--model`: the model predicts every row of both data sets (chunk by chunk); its predicted
    class counts (classifiers) or predicted values (regressors) in the current data and in each
    window are compared with those on the reference, with the tests, FDR correction and thresholds
    of PF501; predicted classes are judged, like PF503's labels, by the largest Cohen's h of one
    class's share (`min_class_h`, `large_class_h`). Unlike PF503 it needs no labels, so it works
    the day the data arrive.

    ## Why it matters
    Predictions are what the business acts on. If a no-show model suddenly flags three times as
    many visitors, either the visitors changed or the model is reacting to drifted inputs; both
    need a person to look before the overbooking policy follows the model.

    ## How to fix
    Compare with PF501 to see which inputs moved the predictions. When labels arrive, check with
    PF503 and PF505 whether the change is real; recalibrate or retrain on recent data if it is.

    ## Example
    `pitfall drift ref.parquet cur.parquet --model model.joblib --trust-model`: the model's
    predictions drifted in the current data: a class share moved by Cohen's h 0.52 (PSI 0.27);
    current top categories '1' 48%, '0' 52%.

    ## Options
"""
        + OPTIONS_DOC
    )

    class_shares = True
    code = "PF504"
    name = "prediction-drift"
    requires = Requires(drift=True, model=True)
    model_based = True

    def run(self, ctx: DriftContext) -> Iterator[Finding]:
        yield from self.findings_for(
            ctx,
            [PREDICTION],
            "prediction",
            {PREDICTION: "the model's predictions"},
            "Find which inputs moved the predictions (PF501); when labels arrive, check whether the change is "
            "real, and recalibrate or retrain on recent data.",
        )
