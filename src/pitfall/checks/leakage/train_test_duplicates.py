"""PF201 train-test-duplicates."""

from __future__ import annotations

from collections.abc import Iterator

from pitfall.checks.base import Check
from pitfall.checks.context import Context
from pitfall.checks.shared import cross_matches, impact_severity_share, matching_columns, row_index
from pitfall.findings import Finding, Severity
from pitfall.stats import poisson_sf


class TrainTestDuplicates(Check):
    """Test rows that are exact copies of training rows.

    ## What it finds
    Test rows whose features (all but identifier columns) equal those of a training row,
    counting only matches that are improbable by chance: fewer than 0.01 chance matches
    expected for the row, judged from how often its values occur and how densely training rows
    fill the cells around it (see `pitfall.checks.matching`). A repeated row of continuous
    measurements counts; two survey respondents with the same answers do not. It fires when the
    count exceeds its Poisson expectation (p < alpha). Severity is `error` when the copied share
    of the test set is at least the sampling noise of a test score (1.96·sqrt(0.25/n_test)), so
    the copies alone can move the score by more than its own uncertainty, and `warning` below.

    With text columns (`--text`, or detected) a record is its text, compared after folding case
    and dropping punctuation and extra whitespace (a hash of the normalised text). A copy counts
    when fewer than 0.01 training records are expected to equal it by chance under a unigram
    model of the training words, so short common records ("red shirt") do not count (see
    `pitfall.checks.leakage.text_duplicates`). The other columns are matched as above, without the
    text.

    With image columns, test images whose decoded pixels equal a training image's (a re-saved
    file counts) are copies; images of one flat colour are left out.

    ## Why it matters
    A model scored on objects it was trained on is scored on memory, not on generalisation. The
    test score overstates how it will do on new objects.

    ## How to fix
    Deduplicate before splitting, or split by the object's identifier with
    `GroupShuffleSplit` / `pitfall scan data.csv --split group --group ID`.

    ## Example
    The same galaxy image measured in two releases of a catalogue, one in train, one in test.

    ## Options
    - `alpha` (default 0.001): significance level of the Poisson test against chance matches.
    """

    code = "PF201"
    name = "train-test-duplicates"
    family = "leakage"
    severity = Severity.ERROR

    def __init__(self, *, alpha: float = 0.001):
        self.alpha = alpha

    def run(self, ctx: Context) -> Iterator[Finding]:
        if ctx.split.roles.text:
            from pitfall.checks.leakage.text_duplicates import text_exact_duplicates

            yield from text_exact_duplicates(self, ctx, self.alpha)
        if ctx.split.roles.image:
            from pitfall.checks.leakage.image_duplicates import exact_findings

            yield from exact_findings(self, ctx)
        if not matching_columns(ctx):
            return
        m = cross_matches(ctx)
        k = len(m.exact)
        p = poisson_sf(k, m.mu_exact)
        if k == 0 or p >= self.alpha:
            return
        n_test = len(ctx.split.test)
        share = k / n_test
        exceeds, half = impact_severity_share(share, n_test)
        index = row_index(ctx)
        examples = [{"test_row": int(r), "train_row": m.partner(index, int(r), 0)} for r in m.exact[:5]]
        yield self.finding(
            f"{k:,} of {n_test:,} test rows ({share:.1%}) are exact copies of training rows "
            f"({m.mu_exact:.2g} expected by chance).",
            "Deduplicate before splitting, or split by object with `--split group --group ID` (GroupShuffleSplit).",
            evidence={
                "count": k,
                "share_of_test": share,
                "expected_by_chance": m.mu_exact,
                "p_value": p,
                "score_noise_half_width": half,
                "matches_plausible_by_chance": m.plausible_exact,
                "examples": examples,
            },
            severity=Severity.ERROR if exceeds else Severity.WARNING,
        )
