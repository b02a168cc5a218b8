"""PF501 feature-drift, and the per-column machinery PF503 and PF504 share with it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from pitfall.checks.base import Check, Requires, Skip
from pitfall.checks.drift.compare import Comparison, describe, plot_data
from pitfall.checks.drift.context import DriftContext, Segment
from pitfall.findings import Finding, Severity

__all__ = ["FeatureDrift", "ColumnDrift", "Thresholds"]


@dataclass(frozen=True)
class Thresholds:
    """Flag a comparison when its adjusted p-value is below ``fdr`` and its effect reaches the
    minimum; make it an error when the effect reaches the large value."""

    fdr: float
    min_wasserstein: float
    large_wasserstein: float
    min_psi: float
    large_psi: float
    min_missing_h: float
    large_missing_h: float
    min_class_h: float = 0.1
    large_class_h: float = 0.3

    def bounds(self, comparison: Comparison) -> tuple[float, float]:
        if comparison.effect_name == "cohens_h_class":
            return self.min_class_h, self.large_class_h
        if comparison.effect_name == "wasserstein_sd":
            return self.min_wasserstein, self.large_wasserstein
        if comparison.effect_name == "psi":
            return self.min_psi, self.large_psi
        return self.min_missing_h, self.large_missing_h

    def flagged(self, c: Comparison) -> bool:
        return c.p_adjusted < self.fdr and c.effect >= self.bounds(c)[0]

    def large(self, c: Comparison) -> bool:
        return self.flagged(c) and c.effect >= self.bounds(c)[1]


def _num(x: float) -> str:
    return f"{x:.3g}"


def _p(x: float) -> str:
    if x < 1e-300:
        return "< 1e-300"
    return f"= {x:.1e}" if x < 1e-3 else f"= {x:.3f}"


@dataclass
class ColumnDrift:
    """Every comparison of one column, after the FDR adjustment."""

    column: str
    what: str  # distribution | missing
    items: list[tuple[Segment, Comparison]]

    def flagged(self, t: Thresholds) -> list[tuple[Segment, Comparison]]:
        return [(s, c) for s, c in self.items if t.flagged(c)]


def run_columns(
    ctx: DriftContext, columns: list[str], t: Thresholds, *, label: str, class_shares: bool = False
) -> list[ColumnDrift]:
    """Compare each column in every segment, adjust all p-values together (Benjamini–Hochberg
    across columns, tests and windows) and group the results by column and test. With
    ``class_shares`` a categorical column's effect is the largest Cohen's h of one class's share."""
    items = [(col, seg, what, comp) for col in columns for seg, what, comp in ctx.comparisons(col)]
    for *_, comp in items:
        if class_shares and comp.effect_name == "psi":
            comp.effect, comp.effect_name = comp.extra["max_cohens_h"], "cohens_h_class"
    if not items:
        raise Skip(f"no {label} has enough values on both sides to compare")
    ctx.adjust(items)
    grouped: dict[tuple[str, str], ColumnDrift] = {}
    for col, seg, what, comp in items:
        grouped.setdefault((col, what), ColumnDrift(col, what, [])).items.append((seg, comp))
    return list(grouped.values())


def record(ctx: DriftContext, results: list[ColumnDrift], t: Thresholds, section: str) -> None:
    """Write plots and statistics to ``metrics["drift"][section]`` and the per-window entries."""
    m = ctx.drift_metrics()
    whole = next(s for s in ctx.segments if s.key == "all")
    for r in results:
        entry = m.setdefault(section, {}).setdefault(r.column, {"kind": ctx.kinds.get(r.column)})
        if r.what == "distribution":
            entry.update(plot_data(ctx.reference[r.column], whole.columns[r.column]))
        for seg, comp in r.items:
            stats = _stats(comp, t)
            if seg.key == "all":
                if r.what == "distribution":
                    entry.update(stats)
                else:
                    entry["missing"] = stats
            else:
                w = ctx.window_entry(seg)
                if w is not None:
                    key = r.column if r.what == "distribution" else f"{r.column} (missing)"
                    w.setdefault(section, {})[key] = stats


def _stats(c: Comparison, t: Thresholds) -> dict[str, Any]:
    return {
        "test": c.test,
        "statistic": c.statistic,
        "p": c.p,
        "p_adjusted": c.p_adjusted,
        "effect": c.effect,
        "effect_name": c.effect_name,
        **c.extra,
        "drifted": t.flagged(c),
    }


def describe_drift(ctx: DriftContext, r: ColumnDrift, t: Thresholds, name: str) -> tuple[str, dict[str, Any], bool]:
    """Message, evidence and whether the effect is large, for a column with flagged segments."""
    flagged = r.flagged(t)
    whole = [sc for sc in flagged if sc[0].key == "all"]
    seg, comp = whole[0] if whole else max(flagged, key=lambda sc: sc[1].effect)
    ref, cur = ctx.reference[r.column], seg.columns[r.column]
    where = "the current data" if seg.key == "all" else f"the window starting {seg.start}"
    windows = [s for s, _ in flagged if s.key != "all"]
    evidence: dict[str, Any] = {
        "test": comp.test,
        "statistic": comp.statistic,
        "p_adjusted": comp.p_adjusted,
        "effect": comp.effect,
        "effect_name": comp.effect_name,
        **comp.extra,
        "compared": where,
        "reference": describe(ref),
        "current": describe(cur),
        "fdr": t.fdr,
        "min_effect": t.bounds(comp)[0],
        "large_effect": t.bounds(comp)[1],
        "seed": ctx.seed,
    }
    if ctx.windows:
        evidence["windows_drifted"] = [s.start for s in windows]
        evidence["windows_tested"] = len(ctx.windows)
    if r.what == "missing":
        a, b = comp.extra["reference_share"], comp.extra["current_share"]
        msg = (
            f"The share of missing values in {name} changed from {a:.1%} in the reference to {b:.1%} in {where} "
            f"(Cohen's h {comp.effect:.2f}, adjusted p {_p(comp.p_adjusted)})"
        )
    elif comp.effect_name == "wasserstein_sd":
        rq, cq = describe(ref)["quantiles"], describe(cur)["quantiles"]
        msg = (
            f"{name[:1].upper() + name[1:]} drifted in {where}: Wasserstein distance "
            f"{comp.effect:.2f} reference sd, KS D = {comp.statistic:.3f} (adjusted p {_p(comp.p_adjusted)}); "
            f"median {_num(rq.get('q50', float('nan')))} → {_num(cq.get('q50', float('nan')))}, "
            f"mean {_num(ref.mean)} → {_num(cur.mean)}"
        )
    else:
        new = [c for c in cur.counts if c not in ref.counts]
        new.sort(key=lambda c: -cur.counts[c])
        evidence["new_categories"] = [[c, cur.counts[c] / max(cur.n, 1)] for c in new[:10]]
        top = ", ".join(f"{c!r} {v:.0%}" for c, v in describe(cur)["top"][:3])
        size = (
            f"a class share moved by Cohen's h {comp.effect:.2f} (PSI {comp.extra.get('psi', 0):.2f})"
            if comp.effect_name == "cohens_h_class"
            else f"PSI {comp.effect:.2f}"
        )
        msg = (
            f"{name[:1].upper() + name[1:]} drifted in {where}: {size}, "
            f"Jensen–Shannon distance {comp.extra.get('js', 0):.2f}, chi-squared {comp.statistic:.1f} "
            f"(adjusted p {_p(comp.p_adjusted)}); current top categories {top}"
        )
        if new:
            share = sum(cur.counts[c] for c in new) / max(cur.n, 1)
            msg += f"; {len(new)} new categor{'y' if len(new) == 1 else 'ies'} ({share:.1%} of rows, e.g. {new[0]!r})"
    if windows:
        msg += f"; {len(windows)} of {len(ctx.windows)} windows drifted (first {windows[0].start})"
    large = any(t.large(c) for _, c in flagged)
    return msg + ".", evidence, large


OPTIONS_DOC = """
    - `fdr` (default 0.01): false discovery rate of the Benjamini–Hochberg correction across all
      tests of the check (every column, test and window).
    - `min_wasserstein` (default 0.1) / `large_wasserstein` (default 0.5): Wasserstein distance,
      in reference standard deviations, that counts (warning) and that is large (error).
    - `min_psi` (default 0.1) / `large_psi` (default 0.25): the same for the PSI of categories.
    - `min_missing_h` (default 0.2) / `large_missing_h` (default 0.5): the same for Cohen's h of
      the missing-value shares (0.2 is 0% → 1% missing, 0.5 is 10% → 33%).
    - `min_class_h` (default 0.1) / `large_class_h` (default 0.3): for the classes of a label or of
      predictions (PF503, PF504), the largest Cohen's h of one class's share (0.1 is 50% → 55% or
      5% → 7.3%; 0.3 is 50% → 65% or 5% → 13%). PSI is blind to such changes of a few classes.
"""


class ColumnDriftCheck(Check):
    """Shared by PF501, PF503 and PF504: per-column tests with FDR and effect-size minimums."""

    family = "drift"
    severity = Severity.WARNING
    requires = Requires(drift=True)
    class_shares: ClassVar[bool] = False  # judge categories by Cohen's h of each class's share, not PSI

    def __init__(
        self,
        *,
        fdr: float = 0.01,
        min_wasserstein: float = 0.1,
        large_wasserstein: float = 0.5,
        min_psi: float = 0.1,
        large_psi: float = 0.25,
        min_missing_h: float = 0.2,
        large_missing_h: float = 0.5,
        min_class_h: float = 0.1,
        large_class_h: float = 0.3,
    ):
        self.fdr = fdr
        self.min_wasserstein = min_wasserstein
        self.large_wasserstein = large_wasserstein
        self.min_psi = min_psi
        self.large_psi = large_psi
        self.min_missing_h = min_missing_h
        self.large_missing_h = large_missing_h
        self.min_class_h = min_class_h
        self.large_class_h = large_class_h

    @property
    def thresholds(self) -> Thresholds:
        return Thresholds(
            self.fdr,
            self.min_wasserstein,
            self.large_wasserstein,
            self.min_psi,
            self.large_psi,
            self.min_missing_h,
            self.large_missing_h,
            self.min_class_h,
            self.large_class_h,
        )

    def findings_for(
        self, ctx: DriftContext, columns: list[str], section: str, names: dict[str, str], fix: str
    ) -> Iterator[Finding]:
        t = self.thresholds
        results = run_columns(ctx, columns, t, label=section, class_shares=self.class_shares)
        record(ctx, results, t, section)
        for r in results:
            if not r.flagged(t):
                continue
            message, evidence, large = describe_drift(ctx, r, t, names.get(r.column, repr(r.column)))
            yield self.finding(
                message,
                fix,
                evidence=evidence,
                columns=(r.column,) if r.column in ctx.features else (),
                severity=Severity.ERROR if large else Severity.WARNING,
            )


class FeatureDrift(ColumnDriftCheck):
    __doc__ = (
        """A feature's distribution (or its share of missing values) changed between reference and current data.

    ## What it finds
    Each feature of the current data (and of each time window with `--window`) compared with the
    reference data. Numeric features: a two-sample Kolmogorov–Smirnov test (exact on the values
    when both data sets fit in the sample, else on fixed-edge histograms whose 100 bins are the
    reference's quantiles, which only makes the test conservative; the quantiles of its first
    10,000 rows, so the reference is read once, or of its row sample where those do not fit the
    whole, as in a file sorted by the feature) and the Wasserstein distance in
    units of the reference's standard deviation (or of IQR/1.349 when smaller, so outliers do not
    hide a shift). Categorical features: a chi-squared test on the category counts (categories
    expected fewer than 5 times pooled), the population stability index (PSI) and the
    Jensen–Shannon distance. The share of missing values is tested too (chi-squared or Fisher's
    exact test, effect size Cohen's h).

    A feature is flagged only when two things hold: the Benjamini–Hochberg adjusted p-value, across
    every feature, test and window, is below `fdr`, and the effect reaches its minimum
    (Wasserstein ≥ `min_wasserstein` sd, PSI ≥ `min_psi`, h ≥ `min_missing_h`). The p-value says the
    change is real; the minimum says it is large enough to matter, so a 0.01 sd shift on a
    million rows is not flagged.

    - `warning`: a flagged change (moderate effect).
    - `error`: a flagged change with a large effect (Wasserstein ≥ `large_wasserstein` sd,
      PSI ≥ `large_psi`, h ≥ `large_missing_h`) in the whole current data or any window.

    ## Why it matters
    A model learns the data it was given. When a museum's mobile app moved ticket purchases from
    three days before a visit to an hour before, the `days_booked_ahead` feature of its no-show
    model shifted overnight; the model kept predicting as if nothing had happened, and nobody
    watched. Drifted inputs are where a model's validation score stops applying.

    ## How to fix
    Find what changed in the process that produces the feature (a new app, form, sensor, unit or
    data source). If the change is an error, fix the pipeline; if it is real, retrain on recent
    data and re-validate; either way, keep monitoring with `pitfall drift` on each new batch.

    ## Example
    `pitfall drift reference.parquet current.parquet --time visit_date --window 7d`:
    `days_booked_ahead` drifted in the current data: Wasserstein distance 1.30 reference sd,
    KS D = 0.71; median 3 → 0.04; 6 of 8 windows drifted (first 2026-03-05).

    ## Options
"""
        + OPTIONS_DOC
    )

    code = "PF501"
    name = "feature-drift"

    def run(self, ctx: DriftContext) -> Iterator[Finding]:
        if not ctx.features:
            raise Skip("no feature columns to compare")
        names = {c: f"feature {c!r}" for c in ctx.features}
        yield from self.findings_for(
            ctx,
            ctx.features,
            "features",
            names,
            "Find what changed in the process that produces the feature; fix the pipeline if it is an error, "
            "else retrain on recent data and re-validate.",
        )
