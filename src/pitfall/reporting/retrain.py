"""Text and self-contained HTML reports of ``pitfall retrain``: the decision first, then the evidence for it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pitfall.reporting.html import environment

if TYPE_CHECKING:
    from pitfall.runners.retrain import RetrainResult

__all__ = ["render_html", "render_text"]


def _decision(r: RetrainResult) -> str:
    if r.promoted:
        return (
            f"PROMOTED {r.version}: not worse than {r.parent} (95% lower bound of the difference ≥ "
            f"−{r.margin:g}) and no new error-level finding."
        )
    where = "stored unpromoted" if r.stored else "not stored"
    return f"NOT PROMOTED: {r.version} {where}; {r.parent} stays promoted. Why: " + "; ".join(r.reasons) + "."


def _evidence(r: RetrainResult) -> list[str]:
    d = r.difference
    return [
        f"Training rows: {r.n_train:,} from the training data + {r.n_reviewed:,} reviewed items "
        f"({r.n_corrected:,} corrected by reviewers).",
        f"Holdout: {r.n_holdout:,} labelled rows ({r.n_holdout_dropped:,} left out as reviewed items).",
        f"{r.metric} on the holdout, 95% paired bootstrap intervals (seed {r.seed}):",
        f"  parent {r.parent}: {r.old}",
        f"  new    {r.version}: {r.new}",
        f"  new − parent: {d.estimate:+.3f} [{d.low:+.3f}, {d.high:+.3f}] (non-inferiority margin {r.margin:g})",
        f"Error-level findings ({', '.join(r.checks)} on the holdout): parent "
        f"{_codes(r.old_errors)}; new {_codes(r.new_errors)}.",
    ]


def _codes(findings: list[dict]) -> str:
    return ", ".join(sorted({f["code"] for f in findings})) or "none"


def render_text(r: RetrainResult) -> str:
    lines = ["pitfall retrain", _decision(r), *_evidence(r)]
    for f in r.new_errors:
        if f["code"] in r.added_errors:
            lines += [f"ERROR {f['code']} {f['name']} (new model): {f['message']}", f"  fix: {f['fix']}"]
    lines += [f"Note: {n}" for n in r.notes]
    return "\n".join(lines) + "\n"


def render_html(r: RetrainResult) -> str:
    findings = [
        {
            "severity": "error",
            "heading": f"{which}: ERROR {f['code']} {f['name']}",
            "message": f["message"],
            "fix": f["fix"],
        }
        for which, group in (("parent", r.old_errors), ("new", r.new_errors))
        for f in group
    ]
    return (
        environment()
        .get_template("command_page.html.j2")
        .render(
            title="pitfall retrain",
            decision=_decision(r),
            status="promoted" if r.promoted else "refused",
            evidence_title="Evidence",
            evidence=[line.strip() for line in _evidence(r)],
            chart="",
            findings=findings,
            no_findings="No error-level findings for either model.",
            notes=r.notes,
        )
        + "\n"
    )
