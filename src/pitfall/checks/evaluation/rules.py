"""Rule baselines from a user's file of regular expressions: could the model be a regex?

A rules file is CSV with a header row ``pattern,label`` and one rule per row::

    pattern,label
    "\\b(der|die|das|und)\\b",de
    "\\b(le|la|les|et)\\b",fr
    (?i)\\bthe\\b,en

Patterns are Python regular expressions searched (``re.search``) in each record's text (the
text columns joined by a newline), case-sensitive unless they say ``(?i)``. The first rule that
matches gives the label; a record no rule matches gets the fallback label, the majority class of
the training data (end the file with an empty pattern to choose another fallback). Lines
starting with ``#`` are comments. Quote a pattern that holds a comma, doubling quotes inside it.

PF401 scores the rules on the test set like its other baselines (bootstrap interval, paired
difference with the model) and reports when the model does not beat them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from pitfall.errors import ConfigError

if TYPE_CHECKING:
    from pitfall.checks.context import Context, Predictions
    from pitfall.checks.evaluation.baselines import WeakerThanBaseline
    from pitfall.findings import Finding
    from pitfall.stats import Interval

__all__ = ["Rule", "RuleSet", "load_rules", "regex_rule_findings", "rule_baseline"]


@dataclass(frozen=True)
class Rule:
    """One row of a rules file."""

    pattern: re.Pattern[str]
    label: str
    line: int


@dataclass(frozen=True)
class RuleSet:
    """The rules of one file, in order (first match wins)."""

    path: str
    rules: tuple[Rule, ...]

    @property
    def name(self) -> str:
        return f"regex: {Path(self.path).name}"

    def check_labels(self, classes: list) -> None:
        """Every rule's label must be a class of the target (compared as text)."""
        known = {str(c) for c in classes}
        for rule in self.rules:
            if rule.label not in known:
                shown = ", ".join(map(repr, [str(c) for c in classes[:10]]))
                raise ConfigError(
                    f"{self.path}, line {rule.line}: label {rule.label!r} is not a class of the target "
                    f"(classes: {shown}). Use one of them."
                )

    def apply(self, texts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Label of the first matching rule for each text (None when none matches), and which rule."""
        labels = np.full(len(texts), None, dtype=object)
        which = np.full(len(texts), -1, dtype=np.int64)
        for i, t in enumerate(texts):
            for k, rule in enumerate(self.rules):
                if rule.pattern.search(t):
                    labels[i], which[i] = rule.label, k
                    break
        return labels, which


def load_rules(path: str | Path) -> RuleSet:
    """Read and validate a rules file; any problem is a one-line ConfigError naming file and line."""
    p = Path(path)
    if not p.is_file():
        what = "is a directory" if p.is_dir() else "no such file"
        raise ConfigError(f"--rules {p}: {what}. Give a CSV file with the header `pattern,label`.")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"--rules {p}: cannot read it as UTF-8 text ({type(exc).__name__}).") from None
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    rules: list[Rule] = []
    try:
        for row in reader:
            line = reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()) or row[0].lstrip().startswith("#"):
                continue
            if header is None:
                header = [h.strip().lower() for h in row]
                if header[:2] != ["pattern", "label"] or len(header) != 2:
                    raise ConfigError(
                        f"{p}, line {line}: the header must be `pattern,label`. Got {','.join(row)!r} instead."
                    )
                continue
            if len(row) != 2:
                raise ConfigError(
                    f"{p}, line {line}: a rule has 2 fields (pattern,label). Got {len(row)}; quote a pattern "
                    'that holds a comma ("a,b").'
                )
            pattern, label = row[0], row[1].strip()
            if not label:
                raise ConfigError(f"{p}, line {line}: the label is empty. Give the class the rule predicts.")
            try:
                compiled = re.compile(pattern)
            except re.error as exc:
                raise ConfigError(f"{p}, line {line}: bad regular expression {pattern!r}: {exc}.") from None
            rules.append(Rule(compiled, label, line))
    except csv.Error as exc:
        raise ConfigError(f"{p}, line {reader.line_num}: not valid CSV ({exc}).") from None
    if not rules:
        raise ConfigError(f"--rules {p}: no rules. Give a header `pattern,label` and one rule per line.")
    return RuleSet(str(p), tuple(rules))


def _texts(ctx: Context, frame: pd.DataFrame) -> np.ndarray:
    from pitfall.checks.leakage.text_duplicates import record_texts

    return record_texts(frame, ctx.split.roles.text)


def rule_baseline(ctx: Context, rules: RuleSet) -> dict[str, Predictions]:
    """The rules' test predictions (class indices, one-hot probabilities), keyed by ``rules.name``.

    Also records in ``ctx.metrics["rules"]`` how often each rule fired and the fallback label.
    """
    from pitfall.checks.context import Predictions

    classes = [str(c) for c in ctx.classes]
    fallback = classes[int(np.argmax(np.bincount(ctx.y_train, minlength=len(classes))))]
    labels, which = rules.apply(_texts(ctx, ctx.split.test))
    labels = np.where(pd.isna(labels), fallback, labels)
    index = pd.Index(classes).get_indexer(labels.astype(str)).astype(np.int64)
    proba = np.zeros((len(index), len(classes)))
    proba[np.arange(len(index)), index] = 1.0
    hits = np.bincount(which[which >= 0], minlength=len(rules.rules))
    ctx.metrics["rules"] = {
        "file": rules.path,
        "n_rules": len(rules.rules),
        "fallback": fallback,
        "coverage": float(np.mean(which >= 0)) if len(which) else 0.0,
        "hits": {f"line {r.line}": int(h) for r, h in zip(rules.rules, hits, strict=True)},
    }
    return {rules.name: Predictions(index, proba)}


def regex_rule_findings(
    check: WeakerThanBaseline, ctx: Context, scores: dict[str, Interval], diffs: dict[str, Interval]
) -> Iterator[Finding]:
    """PF401's verdict on the user's rules, with the statistics of its dummy baselines.

    ``warning`` when the model does worse than the rules or does not beat them by the margin that
    counts; ``info`` when the test set is too small to tell.
    """
    from pitfall.checks.evaluation.baselines import VERDICT_PHRASE, VERDICT_REASON
    from pitfall.findings import Severity

    rules: RuleSet = ctx.options.rules
    key = rules.name
    if key not in diffs:
        return
    from pitfall.checks.evaluation.baselines import headroom

    verdict = check._verdict(diffs[key], scores[key])
    margin = check.margin * headroom(scores[key].estimate, check.greater_is_better)
    if verdict == "unclear" and diffs[key].high <= margin:
        verdict = "not better"  # a tie with perfect rules: nothing is left to beat them by
    if verdict == "better":
        return
    metric = ctx.metric.name
    info = ctx.metrics.get("rules", {})
    yield check.finding(
        f"The model's {metric} {scores['model']} {VERDICT_PHRASE[verdict]} the {len(rules.rules)} regular "
        f"expression(s) of {Path(rules.path).name}: {scores[key]} (difference {diffs[key]}{VERDICT_REASON[verdict]}).",
        "Compare the model with the rules on new data; if it does not beat them, ship the rules or find "
        "what the model should learn beyond them.",
        evidence={
            "metric": metric,
            "model": scores["model"].to_dict(),
            "rules": scores[key].to_dict(),
            "difference": diffs[key].to_dict(),
            "margin": check.margin,
            "compared_with": key,
            "rules_file": rules.path,
            "coverage": info.get("coverage"),
            "fallback": info.get("fallback"),
        },
        columns=ctx.split.roles.text,
        severity=Severity.INFO if verdict == "unclear" else Severity.WARNING,
    )
