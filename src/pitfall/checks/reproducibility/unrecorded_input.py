"""PF702 unrecorded-run-input: something that decides a run's result is not pinned by its record."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pitfall.checks.base import Check, Requires, Skip
from pitfall.findings import Finding, Severity

__all__ = ["UnrecordedRunInput"]


class UnrecordedRunInput(Check):
    """A run depends on something its record does not pin: changed data, a missing seed, a non-deterministic model.

    ## What it finds
    `pitfall rerun RUN` checks what the recorded run depended on:
    - **data changed since**: a data file's content hash differs from the recorded one and its
      rows differ too (a re-export with the same rows in another order, or columns in another
      order, is the same data and is not reported);
    - **not deterministic, seed missing**: with `--train-script "python train.py"`, the user's
      training command is run twice; when the two models it writes predict differently on the
      test rows, the training is not reproducible from what was recorded. The finding names the
      model's parameters whose `random_state` is `None` (the missing seeds). A `random_state` of
      `None` alone is not reported: many fits never use it (logistic regression with lbfgs), and
      only two refits show whether the draws matter.
    Each is a `warning`: the result may still hold (PF701 says whether the numbers moved).

    ## Why it matters
    A reported score is a claim about specific data, code and random draws. If the data file was
    edited in place, or the training draws differ each time, nobody, including the authors, can
    get the reported number back, and a later "improvement" may be noise or a different test set.

    ## How to fix
    Keep data files immutable and versioned (a new file name or a DVC/git-annex version per
    change) and record a new run when the data changes; pass a fixed `random_state` to every
    estimator, splitter and sampler in the training code (and set `PYTHONHASHSEED` if it iterates
    over sets); then record the run again.

    ## Example
    `pitfall rerun last --train-script "python train.py"`: the two models written by `train.py`
    disagree on 37 of 300 test rows (12.3%); the model's random_state is None.
    """

    code = "PF702"
    name = "unrecorded-run-input"
    family = "reproducibility"
    severity = Severity.WARNING
    requires = Requires(rerun=True)  # not a scan check: `pitfall rerun` runs it

    def run(self, ctx: Any) -> Iterator[Finding]:
        raise Skip("runs with `pitfall rerun RUN`, which compares a run's inputs with its record")

    def judge(
        self,
        *,
        changed_data: list[dict[str, Any]],
        missing_seeds: dict[str, Any],
        disagreement: dict[str, Any] | None,
    ) -> list[Finding]:
        """Findings for one re-run's inputs.

        Args:
            changed_data: Inputs whose rows differ from the record (``role``, ``path``, hashes, rows).
            missing_seeds: Model parameters named ``*random_state`` that are None (named when the refits
                disagree).
            disagreement: Two refits by the training command compared on the test rows
                (``n``, ``disagree``), or None when no training command was given.
        """
        found = []
        if changed_data:
            shown = ", ".join(
                f"{d['path']} ({d.get('recorded_rows', '?')} → {d.get('rows', '?')} rows)" for d in changed_data
            )
            found.append(
                self.finding(
                    f"Data changed since the run was recorded: {shown}; "
                    "its content and its rows differ from the record.",
                    "Keep data files immutable (a new name or version per change) and record a new run when the data "
                    "changes; restore the recorded file to reproduce the recorded result.",
                    evidence={"kind": "data-changed", "changed": changed_data},
                )
            )
        if disagreement and disagreement.get("disagree", 0) > 0:
            n, k = disagreement["n"], disagreement["disagree"]
            unseeded = sorted(missing_seeds)
            seeds = (
                f"; the model's {', '.join(unseeded)} {'is' if len(unseeded) == 1 else 'are'} None, so its random "
                "draws are not recorded"
                if unseeded
                else ""
            )
            found.append(
                self.finding(
                    f"The training command is not deterministic: two runs of it wrote models that disagree on {k:,} of "
                    f"{n:,} test rows ({k / n:.1%}){seeds}.",
                    "Seed every random step of the training code (random_state=..., numpy's Generator, PYTHONHASHSEED) "
                    "and record the seed; then record the run again.",
                    evidence={"kind": "not-deterministic", **disagreement, "unseeded_parameters": unseeded},
                )
            )
        return found
