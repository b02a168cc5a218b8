"""PF104 id-like-column."""

from __future__ import annotations

from collections.abc import Iterator

from pitfall.checks.base import Check
from pitfall.checks.context import Context
from pitfall.checks.shared import id_like_columns
from pitfall.findings import Finding, Severity


class IdLikeColumn(Check):
    """A feature that is really a row identifier.

    ## What it finds
    Feature columns with a distinct value in (nearly) every training row that are integer
    counters (consecutive integers, or distinct integers in a column named like `*_id`) or
    short codes without spaces. Float measurements, free text, dates and decimal numbers stored
    as text are never reported, however unique their values. Columns passed as `--id` are not
    features and are not reported.

    ## Why it matters
    An identifier carries no information about the object, only about how the file was made:
    row numbers follow the order of collection (often sorted by class or date), accession
    numbers follow the cataloguing campaign. A model that uses one learns the file, not the
    object. It also hides copies of one object from duplicate checks, so pitfall leaves such
    columns out when it compares rows.

    ## How to fix
    Pass the column as `--id COLUMN` (or drop it from the features); if it is a group key (the
    same object seen several times), pass it as `--group`.

    ## Example
    `objid` from an SDSS query left among the features.
    """

    code = "PF104"
    name = "id-like-column"
    family = "integrity"
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        for col, why in id_like_columns(ctx).items():
            yield self.finding(
                f"Feature {col!r} looks like a row identifier ({why}).",
                f"Pass it with `--id {col}` or drop it from the features; "
                f"if rows sharing a value are the same object, use `--group {col}`.",
                evidence={"reason": why, "n_unique": int(ctx.split.train[col].nunique())},
                columns=(col,),
            )
