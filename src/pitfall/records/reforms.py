"""The REFORMS checklist (Kapoor et al., Science Advances 2024: 32 items in 8 modules), answered from a run.

Items pitfall can answer are answered from the record with the evidence (hashes, checks that ran
and what they found, the intervals); items that need people are answered from
``[tool.pitfall.card]`` when given, else listed as open with the key that answers them. The item
texts here are short paraphrases; the paper's Table 1 and its guidelines are the reference.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ITEMS", "checklist"]

# (id, module, paraphrase, [tool.pitfall.card] key that people answer it with)
ITEMS: list[tuple[str, str, str, str | None]] = [
    ("1a", "Study goals", "Population or distribution the scientific claim is about", "population"),
    ("1b", "Study goals", "Why this population or distribution was chosen", "population_motivation"),
    ("1c", "Study goals", "Why machine learning is used", "ml_motivation"),
    ("2a", "Computational reproducibility", "Data used for training and evaluation, uniquely identified", "data_link"),
    ("2b", "Computational reproducibility", "Code used for the results, uniquely identified", "code_link"),
    ("2c", "Computational reproducibility", "Computing infrastructure", None),
    ("2d", "Computational reproducibility", "README with instructions to reproduce the results", "readme"),
    ("2e", "Computational reproducibility", "Script that reproduces all reported results", "reproduction_script"),
    (
        "3a",
        "Data quality",
        "Sources of the training and evaluation data, collection time, annotation process",
        "collection_process",
    ),
    ("3b", "Data quality", "Sampling frame the data was drawn from", "sampling_frame"),
    ("3c", "Data quality", "Why the data set is useful for the task", "dataset_usefulness"),
    ("3d", "Data quality", "Outcome variable: definition and descriptive statistics", "outcome_definition"),
    ("3e", "Data quality", "Number of samples (and of distinct objects)", None),
    ("3f", "Data quality", "Share of missing data", None),
    ("3g", "Data quality", "Why the sampling frame represents the population of the claim", "representativeness"),
    ("4a", "Data preprocessing", "Samples excluded, and why", "exclusions"),
    ("4b", "Data preprocessing", "How impossible or corrupt samples are handled", None),
    ("4c", "Data preprocessing", "All transformations from raw data to model inputs", "transformations"),
    ("5a", "Modeling", "All models trained: inputs, model types, loss function", "loss_function"),
    ("5b", "Modeling", "Why these model types", "model_choice"),
    ("5c", "Modeling", "Evaluation method: train-test split or cross-validation details", None),
    ("5d", "Modeling", "How the reported model was selected", "model_selection"),
    ("5e", "Modeling", "Hyperparameter tuning of the reported model", "hyperparameter_tuning"),
    ("5f", "Modeling", "Comparison against appropriate baselines", None),
    ("6a", "Data leakage", "Preprocessing and modeling use training data only", None),
    ("6b", "Data leakage", "Dependencies and duplicates between training and test data", None),
    ("6c", "Data leakage", "Each feature is legitimate and does not leak the outcome", "feature_legitimacy"),
    ("7a", "Metrics and uncertainty", "All metrics used, and why the selection metric suits the task", None),
    ("7b", "Metrics and uncertainty", "Uncertainty estimates and how they are computed", None),
    ("7c", "Metrics and uncertainty", "Choice of statistical tests and their assumptions", None),
    ("8a", "Generalizability and limitations", "Evidence of external validity", "external_validity"),
    ("8b", "Generalizability and limitations", "Contexts where the findings are not expected to hold", "limits"),
]


def _ran(report: dict[str, Any]) -> set[str]:
    timed = set(report.get("timings") or {}) - {"total"}
    return timed - set(report.get("skipped") or {}) - set(report.get("crashed") or {})


def _found(report: dict[str, Any], codes: tuple[str, ...]) -> list[dict[str, Any]]:
    return [f for f in report.get("findings") or [] if f.get("code") in codes]


def _leak_answer(report: dict[str, Any], codes: tuple[str, ...], what: str) -> tuple[str, str, dict[str, Any]]:
    ran = sorted(_ran(report) & set(codes))
    skipped = {c: r for c, r in (report.get("skipped") or {}).items() if c in codes}
    found = _found(report, codes)
    if not ran:
        why = "; ".join(f"{c}: {r}" for c, r in skipped.items()) or "not selected"
        return "open", f"Not checked by this run ({why}).", {"skipped": skipped}
    if found:
        text = "; ".join(f"{f['code']} ({f['severity']}): {f['message']}" for f in found)
        return (
            "answered",
            f"Checked ({', '.join(ran)}) and a problem was found: {text}",
            {"ran": ran, "findings": found},
        )
    return "answered", f"Checked ({', '.join(ran)}): no {what} found.", {"ran": ran, "skipped": skipped}


def checklist(content: dict[str, Any], report: dict[str, Any], people: dict[str, Any]) -> list[dict[str, Any]]:
    """The 32 items with a status (answered, partial, open), an answer and its evidence."""
    measured = _measured(content, report)
    out = []
    for item_id, module, text, key in ITEMS:
        status, answer, evidence = measured.get(item_id, ("open", "", {}))
        human = people.get(key) if key else None
        if human:
            answer = f"{answer} {human}".strip() if answer else str(human)
            status = "answered"
        elif status == "open" and not answer:
            answer = f"Open: set `{key}` in [tool.pitfall.card]." if key else "Open."
        elif status == "partial" and key:
            answer = f"{answer} Still open: `{key}` in [tool.pitfall.card]."
        out.append(
            {"id": item_id, "module": module, "item": text, "status": status, "answer": answer, "evidence": evidence}
        )
    return out


def _measured(content: dict[str, Any], report: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    m: dict[str, tuple[str, str, dict[str, Any]]] = {}
    data = content.get("data") or {}
    files = data.get("files") or []
    if files:
        m["2a"] = (
            "partial",
            "Files and content hashes: "
            + "; ".join(f"{f['path']} sha256 {f.get('sha256', '?')[:16]}… ({f.get('rows', '?')} rows)" for f in files)
            + ".",
            {"files": files},
        )
    git = content.get("git")
    command = content.get("command_line")
    if git and git.get("commit"):
        state = "with uncommitted changes" if git.get("dirty") else "clean"
        m["2b"] = (
            "answered" if not git.get("dirty") else "partial",
            f"git commit {git['commit']} ({state}); evaluated with `{command}`.",
            {"git": git},
        )
    else:
        m["2b"] = ("partial", f"Not in a git repository; evaluated with `{command}`.", {"command": command})
    env = content.get("environment") or {}
    if env:
        pkgs = ", ".join(f"{k} {v}" for k, v in (env.get("packages") or {}).items() if v)
        m["2c"] = ("answered", f"Python {env.get('python')} on {env.get('platform')}; {pkgs}.", {"environment": env})
    m["2e"] = (
        "partial",
        f"`pitfall rerun {content['run']}` re-executes this evaluation and compares its numbers "
        "(PF701/PF702); the training itself needs its own script.",
        {},
    )
    target = data.get("target") or {}
    if target:
        m["3d"] = (
            "partial",
            f"Outcome `{data.get('target_name')}` ({data.get('task')}): {_describe_target(target)}.",
            {"target": target},
        )
    splits = data.get("splits") or {}
    if splits:
        parts = [
            f"{name}: {s['rows']:,} rows" + (f", {s['groups']:,} groups" if s.get("groups") else "")
            for name, s in splits.items()
        ]
        m["3e"] = ("answered", "; ".join(parts) + ".", {"splits": splits})
        missing = [c for c in data.get("columns") or [] if c["missing_share"] > 0]
        text = (
            "No missing values."
            if not missing
            else "Missing values: " + ", ".join(f"{c['name']} {c['missing_share']:.1%}" for c in missing[:12]) + "."
        )
        m["3f"] = ("answered", text, {"columns": missing})
    m["4b"] = _leak_answer(report, ("PF103", "PF105", "PF107"), "constant, mixed-type or unreadable values")
    model = content.get("model") or {}
    if model:
        m["5a"] = (
            "partial",
            f"{model.get('class')} on {len(data.get('features') or [])} features "
            f"({', '.join((data.get('features') or [])[:15])}).",
            {"model": model},
        )
        if model.get("params"):
            m["5e"] = (
                "partial",
                "Final hyperparameters recorded: "
                + ", ".join(f"{k}={v}" for k, v in list(model["params"].items())[:12])
                + ".",
                {"params": model["params"]},
            )
    if splits:
        m["5c"] = (
            "answered",
            f"Held-out test set ({data.get('split_method')} split): "
            + "; ".join(
                f"{n} {s['rows']:,} rows" + (f", classes {s.get('class_counts')}" if s.get("class_counts") else "")
                for n, s in splits.items()
            )
            + ".",
            {"splits": splits},
        )
    baselines = content.get("baselines") or []
    if baselines:
        m["5f"] = (
            "answered",
            "Scored against "
            + ", ".join(
                f"{b['name']} {b['estimate']:.3f} [{b['low']:.3f}, {b['high']:.3f}]"
                for b in baselines
                if b.get("estimate") is not None and b.get("low") is not None
            )
            + " on the same bootstrap resamples (PF401).",
            {"baselines": baselines},
        )
    m["6a"] = _leak_answer(report, ("PF206", "PF207", "PF208", "PF209"), "preprocessing fitted on test rows")
    m["6b"] = _leak_answer(report, ("PF201", "PF202", "PF203", "PF204"), "train/test duplicates or shared objects")
    status, answer, ev = _leak_answer(report, ("PF205",), "single feature that leaks the label")
    m["6c"] = ("partial" if status == "answered" else status, answer, ev)
    metrics = content.get("metrics") or []
    if metrics:
        m["7a"] = (
            "answered",
            "Metrics: "
            + ", ".join(x["name"] for x in metrics)
            + "; "
            + (
                "PF402 (misleading metric under imbalance) checked."
                if "PF402" in _ran(report)
                else "PF402 not checked."
            ),
            {"metrics": metrics},
        )
        m["7b"] = (
            "answered",
            "95% bootstrap confidence intervals over test rows for every score; model and "
            "baselines on the same resamples (paired differences).",
            {},
        )
        m["7c"] = (
            "partial",
            "pitfall's tests: paired bootstrap intervals for model minus baseline (PF401), "
            "chance models for duplicates (PF101, PF201, PF202), Holm-corrected tests for slices "
            "(PF303); each check's assumptions are in `pitfall explain CODE`.",
            {},
        )
    drift = _found(report, ("PF501", "PF502", "PF503", "PF504", "PF505"))
    if content.get("command") == "drift":
        m["8a"] = (
            "partial",
            "Drift run against newer data: "
            + ("; ".join(f"{f['code']}: {f['message']}" for f in drift) if drift else "no drift found")
            + ".",
            {},
        )
    return m


def _describe_target(target: dict[str, Any]) -> str:
    if "counts" in target:
        return ", ".join(f"{k} {v:,} ({target['shares'][k]:.1%})" for k, v in target["counts"].items())
    return f"mean {target.get('mean', float('nan')):.4g}, sd {target.get('std', float('nan')):.4g}"
