"""``pitfall thresholds`` end to end with a joblib model, and every bad input as one line with exit 2."""

from __future__ import annotations

import json

import joblib
import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression

from pitfall.cli.main import main
from pitfall.deploy.policy import SafetyRule, read_policy, write_policy
from tests.deploy.synthetic import fitted_logistic, logistic_frame, three_labels


def cli(argv, capsys) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main([str(a) for a in argv])
    out = capsys.readouterr()
    return rc, out.out, out.err


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("thresholds")
    rng = np.random.default_rng(0)
    model = fitted_logistic(logistic_frame(rng, 2000))
    joblib.dump(model, folder / "model.joblib")
    logistic_frame(rng, 2000).to_csv(folder / "valid.csv", index=False)
    three = three_labels(0)
    three.assign(label=three["label"].str.upper()).to_csv(folder / "unknown.csv", index=False)
    joblib.dump(LogisticRegression().fit(np.zeros((4, 5)), [0, 1, 0, 1]), folder / "arrays.joblib")  # no names
    joblib.dump(LinearRegression().fit(three[["x", "y", "z"]], three["x"]), folder / "regressor.joblib")
    return {
        "folder": folder,
        "model": folder / "model.joblib",
        "valid": folder / "valid.csv",
        "unknown": folder / "unknown.csv",
        "regressor": folder / "regressor.joblib",
        "arrays": folder / "arrays.joblib",
    }


def test_end_to_end_text_json_html_and_policy(files, tmp_path, capsys):
    base = ["thresholds", files["model"], "--trust-model", files["valid"], "--target", "label"]
    policy = tmp_path / "policy.toml"
    rc, out, err = cli([*base, "--accuracy", "0.9", "-o", policy, "--per-label"], capsys)
    assert rc == 0 and not err, err
    assert "Accept at confidence ≥" in out and "Per 1,000 items" in out and f"Policy written to {policy}" in out
    written = read_policy(policy)
    assert written.target_accuracy == 0.9 and set(written.per_label) == {"0", "1"}
    rc, out, _ = cli([*base, "--accuracy", "0.9", "--format", "json"], capsys)
    data = json.loads(out)
    assert rc == 0 and data["accept"] == pytest.approx(written.accept) and data["findings"] == []
    rc, out, _ = cli([*base, "--accuracy", "0.97", "--format", "html"], capsys)
    assert rc == 0 and out.startswith("<!DOCTYPE html>") and "<svg" in out and "PF602" in out  # overload warns


def test_existing_safety_rules_are_kept_and_impossible_target_exits_1(files, tmp_path, capsys):
    policy = tmp_path / "policy.toml"
    from pitfall.deploy.policy import Policy

    write_policy(Policy(0.99, 0.5, safety=[SafetyRule("1", "never", {"collection": "wartime"})]), policy)
    base = ["thresholds", files["model"], "--trust-model", files["valid"], "--target", "label", "-o", policy]
    rc, out, _ = cli([*base, "--accuracy", "0.9"], capsys)
    assert rc == 0 and "Kept 1 [[safety]] rule" in out
    assert read_policy(policy).safety == [SafetyRule("1", "never", {"collection": "wartime"})]
    before = policy.read_text()
    rc, out, _ = cli([*base, "--accuracy", "0.9999"], capsys)
    assert rc == 1 and "ERROR PF602" in out and "No policy written" in out and policy.read_text() == before


BAD = [
    (lambda f: [f["model"], f["valid"], "-t", "label"], "--trust-model"),
    (lambda f: [f["regressor"], "--trust-model", f["unknown"], "-t", "label"], "no predict_proba"),
    (lambda f: [f["model"], "--trust-model", f["valid"], "-t", "nope"], "no column 'nope'"),
    (lambda f: [f["model"], "--trust-model", f["valid"], "-t", "label", "--accuracy", "1.2"], "accuracy must be"),
    (lambda f: [f["model"], "--trust-model", f["valid"], "-t", "label", "--accuracy", "0"], "accuracy must be"),
    (lambda f: [f["model"], "--trust-model", f["valid"], "-t", "label", "-o", f["folder"]], "is a directory"),
    (lambda f: [f["model"], "--trust-model", f["valid"], "-t", "label", "-o", f["valid"]], "overwrite the input"),
    (lambda f: [f["model"], "--trust-model", f["valid"], "-t", "label", "-o", f["model"]], "overwrite the input"),
    (lambda f: [f["model"], "--trust-model", f["folder"] / "nope.csv", "-t", "label"], "nope.csv"),
    (lambda f: [f["folder"] / "nope.joblib", "--trust-model", f["valid"], "-t", "label"], "no such model file"),
    (lambda f: [f["model"], "--trust-model", f["unknown"], "-t", "x"], "lacks the model's feature columns"),
    (lambda f: [f["arrays"], "--trust-model", f["unknown"], "-t", "label"], "cannot predict"),
    (lambda f: [f["model"], "--trust-model", f["valid"], "-t", "label", "--review-floor", "1.5"], "review-floor"),
    (lambda f: [f["model"], "--trust-model", f["valid"], "-t", "label", "--format", "pdf"], "pdf"),
    (lambda f: [f["model"], "--trust-model", f["valid"]], "--target"),
]


@pytest.mark.parametrize("argv, message", BAD)
def test_bad_input_is_one_line_and_exit_2(files, capsys, argv, message):
    rc, out, err = cli(["thresholds", *argv(files)], capsys)
    assert rc == 2 and not out
    assert err.startswith("pitfall: error:") and err.count("\n") == 1 and message in err, err


def test_unknown_labels_and_a_non_policy_output(files, tmp_path, capsys):
    three = three_labels(0)
    joblib.dump(LogisticRegression().fit(three[["x", "y", "z"]], three["label"]), tmp_path / "three.joblib")
    argv = ["thresholds", tmp_path / "three.joblib", "--trust-model", files["unknown"], "-t", "label"]
    rc, _, err = cli(argv, capsys)
    assert rc == 2 and "labels the model does not know: 'A', 'B', 'C'" in err
    notes = tmp_path / "notes.toml"
    notes.write_text("not = [a policy")
    argv = ["thresholds", files["model"], "--trust-model", files["valid"], "-t", "label", "-o", notes]
    rc, _, err = cli(argv, capsys)
    assert rc == 2 and "is not a policy file" in err and notes.read_text() == "not = [a policy"
