"""PF203 group-leakage."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from pitfall.checks.base import Check
from pitfall.checks.context import Context
from pitfall.checks.neighbour_copies import neighbour_copies
from pitfall.checks.shared import (
    CrossMatches,
    cross_matches,
    impact_severity_share,
    matching_columns,
    python_value,
    row_index,
)
from pitfall.findings import Finding, Severity
from pitfall.stats import poisson_sf


class GroupLeakage(Check):
    """The same object (a group of rows) on both sides of the split, declared or inferred.

    ## What it finds
    - With `--group COLUMN`: groups that have rows in both train and test, and the share of
      test rows that belong to them.
    - Without it: test rows that are improbable exact or near copies of training rows (as in
      PF201 and PF202, significant against chance at p < alpha) form clusters with the training
      rows sharing their cell. The finding (a warning) is made when the clusters look like
      several views per object (a median of at least three rows each), or when a column behaves
      like the objects' key: a code (text or whole numbers) constant within at least 90% of the
      clusters whose value is, in the median cluster, held mostly (at least half) by that
      cluster's rows. It names that column. Pairs of copies without such a column are left to
      PF201 and PF202. A code is never a measurement: a numeric column of more than 32 values
      that rank-correlates (|rho| >= 0.3) with another column or the label is a scale.
    - Noisy repeats that the grids miss (a specimen measured four times with noise of a few
      percent of each column's spread): when, by the nearest-neighbour test of PF202, test
      rows have improbably close training neighbours (p < alpha) and the median such row has
      at least two of them (three or more measurements of one specimen), a warning.
    - A column that looks like the objects' key though no copies name it (a `firm` repeated
      across years): a code (never a measurement) with at least 20 values, a median of 2 to 100
      rows each, and at least half of the test rows sharing their value with training rows (the
      split looks random along it). When pitfall's model, scored out-of-fold on the training
      rows, does worse with folds by that column than with random folds (paired bootstrap 95%
      interval of the drop above zero, and a drop of at least 0.05 in accuracy, or 5% more
      absolute error), a warning that suggests `--group COLUMN`; such a finding replaces an
      inferred one that names no key. A column whose grouping does not change the score is
      not suggested (see `pitfall.checks.group_keys`).
    - A date column (typed as dates, as in Parquet or a DataFrame) not declared with `--time`,
      along which the split looks random (at least half of the test rows are older than the
      newest training row): when holding out one of five contiguous periods at a time scores
      clearly worse out-of-fold than random folds of the same size (same test as above), a
      warning that suggests `--time COLUMN`.
    - With text columns, the clusters are the connected groups of exact and near copies of
      records (PF201 and PF202 for text) that hold an improbably copied test record and rows on
      both sides of the split; the same two conditions apply.

    - With image columns: clusters of exact and near copies of images (as in PF201 and PF202)
      with members in both train and test, reported when there are at least two such clusters
      and the median holds at least three images (several views of one object).

    ## Why it matters
    Rows of one object share everything the label depends on and much it does not (the
    instrument, the observing night, the patient's other conditions). A model scored on an
    object it has seen in training is scored on recognition, not on generalisation.

    ## How to fix
    Split by group: `pitfall scan data.csv --split group --group galaxy_id`, or
    `GroupShuffleSplit` / `GroupKFold` in scikit-learn.

    ## Example
    Four exposures of each galaxy, split at random: 90% of test galaxies also appear in train.

    ## Options
    - `alpha` (default 0.001): significance level for inferred clusters against chance.
    """

    code = "PF203"
    name = "group-leakage"
    family = "leakage"
    severity = Severity.ERROR

    def __init__(self, *, alpha: float = 0.001):
        self.alpha = alpha

    def run(self, ctx: Context) -> Iterator[Finding]:
        if ctx.split.roles.group:
            yield from self._declared(ctx)
        else:
            found = list(self._inferred(ctx))
            if any(f.evidence.get("group_key_candidates") for f in found):
                yield from found
                return
            # no key named yet: a column that splits the score is the more useful finding
            yield from list(self._suggested(ctx)) or found

    def _suggested(self, ctx: Context) -> Iterator[Finding]:
        """A column that looks like the objects' key and whose grouped folds score clearly worse."""
        from pitfall.checks.group_keys import suggest_group_key

        if ctx.split.roles.modality:
            return
        s = suggest_group_key(ctx)
        if s is None:
            yield from self._suggested_time(ctx)
            return
        drop = s.drop
        if s.measure == "accuracy":
            scores = (
                f"with folds by {s.column!r} pitfall's model reaches accuracy {s.grouped_folds:.3f} out-of-fold "
                f"on the training rows, against {s.random_folds:.3f} with random folds (drop {drop['estimate']:.3f}, "
                f"95% CI {drop['low']:.3f} to {drop['high']:.3f})"
            )
        else:
            scores = (
                f"with folds by {s.column!r} pitfall's model's absolute error is {s.grouped_folds:.4g} out-of-fold "
                f"on the training rows, against {s.random_folds:.4g} with random folds ({drop['estimate']:.0%} more, "
                f"95% CI {drop['low']:.0%} to {drop['high']:.0%})"
            )
        yield self.finding(
            f"Column {s.column!r} repeats {s.values:,} values across rows (median {s.median_rows:g} rows each) "
            f"and {s.shared_test_share:.0%} of test rows share their value with training rows: the split "
            f"looks random along it. {scores[0].upper()}{scores[1:]}: pass `--group {s.column}`.",
            f"Split so each {s.column!r} is on one side (`--split group --group {s.column}`, or "
            "GroupShuffleSplit), then re-evaluate.",
            evidence={
                "inferred": True,
                "method": "group key",
                "group_key_candidates": [s.column],
                "values": s.values,
                "median_rows_per_value": s.median_rows,
                "test_rows_sharing_a_value": s.shared_test_share,
                "random_folds_score": s.random_folds,
                "grouped_folds_score": s.grouped_folds,
                "measure": s.measure,
                "drop": drop,
            },
            columns=(s.column,),
            severity=Severity.WARNING,
        )

    def _declared(self, ctx: Context) -> Iterator[Finding]:
        g = ctx.split.roles.group
        train_groups = pd.Index(ctx.split.train[g].dropna().unique())
        test_g = ctx.split.test[g]
        in_both = test_g.isin(train_groups).to_numpy()
        k_rows = int(in_both.sum())
        if k_rows == 0:
            return
        shared = test_g[in_both].unique()
        n_test = len(test_g)
        share = k_rows / n_test
        exceeds, half = impact_severity_share(share, n_test)
        yield self.finding(
            f"{len(shared):,} of {test_g.nunique():,} groups in {g!r} appear in both train and "
            "test; "
            f"they hold {k_rows:,} test rows ({share:.1%}).",
            f"Split by group so each {g!r} is on one side: `--split group --group {g}` or GroupShuffleSplit.",
            evidence={
                "group_column": g,
                "shared_groups": len(shared),
                "test_groups": int(test_g.nunique()),
                "test_rows_in_shared_groups": k_rows,
                "share_of_test": share,
                "score_noise_half_width": half,
                "examples": [python_value(v) for v in shared[:5]],
            },
            columns=(g,),
            severity=Severity.ERROR if exceeds else Severity.WARNING,
        )

    def _inferred(self, ctx: Context) -> Iterator[Finding]:
        if ctx.split.roles.text:
            from pitfall.checks.leakage.text_duplicates import text_group_leakage

            yield from text_group_leakage(self, ctx, self.alpha)
        if ctx.split.roles.image:
            from pitfall.checks.leakage.image_duplicates import cluster_findings

            yield from cluster_findings(self, ctx)
        if not matching_columns(ctx):
            return
        m = cross_matches(ctx)
        k = len(m.exact) + len(m.near)
        mu = m.mu_exact + m.mu_near
        p = poisson_sf(k, mu)
        if k == 0 or p >= self.alpha:
            yield from self._neighbours(ctx)
            return
        members = _cluster_members(ctx, m)
        sizes = members.groupby("cluster").size()
        test_rows = int((members["split"] == 1).sum())
        candidates = group_key_candidates(ctx, members)
        if not candidates and sizes.median() < 3:
            # copies in pairs on the grids; noisy repeats may still be several per specimen
            yield from self._neighbours(ctx)
            return
        share = test_rows / len(ctx.split.test)
        hint = (
            f" Column {candidates[0]!r} is constant within them: pass `--group {candidates[0]}`." if candidates else ""
        )
        yield self.finding(
            f"{len(sizes):,} clusters of near-identical rows (median {sizes.median():g} rows each) "
            f"straddle the split and hold {test_rows:,} test rows ({share:.1%}): likely several "
            f"views of the same objects.{hint}",
            "Find the object each row belongs to and split by it (`--split group --group ID`); "
            "without an identifier, use the clusters as groups.",
            evidence=cluster_evidence(sizes, test_rows, share, mu, p, candidates),
            columns=tuple(candidates[:1]),
            severity=Severity.WARNING,
        )

    def _neighbours(self, ctx: Context) -> Iterator[Finding]:
        """Several training rows improbably close to each of many test rows: repeated measurements
        of one specimen on both sides (see ``pitfall.checks.neighbour_copies``)."""
        m = neighbour_copies(ctx, matching_columns(ctx))
        if m is None or len(m.rows) == 0:
            return
        p = poisson_sf(len(m.rows), m.expected)
        copies = float(np.median(m.siblings))
        if p >= self.alpha or copies < 2:
            return  # pairs of copies: PF202 says all there is to say
        share = len(m.rows) / m.examined
        yield self.finding(
            f"{len(m.rows):,} of {m.examined:,} test rows examined ({share:.1%}) each have several "
            f"training rows improbably close (median {copies:g}; {m.expected:.2g} such test rows "
            "expected by chance): likely repeated measurements of the same specimens on both "
            "sides of the split.",
            "Find the specimen each row belongs to and split by it (`--split group --group ID`); "
            "without an identifier, cluster near-identical rows and split by cluster.",
            evidence={
                "inferred": True,
                "method": "nearest neighbours",
                "test_rows_with_copies": len(m.rows),
                "examined": m.examined,
                "share_of_test": share,
                "median_training_copies": copies,
                "expected_by_chance": m.expected,
                "p_value": p,
                "local_dimension": m.dimension,
                "group_key_candidates": [],
            },
            severity=Severity.WARNING,
        )

    def _suggested_time(self, ctx: Context) -> Iterator[Finding]:
        """A date column along which the split looks random and whose periods score worse."""
        from pitfall.checks.group_keys import suggest_time_key

        s = suggest_time_key(ctx)
        if s is None:
            return
        d = s.drop
        if s.measure == "accuracy":
            scores = (
                f"holding out one period at a time, pitfall's model reaches accuracy {s.grouped_folds:.3f} "
                f"out-of-fold on the training rows, against {s.random_folds:.3f} with random folds (drop "
                f"{d['estimate']:.3f}, 95% CI {d['low']:.3f} to {d['high']:.3f})"
            )
        else:
            scores = (
                f"holding out one period at a time, pitfall's model's absolute error is {s.grouped_folds:.4g} "
                f"out-of-fold on the training rows, against {s.random_folds:.4g} with random folds "
                f"({d['estimate']:.0%} more, 95% CI {d['low']:.0%} to {d['high']:.0%})"
            )
        yield self.finding(
            f"{s.older_test_share:.0%} of test rows are older than the newest training row in date column "
            f"{s.column!r}: the split looks random in time, and {scores}: pass `--time {s.column}`.",
            f"Split by time (`--split time --time {s.column}`): train before a cut-off, test after it.",
            evidence={
                "inferred": True,
                "method": "time key",
                "time_column": s.column,
                "test_rows_older_than_train": s.older_test_share,
                "random_folds_score": s.random_folds,
                "period_folds_score": s.grouped_folds,
                "measure": s.measure,
                "drop": d,
                "group_key_candidates": [],
            },
            columns=(s.column,),
            severity=Severity.WARNING,
        )


def cluster_evidence(
    sizes: pd.Series, test_rows: int, share: float, mu: float, p: float, candidates: list[str], **extra: object
) -> dict[str, object]:
    """Evidence of copy clusters straddling the split (tabular rows, text records, images alike)."""
    return {
        "inferred": True,
        **extra,
        "clusters_straddling": len(sizes),
        "test_rows_in_clusters": test_rows,
        "share_of_test": share,
        "median_cluster_size": float(sizes.median()),
        "max_cluster_size": int(sizes.max()),
        "expected_by_chance": mu,
        "p_value": p,
        "group_key_candidates": candidates,
    }


def _cluster_members(ctx: Context, m: CrossMatches) -> pd.DataFrame:
    """Rows (of both splits) sharing a cell with an improbably matched test row.

    A cluster is the cell at the level where its test row matched (exact cells for copies).
    Returns a frame with columns ``cluster`` (level, key), ``split`` (0 train, 1 test), ``row``.
    """
    index = row_index(ctx)
    rows = np.concatenate([m.exact, m.near])
    levels = np.concatenate([np.zeros(len(m.exact), dtype=np.int64), m.near_level])
    keys = index.keys[levels, rows + index.part(1).start]
    parts = []
    for level in np.unique(levels):
        wanted = np.unique(keys[levels == level])
        for split in (0, 1):
            pos = index.members(split, int(level), wanted)
            key = index.keys[level, pos + index.part(split).start]
            parts.append(pd.DataFrame({"cluster": [f"{level}:{v}" for v in key], "split": split, "row": pos}))
    members = pd.concat(parts, ignore_index=True)
    both = members.groupby("cluster")["split"].agg(["min", "max"])
    straddling = both.index[(both["min"] == 0) & (both["max"] == 1)]
    return members[members["cluster"].isin(straddling)]


def group_key_candidates(ctx: Context, members: pd.DataFrame) -> list[str]:
    """Columns that behave like the objects' key within the clusters.

    A key is a code (text, category or integer; a float measurement copied with its row is
    not one), is constant within at least 90% of the clusters, and identifies its cluster: in
    the median cluster at least half of all rows holding the key's value belong to it (so a
    city or a product type shared by many unrelated rows does not qualify). The target and time
    columns are never candidates; columns that are not matching features come first.
    """
    train, test = ctx.split.train, ctx.split.test
    skip = {ctx.split.roles.target, ctx.split.roles.time}
    is_train = (members["split"] == 0).to_numpy()
    rows = members["row"].to_numpy()
    clusters = members["cluster"].to_numpy()
    matching = set(matching_columns(ctx))
    found = []
    for col in train.columns:
        if col in skip or not is_code_column(train[col]) or is_measurement(ctx, col):
            continue
        values = np.empty(len(members), dtype=object)
        values[is_train] = train[col].to_numpy()[rows[is_train]]
        values[~is_train] = test[col].to_numpy()[rows[~is_train]]
        per = pd.DataFrame({"c": clusters, "v": values}).groupby("c")["v"]
        if (per.nunique(dropna=False) == 1).mean() < 0.9:
            continue
        first = per.first().dropna()
        if first.empty:
            continue
        everywhere = pd.concat([train[col], test[col]], ignore_index=True).value_counts()
        held = per.size()[first.index].to_numpy() / everywhere.reindex(first.to_numpy()).to_numpy(dtype=float)
        if np.nanmedian(held) >= 0.5:
            found.append((col in matching, str(col)))
    return [name for _, name in sorted(found)][:3]


MEASUREMENT_RHO = 0.3  # rank correlation with another column above which numbers are a scale


def is_measurement(ctx: Context, col: str) -> bool:
    """Whole numbers on a scale (a proline content, a count), not arbitrary codes.

    A numeric column with more than 32 values whose rank correlation with another numeric
    column or with the label reaches ``MEASUREMENT_RHO`` (on up to 5,000 training rows) orders
    the rows meaningfully; the numbers of an identifier (a firm's code) are arbitrary and
    correlate with nothing.
    """
    train = ctx.split.train
    values = train[col]
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return False
    if values.nunique() <= 32:
        return False
    sample = train.iloc[:: max(1, len(train) // 5000)]
    numeric = sample.select_dtypes("number").drop(columns=[col])
    target = ctx.split.roles.target
    if target in sample.columns and ctx.is_classification:
        numeric[target] = pd.Series(ctx.y_train[:: max(1, len(train) // 5000)], index=sample.index)
    if numeric.empty:
        return False
    rho = numeric.corrwith(sample[col], method="spearman").abs()
    return bool((rho >= MEASUREMENT_RHO).any())


def is_code_column(values: pd.Series) -> bool:
    """Text, categories, booleans or whole numbers: values that can name an object."""
    if not pd.api.types.is_float_dtype(values):
        return not pd.api.types.is_datetime64_any_dtype(values)
    x = values.dropna().to_numpy(dtype=float)
    return bool(x.size) and bool(np.all(np.mod(x, 1) == 0))
