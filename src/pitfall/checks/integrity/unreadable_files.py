"""PF107 unreadable-file."""

from __future__ import annotations

from collections.abc import Iterator

from pitfall.checks.base import Check, Requires
from pitfall.checks.context import Context
from pitfall.findings import Finding, Severity


class UnreadableFile(Check):
    """Image files that are missing, empty, corrupt or in a format pitfall cannot decode.

    ## What it finds
    Every cell of an image column (`--image`, or the paths of an image folder) whose file cannot
    be decoded with Pillow: a missing file, a path that is a folder, a truncated or corrupt
    file, a format Pillow does not read, or an empty cell. FITS files need astropy and count as
    unreadable without it. The finding lists how many per split and the first few paths with
    the reason. pitfall goes on without them: their descriptors are missing, and the default
    model reads them as the training mean of each feature.

    ## Why it matters
    A data loader that skips bad files silently changes the data set (often one class more than
    another, when the files came from different sources); one that substitutes a blank image
    teaches the model that blank means that class. Either way the reported score is not the
    score on the data you think you have.

    ## How to fix
    Fix or re-export the files, or remove their rows deliberately (and say so); check that the
    paths are relative to the data file's folder.

    ## Example
    Twelve of 2,000 scans are truncated downloads that end in the middle of the JPEG stream.
    """

    code = "PF107"
    name = "unreadable-file"
    family = "integrity"
    severity = Severity.WARNING
    requires = Requires(image=True)

    def run(self, ctx: Context) -> Iterator[Finding]:
        from pitfall.data.images import image_table

        for col in ctx.split.roles.image:
            tables = {side: image_table(ctx, col, side) for side in ("train", "test")}
            counts = {side: len(t.errors) for side, t in tables.items()}
            total = sum(counts.values())
            if total == 0:
                continue
            n = sum(len(t.paths) for t in tables.values())
            examples = [
                {"split": side, "row": int(row), "path": t.paths[row], "reason": reason}
                for side, t in tables.items()
                for row, reason in list(t.errors.items())[:5]
            ][:8]
            reasons: dict[str, int] = {}
            for t in tables.values():
                for reason in t.errors.values():
                    kind = reason.split(" (")[0]
                    reasons[kind] = reasons.get(kind, 0) + 1
            first = examples[0]
            yield self.finding(
                f"{total:,} of {n:,} images in {col!r} cannot be read ({counts['train']:,} in train, "
                f"{counts['test']:,} in test), e.g. {first['path']!r}: {first['reason']}.",
                "Fix or re-export these files, or drop their rows deliberately; check that relative "
                "paths are relative to the data file's folder.",
                evidence={
                    "column": col,
                    "count": total,
                    "n_images": n,
                    "by_split": counts,
                    "reasons": reasons,
                    "examples": examples,
                },
                columns=(col,),
            )
