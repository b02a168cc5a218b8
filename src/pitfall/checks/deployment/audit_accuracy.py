"""PF603 audit-accuracy-below-target: the audited automatic labels are less accurate than the policy promised."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from scipy import stats as _st

from pitfall.checks.base import Check, Requires, Skip
from pitfall.findings import Finding, Severity
from pitfall.stats import wilson

__all__ = ["AuditAccuracyBelowTarget", "AuditSample"]


@dataclass(frozen=True)
class AuditSample:
    """The audited items of one window (``key`` ``"all"`` for the whole period): how many have a final review
    and how many of those kept the model's label."""

    key: str
    start: str | None
    end: str | None
    n: int
    correct: int


class AuditAccuracyBelowTarget(Check):
    """Automatic labels, measured on the audit sample that people reviewed, are less accurate than the policy's target.

    ## What it finds
    `pitfall serve` sends a fixed, hash-chosen share of the items it would accept automatically
    to people anyway, with reason `audit`. Those audited items are a random sample of the
    automatic decisions, so the share whose final human label equals the model's label estimates
    the accuracy of everything accepted automatically. `pitfall monitor` computes that share for
    the whole period and for each time window with a Wilson 95% interval. When the policy file
    has `target_accuracy` and a sample is clearly below it, this is an `error`.

    "Clearly" means two things at once, at a level Bonferroni-corrected for the number of
    samples judged (the whole period plus every window with enough audits): the Wilson
    interval's upper bound is below the target, and the exact one-sided binomial test of
    "accuracy ≥ target" rejects. The Wilson bound alone fires too often near accuracies like
    0.98 on a few dozen items (up to 8% instead of 2.5% in simulation); the exact test keeps
    the false-alarm rate at or below the nominal level. Samples with fewer than
    `min_audited` reviewed audit items are shown but not judged, and the evidence says so.

    ## Why it matters
    The accept threshold was chosen on validation data so that automatic labels reach the
    target. Once served, the data change and nobody looks at automatic labels any more; the
    audit sample is the only measurement of whether the promise still holds. A catalogue filled
    with wrong automatic labels is worse than a slower one.

    ## How to fix
    Raise the accept threshold (rerun `pitfall thresholds` on recent reviewed items: `GET
    /export` gives them as training data), retrain on recent data, and look at drift findings
    (PF501, PF504) of the same windows for the cause. Until then, send more items to review.

    ## Example
    `pitfall monitor --store sqlite:///pitfall.db --policy policy.toml`: automatic labels were
    correct on 41 of 50 audited items (accuracy 0.820, 95% CI 0.692–0.902), below the target
    accuracy 0.98 of policy.toml.

    ## Options
    - `min_audited` (default 30): fewest audited items with a final review for a sample (the
      whole period or a window) to be judged.
    - `level` (default 0.95): confidence of the intervals, before the Bonferroni correction.
    """

    code = "PF603"
    name = "audit-accuracy-below-target"
    family = "deployment"
    severity = Severity.ERROR
    requires = Requires(monitor=True)  # not a scan check: `pitfall monitor` runs it on the store

    def __init__(self, *, min_audited: int = 30, level: float = 0.95):
        if isinstance(min_audited, bool) or not isinstance(min_audited, int) or min_audited < 1:
            raise TypeError(f"min_audited must be a positive integer. Got {min_audited!r} instead")
        if not 0.5 < level < 1:
            raise TypeError(f"level must be between 0.5 and 1. Got {level!r} instead")
        self.min_audited = min_audited
        self.level = level

    def run(self, ctx: Any) -> Iterator[Finding]:
        """``ctx`` has ``target_accuracy`` (float or None), ``policy`` (its name) and ``audits``
        (``AuditSample`` list, the whole period first)."""
        target = getattr(ctx, "target_accuracy", None)
        if target is None:
            raise Skip("needs a policy with target_accuracy (--policy policy.toml)")
        samples: list[AuditSample] = list(ctx.audits)
        judged = [s for s in samples if s.n >= self.min_audited]
        too_few = [s for s in samples if s.n < self.min_audited]
        if not judged:
            total = next((s.n for s in samples if s.key == "all"), 0)
            raise Skip(f"too few audited items to judge: {total} with a final review, {self.min_audited} needed")
        alpha = (1 - self.level) / len(judged)  # Bonferroni across the samples judged
        below = []
        for s in judged:
            ci = wilson(s.correct, s.n, level=1 - alpha)
            p = float(_st.binom.cdf(s.correct, s.n, target))  # P(this few correct | accuracy = target)
            if ci.high < target and p < alpha / 2:
                below.append((s, ci, p))
        if not below:
            return
        s, ci, p = next(((s, ci, p) for s, ci, p in below if s.key == "all"), below[0])
        shown = wilson(s.correct, s.n, level=self.level)
        where = "the monitored period" if s.key == "all" else f"the window starting {s.start}"
        windows = [w.start for w, _, _ in below if w.key != "all"]
        evidence: dict[str, Any] = {
            "target_accuracy": target,
            "policy": getattr(ctx, "policy", None),
            "sample": where,
            "n_audited": s.n,
            "n_correct": s.correct,
            "accuracy": shown,
            "upper_bound_adjusted": ci.high,
            "binomial_p": p,
            "alpha_adjusted": alpha,
            "samples_judged": len(judged),
            "windows_below": windows,
            "min_audited": self.min_audited,
            "not_judged": [{"start": w.start, "n_audited": w.n} for w in too_few],
        }
        message = (
            f"Automatic labels were correct on {s.correct} of {s.n} audited items in {where} (accuracy "
            f"{shown.estimate:.3f}, {self.level:.0%} CI {shown.low:.3f}–{shown.high:.3f}), below the target accuracy "
            f"{target:g}"
        )
        if windows:
            message += f"; {len(windows)} window(s) below it (first {windows[0]})"
        if too_few:
            message += f"; {len(too_few)} sample(s) with fewer than {self.min_audited} audited items were not judged"
        yield self.finding(
            message + ".",
            "Raise the accept threshold (rerun `pitfall thresholds` on recent reviewed items), retrain on recent "
            "data and check the drift findings of the same windows; until then send more items to review.",
            evidence=evidence,
        )
