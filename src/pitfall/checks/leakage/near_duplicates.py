"""PF202 near-duplicates."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from pitfall.checks.base import Check
from pitfall.checks.context import Context
from pitfall.checks.discrete_near import discrete_columns, discrete_near_copies
from pitfall.checks.matching import NEAR_LEVELS
from pitfall.checks.neighbour_copies import neighbour_copies
from pitfall.checks.shared import (
    cross_matches,
    data_dimension,
    impact_severity_share,
    matching_columns,
    near_level_width,
    python_value,
    row_index,
)
from pitfall.findings import Finding, Severity
from pitfall.stats import poisson_sf


class NearDuplicates(Check):
    """Test rows that are near copies of training rows: the same object measured twice.

    ## What it finds
    Test rows that share a cell with a training row on nested grids 0.02, 0.08 or 0.32 robust
    standard deviations wide on every continuous feature, and agree exactly on categorical ones
    and on numeric ones with at most 32 distinct values, leaving out exact copies (PF201). Rows
    are hashed into cells and the keys sorted, so no pairs of rows are compared. A match counts
    only when improbable by chance: its expected number of chance matches, estimated from how
    densely training rows fill the surrounding coarser cells (see `pitfall.checks.matching`),
    is below 0.01. In two or three dimensions, in clusters or along curved relations between
    columns close neighbours are expected and do not count; in ten independent dimensions they
    do. Fires when the count of such rows exceeds its Poisson expectation summed over the three
    grids (p < alpha). Severity follows PF201: `error` when the share of test rows can move the
    score by more than its noise.

    When every matching column is numeric with at most 32 distinct values and there are at
    least 8 of them (pixel intensities, counts, ratings), where a scale in standard deviations
    means nothing for columns that are mostly zero, a second search runs when the grids find
    nothing: a test row is a near copy when it equals a training row in all but at most
    `max(1, d // 16)` of the d columns, each of which differs by one step (the next distinct
    value). Candidates share one of several column blocks exactly (pigeonhole, no pairs), and
    each is judged by the chance of such a neighbour under the columns' value shares, tempered
    by their effective dimension (see `pitfall.checks.discrete_near`); the count is tested
    against its Poisson expectation as above.

    Noisy repeats in many continuous columns (a specimen measured four times with noise of a
    few percent of each column's spread, thirty columns) rarely share a grid cell on every
    column. So a sample of up to 2,000 test rows is also matched to its 20 nearest training
    rows (columns in robust SD): a row counts when its nearest neighbour is closer than a
    Poisson process of the local dimension (estimated from neighbours 20 to 40) makes
    probable (`(d1 / d20) ** m`, chance below 0.001), and the count is tested against 0.001
    times the sample (p < alpha). This estimate is the finding when the grids find nothing, or
    when it raises a grid warning to an error (see `pitfall.checks.neighbour_copies`).

    With text columns, a near copy is a test record whose set of shingles (character 5-grams of
    the normalised text; word 3-grams when records have a median of more than 30 words) has a
    Jaccard similarity of at least 0.8 with a training record's, the usual definition of a near
    duplicate in corpus deduplication. Candidates come from MinHash signatures (120 hash
    functions) banded for LSH (20 bands of 6), so pairs that share no band are never compared,
    and each candidate is verified by its exact Jaccard similarity. A near copy counts when it is
    improbable under the unigram model of PF201, allowing one word changed, added or dropped and
    any word order.

    With image columns, near copies are found by perceptual hashes (see
    `pitfall.data.image_hashing`): pairs whose 256-bit hashes lie within a Hamming
    distance that chance reaches less than 0.01 times among all pairs (judged from fits to the
    distances of random pairs), found by a multi-index search that compares no pairs wholesale.
    Rescaled, re-encoded and slightly cropped copies are found; exact copies are left to PF201.

    ## Why it matters
    Several exposures of one galaxy, two scans of one page or two visits of one patient differ
    by measurement noise. With one in train and one in test, the model recognises the object
    instead of generalising to new ones, and the test score is inflated.

    ## How to fix
    Find the object each row belongs to and split by it (`--split group --group object_id`); if
    no identifier exists, cluster near-identical rows and split by cluster (PF203 names a
    column that looks like the object's key when there is one).

    ## Example
    Three photometric measurements per galaxy, randomly split: most test galaxies have a sibling
    row in train that differs by 1% in every band.

    ## Known problems
    In few dimensions, copies whose noise is as large as the gaps between distinct rows (iris
    measured four times with 3% noise: the flowers lie on a 0.1 cm grid) are not found. In
    data whose continuous columns have only two or three effective dimensions, or that consist
    of very tight clusters, even close copies look like chance neighbours and are not reported;
    so are copies of an object that has ten or more near-identical rows in one cell.

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
        if ctx.split.roles.text:
            from pitfall.checks.leakage.text_duplicates import text_near_duplicates

            yield from text_near_duplicates(self, ctx, self.alpha)
        if ctx.split.roles.image:
            from pitfall.checks.leakage.image_duplicates import near_findings

            yield from near_findings(self, ctx)
        cols = matching_columns(ctx)
        if not cols:
            return
        grid = list(self._grid(ctx, cols))
        if not grid:
            found = list(self._discrete(ctx, cols))
            yield from found or self._neighbours(ctx, cols)
            return
        # noisy repeats slip out of grid cells: when the neighbour estimate finds enough more of
        # them to change the severity, it is the finding
        if grid[0].severity is Severity.ERROR:
            yield from grid
            return
        wider = [f for f in self._neighbours(ctx, cols) if f.severity is Severity.ERROR]
        yield from wider or grid

    def _grid(self, ctx: Context, cols: list[str]) -> Iterator[Finding]:
        """Near copies sharing a cell of the robust-SD grids (see ``pitfall.checks.matching``)."""
        m = cross_matches(ctx)
        k = len(m.near)
        p = poisson_sf(k, m.mu_near)
        if k == 0 or p >= self.alpha:
            return
        n_test = len(ctx.split.test)
        share = k / n_test
        exceeds, half = impact_severity_share(share, n_test)
        index = row_index(ctx)
        train, test = ctx.split.train, ctx.split.test
        examples = []
        for r, level in zip(m.near[:5], m.near_level[:5], strict=False):
            t = m.partner(index, int(r), int(level))
            values = {
                c: {
                    "test": python_value(test[c].iloc[int(r)]),
                    "train": python_value(train[c].iloc[t]),
                }
                for c in cols[:6]
            }
            examples.append({"test_row": int(r), "train_row": t, "values": values})
        by_width = {f"{near_level_width(lv):g}": int(np.sum(m.near_level == lv)) for lv in NEAR_LEVELS}
        widest = max(near_level_width(lv) for lv in set(m.near_level.tolist()))
        yield self.finding(
            f"{k:,} of {n_test:,} test rows ({share:.1%}) are near copies of training rows "
            f"(within {widest:g} robust SD on every numeric feature; {m.mu_near:.2g} expected by "
            "chance).",
            "Split by the object each row belongs to (`--split group --group ID`); without an "
            "identifier, cluster near-identical rows and split by cluster.",
            evidence={
                "count": k,
                "share_of_test": share,
                "expected_by_chance": m.mu_near,
                "p_value": p,
                "score_noise_half_width": half,
                "by_cell_width": by_width,
                "effective_dimension": data_dimension(ctx),
                "examples": examples,
            },
            severity=Severity.ERROR if exceeds else Severity.WARNING,
        )

    def _neighbours(self, ctx: Context, cols: list[str]) -> Iterator[Finding]:
        """Noisy repeats in many continuous columns: see ``pitfall.checks.neighbour_copies``."""
        m = neighbour_copies(ctx, cols)
        if m is None:
            return
        k = len(m.rows)
        p = poisson_sf(k, m.expected)
        if k == 0 or p >= self.alpha:
            return
        n_test = len(ctx.split.test)
        share = k / m.examined
        exceeds, half = impact_severity_share(share, n_test)
        sampled = f" of a sample of {m.examined:,}" if m.examined < n_test else f" of {n_test:,}"
        yield self.finding(
            f"{k:,}{sampled} test rows ({share:.1%}) have a training row far closer than their other "
            f"neighbours (nearest against 20th neighbour in {len(m.columns)} numeric columns; "
            f"{m.expected:.2g} expected by chance): near copies, such as repeated measurements of "
            "one specimen.",
            "Split by the object each row belongs to (`--split group --group ID`); without an "
            "identifier, cluster near-identical rows and split by cluster.",
            evidence={
                "count": k,
                "examined": m.examined,
                "share_of_test": share,
                "expected_by_chance": m.expected,
                "p_value": p,
                "score_noise_half_width": half,
                "local_dimension": m.dimension,
                "median_training_copies": float(np.median(m.siblings)),
                "examples": [
                    {"test_row": int(r), "train_row": int(t)} for r, t in zip(m.rows[:5], m.partners[:5], strict=False)
                ],
            },
            severity=Severity.ERROR if exceeds else Severity.WARNING,
        )

    def _discrete(self, ctx: Context, cols: list[str]) -> Iterator[Finding]:
        """Near copies in all-discrete data (pixels, counts): see ``pitfall.checks.discrete_near``."""
        discrete = discrete_columns(ctx.split.train, cols)
        if discrete is None:
            return
        gamma = min(1.0, data_dimension(ctx) / len(discrete))
        m = discrete_near_copies(ctx.split.train, ctx.split.test, discrete, gamma=gamma, seed=ctx.seed)
        k = len(m.rows)
        p = poisson_sf(k, m.expected)
        if k == 0 or p >= self.alpha:
            return
        n_test = len(ctx.split.test)
        share = k / n_test
        exceeds, half = impact_severity_share(share, n_test)
        train, test = ctx.split.train, ctx.split.test
        examples = []
        for r, t in zip(m.rows[:5], m.partners[:5], strict=False):
            changed = [c for c in discrete if test[c].iloc[int(r)] != train[c].iloc[int(t)]]
            examples.append(
                {
                    "test_row": int(r),
                    "train_row": int(t),
                    "differing": {
                        c: {"test": python_value(test[c].iloc[int(r)]), "train": python_value(train[c].iloc[int(t)])}
                        for c in changed
                    },
                }
            )
        yield self.finding(
            f"{k:,} of {n_test:,} test rows ({share:.1%}) are near copies of training rows: equal in "
            f"all but at most {m.r} of {len(discrete)} discrete columns, which differ by one step "
            f"({m.expected:.2g} expected by chance).",
            "Split by the object each row belongs to (`--split group --group ID`); without an "
            "identifier, cluster near-identical rows and split by cluster.",
            evidence={
                "count": k,
                "share_of_test": share,
                "expected_by_chance": m.expected,
                "p_value": p,
                "score_noise_half_width": half,
                "columns_allowed_to_differ": m.r,
                "discrete_columns": len(discrete),
                "differing_columns": {str(n): int(np.sum(m.differing == n)) for n in range(1, m.r + 1)},
                "gamma": m.gamma,
                "examples": examples,
            },
            severity=Severity.ERROR if exceeds else Severity.WARNING,
        )
