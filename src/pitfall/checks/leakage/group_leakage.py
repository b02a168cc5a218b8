"""PF203 group-leakage."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from pitfall.checks.base import Check
from pitfall.checks.context import Context
from pitfall.checks.matching import CHANCE_TAU, expected_chance, row_codes
from pitfall.checks.shared import data_dimension, impact_severity_share, matching_columns, surprise
from pitfall.findings import Finding, Severity

CLUSTER_WIDTH = 0.1  # robust SD; the middle cell width of PF202


class GroupLeakage(Check):
    """The same object (a group of rows) on both sides of the split, declared or inferred.

    ## What it finds
    - With `--group COLUMN`: groups that have rows in both train and test, and the share of
      test rows that belong to them.
    - Without it: clusters of near-identical rows (cells of 0.1 robust SD on every numeric
      feature, exact on categorical ones, improbable by chance) that have rows in both splits:
      several views of one object spread across the split. It names any column that is constant
      within those clusters and could serve as the group key. The inferred finding is a warning.

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
            yield from self._inferred(ctx)

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
            f"{len(shared):,} of {test_g.nunique():,} groups in {g!r} appear in both train and test; "
            f"they hold {k_rows:,} test rows ({share:.1%}).",
            f"Split by group so each {g!r} is on one side: `--split group --group {g}` or GroupShuffleSplit.",
            evidence={
                "group_column": g,
                "shared_groups": len(shared),
                "test_groups": int(test_g.nunique()),
                "test_rows_in_shared_groups": k_rows,
                "share_of_test": share,
                "score_noise_half_width": half,
                "examples": [v.item() if hasattr(v, "item") else v for v in shared[:5]],
            },
            columns=(g,),
            severity=Severity.ERROR if exceeds else Severity.WARNING,
        )

    def _inferred(self, ctx: Context) -> Iterator[Finding]:
        cols = matching_columns(ctx)
        if not cols:
            return
        train, test = ctx.split.train, ctx.split.test
        both = pd.concat([train[cols], test[cols]], ignore_index=True)
        codes = row_codes(both, both.iloc[:0], cols, d_eff=data_dimension(ctx), width=CLUSTER_WIDTH, seed=ctx.seed + 7)
        n_all, n_train = len(both), len(train)
        expected = expected_chance(codes.train_logp, n_all - 1)
        eligible = expected < CHANCE_TAU
        frame = pd.DataFrame({"h": codes.train_hash, "test": np.arange(n_all) >= n_train})
        frame = frame[eligible]
        stats = frame.groupby("h")["test"].agg(["size", "sum"])
        straddling = stats[(stats["size"] >= 2) & (stats["sum"] >= 1) & (stats["sum"] < stats["size"])]
        k = len(straddling)
        if k == 0:
            return
        mu, p = surprise(k, expected, eligible)
        if p >= self.alpha:
            return
        test_rows = int(straddling["sum"].sum())
        share = test_rows / len(test)
        sizes = straddling["size"]
        member = frame["h"].isin(straddling.index)
        member_rows = np.flatnonzero(eligible)[member.to_numpy()]
        candidates = _group_key_candidates(ctx, member_rows, codes.train_hash[member_rows])
        hint = f" Column {candidates[0]!r} is constant within them: pass `--group {candidates[0]}`." if candidates else ""
        yield self.finding(
            f"{k:,} clusters of near-identical rows (median {int(sizes.median())} rows each) straddle "
            f"the split and hold {test_rows:,} test rows ({share:.1%}): likely several views of the "
            f"same objects.{hint}",
            "Find the object each row belongs to and split by it (`--split group --group ID`); "
            "without an identifier, use the clusters as groups.",
            evidence={
                "inferred": True,
                "clusters_straddling": k,
                "test_rows_in_clusters": test_rows,
                "share_of_test": share,
                "median_cluster_size": float(sizes.median()),
                "max_cluster_size": int(sizes.max()),
                "expected_by_chance": mu,
                "p_value": p,
                "group_key_candidates": candidates,
            },
            severity=Severity.WARNING,
        )


def _group_key_candidates(ctx: Context, rows: np.ndarray, cluster: np.ndarray) -> list[str]:
    """Columns (identifiers or role-less columns) constant within clusters yet varied overall."""
    train, test = ctx.split.train, ctx.split.test
    both = pd.concat([train, test], ignore_index=True)
    out = []
    skip = {ctx.split.roles.target, ctx.split.roles.time}
    for col in both.columns:
        if col in skip:
            continue
        values = both[col].iloc[rows]
        if values.isna().any() or both[col].nunique() < 0.05 * len(both):
            continue
        per = pd.DataFrame({"c": cluster, "v": values.to_numpy()}).groupby("c")["v"].nunique()
        if len(per) and (per == 1).mean() >= 0.9 and both[col].nunique() < len(both):
            out.append(str(col))
    return out[:3]
