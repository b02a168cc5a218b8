"""pitfall rerun: bit-for-bit reproduction, PF701 when the data is edited, PF702 for what is not pinned.

Every rerun re-executes the recorded command in a fresh process, as a user's would.
"""

import json
import runpy

import pandas as pd

from .conftest import SCAN, SELECT, cli, python, record_scan, tree_hashes


def _rerun(capsys, *args):
    rc, out, err = cli(capsys, "rerun", *args, "--format", "json")
    assert rc in (0, 1), err
    return rc, json.loads(out)


def test_recorded_scan_reruns_bit_for_bit_the_record_is_untouched_and_shuffled_rows_match(project, capsys):
    run_id = record_scan(capsys)
    before = tree_hashes(project / ".pitfall" / "runs" / run_id)
    rc, result = _rerun(capsys, run_id)
    assert rc == 0
    assert result["reproduced_bit_for_bit"] is True and result["findings"] == []
    assert result["original"] == run_id and result["new"] not in (None, run_id)
    assert tree_hashes(project / ".pitfall" / "runs" / run_id) == before
    new = json.loads((project / ".pitfall" / "runs" / result["new"] / "manifest.json").read_text())
    assert new["parent"] == run_id and new["argv"][-1] == "--record"
    old_report = json.loads((project / ".pitfall" / "runs" / run_id / "report.json").read_text())
    new_report = json.loads((project / ".pitfall" / "runs" / result["new"] / "report.json").read_text())
    old_report.pop("timings"), new_report.pop("timings")
    assert new_report == old_report
    # a re-export of the same rows in another order is the same data: no PF702, a note
    pd.read_csv("train.csv").sample(frac=1, random_state=5).to_csv("train.csv", index=False)
    rc, result = _rerun(capsys, run_id, "--no-record")
    assert rc == 0 and not any(f["code"] == "PF702" for f in result["findings"])
    assert any("train.csv was rewritten with the same rows" in note for note in result["notes"])


def test_edited_data_file_gives_pf701_and_pf702(project, capsys):
    run_id = record_scan(capsys)
    before = tree_hashes(project / ".pitfall" / "runs" / run_id)
    test = pd.read_csv("test.csv")
    flip = test.index[::3]
    test.loc[flip, "label"] = 1 - test.loc[flip, "label"]  # a third of the test labels edited in place
    test.to_csv("test.csv", index=False)
    rc, result = _rerun(capsys, run_id)
    assert rc == 1 and result["reproduced_bit_for_bit"] is False
    codes = {f["code"]: f for f in result["findings"]}
    assert codes["PF701"]["severity"] == "error"
    moved = {m["metric"] for m in codes["PF701"]["evidence"]["moved"]}
    assert "scores.values.model" in moved
    assert codes["PF702"]["evidence"]["kind"] == "data-changed"
    assert [c["path"] for c in codes["PF702"]["evidence"]["changed"]] == ["test.csv"]
    assert tree_hashes(project / ".pitfall" / "runs" / run_id) == before
    rc, out, _ = cli(capsys, "runs", "diff", run_id, result["new"])
    assert rc == 0
    assert "test.sha256:" in out and "split test.rows_sha256" in out and "OUTSIDE CI" in out
    assert "Code and settings: unchanged" in out and "Environment: unchanged" in out


def _record_with_model(capsys, script):
    rc, _, err = cli(
        capsys,
        *SCAN,
        "--model",
        "model.joblib",
        "--trust-model",
        "--select",
        SELECT,
        "--record",
        "--format",
        "json",
        "-o",
        "r.json",
        "-q",
    )
    assert rc in (0, 1), err
    return [ln for ln in err.splitlines() if ln.startswith("Run recorded")][0].split()[2]


def test_deterministic_training_script_reproduces_and_a_failing_one_is_one_line(project, capsys):
    runpy.run_path("train_det.py")  # the user trained once before recording (in this process: faster)
    run_id = _record_with_model(capsys, "train_det.py")
    rc, result = _rerun(capsys, run_id, "--train-script", python("train_det.py"))
    assert rc == 0, result
    assert result["findings"] == [] and result["reproduced_bit_for_bit"] is True
    (project / "broken.py").write_text("raise SystemExit('no GPU here')\n")
    rc, out, err = cli(capsys, "rerun", run_id, "--train-script", python("broken.py"))
    assert rc == 2 and err.count("\n") == 1 and "failed with exit status 1 (no GPU here)" in err


def test_unseeded_training_script_is_pf702_not_deterministic(project, capsys):
    runpy.run_path("train_random.py")
    run_id = _record_with_model(capsys, "train_random.py")
    manifest = json.loads((project / ".pitfall" / "runs" / run_id / "manifest.json").read_text())
    assert manifest["seeds"]["model.random_state"] is None
    rc, result = _rerun(capsys, run_id, "--train-script", python("train_random.py"))
    assert rc == 1
    [nd] = [f for f in result["findings"] if f["code"] == "PF702"]
    assert nd["evidence"]["kind"] == "not-deterministic" and nd["evidence"]["unseeded_parameters"] == ["random_state"]
    assert nd["evidence"]["n"] == 100 and nd["evidence"]["disagree"] > 0
