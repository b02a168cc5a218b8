"""PF401 with a user's rules file: the regex baseline is scored with intervals; it fires when the model does not
beat the rules."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import pitfall
from pitfall.checks.evaluation.rules import load_rules
from pitfall.cli.main import main
from pitfall.errors import ConfigError
from tests.text.synthetic import language_id, split


def _write(tmp_path: Path, text: str, name: str = "rules.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _keyword_data(seed: int, n: int = 900) -> pd.DataFrame:
    """Label 'sale' exactly when the record holds the word 'discount': a regex decides it."""
    frame = language_id(seed, n=n, languages=1)
    rng = np.random.default_rng(seed)
    sale = rng.random(n) < 0.4
    words = frame["text"].str.rstrip(".").str.split(" ")
    texts = [" ".join(w[:2] + ["discount"] + w[2:]) if s else " ".join(w) for w, s in zip(words, sale, strict=True)]
    return pd.DataFrame({"text": texts, "kind": np.where(sale, "sale", "other")})


def test_rules_file_is_read_in_order_with_line_numbers(tmp_path):
    path = _write(tmp_path, '# comment\npattern,label\n"\\b(a|b),c",x\n(?i)hello,y\n\n,z\n')
    rules = load_rules(path)
    assert [r.label for r in rules.rules] == ["x", "y", "z"]
    assert [r.line for r in rules.rules] == [3, 4, 6]
    labels, which = rules.apply(np.array(["b,c", "HELLO", "nothing"], dtype=object))
    assert labels.tolist() == ["x", "y", "z"] and which.tolist() == [0, 1, 2]  # empty pattern: the fallback


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pattern,label\nabc,x\n(unclosed,y\n", "line 3: bad regular expression '(unclosed'"),
        ("regex,class\nabc,x\n", "line 1: the header must be `pattern,label`"),
        ("pattern,label\na,b,c\n", "line 2: a rule has 2 fields"),
        ("pattern,label\nabc,\n", "line 2: the label is empty"),
        ("pattern,label\n", "no rules"),
    ],
)
def test_bad_rules_file_is_a_one_line_config_error(tmp_path, text, expected):
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_rules(path)
    message = str(err.value)
    assert expected in message and str(path) in message and "\n" not in message


def test_missing_file_and_unknown_label_name_the_file(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        load_rules(tmp_path / "absent.csv")
    train, test = split(_keyword_data(0), 0)
    path = _write(tmp_path, "pattern,label\ndiscount,sale\nfoo,bargain\n")
    with pytest.raises(ConfigError, match=r"rules.csv, line 3: label 'bargain' is not a class"):
        pitfall.scan(train, test, target="kind", text="text", rules=path, select="PF401", config=False)


def test_model_that_does_not_beat_the_regex_fires(tmp_path):
    train, test = split(_keyword_data(1), 1)
    path = _write(tmp_path, "pattern,label\n\\bdiscount\\b,sale\n")
    report = pitfall.scan(train, test, target="kind", text="text", rules=path, select="PF401", config=False)
    [f] = [f for f in report.findings if f.evidence.get("compared_with") == "regex: rules.csv"]
    assert f.severity.value == "warning"
    assert f.evidence["rules"]["estimate"] == 1.0 and f.evidence["difference"]["high"] <= 0.0 + 1e-12
    assert f.evidence["coverage"] == pytest.approx((test["kind"] == "sale").mean())
    assert f.evidence["fallback"] == "other"
    scores = report.metrics["scores"]["values"]
    assert "regex: rules.csv" in scores and "model" in scores
    assert report.metrics["rules"]["hits"] == {"line 2": int((test["kind"] == "sale").sum())}


def test_model_that_beats_weak_rules_stays_silent(tmp_path):
    train, test = split(language_id(2, n=900), 2)
    langs = sorted(train["lang"].unique())
    path = _write(tmp_path, f"pattern,label\n^Ka,{langs[0]}\n")  # a poor rule: the model reads every word
    report = pitfall.scan(train, test, target="lang", text="text", rules=path, select="PF401", config=False)
    assert not [f for f in report.findings if "regex" in str(f.evidence.get("compared_with"))]
    scores = report.metrics["scores"]["model_minus_baseline"]["regex: rules.csv"]
    assert scores["low"] > 0


def test_cli_bad_regex_exits_2_with_one_line(tmp_path, capsys):
    train, test = split(_keyword_data(3, n=200), 3)
    train.to_csv(tmp_path / "train.csv", index=False)
    test.to_csv(tmp_path / "test.csv", index=False)
    path = _write(tmp_path, "pattern,label\n[a-,sale\n")
    rc = main(
        [
            "scan",
            str(tmp_path / "train.csv"),
            str(tmp_path / "test.csv"),
            "-t",
            "kind",
            "--text",
            "text",
            "--rules",
            str(path),
            "--no-config",
        ]
    )
    err = capsys.readouterr().err
    assert rc == 2
    assert "rules.csv, line 2: bad regular expression" in err
    assert "Traceback" not in err
