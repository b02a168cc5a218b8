"""pitfall runs list / diff, and recording from drift and thresholds."""

import json

import joblib
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from pitfall.records.store import RunStore

from .conftest import cli, record_scan


def test_list_text_json_and_index_rebuilt_from_folders(project, capsys):
    first = record_scan(capsys)
    second = record_scan(capsys, "--seed", "1")
    rc, out, _ = cli(capsys, "runs", "list")
    assert rc == 0
    lines = out.strip().splitlines()
    assert [ln.split()[0] for ln in lines] == [first, second]
    assert "scan" in lines[0] and "data train:" in lines[0] and "balanced_accuracy" in lines[0]
    (project / ".pitfall" / "runs.db").unlink()  # the index is a cache
    (project / ".pitfall" / "runs" / "20990101-000000-scan-broken").mkdir()
    rc, out, _ = cli(capsys, "runs", "list", "--format", "json")
    rows = json.loads(out)
    assert [r["id"] for r in rows] == [first, second, "20990101-000000-scan-broken"]
    assert rows[2]["problem"] and "partial run record" in rows[2]["problem"]
    rc, out, _ = cli(capsys, "runs", "diff", first, second)
    assert "seed.seed: 0 → 1" in out and "Data: unchanged" in out and "Environment: unchanged" in out
    rc, out, _ = cli(capsys, "runs", "diff", first, second, "--format", "json")
    diff = json.loads(out)
    assert diff["data"] == [] and {"what": "seed.seed", "a": 0, "b": 1} in diff["code"]


def test_empty_project_lists_nothing(project, capsys):
    rc, out, _ = cli(capsys, "runs", "list")
    assert rc == 0 and out.startswith("No recorded runs")


def test_drift_and_thresholds_record_their_runs(project, capsys):
    rng = np.random.default_rng(0)
    ref = pd.DataFrame({"a": rng.normal(size=400), "b": rng.normal(size=400)})
    cur = pd.DataFrame({"a": rng.normal(0.8, size=400), "b": rng.normal(size=400)})
    ref.to_csv("ref.csv", index=False)
    cur.to_csv("cur.csv", index=False)
    rc, _, err = cli(
        capsys,
        "drift",
        "ref.csv",
        "cur.csv",
        "--select",
        "PF501",
        "--record",
        "-q",
        "--format",
        "json",
        "-o",
        "drift.json",
    )
    assert rc == 1 and "Run recorded" in err
    train = pd.read_csv("train.csv")
    model = LogisticRegression().fit(train.drop(columns="label"), train["label"])
    joblib.dump(model, "lr.joblib")
    rc, _, err = cli(
        capsys,
        "thresholds",
        "lr.joblib",
        "test.csv",
        "--trust-model",
        "-t",
        "label",
        "--accuracy",
        "0.8",
        "--format",
        "json",
        "--record",
    )
    assert "Run recorded" in err
    store = RunStore(project)
    drift_run, thr_run = (store.load(i) for i in store.ids())
    assert drift_run.manifest["command"] == "drift" and drift_run.report["findings"][0]["code"] == "PF501"
    assert set(drift_run.manifest["inputs"]) == {"reference", "current"}
    assert thr_run.manifest["command"] == "thresholds"
    model_entry = thr_run.manifest["inputs"]["model"]
    assert model_entry["class"] == "LogisticRegression" and model_entry["params"]["C"] == 1.0
    rc, out, err = cli(capsys, "rerun", drift_run.id, "--format", "json")
    assert json.loads(out)["reproduced_bit_for_bit"] is True, err
    for run in (drift_run, thr_run):  # cards of runs other than scans: what was measured, nothing made up
        rc, _, err = cli(capsys, "card", run.id, "-o", f"card-{run.manifest['command']}")
        assert rc == 0, err
    card = (project / "card-drift" / "MODEL_CARD.md").read_text()
    assert "**Drift status:** PF501 " in card
    assert "LogisticRegression" in (project / "card-thresholds" / "MODEL_CARD.md").read_text()


def test_rerun_notes_what_changed_in_settings_code_and_environment():
    from pitfall.records.rerun import _what_changed

    old = {
        "id": "a",
        "argv": ["scan", "x.csv"],
        "seeds": {"seed": 0},
        "config": {"seed": None},
        "git": {"commit": "1111", "dirty": False},
        "environment": {"python": "3.11.7", "packages": {"numpy": "2.0"}},
    }
    new = {
        "id": "b",
        "argv": ["scan", "x.csv", "--record"],
        "seeds": {"seed": 3},
        "config": {"seed": 3},
        "git": {"commit": "2222", "dirty": True},
        "environment": {"python": "3.11.7", "packages": {"numpy": "2.1"}},
    }
    [note] = _what_changed(old, new)
    for part in (
        "seed.seed 0 → 3",
        "config.seed None → 3",
        "git.commit 1111 → 2222",
        "git.dirty False → True",
        "packages.numpy 2.0 → 2.1",
        "pitfall runs diff a b",
    ):
        assert part in note
    assert _what_changed(old, {**old, "id": "c", "argv": [*old["argv"], "--quiet"]}) == []


def test_lint_records_its_run_and_reruns_it(project, capsys):
    (project / "train.py").write_text(
        "import pandas as pd\nfrom sklearn.model_selection import train_test_split\n"
        "from sklearn.preprocessing import StandardScaler\n"
        "df = pd.read_csv('train.csv')\nX = StandardScaler().fit_transform(df.drop(columns='label'))\n"
        "X_tr, X_te, y_tr, y_te = train_test_split(X, df['label'], random_state=0)\n"
        "from sklearn.linear_model import LogisticRegression\n"
        "print(LogisticRegression().fit(X_tr, y_tr).score(X_te, y_te))\n",
        encoding="utf-8",
    )
    rc, _, err = cli(capsys, "lint", "train.py", "--record", "-q", "--format", "json", "-o", "lint.json")
    assert rc == 1 and "Run recorded" in err
    store = RunStore(project)
    (run,) = (store.load(i) for i in store.ids())
    assert run.manifest["command"] == "lint" and run.report["findings"][0]["code"] == "PF206"
    rc, out, err = cli(capsys, "rerun", run.id, "--format", "json")
    assert json.loads(out)["reproduced_bit_for_bit"] is True, err
