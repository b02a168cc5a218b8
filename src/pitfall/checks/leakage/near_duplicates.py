"""PF202 near-duplicates."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from pitfall.checks.base import Check
from pitfall.checks.context import Context
from pitfall.checks.matching import CHANCE_TAU, expected_chance, matches, row_codes
from pitfall.checks.shared import (
    data_dimension,
    exact_matches,
    impact_severity_share,
    matching_columns,
    surprise,
)
from pitfall.data.encode import column_kind
from pitfall.findings import Finding, Severity

WIDTHS = (0.02, 0.1, 0.3)  # cell widths in robust standard deviations
GRIDS_PER_WIDTH = 2


@dataclass
class NearMatches:
    match: np.ndarray  # train row near each test row, or -1
    improbable: np.ndarray  # near match improbable by chance (and not an exact copy)
    expected: np.ndarray  # chance expectation per test row, summed over grids
    width: np.ndarray  # width of the finest grid that matched each row (nan if none)


def near_matches(ctx: Context) -> NearMatches:
    """Test rows sharing a grid cell with a train row, at several cell widths and shifts."""

    def compute():
        cols = matching_columns(ctx)
        n_test = len(ctx.split.test)
        match = np.full(n_test, -1, dtype=np.int64)
        improbable = np.zeros(n_test, dtype=bool)
        expected = np.zeros(n_test)
        width_hit = np.full(n_test, np.nan)
        numeric = [c for c in cols if column_kind(ctx.split.train[c]) in ("numeric", "datetime")]
        if not numeric:
            return NearMatches(match, improbable, expected, width_hit)
        d_eff = data_dimension(ctx)
        exact = exact_matches(ctx)
        grid = 0
        for width in WIDTHS:
            for _ in range(GRIDS_PER_WIDTH):
                codes = row_codes(
                    ctx.split.train, ctx.split.test, cols, d_eff=d_eff, width=width, seed=ctx.seed + 101 * grid
                )
                grid += 1
                hit = matches(codes)
                exp = expected_chance(codes.test_logp, len(ctx.split.train))
                expected += np.minimum(exp, 1.0)
                new = (hit >= 0) & (exp < CHANCE_TAU) & ~improbable & (exact.match < 0)
                match[new] = hit[new]
                width_hit[new] = width
                improbable |= new
        return NearMatches(match, improbable, expected, width_hit)

    return ctx.cached("near_matches", compute)


class NearDuplicates(Check):
    """Test rows that are near copies of training rows: the same object measured twice.

    ## What it finds
    Test rows that agree with a training row within a small fraction of each numeric column's
    spread (cells of 0.02, 0.1 and 0.3 robust standard deviations, two shifted grids each) and
    exactly on every categorical column, excluding exact copies (PF201). The search hashes rows
    into grid cells, so it is linear in the number of rows, never all pairs. A match counts only
    when improbable by chance (see `pitfall.checks.matching`): in two or three dimensions close
    neighbours are expected and never reported; in ten they are not. Fires when the count of
    improbable matches exceeds its Poisson expectation summed over all grids (p < alpha).
    Severity follows PF201: `error` when the share can move the score by more than its noise.

    ## Why it matters
    Several exposures of one galaxy, two scans of one page or two visits of one patient differ
    by measurement noise. With one in train and one in test, the model recognises the object
    instead of generalising to new ones, and the test score is inflated.

    ## How to fix
    Find the object each row belongs to and split by it (`--split group --group object_id`); if
    no identifier exists, cluster near-identical rows (PF203 lists the inferred clusters).

    ## Example
    Three photometric measurements per galaxy, randomly split: most test galaxies have a sibling
    row in train that differs by 1% in every band.

    ## Options
    - `alpha` (default 0.001): significance level against chance neighbours.
    """

    code = "PF202"
    name = "near-duplicates"
    family = "leakage"
    severity = Severity.ERROR

    def __init__(self, *, alpha: float = 0.001):
        self.alpha = alpha

    def run(self, ctx: Context) -> Iterator[Finding]:
        if not matching_columns(ctx):
            return
        near = near_matches(ctx)
        k = int(near.improbable.sum())
        if k == 0:
            return
        mu, p = surprise(k, near.expected, near.expected < CHANCE_TAU * 2 * len(WIDTHS) * GRIDS_PER_WIDTH)
        if p >= self.alpha:
            return
        n_test = len(ctx.split.test)
        share = k / n_test
        exceeds, half = impact_severity_share(share, n_test)
        rows = np.flatnonzero(near.improbable)
        cols = matching_columns(ctx)
        examples = []
        for r in rows[:5]:
            t = int(near.match[r])
            diffs = {}
            for c in cols[:6]:
                a, b = ctx.split.test[c].iloc[r], ctx.split.train[c].iloc[t]
                diffs[c] = {"test": a.item() if hasattr(a, "item") else a, "train": b.item() if hasattr(b, "item") else b}
            examples.append({"test_row": int(r), "train_row": t, "values": diffs})
        widths = {str(w): int(np.sum(near.width == w)) for w in WIDTHS}
        yield self.finding(
            f"{k:,} of {n_test:,} test rows ({share:.1%}) are near copies of training rows "
            f"(within {max(w for w in WIDTHS if widths[str(w)]) if k else 0:g} robust SD on every "
            f"numeric feature; {mu:.2g} expected by chance).",
            "Split by the object each row belongs to (`--split group --group ID`); without an "
            "identifier, cluster near-identical rows and split by cluster.",
            evidence={
                "count": k,
                "share_of_test": share,
                "expected_by_chance": mu,
                "p_value": p,
                "score_noise_half_width": half,
                "by_cell_width": widths,
                "effective_dimension": data_dimension(ctx),
                "examples": examples,
            },
            severity=Severity.ERROR if exceeds else Severity.WARNING,
        )
