"""PF103 constant-column."""

from __future__ import annotations

from collections.abc import Iterator

from pitfall.checks.base import Check
from pitfall.checks.context import Context
from pitfall.findings import Finding, Severity


class ConstantColumn(Check):
    """A feature that is empty or takes a single value in the training data.

    ## What it finds
    Feature columns that are entirely missing (warning) or hold one value in every training row
    (info). Missing values are not counted as a second value.

    ## Why it matters
    Such a column carries no information for the model. An empty column usually means a join or
    an export went wrong; a constant one often means a filter kept one subgroup only, so the
    model will meet values in deployment it never saw.

    ## How to fix
    Drop the column, or fix the export or join that emptied it.

    ## Example
    `telescope` is `"VLT"` in every training row because the query selected one instrument.
    """

    code = "PF103"
    name = "constant-column"
    family = "integrity"
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        train, test = ctx.split.train, ctx.split.test
        empty, constant = [], []
        for col in ctx.split.features:
            values = train[col]
            n_unique = values.nunique(dropna=True)
            if n_unique == 0:
                empty.append(col)
            elif n_unique == 1:
                varies = test[col].nunique(dropna=True) > 1
                constant.append((col, values.dropna().iloc[0], varies))
        if empty:
            yield self.finding(
                f"{len(empty)} feature column(s) are empty in train: {', '.join(map(repr, empty[:10]))}.",
                "Drop the empty columns or fix the export/join that emptied them.",
                evidence={"columns": empty},
                columns=empty,
            )
        if constant:
            names = [c for c, _, _ in constant]
            varying = [c for c, _, v in constant if v]
            yield self.finding(
                f"{len(constant)} feature column(s) hold a single value in train: "
                + ", ".join(f"{c!r}={v!r}" for c, v, _ in constant[:10])
                + (f"; {len(varying)} of them vary in test" if varying else "")
                + ".",
                "Drop constant columns; if test varies where train does not, widen the training data.",
                evidence={"columns": names, "values": {c: v for c, v, _ in constant}, "vary_in_test": varying},
                columns=names,
                severity=Severity.WARNING if varying else Severity.INFO,
            )
