"""PF701 result-not-reproduced: a re-run of a recorded run gives other numbers or other findings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pitfall.checks.base import Check, Requires, Skip
from pitfall.findings import Finding, Severity

__all__ = ["ResultNotReproduced"]


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


class ResultNotReproduced(Check):
    """Re-running a recorded run moves a metric outside its recorded confidence interval, or changes the findings.

    ## What it finds
    `pitfall rerun RUN` re-executes the command recorded in `.pitfall/runs/RUN/` (after the
    user's own training command, with `--train-script`) and compares the new report with the
    recorded one. Every metric recorded with a 95% confidence interval is checked: the new
    estimate must fall inside the recorded interval. Every finding (code and columns) must
    appear again, and no new one may appear. When a metric leaves its interval or a finding
    appears or disappears: `error`. When the reports are equal apart from timings, the run is
    reproduced bit for bit and nothing is reported.

    ## Why it matters
    A result that does not come back when the same command runs on what should be the same
    data, code and seeds cannot be trusted as reported: either something unrecorded changed
    (the data file, the training code, a package) or the pipeline is not deterministic. The
    recorded interval is the run's own statement of how precise the number is, so a re-run
    outside it contradicts the claim, not just its last decimal.

    ## How to fix
    Read PF702 and `pitfall runs diff RUN NEW` for what changed between the two runs (data
    hashes, code commit, environment). Put back the recorded data, seed every random step of the
    training code, pin the package versions, and record the run again once it reproduces.

    ## Example
    The data file was edited after `pitfall scan train.csv test.csv -t label --record`:
    `pitfall rerun last` reports that balanced_accuracy moved from 0.912 [0.894, 0.929] to
    0.861, outside its interval, and that PF201 appeared.
    """

    code = "PF701"
    name = "result-not-reproduced"
    family = "reproducibility"
    severity = Severity.ERROR
    requires = Requires(rerun=True)  # not a scan check: `pitfall rerun` runs it

    def run(self, ctx: Any) -> Iterator[Finding]:
        raise Skip("runs with `pitfall rerun RUN`, which re-executes a recorded run")

    def judge(
        self,
        *,
        recorded: dict[str, dict[str, float | None]],
        now: dict[str, dict[str, float | None]],
        recorded_findings: list[dict[str, Any]],
        new_findings: list[dict[str, Any]],
    ) -> list[Finding]:
        """Findings for one re-run: ``recorded``/``now`` map metric names to ``{estimate, low, high}``."""
        moved, vanished = [], []
        for name, old in recorded.items():
            low, high = old.get("low"), old.get("high")
            if low is None or high is None:
                continue
            new = now.get(name)
            if new is None or new.get("estimate") is None:
                vanished.append(name)
                continue
            if not low <= new["estimate"] <= high:
                moved.append({"metric": name, "recorded": old, "now": new["estimate"]})
        key = lambda f: (f.get("code"), tuple(f.get("columns") or ()))  # noqa: E731
        before = {key(f): f for f in recorded_findings}
        after = {key(f): f for f in new_findings}
        appeared = [after[k] for k in after if k not in before]
        disappeared = [before[k] for k in before if k not in after]
        if not (moved or vanished or appeared or disappeared):
            return []
        parts = []
        if moved:
            shown = "; ".join(
                f"{m['metric']} {_fmt(m['recorded']['estimate'])} [{_fmt(m['recorded']['low'])}, "
                f"{_fmt(m['recorded']['high'])}] → {_fmt(m['now'])}"
                for m in moved[:3]
            )
            more = f" and {len(moved) - 3} more" if len(moved) > 3 else ""
            parts.append(f"{len(moved)} of {len(recorded)} metrics moved outside their recorded 95% CI ({shown}{more})")
        if vanished:
            parts.append(f"{len(vanished)} recorded metric(s) were not measured again ({', '.join(vanished[:3])})")
        if appeared:
            parts.append("finding(s) appeared: " + ", ".join(sorted({f["code"] for f in appeared})))
        if disappeared:
            parts.append("finding(s) disappeared: " + ", ".join(sorted({f["code"] for f in disappeared})))
        return [
            self.finding(
                "The re-run does not reproduce the recorded result: " + "; ".join(parts) + ".",
                "Compare the runs with `pitfall runs diff`; restore the recorded data, seed the training code, pin the "
                "package versions, then record the run again.",
                evidence={
                    "moved": moved,
                    "not_measured": vanished,
                    "appeared": appeared,
                    "disappeared": disappeared,
                    "n_metrics": len(recorded),
                },
            )
        ]
