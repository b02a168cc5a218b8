"""Text and self-contained HTML reports of ``pitfall retrain``: the decision first, then the evidence for it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pitfall.reporting.svg import _esc

if TYPE_CHECKING:
    from pitfall.serve.retrain import RetrainResult

__all__ = ["render_html", "render_text"]


def _decision(r: RetrainResult) -> str:
    if r.promoted:
        return (f"PROMOTED {r.version}: not worse than {r.parent} (95% lower bound of the difference ≥ "
                f"−{r.margin:g}) and no new error-level finding.")
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
    evidence = "".join(f"<li>{_esc(line.strip())}</li>" for line in _evidence(r))
    findings = "".join(
        f'<div class="finding"><b>{_esc(which)}: ERROR {_esc(f["code"])} {_esc(f["name"])}</b>'
        f'<p>{_esc(f["message"])}</p><p><i>Fix:</i> {_esc(f["fix"])}</p></div>'
        for which, group in (("parent", r.old_errors), ("new", r.new_errors)) for f in group
    ) or "<p>No error-level findings for either model.</p>"
    notes = "".join(f"<li>{_esc(n)}</li>" for n in r.notes)
    status = "promoted" if r.promoted else "refused"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>pitfall retrain</title>'
        "<style>body{font-family:system-ui,sans-serif;max-width:920px;margin:2em auto;color:#0f172a}"
        ".decision{padding:.6em 1em;border-left:6px solid #15803d}.decision.refused{border-color:#b91c1c}"
        ".finding{border-left:4px solid #b91c1c;padding:.2em 1em;margin:1em 0}</style></head><body>"
        f'<h1>pitfall retrain</h1><p class="decision {status}">{_esc(_decision(r))}</p>'
        f"<h2>Evidence</h2><ul>{evidence}</ul><h2>Findings</h2>{findings}"
        f"{'<h2>Notes</h2><ul>' + notes + '</ul>' if notes else ''}</body></html>\n"
    )
