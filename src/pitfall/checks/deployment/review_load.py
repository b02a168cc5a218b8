"""PF602 review-queue-overload: meeting the accuracy target leaves most items to humans."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pitfall.checks.base import Check, Requires, Skip
from pitfall.findings import Finding, Severity

__all__ = ["ReviewQueueOverload"]


class ReviewQueueOverload(Check):
    """Auto-accepting predictions at the target accuracy sends too many items to human review, or none can be accepted.

    ## What it finds
    `pitfall thresholds` picks the lowest confidence threshold whose auto-accepted predictions
    reach the target accuracy with 95% confidence (the Wilson interval's lower bound on the
    validation rows). Everything below it goes to people. When that share exceeds
    `max_review_share`: `warning`. When no threshold reaches the target at all (not even the
    most confident predictions, on this many rows): `error`.

    ## Why it matters
    A model is only worth deploying as an automatic labeller if it takes work off people at the
    accuracy the catalogue needs. A policy that sends 80% of items to review costs almost as
    much as labelling by hand, and a target the model cannot meet means every automatic label
    would be below the required quality.

    ## How to fix
    Lower the target only if the use allows it; otherwise improve the model, calibrate its
    probabilities, add labelled validation rows (narrower intervals let a lower threshold
    qualify), or use per-label thresholds (`--per-label`) so that easy labels are accepted
    even when hard ones are not.

    ## Example
    `pitfall thresholds model.joblib --trust-model valid.csv --target label --accuracy 0.98`:
    meeting accuracy 0.98 needs confidence ≥ 0.97, which auto-accepts 31% of items and sends
    69% (690 per 1,000) to people, more than the 50% allowed.

    ## Options
    - `max_review_share` (default 0.5): the share of items sent to people above which the
      policy is flagged.
    """

    code = "PF602"
    name = "review-queue-overload"
    family = "deployment"
    severity = Severity.WARNING
    requires = Requires(thresholds=True)  # not a scan check: `pitfall thresholds` runs it

    def __init__(self, *, max_review_share: float = 0.5):
        self.max_review_share = max_review_share

    def run(self, ctx: Any) -> Iterator[Finding]:
        raise Skip("runs with `pitfall thresholds MODEL VALID`, which measures the review load")

    def judge(
        self,
        *,
        target: float,
        accept: float | None,
        human_share: float,
        n: int,
        best: dict[str, Any] | None,
    ) -> list[Finding]:
        """Findings for one threshold choice: ``best`` is the curve point with the highest lower bound."""
        evidence: dict[str, Any] = {
            "target_accuracy": target,
            "accept_threshold": accept,
            "human_share": human_share,
            "n_rows": n,
            "max_review_share": self.max_review_share,
        }
        if accept is None:
            evidence["best"] = best
            best_txt = (
                f"; the best, confidence ≥ {best['threshold']:.3f}, reaches {best['accuracy']:.3f} "
                f"(95% CI lower bound {best['low']:.3f}) on {best['n_accepted']} rows"
                if best
                else ""
            )
            return [
                self.finding(
                    f"No confidence threshold auto-accepts predictions at accuracy {target:g} with 95% confidence "
                    f"on these {n} validation rows{best_txt}.",
                    "Improve or calibrate the model, add labelled validation rows, lower the target only if the use "
                    "allows it, or try --per-label.",
                    evidence=evidence,
                    severity=Severity.ERROR,
                )
            ]
        if human_share > self.max_review_share:
            return [
                self.finding(
                    f"Meeting accuracy {target:g} needs confidence ≥ {accept:.3f}, which sends {human_share:.0%} of "
                    f"items ({1000 * human_share:.0f} per 1,000) to people, more than the {self.max_review_share:.0%} "
                    "allowed.",
                    "Improve or calibrate the model, add validation rows so a lower threshold qualifies, or try "
                    "--per-label so that easy labels are accepted on their own.",
                    evidence=evidence,
                )
            ]
        return []
